#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "rules/evaluator.h"

namespace vigil::rules {
namespace {

using namespace std::chrono_literals;

const Time kT0 = Time{} + std::chrono::hours(24 * 19950);  // a fixed instant in 2024

Condition cond(std::string_view text) {
  auto parsed = Condition::parse(text);
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << text << ": " << err->message;
    return std::get<Condition>(Condition::parse("false"));
  }
  return std::get<Condition>(std::move(parsed));
}

probe::CheckResult http_result() {
  probe::CheckResult r;
  r.check_id = "web/login";
  r.started_at = kT0;
  r.reachable = true;
  r.status = 200;
  r.headers = {{"content-type", "application/json"}, {"x-request-id", "abc123"}};
  r.body = R"({"user":{"id":42,"name":"ada","admin":false},"items":[{"name":"first"},{"name":"second"}],)"
           R"("ratio":0.25,"big":18446744073709551615,"nothing":null,"odd key":1,"0":"zero"})";
  r.timings.dns = 1500us;
  r.timings.connect = 3200us;
  r.timings.tls = 20'000us;
  r.timings.ttfb = 400'000us;
  r.timings.total = 812'345us;
  r.cert_expires_at = kT0 + std::chrono::hours(24 * 20);
  return r;
}

// ---------------------------------------------------------------------------------------
// result_variables

TEST(ResultVariables, ExposesTheResult) {
  const probe::CheckResult r = http_result();
  const Variables vars = result_variables(r);
  auto get = [&](std::string_view name, std::string_view key = {}) { return vars(name, key); };

  EXPECT_EQ(get("status"), Value{200.0});
  EXPECT_EQ(get("response_time"), Value{Duration{812}});
  EXPECT_EQ(get("dns_time"), Value{Duration{1}});
  EXPECT_EQ(get("connect_time"), Value{Duration{3}});
  EXPECT_EQ(get("tls_time"), Value{Duration{20}});
  EXPECT_EQ(get("ttfb"), Value{Duration{400}});
  EXPECT_EQ(get("body"), Value{r.body});
  EXPECT_EQ(get("reachable"), Value{true});
  EXPECT_EQ(get("error"), Value{std::string()});
  EXPECT_EQ(get("cert_expires_in"), Value{Duration{20 * 86'400'000LL}});
  EXPECT_EQ(get("header", "Content-Type"), Value{std::string("application/json")});
  EXPECT_EQ(get("header", "X-REQUEST-ID"), Value{std::string("abc123")});
  EXPECT_TRUE(std::holds_alternative<Null>(*get("header", "x-missing")));
  EXPECT_EQ(get("json.user.id"), Value{42.0});
  EXPECT_EQ(get("json.user.name"), Value{std::string("ada")});
  EXPECT_EQ(get("json.user.admin"), Value{false});
  EXPECT_EQ(get("json.items.1.name"), Value{std::string("second")});
  EXPECT_EQ(get("json.ratio"), Value{0.25});
  EXPECT_EQ(get("json.big"), Value{18446744073709551615.0});
  EXPECT_EQ(get("json", "odd key"), Value{1.0});
  EXPECT_EQ(get("json.0"), Value{std::string("zero")});  // digits are object keys in objects
  EXPECT_EQ(get("json.user"), Value{std::string(R"({"id":42,"name":"ada","admin":false})")});
  for (const char* missing : {"json.nothing", "json.user.email", "json.items.2", "json.items.x", "json.user.id.x"}) {
    ASSERT_TRUE(get(missing).has_value()) << missing;
    EXPECT_TRUE(std::holds_alternative<Null>(*get(missing))) << missing;
  }
  EXPECT_FALSE(get("nope").has_value());
  EXPECT_FALSE(get("header").has_value());  // needs a subscript
  EXPECT_FALSE(get("status", "x").has_value());
}

TEST(ResultVariables, MissingCertificateAndNonJsonBodyAreNull) {
  probe::CheckResult r = http_result();
  r.cert_expires_at.reset();
  r.body = "<html>not json</html>";
  const Variables vars = result_variables(r);
  EXPECT_TRUE(std::holds_alternative<Null>(*vars("cert_expires_in", "")));
  EXPECT_TRUE(std::holds_alternative<Null>(*vars("json.user.id", "")));
  EXPECT_TRUE(std::holds_alternative<Null>(*vars("json", "")));
}

// ---------------------------------------------------------------------------------------
// judge

CheckRules rules_with(std::vector<std::string> conditions, std::string type = "http") {
  CheckRules rules;
  rules.service = "web";
  rules.check = "login";
  rules.check_type = std::move(type);
  for (const auto& c : conditions) rules.conditions.push_back(cond(c));
  return rules;
}

TEST(Judge, UnreachableFailsWithTheTransportError) {
  probe::CheckResult r = http_result();
  r.reachable = false;
  r.error = "connect: connection refused";
  const Verdict v = judge(rules_with({"status == 200"}), r);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.reason, "connect: connection refused");
  r.error.clear();
  EXPECT_EQ(judge(rules_with({}), r).reason, "unreachable");
}

