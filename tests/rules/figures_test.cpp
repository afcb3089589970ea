// Figures: the type-specific values of apache_status, access_log, error_log, host and
// process checks (CheckResult::figures), as conditions see them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "rules/evaluator.h"

namespace vigil::rules {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Condition cond(std::string_view text) {
  auto parsed = Condition::parse(text);
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << text << ": column " << err->column << ": " << err->message;
    return std::get<Condition>(Condition::parse("false"));
  }
  return std::get<Condition>(std::move(parsed));
}

CheckRules rules_with(std::vector<std::string> conditions, std::string type) {
  CheckRules rules;
  rules.service = "web";
  rules.check = "apache";
  rules.check_type = std::move(type);
  for (const auto& c : conditions) rules.conditions.push_back(cond(c));
  return rules;
}

probe::CheckResult with_figures(std::map<std::string, probe::FigureValue> figures) {
  probe::CheckResult r;
  r.check_id = "web/apache";
  r.reachable = true;
  r.figures = std::move(figures);
  return r;
}

probe::CheckResult apache() {
  return with_figures({
      {"busy_workers", 12.0},
      {"idle_workers", 38.0},
      {"busy_workers_ratio", 0.24},
      {"total_accesses", 123456.0},
      {"req_per_sec", 41.5},
      {"cpu_load", 0.7},
      {"uptime", Duration{3 * 3'600'000}},
      {"scoreboard.waiting", 30.0},
      {"scoreboard.reading", 2.0},
      {"conns_total", 57.0},
      {"server_mpm", std::string("event")},
  });
}

probe::CheckResult access_log() {
  return with_figures({
      {"requests", 1200.0},
      {"request_rate", 20.0},
      {"error_rate", 0.03},
      {"error_rate_4xx", 0.02},
      {"error_rate_5xx", 0.01},
      {"p50", Duration{120}},
      {"p95", Duration{812}},
      {"p99", Duration{1900}},
      {"unique_clients", 310.0},
      {"status.2xx", 1150.0},
      {"status.5xx", 12.0},
      {"path:/login.requests", 200.0},
      {"path:/login.error_rate", 0.02},
      {"path:/login.p95", Duration{640}},
      {"path:/api/v1.p95", Duration{950}},
      {"path:/a.b.status.5xx", 0.0},
  });
}

struct Case {
  const char* text;
  bool passed;
  std::string reason;
};

void run(const probe::CheckResult& r, const std::string& type, std::initializer_list<Case> cases) {
  const Variables vars = result_variables(r);
  for (const Case& c : cases) {
    const Verdict v = judge(rules_with({c.text}, type), r);
    EXPECT_EQ(v.passed, c.passed) << c.text << "\n  " << v.reason;
    EXPECT_EQ(v.reason, c.reason) << c.text;
    // The public Variables path agrees, reasons included.
    const EvalOutcome o = cond(c.text).evaluate(vars);
    EXPECT_EQ(o.passed, v.passed) << c.text;
    EXPECT_EQ(o.reason, v.reason) << c.text;
  }
}

TEST(Figures, ByTypeNumbersDurationsStrings) {
  run(apache(), "apache_status", {
      {"busy_workers < 40", true, ""},
      {"busy_workers > 40", false, "busy_workers > 40 (busy_workers is 12)"},
      {"busy_workers + idle_workers == 50", true, ""},
      {"busy_workers_ratio < 90%", true, ""},
      {"busy_workers_ratio < 20%", false, "busy_workers_ratio < 20% (busy_workers_ratio is 0.24)"},
      {"scoreboard.waiting >= 30 and scoreboard.reading < 5", true, ""},
      {"uptime > 1h", true, ""},
      {"uptime < 1h", false, "uptime < 1h (uptime is 3h)"},
      {"uptime > 60", false,
       "uptime > 60: cannot compare a duration with a number (uptime is 3h); write durations with a unit, e.g. 800ms or 5s"},
      {R"(server_mpm == "event")", true, ""},
      {R"(server_mpm matches "^(event|worker)$")", true, ""},
      {R"(server_mpm == "prefork")", false, R"(server_mpm == "prefork" (server_mpm is "event"))"},
      {"server_mpm > 1", false, R"(server_mpm > 1: cannot compare a string with a number (server_mpm is "event"))"},
  });
}

