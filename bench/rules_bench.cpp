// The per-result hot path of the rules domain: parsing conditions (config load) and, per probe,
// rules::judge (three conditions against an http CheckResult) + rules::step (thresholds).
#include <benchmark/benchmark.h>

#include <string>
#include <variant>
#include <vector>

#include "probe/check_result.h"
#include "rules/condition.h"
#include "rules/evaluator.h"

namespace {
using namespace vigil;

const std::vector<std::string> kConditions = {"status == 200", "response_time < 800ms", "body contains \"Sign in\""};

rules::Condition parse_or_die(const std::string& text) {
  auto parsed = rules::Condition::parse(text);
  if (!std::holds_alternative<rules::Condition>(parsed)) std::abort();
  return std::get<rules::Condition>(std::move(parsed));
}

rules::CheckRules make_rules() {
  rules::CheckRules r;
  r.service = "webserver-01";
  r.check = "login";
  r.check_type = "http";
  for (const auto& c : kConditions) r.conditions.push_back(parse_or_die(c));
  r.failure_threshold = 3;
  r.success_threshold = 2;
  return r;
}

// What an nginx login page looks like to a probe: ~4 KB of HTML, the usual headers.
probe::CheckResult make_result(int status) {
  probe::CheckResult r;
  r.check_id = "webserver-01/login";
  r.started_at = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}} + std::chrono::hours(10);
  r.reachable = true;
  r.status = status;
  r.headers = {{"server", "nginx/1.22.1"},
               {"date", "Sun, 18 Aug 2024 10:00:00 GMT"},
               {"content-type", "text/html; charset=utf-8"},
               {"content-length", "4096"},
               {"connection", "close"},
               {"cache-control", "no-store"}};
  std::string body = "<!doctype html><html><head><title>Login</title></head><body>";
  while (body.size() < 3800) body += "<div class=\"row\"><span>Lorem ipsum dolor sit amet</span></div>\n";
  body += "<form method=post><button>Sign in</button></form></body></html>";
  r.body = std::move(body);
  r.timings = {std::chrono::microseconds(40), std::chrono::microseconds(120), std::chrono::microseconds(0),
               std::chrono::microseconds(900), std::chrono::microseconds(1100)};
  r.remote_ip = "127.0.0.1";
  return r;
}

void BM_ConditionParse(benchmark::State& state) {
  const std::string& text = kConditions[static_cast<std::size_t>(state.range(0))];
  for (auto _ : state) {
    auto parsed = rules::Condition::parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetLabel(text);
}
BENCHMARK(BM_ConditionParse)->DenseRange(0, 2);

void BM_ConditionParseComplex(benchmark::State& state) {
  const std::string text =
      "(status == 200 or status == 204) and response_time < 800ms and not (body matches \"[Ee]rror [0-9]+\") "
      "and header[\"Content-Type\"] contains \"html\"";
  for (auto _ : state) {
    auto parsed = rules::Condition::parse(text);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ConditionParseComplex);

// judge + step for one passing result: what every probe of a healthy check costs in rules/.
void BM_JudgeAndStep_Pass(benchmark::State& state) {
  const auto rules = make_rules();
  const auto result = make_result(200);
  rules::CheckState st;
  for (auto _ : state) {
    auto v = rules::judge(rules, result);
    auto change = rules::step(st, rules, v, result.started_at);
    benchmark::DoNotOptimize(v);
    benchmark::DoNotOptimize(change);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JudgeAndStep_Pass);

// A failing result builds a reason string ("status == 200 (status is 503)").
void BM_JudgeAndStep_Fail(benchmark::State& state) {
  const auto rules = make_rules();
  const auto result = make_result(503);
  rules::CheckState st;
  for (auto _ : state) {
    auto v = rules::judge(rules, result);
    auto change = rules::step(st, rules, v, result.started_at);
    benchmark::DoNotOptimize(v);
    benchmark::DoNotOptimize(change);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JudgeAndStep_Fail);

}  // namespace
