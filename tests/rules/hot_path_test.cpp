// judge() runs for every probe result (10k+/s): a passing evaluation must not allocate,
// and the JSON body is parsed once per result however many conditions read it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <variant>

#include "rules/evaluator.h"

namespace {
std::atomic<long> g_allocations{0};
thread_local bool g_counting = false;
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace vigil::rules {
namespace {

using namespace std::chrono_literals;

long allocations_during(const auto& fn) {
  g_allocations = 0;
  g_counting = true;
  fn();
  g_counting = false;
  return g_allocations.load();
}

Condition cond(std::string_view text) { return std::get<Condition>(Condition::parse(text)); }

probe::CheckResult result() {
  probe::CheckResult r;
  r.reachable = true;
  r.status = 200;
  r.headers = {{"content-type", "text/html; charset=utf-8"}};
  r.body = std::string(4000, 'x') + "<form>Sign in</form>";
  r.timings.total = 120ms;
  r.cert_expires_at = r.started_at + 24h * 30;
  return r;
}

CheckRules rules_with(std::initializer_list<const char*> conditions) {
  CheckRules rules;
  rules.check = "login";
  rules.check_type = "http";
  for (const char* c : conditions) rules.conditions.push_back(cond(c));
  return rules;
}

TEST(HotPath, PassingJudgeDoesNotAllocate) {
  const auto rules = rules_with({
      "status == 200",
      "response_time < 800ms and response_time * 2 < 1s",
      R"(body contains "Sign in")",
      R"(body matches "<form>\w+ in</form>$")",
      R"(header["Content-Type"] matches "^text/html")",
      "cert_expires_in > 14d",
      "not (status >= 500) or reachable",
  });
  const auto r = result();
  ASSERT_TRUE(judge(rules, r).passed);  // warm up (RE2 builds its DFA lazily)
  bool passed = false;
  EXPECT_EQ(allocations_during([&] { passed = judge(rules, r).passed; }), 0);
  EXPECT_TRUE(passed);
}

TEST(HotPath, PassingFigureConditionsDoNotAllocate) {
  auto r = result();
  r.figures = {
      {"busy_workers_ratio", 0.24},
      {"scoreboard.waiting", 30.0},
      {"p95", Duration{640}},
      {"path:/login.error_rate", 0.01},
      {"disk./var.used_ratio", 0.5},  // found through the dotted fallback
      {"server_mpm", std::string(100, 'e')},
  };
  auto rules = rules_with({
      "status == 200",
      "busy_workers_ratio < 90% and scoreboard.waiting > 0",
      "p95 < 800ms",
      R"(path("/login").error_rate < 5% and path["/login"].error_rate < 5%)",
      R"(disk["/var"].used_ratio < 90%)",
      R"(server_mpm contains "eee")",
  });
  ASSERT_TRUE(judge(rules, r).passed) << judge(rules, r).reason;
  bool passed = false;
  EXPECT_EQ(allocations_during([&] { passed = judge(rules, r).passed; }), 0);
  EXPECT_TRUE(passed);
}

TEST(HotPath, JsonBodyIsParsedOnceForAllConditions) {
  auto r = result();
  r.body = R"({"a":1,"b":{"c":"x"}})";
  const auto one = rules_with({"json.a == 1"});
  const auto three = rules_with({"json.a == 1", R"(json.b.c == "x")", "json.z == null"});
  const long a = allocations_during([&] { EXPECT_TRUE(judge(one, r).passed); });
  const long b = allocations_during([&] { EXPECT_TRUE(judge(three, r).passed); });
  EXPECT_GT(a, 0);   // parsing allocates...
  EXPECT_EQ(b, a);   // ...once per result, not once per condition
}

TEST(HotPath, Throughput) {
  const auto rules = rules_with({"status == 200", "response_time < 800ms", R"(body contains "Sign in")"});
  const auto r = result();
  constexpr int kN = 100'000;
  const auto start = std::chrono::steady_clock::now();
  int passed = 0;
  for (int i = 0; i < kN; ++i) passed += judge(rules, r).passed;
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(passed, kN);
  std::printf("judge: %.0f results/s (3 conditions, debug+sanitizers)\n", kN / elapsed);
}

}  // namespace
}  // namespace vigil::rules