TEST(Figures, PercentagesCompareWithRatios) {
  run(access_log(), "access_log", {
      {"error_rate < 5%", true, ""},
      {"error_rate < 3%", false, "error_rate < 3% (error_rate is 0.03)"},
      {"error_rate <= 3%", true, ""},
      {"error_rate == 0.03", true, ""},
      {"error_rate_5xx < 0.5%", false, "error_rate_5xx < 0.5% (error_rate_5xx is 0.01)"},
      {"error_rate_4xx + error_rate_5xx <= error_rate", true, ""},
      {"error_rate * 100 < 5", true, ""},
  });
}

TEST(Figures, DurationsFromFigures) {
  run(access_log(), "access_log", {
      {"p50 < 200ms", true, ""},
      {"p95 < 800ms", false, "p95 < 800ms (p95 is 812ms)"},
      {"p95 < 1s", true, ""},
      {"p99 < 2s and p95 < 900ms", true, ""},
      {"p99 - p50 <= 1780ms", true, ""},
      {"p99 / p50 > 15", true, ""},
      {"p95 < 800", false,
       "p95 < 800: cannot compare a duration with a number (p95 is 812ms); write durations with a unit, e.g. 800ms or 5s"},
  });
}

TEST(Figures, PathSelectorsCallAndSubscriptAreTheSame) {
  run(access_log(), "access_log", {
      {R"(path("/login").error_rate < 5%)", true, ""},
      {R"(path["/login"].error_rate < 5%)", true, ""},
      {R"(path("/login").error_rate < 1%)", false,
       R"(path("/login").error_rate < 1% (path("/login").error_rate is 0.02))"},
      {R"(path["/login"].error_rate < 1%)", false,
       R"(path["/login"].error_rate < 1% (path["/login"].error_rate is 0.02))"},
      {R"(path("/login").p95 < 800ms and path("/login").requests > 100)", true, ""},
      {R"(path("/api/v1").p95 < 800ms)", false, R"(path("/api/v1").p95 < 800ms (path("/api/v1").p95 is 950ms))"},
      {R"(path("/a.b").status.5xx == 0)", true, ""},  // dots in the argument and the field
      {"status.2xx > 1000 and status.5xx < 20", true, ""},
  });
}

TEST(Figures, SubscriptsForAwkwardNames) {
  const auto host = with_figures({
      {"load1", 0.5},
      {"memory_used_ratio", 0.61},
      {"disk:/.used_ratio", 0.40},
      {"disk:/var.used_ratio", 0.93},
      {"disk./srv/data.used_ratio", 0.10},  // the dotted spelling is found too
  });
  run(host, "host", {
      {R"(disk["/"].used_ratio < 90%)", true, ""},
      {R"(disk["/var"].used_ratio < 90%)", false, R"(disk["/var"].used_ratio < 90% (disk["/var"].used_ratio is 0.93))"},
      {R"(disk("/var").used_ratio > 90%)", true, ""},
      {R"(disk["/srv/data"].used_ratio < 20%)", true, ""},
      {"load1 < 4 and memory_used_ratio < 80%", true, ""},
  });
  const auto errors = with_figures({
      {"errors", 3.0},
      {"warnings", 10.0},
      {"count.error", 3.0},
      {"module.ssl", 1.0},
      {"ah.AH00161", 0.0},
      {"pattern.oom-killer", 0.0},
      {"pattern:segfault", 2.0},
  });
  run(errors, "error_log", {
      {"errors < 5 and warnings < 20", true, ""},
      {"module.ssl == 1 and count.error == errors", true, ""},
      {"ah.AH00161 == 0", true, ""},
      {R"(pattern["oom-killer"] == 0)", true, ""},  // "pattern:oom-killer", then "pattern.oom-killer"
      {R"(pattern["segfault"] == 0)", false, R"(pattern["segfault"] == 0 (pattern["segfault"] is 2))"},
  });
  const auto process = with_figures({{"running", 1.0}, {"rss", 512.0 * 1024 * 1024}, {"restarts", 0.0}, {"pids", 4.0}});
  run(process, "process", {
      {"running == 1 and restarts == 0", true, ""},
      {"rss < 256 * 1024 * 1024", false, "rss < 256 * 1024 * 1024 (rss is 536870912)"},
  });
}

