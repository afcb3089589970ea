#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <variant>

#include "rules/condition.h"

namespace vigil::rules {
namespace {

using ::testing::HasSubstr;

// Variables backed by a map; a subscript is looked up as name["key"].
Variables vars_of(std::map<std::string, Value> m) {
  return [m = std::move(m)](std::string_view name, std::string_view key) -> std::optional<Value> {
    std::string k(name);
    if (!key.empty()) k += "[\"" + std::string(key) + "\"]";
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

Condition parse_ok(std::string_view text) {
  auto parsed = Condition::parse(text);
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << "parse failed: " << text << ": column " << err->column << ": " << err->message;
    return std::get<Condition>(Condition::parse("false"));
  }
  return std::get<Condition>(std::move(parsed));
}

const std::map<std::string, Value> kVars = {
    {"status", 503.0},
    {"ok_status", 200.0},
    {"response_time", Duration{812}},
    {"fast", Duration{120}},
    {"error_rate", 0.03},
    {"body", std::string("<h1>Sign in</h1> order 42 shipped")},
    {"header[\"Content-Type\"]", std::string("application/json; charset=utf-8")},
    {"reachable", true},
    {"down", false},
    {"missing", Null{}},
    {"msg", std::string("say \"hi\" \\o/")},
    {"name", std::string("beta")},
};

struct Case {
  const char* text;
  bool passed;
  std::string reason;  // expected reason when !passed
};

void run(const Case* begin, const Case* end, const Variables& vars) {
  for (const Case* c = begin; c != end; ++c) {
    const EvalOutcome out = parse_ok(c->text).evaluate(vars);
    EXPECT_EQ(out.passed, c->passed) << c->text << "\n  reason: " << out.reason;
    if (c->passed) {
      EXPECT_EQ(out.reason, "") << c->text;
    } else {
      EXPECT_EQ(out.reason, c->reason) << c->text;
    }
  }
}

TEST(ConditionEval, NumbersAndComparisons) {
  const Case cases[] = {
      {"status == 503", true, ""},
      {"status == 200", false, "status == 200 (status is 503)"},
      {"status != 200", true, ""},
      {"status != 503", false, "status != 503 (status is 503)"},
      {"status < 504", true, ""},
      {"status < 503", false, "status < 503 (status is 503)"},
      {"status <= 503", true, ""},
      {"status <= 502", false, "status <= 502 (status is 503)"},
      {"status > 502", true, ""},
      {"status > 503", false, "status > 503 (status is 503)"},
      {"status >= 503", true, ""},
      {"status >= 504", false, "status >= 504 (status is 503)"},
      {"0.5 == 0.5", true, ""},
      {"1 == 2", false, "1 == 2"},
      {"error_rate < 5%", true, ""},
      {"error_rate < 3%", false, "error_rate < 3% (error_rate is 0.03)"},
      {"5% == 0.05", true, ""},
      {"150% == 1.5", true, ""},
  };
  run(std::begin(cases), std::end(cases), vars_of(kVars));
}

TEST(ConditionEval, Arithmetic) {
  const Case cases[] = {
      {"status - 3 == 500", true, ""},
      {"2 * 3 + 1 == 7", true, ""},
      {"1 + 2 * 3 == 7", true, ""},
      {"(2 + 3) * 2 == 10", true, ""},
      {"10 - 4 - 3 == 3", true, ""},  // left-associative
      {"24 / 4 / 2 == 3", true, ""},
      {"10 / 4 == 2.5", true, ""},
      {"-status == -503", true, ""},
      {"- -status == 503", true, ""},
      {"2 * -3 == -6", true, ""},
      {"1s + 500ms == 1500ms", true, ""},
      {"1m - 1s == 59s", true, ""},
      {"2 * 1s == 2s", true, ""},
      {"1s * 2 == 2000ms", true, ""},
      {"1m / 2 == 30s", true, ""},
      {"1m / 1s == 60", true, ""},
      {"-1s < 0s", true, ""},
      {"response_time * 2 > 1s", true, ""},
      {"1 / 0 == 1", false, "1 / 0: division by zero"},
      {"response_time / 0 == 1s", false, "response_time / 0: division by zero (response_time is 812ms)"},
      {"1s + 1 == 2s", false, "1s + 1: cannot add a duration and a number; write durations with a unit, e.g. 800ms or 5s"},
      {"status - response_time > 0", false,
       "status - response_time: cannot subtract a number and a duration (status is 503, response_time is 812ms)"},
      {"1s * 1s == 1s", false, "1s * 1s: cannot multiply a duration and a duration"},
      {"2 / 1s == 1", false, "2 / 1s: cannot divide a number and a duration; write durations with a unit, e.g. 800ms or 5s"},
      {"-body == 1", false, "-body: cannot negate a string (body is \"<h1>Sign in</h1> order 42 shipped\")"},
      {"name + \"x\" == 1", false, "name + \"x\": cannot add a string and a string (name is \"beta\")"},
  };
  run(std::begin(cases), std::end(cases), vars_of(kVars));
}

TEST(ConditionEval, DurationsAreNotNumbers) {
  const Case cases[] = {
      {"response_time < 800ms", false, "response_time < 800ms (response_time is 812ms)"},
      {"response_time < 1s", true, ""},
      {"fast < 800ms and response_time < 1h30m", true, ""},
      {"response_time < 800", false,
       "response_time < 800: cannot compare a duration with a number (response_time is 812ms); "
       "write durations with a unit, e.g. 800ms or 5s"},
      {"800 > response_time", false,
       "800 > response_time: cannot compare a number with a duration (response_time is 812ms); "
       "write durations with a unit, e.g. 800ms or 5s"},
      {"response_time == status", false,
       "response_time == status: cannot compare a duration with a number (response_time is 812ms, status is 503)"},
  };
  run(std::begin(cases), std::end(cases), vars_of(kVars));
}

TEST(ConditionEval, StringsContainsMatches) {
  const Case cases[] = {
      {R"(body contains "Sign in")", true, ""},
      {R"(body contains "Log out")", false, R"(body contains "Log out" (body is "<h1>Sign in</h1> order 42 shipped"))"},
      {R"(body contains "")", true, ""},
      {R"(body matches "order \d+ shipped$")", true, ""},
      {R"(body matches "^order")", false, R"(body matches "^order" (body is "<h1>Sign in</h1> order 42 shipped"))"},
      {R"(body matches "(?i)SIGN IN")", true, ""},
      {R"(header["Content-Type"] matches "json")", true, ""},
      {R"(header["Content-Type"] contains "xml")", false,
       R"(header["Content-Type"] contains "xml" (header["Content-Type"] is "application/json; charset=utf-8"))"},
      {R"(msg == "say \"hi\" \\o/")", true, ""},
      {R"(msg contains "\"hi\"")", true, ""},
      {R"(name == "beta")", true, ""},
      {R"(name != "beta")", false, R"(name != "beta" (name is "beta"))"},
      {R"(name > "alpha" and name < "gamma")", true, ""},
      {R"(status contains "5")", false, R"(status contains "5": 'contains' needs two strings, got a number and a string (status is 503))"},
      {R"(status matches "^5")", false, R"(status matches "^5": 'matches' needs a string on the left, got a number (status is 503))"},
      {R"(status == "503")", false, R"(status == "503": cannot compare a number with a string (status is 503))"},
      {R"(missing contains "x")", false, R"(missing contains "x" (missing is null))"},
      {R"(missing matches "x")", false, R"(missing matches "x" (missing is null))"},
  };
  run(std::begin(cases), std::end(cases), vars_of(kVars));
}

TEST(ConditionEval, BooleansAndNull) {
  const Case cases[] = {
      {"reachable", true, ""},
      {"down", false, "down (down is false)"},
      {"not down", true, ""},
      {"not reachable", false, "not reachable (reachable is true)"},
      {"reachable == true", true, ""},
      {"down != false", false, "down != false (down is false)"},
      {"true", true, ""},
      {"false", false, "false"},
      {"reachable < true", false, "reachable < true: booleans can only be compared with == and != (reachable is true)"},
      {"missing == null", true, ""},
      {"missing != null", false, "missing != null (missing is null)"},
      {"status != null", true, ""},
      {"missing == 0", false, "missing == 0 (missing is null)"},
      {"missing > 0", false, "missing > 0 (missing is null)"},
      {"missing <= 0", false, "missing <= 0 (missing is null)"},
      {"missing", false, "missing (missing is null)"},  // null counts as false
      {"not missing", true, ""},
      {"status", false, "status is a number (503), not true or false"},
      {"reachable and status", false, "status is a number (503), not true or false"},
  };
  run(std::begin(cases), std::end(cases), vars_of(kVars));
}

TEST(ConditionEval, CompoundReasonsNameTheFailingValues) {
  const Case cases[] = {
      {"ok_status == 200 and response_time < 800ms", false, "response_time < 800ms (response_time is 812ms)"},
      {"status == 200 and response_time < 800ms", false, "status == 200 (status is 503)"},
      {"ok_status == 200 and (status == 200 or response_time < 800ms)", false,
       "status == 200 or response_time < 800ms (status is 503, response_time is 812ms)"},
      {"status == 200 or status == 204", false, "status == 200 or status == 204 (status is 503)"},
      {"status == 200 or status == 503", true, ""},
      {R"(not (body contains "Sign in"))", false,
       R"(not (body contains "Sign in") (body is "<h1>Sign in</h1> order 42 shipped"))"},
      {"not (status == 503 and reachable)", false, "not (status == 503 and reachable) (status is 503, reachable is true)"},
      {"reachable and not (status >= 500)", false, "not (status >= 500) (status is 503)"},
      // Short-circuit: the right side is not evaluated, so its type error does not matter.
      {"down and response_time < 800", false, "down (down is false)"},
      {"reachable or response_time < 800", true, ""},
  };
  run(std::begin(cases), std::end(cases), vars_of(kVars));
}

TEST(ConditionEval, UnknownVariables) {
  const Case cases[] = {
      {"foo == 1", false, "unknown variable foo"},
      {"status == 503 and foo.bar > 1", false, "unknown variable foo.bar"},
      {R"(hdr["X"] == "y")", false, R"(unknown variable hdr["X"])"},
      {"foo", false, "unknown variable foo"},
  };
  run(std::begin(cases), std::end(cases), vars_of(kVars));
}

TEST(ConditionEval, NeverThrows) {
  Variables throwing = [](std::string_view, std::string_view) -> std::optional<Value> {
    throw std::runtime_error("backend down");
  };
  const EvalOutcome out = parse_ok("status == 200").evaluate(throwing);
  EXPECT_FALSE(out.passed);
  EXPECT_EQ(out.reason, "status == 200: evaluation failed: backend down");

  Variables empty;  // no function at all: every variable is unknown
  EXPECT_EQ(parse_ok("status == 200").evaluate(empty).reason, "unknown variable status");
}

TEST(ConditionEval, LongStringsAreCutInReasons) {
  const std::string big(1000, 'x');
  const EvalOutcome out = parse_ok(R"(body contains "Sign in")").evaluate(vars_of({{"body", big}}));
  EXPECT_FALSE(out.passed);
  EXPECT_EQ(out.reason, "body contains \"Sign in\" (body is \"" + std::string(64, 'x') + "\"…)");
}

TEST(Describe, FormatsEachType) {
  EXPECT_EQ(describe(Value{503.0}), "503");
  EXPECT_EQ(describe(Value{0.05}), "0.05");
  EXPECT_EQ(describe(Value{-2.5}), "-2.5");
  EXPECT_EQ(describe(Value{Duration{812}}), "812ms");
  EXPECT_EQ(describe(Value{Duration{5'400'000}}), "1h30m");
  EXPECT_EQ(describe(Value{std::string("text")}), "\"text\"");
  EXPECT_EQ(describe(Value{std::string("a\"b\\c\nd")}), R"("a\"b\\c\nd")");
  EXPECT_EQ(describe(Value{true}), "true");
  EXPECT_EQ(describe(Value{Null{}}), "null");
  // Cut at a UTF-8 boundary: 63 ASCII bytes then a two-byte character straddling byte 64.
  EXPECT_EQ(describe(Value{std::string(63, 'a') + "é"}), "\"" + std::string(63, 'a') + "\"…");
}

}  // namespace
}  // namespace vigil::rules