TEST(Judge, DefaultsWithoutConditions) {
  struct Case {
    std::string type;
    int status;
    bool passed;
    std::string reason;
  };
  const Case cases[] = {
      {"http", 200, true, ""},    {"http", 301, true, ""},   {"http", 399, true, ""},
      {"http", 400, false, "status 400"}, {"http", 503, false, "status 503"},
      {"tcp", 0, true, ""},
  };
  for (const auto& c : cases) {
    probe::CheckResult r = http_result();
    r.status = c.status;
    const Verdict v = judge(rules_with({}, c.type), r);
    EXPECT_EQ(v.passed, c.passed) << c.type << " " << c.status;
    EXPECT_EQ(v.reason, c.reason) << c.type << " " << c.status;
  }
}

TEST(Judge, EveryConditionMustPassAndTheFirstFailureIsTheReason) {
  probe::CheckResult r = http_result();
  const auto rules = rules_with({
      "status == 200",
      "response_time < 800ms",
      R"(header["Content-Type"] matches "json")",
      "json.user.id != 0",
  });
  Verdict v = judge(rules, r);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.reason, "response_time < 800ms (response_time is 812ms)");

  r.timings.total = 500ms;
  v = judge(rules, r);
  EXPECT_TRUE(v.passed) << v.reason;
  EXPECT_EQ(v.reason, "");

  r.status = 503;
  r.timings.total = 900ms;
  EXPECT_EQ(judge(rules, r).reason, "status == 200 (status is 503)");
}

TEST(Judge, ConditionsOverResultVariables) {
  const probe::CheckResult r = http_result();
  struct Case {
    const char* text;
    bool passed;
    std::string reason;
  };
  const Case cases[] = {
      {"cert_expires_in > 14d", true, ""},
      {"cert_expires_in > 30d", false, "cert_expires_in > 30d (cert_expires_in is 20d)"},
      {"cert_expires_in > 14", false,
       "cert_expires_in > 14: cannot compare a duration with a number (cert_expires_in is 20d); "
       "write durations with a unit, e.g. 800ms or 5s"},
      {R"(header["CONTENT-TYPE"] == "application/json")", true, ""},
      {R"(header["content-type"] contains "json")", true, ""},
      {R"(header["X-Missing"] == null)", true, ""},
      {R"(header["X-Missing"] contains "a")", false, R"(header["X-Missing"] contains "a" (header["X-Missing"] is null))"},
      {"json.user.id == 42", true, ""},
      {"json.user.id == 7", false, "json.user.id == 7 (json.user.id is 42)"},
      {R"(json.items.0.name == "first")", true, ""},
      {R"(json.items.1.name == "first")", false, R"(json.items.1.name == "first" (json.items.1.name is "second"))"},
      {"json.items.9.name == null", true, ""},
      {"not json.user.admin", true, ""},
      {"json.ratio < 30%", true, ""},
      {R"(json["odd key"] == 1)", true, ""},
      {R"(json.user contains "\"name\":\"ada\"")", true, ""},
      {"json.user.id == 42 and json.ratio > 0.5", false, "json.ratio > 0.5 (json.ratio is 0.25)"},
      {"ttfb < 500ms and dns_time < 2ms and connect_time < 4ms and tls_time < 21ms", true, ""},
      {"reachable and error == \"\"", true, ""},
      {"busy_workers < 10", false, "unknown variable busy_workers"},
  };
  for (const auto& c : cases) {
    const Verdict v = judge(rules_with({c.text}), r);
    EXPECT_EQ(v.passed, c.passed) << c.text << "\n  " << v.reason;
    EXPECT_EQ(v.reason, c.reason) << c.text;
  }
}

TEST(Judge, AgreesWithResultVariables) {
  // The allocation-free path judge() uses and the public Variables path must agree.
  const probe::CheckResult r = http_result();
  const Variables vars = result_variables(r);
  for (const char* text : {"status == 200", "json.user.id == 7", R"(body contains "ada")", "response_time < 800ms",
                           R"(header["X-Request-Id"] matches "^abc\d+$")", "nope == 1"}) {
    const Condition c = cond(text);
    const EvalOutcome a = c.evaluate(vars);
    const Verdict b = judge(rules_with({text}), r);
    EXPECT_EQ(a.passed, b.passed) << text;
    EXPECT_EQ(a.reason, b.reason) << text;
  }
}

// ---------------------------------------------------------------------------------------
// step

struct Expect {
  AlertChange::Kind kind;
  int at;          // seconds after kT0 of the result that crosses the threshold
  int started_at;  // seconds after kT0
};