TEST(Figures, BuiltInVariablesWin) {
  auto r = apache();
  r.status = 200;
  r.figures["status"] = 999.0;
  r.figures["error"] = 1.0;
  run(r, "apache_status", {
      {"status == 200", true, ""},
      {R"(error == "")", true, ""},
  });
}

TEST(Figures, UnknownFiguresListWhatTheCheckHas) {
  run(apache(), "apache_status", {
      {"busy_wrokers < 10", false,
       "busy_wrokers: no such figure for this check; known: busy_workers, busy_workers_ratio, conns_total, "
       "cpu_load, idle_workers, req_per_sec, scoreboard.reading, scoreboard.waiting, … (3 more)"},
      // The figure's family comes first.
      {"scoreboard.writing > 0", false,
       "scoreboard.writing: no such figure for this check; known: scoreboard.reading, scoreboard.waiting, "
       "busy_workers, busy_workers_ratio, conns_total, cpu_load, idle_workers, req_per_sec, … (3 more)"},
      // Short-circuit: an unknown figure on the side not evaluated does not matter.
      {"busy_workers < 40 or nope > 1", true, ""},
  });
  run(access_log(), "access_log", {
      {R"(path("/logn").p95 < 1s)", false,
       R"(path("/logn").p95: no such figure "path:/logn.p95" for this check; known: path:/a.b.status.5xx, )"
       R"(path:/api/v1.p95, path:/login.error_rate, path:/login.p95, path:/login.requests, error_rate, )"
       R"(error_rate_4xx, error_rate_5xx, … (8 more))"},
      // A window without /login requests may lack p95: guard it with the request count.
      {R"(path("/login").requests == 0 or path("/login").p95 < 800ms)", true, ""},
  });
  const auto small = with_figures({{"running", 1.0}, {"pids", 2.0}});
  run(small, "process", {{"rss < 1", false, "rss: no such figure for this check; known: pids, running"}});
  // A check with no figures at all (http, tcp) keeps the plain message.
  probe::CheckResult http;
  http.reachable = true;
  http.status = 200;
  run(http, "http", {{"busy_workers < 10", false, "unknown variable busy_workers"},
                     {R"(path("/x").p95 < 1s)", false, R"(unknown variable path("/x").p95)"}});
}

TEST(Figures, ResultVariablesNamesFiguresLikeTheParser) {
  const auto r = access_log();
  const Variables vars = result_variables(r);
  EXPECT_EQ(vars("error_rate", ""), Value{0.03});
  EXPECT_EQ(vars("p95", ""), Value{Duration{812}});
  EXPECT_EQ(vars("status.5xx", ""), Value{12.0});
  EXPECT_EQ(vars("path:/login.error_rate", ""), Value{0.02});  // path("/login").error_rate
  EXPECT_FALSE(vars("nope", "").has_value());
  EXPECT_FALSE(vars("path:/nope.p95", "").has_value());

  const auto host = with_figures({{"disk:/var.used_ratio", 0.9}, {"pattern.oom", 0.0}, {"version", std::string("2.4.58")}});
  const Variables hv = result_variables(host);
  EXPECT_EQ(hv("disk:/var.used_ratio", ""), Value{0.9});
  EXPECT_EQ(hv("pattern", "oom"), Value{0.0});  // pattern["oom"]: "pattern:oom", then "pattern.oom"
  EXPECT_EQ(hv("version", ""), Value{std::string("2.4.58")});
}

TEST(Figures, SelectorsReachCustomVariablesByFigureName) {
  // A Variables function sees path("/login").error_rate and path["/login"].error_rate as
  // one name, "path:/login.error_rate"; disk["/var"] stays a name plus a subscript.
  std::vector<std::pair<std::string, std::string>> seen;
  Variables vars = [&](std::string_view name, std::string_view key) -> std::optional<Value> {
    seen.emplace_back(name, key);
    return Value{0.5};
  };
  EXPECT_TRUE(cond(R"(path("/login").error_rate == 50%)").evaluate(vars).passed);
  EXPECT_TRUE(cond(R"(path["/login"].error_rate == 50%)").evaluate(vars).passed);
  EXPECT_TRUE(cond(R"(disk["/var"] == 0.5)").evaluate(vars).passed);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"path:/login.error_rate", ""}, {"path:/login.error_rate", ""}, {"disk", "/var"}};
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace vigil::rules