// Feeds a pattern ('F' fail, 'P' pass; one result every 10 s from kT0) and collects changes.
std::vector<AlertChange> feed(std::string_view pattern, int failure_threshold, int success_threshold,
                              CheckState& state) {
  CheckRules rules;
  rules.service = "web";
  rules.check = "login";
  rules.severity = "warning";
  rules.failure_threshold = failure_threshold;
  rules.success_threshold = success_threshold;
  std::vector<AlertChange> out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const bool pass = pattern[i] == 'P';
    const Verdict v{pass, pass ? "" : "status == 200 (status is 503)"};
    if (auto change = step(state, rules, v, kT0 + std::chrono::seconds(10 * i))) out.push_back(*change);
  }
  return out;
}

TEST(Step, ThresholdPatterns) {
  using K = AlertChange::Kind;
  struct Case {
    const char* name;
    const char* pattern;
    int failure_threshold;
    int success_threshold;
    std::vector<Expect> changes;
  };
  const Case cases[] = {
      {"all passing", "PPPPP", 3, 2, {}},
      {"one blip does not fire", "PPFPP", 3, 2, {}},
      {"two failures below threshold", "PFFPFFP", 3, 2, {}},
      {"threshold fires once, at the 3rd failure, started at the 1st", "PFFFFFF", 3, 2, {{K::firing, 30, 10}}},
      {"recovery resolves once, started at the first pass", "FFFPPPP", 3, 2, {{K::firing, 20, 0}, {K::resolved, 40, 30}}},
      {"a failure during recovery restarts it", "FFFPFPP", 3, 2, {{K::firing, 20, 0}, {K::resolved, 60, 50}}},
      {"no duplicate firing while alerting", "FFFPFFFFFPP", 3, 2, {{K::firing, 20, 0}, {K::resolved, 100, 90}}},
      {"flapping never reaches either threshold", "FPFPFPFPFP", 2, 2, {}},
      {"flapping around an open alert keeps it open", "FFPFPFPFPPF", 2, 2, {{K::firing, 10, 0}, {K::resolved, 90, 80}}},
      {"refires after resolving", "FFPPFFF", 2, 2, {{K::firing, 10, 0}, {K::resolved, 30, 20}, {K::firing, 50, 40}}},
      {"thresholds of 1", "FPF", 1, 1, {{K::firing, 0, 0}, {K::resolved, 10, 10}, {K::firing, 20, 20}}},
      {"thresholds below 1 count as 1", "FP", 0, -3, {{K::firing, 0, 0}, {K::resolved, 10, 10}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    CheckState state;
    const auto changes = feed(c.pattern, c.failure_threshold, c.success_threshold, state);
    ASSERT_EQ(changes.size(), c.changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) {
      EXPECT_EQ(changes[i].kind, c.changes[i].kind) << i;
      EXPECT_EQ(changes[i].at, kT0 + std::chrono::seconds(c.changes[i].at)) << i;
      EXPECT_EQ(changes[i].started_at, kT0 + std::chrono::seconds(c.changes[i].started_at)) << i;
      EXPECT_EQ(changes[i].service, "web");
      EXPECT_EQ(changes[i].check, "login");
      EXPECT_EQ(changes[i].severity, "warning");
    }
  }
}

TEST(Step, FiringCarriesTheSummaryAndStateTracksStreaks) {
  CheckState state;
  auto changes = feed("PFF", 3, 2, state);
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(state.consecutive_failures, 2);
  EXPECT_EQ(state.consecutive_successes, 0);
  EXPECT_FALSE(state.alerting);
  ASSERT_TRUE(state.first_failure_at.has_value());
  EXPECT_EQ(*state.first_failure_at, kT0 + 10s);
  EXPECT_EQ(state.last_reason, "status == 200 (status is 503)");

  CheckRules rules;
  rules.check = "login";
  const auto change = step(state, rules, Verdict{false, "response_time < 800ms (response_time is 812ms)"}, kT0 + 30s);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->kind, AlertChange::Kind::firing);
  EXPECT_EQ(change->summary, "login: response_time < 800ms (response_time is 812ms)");
  EXPECT_EQ(change->started_at, kT0 + 10s);
  EXPECT_EQ(change->at, kT0 + 30s);
  EXPECT_TRUE(state.alerting);

  EXPECT_FALSE(step(state, rules, Verdict{true, ""}, kT0 + 40s).has_value());
  EXPECT_EQ(state.consecutive_failures, 0);
  EXPECT_EQ(state.consecutive_successes, 1);
  EXPECT_FALSE(state.first_failure_at.has_value());
  EXPECT_EQ(state.last_reason, "");
  const auto resolved = step(state, rules, Verdict{true, ""}, kT0 + 50s);
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->kind, AlertChange::Kind::resolved);
  EXPECT_EQ(resolved->summary, "login: recovered");
  EXPECT_EQ(resolved->started_at, kT0 + 40s);
  EXPECT_FALSE(state.alerting);
  // Further passes change nothing.
  EXPECT_FALSE(step(state, rules, Verdict{true, ""}, kT0 + 60s).has_value());
}

}  // namespace
}  // namespace vigil::rules
