#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "probe/logs/access_window.h"

namespace vigil::probe::logs {
namespace {

using namespace std::chrono;

const sys_seconds kT0 = sys_days{year{2024} / 8 / 18} + hours{10};

Time at(seconds offset, milliseconds extra = 0ms) { return time_point_cast<milliseconds>(kT0 + offset) + extra; }

AccessRecord rec(seconds offset, int status, std::string_view path = "/", std::string_view client = "10.0.0.1",
                 microseconds duration = 1ms, std::int64_t bytes = 100) {
  AccessRecord r;
  r.time = kT0 + offset;
  r.has_time = true;
  r.status = status;
  r.path = path;
  r.client = client;
  r.duration = duration;
  r.has_duration = true;
  r.bytes = bytes;
  return r;
}

double num(const std::map<std::string, FigureValue>& f, const std::string& name) {
  auto it = f.find(name);
  EXPECT_NE(it, f.end()) << name;
  if (it == f.end()) return -1;
  EXPECT_TRUE(std::holds_alternative<double>(it->second)) << name;
  return std::get<double>(it->second);
}

Duration dur(const std::map<std::string, FigureValue>& f, const std::string& name) {
  auto it = f.find(name);
  EXPECT_NE(it, f.end()) << name;
  if (it == f.end()) return Duration(-1);
  EXPECT_TRUE(std::holds_alternative<Duration>(it->second)) << name;
  return std::get<Duration>(it->second);
}

TEST(AccessWindow, SlotWidthFollowsTheWindow) {
  EXPECT_EQ(AccessWindow(10s, {}).slot_width(), 1s);
  EXPECT_EQ(AccessWindow(60s, {}).slot_width(), 1s);
  EXPECT_EQ(AccessWindow(5min, {}).slot_width(), 5s);
  EXPECT_EQ(AccessWindow(1h, {}).slot_width(), 60s);
}

TEST(AccessWindow, CountsStatusClassesRatesBytesAndClients) {
  AccessWindow w(10s, {});
  const char* clients[] = {"a", "b", "c", "a"};
  int statuses[] = {200, 201, 304, 404, 500, 503, 200, 200, 302, 200};
  for (int i = 0; i < 10; ++i) w.add(rec(seconds(i), statuses[i], "/", clients[i % 4], 1ms, 10 * i));
  auto f = w.figures(at(9s, 500ms));
  EXPECT_EQ(num(f, "requests"), 10);
  EXPECT_EQ(num(f, "status.2xx"), 5);
  EXPECT_EQ(num(f, "status.3xx"), 2);
  EXPECT_EQ(num(f, "status.4xx"), 1);
  EXPECT_EQ(num(f, "status.5xx"), 2);
  EXPECT_EQ(num(f, "status.1xx"), 0);
  EXPECT_DOUBLE_EQ(num(f, "error_rate"), 0.2);
  EXPECT_DOUBLE_EQ(num(f, "error_rate_5xx"), 0.2);
  EXPECT_DOUBLE_EQ(num(f, "error_rate_4xx"), 0.1);
  EXPECT_EQ(num(f, "bytes"), 450);
  EXPECT_EQ(num(f, "unique_clients"), 3);
  // Slots starting in (now - 10s, now]: seconds 0..9, covering [T0, T0+9.5s].
  EXPECT_DOUBLE_EQ(num(f, "request_rate"), 10 / 9.5);
}

TEST(AccessWindow, EvictsByTime) {
  AccessWindow w(10s, {});
  for (int i = 0; i < 10; ++i) w.add(rec(seconds(i), i < 5 ? 500 : 200, "/", i < 5 ? "old" : "new"));
  struct Case {
    seconds now;
    double requests, errors, clients;
  };
  const Case cases[] = {
      {9s, 10, 5, 2},   // window (T-1, T+9]: all
      {10s, 9, 4, 2},   // second 0 left
      {14s, 5, 0, 1},   // the 5xx and the "old" client left
      {18s, 1, 0, 1},
      {19s, 0, 0, 0},
  };
  for (const auto& c : cases) {
    // The same answer before and after evict(): figures() never counts what evict() would drop.
    auto before = w.figures(at(c.now));
    w.evict(at(c.now));
    auto after = w.figures(at(c.now));
    for (auto* f : {&before, &after}) {
      EXPECT_EQ(num(*f, "requests"), c.requests) << c.now.count();
      EXPECT_EQ(num(*f, "status.5xx"), c.errors) << c.now.count();
      EXPECT_EQ(num(*f, "unique_clients"), c.clients) << c.now.count();
    }
  }
  EXPECT_EQ(num(w.figures(at(19s)), "error_rate"), 0);  // no requests: 0, not NaN
}

TEST(AccessWindow, DropsRecordsOlderThanTheWindowAndClampsFutureOnes) {
  AccessWindow w(10s, {});
  w.add(rec(100s, 200));
  w.add(rec(50s, 500));  // 50 s behind the newest line: outside any window ending now
  w.add(rec(95s, 200));  // out of order by 5 s: kept
  auto f = w.figures(at(100s));
  EXPECT_EQ(num(f, "requests"), 2);
  EXPECT_EQ(num(f, "status.5xx"), 0);

  w.evict(at(101s));
  w.add(rec(seconds(86400 * 365), 200));  // a bogus stamp a year ahead counts at `now`
  w.add(rec(102s, 200));                  // and does not push later lines out
  f = w.figures(at(102s));
  EXPECT_EQ(num(f, "requests"), 4);
}

TEST(AccessWindow, PercentilesWithinTheDocumentedBound) {
  AccessWindow w(60s, {});
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(std::log(50'000.0), 1.0);  // µs, median 50ms
  std::vector<std::int64_t> values;
  for (int i = 0; i < 20000; ++i) {
    auto us = static_cast<std::int64_t>(latency(rng)) + 1;
    values.push_back(us);
    w.add(rec(seconds(i % 60), 200, "/", "c", microseconds(us)));
  }
  std::sort(values.begin(), values.end());
  auto f = w.figures(at(59s));
  for (auto [name, q] : {std::pair{"p50", 0.50}, {"p95", 0.95}, {"p99", 0.99}}) {
    const double exact = static_cast<double>(values[static_cast<std::size_t>(std::ceil(q * values.size())) - 1]);
    const double got = static_cast<double>(dur(f, name).count()) * 1000;
    // 1/32 from the histogram, plus up to 0.5 ms from rounding to the figure's milliseconds.
    EXPECT_LE(std::abs(got - exact), exact / 32 + 500) << name << " exact " << exact << " got " << got;
  }
}

TEST(LatencyHistogram, BucketsCoverEveryValueWithBoundedWidth) {
  for (std::uint64_t v : {0ull, 1ull, 15ull, 16ull, 17ull, 31ull, 32ull, 33ull, 1000ull, 123456789ull,
                          (1ull << 32) - 1}) {
    const std::size_t b = LatencyHistogram::bucket_of(v);
    ASSERT_LT(b, LatencyHistogram::kBuckets);
    EXPECT_LE(LatencyHistogram::bucket_low(b), v) << v;
    EXPECT_GT(LatencyHistogram::bucket_high(b), v) << v;
    const auto lo = LatencyHistogram::bucket_low(b), hi = LatencyHistogram::bucket_high(b);
    EXPECT_LE(static_cast<double>(hi - 1 - lo), static_cast<double>(lo) / 16 + 1e-9) << v;
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(1ull << 40), LatencyHistogram::kBuckets - 1);
  // Consecutive buckets tile the line.
  for (std::size_t b = 0; b + 1 < LatencyHistogram::kBuckets; ++b)
    ASSERT_EQ(LatencyHistogram::bucket_high(b), LatencyHistogram::bucket_low(b + 1)) << b;

  LatencyHistogram h;
  EXPECT_EQ(h.percentile(0.99), 0us);
  for (int i = 1; i <= 100; ++i) h.record(milliseconds(i));
  EXPECT_NEAR(static_cast<double>(h.percentile(0.5).count()), 50'000, 50'000.0 / 32);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.99).count()), 99'000, 99'000.0 / 32);
  EXPECT_NEAR(static_cast<double>(h.percentile(1.0).count()), 100'000, 100'000.0 / 32);
}

TEST(AccessWindow, PerPrefixFigures) {
  AccessWindow w(5min, {"/login", "/api/"});
  w.add(rec(0s, 500, "/login", "a", 900ms));
  w.add(rec(1s, 200, "/login", "b", 100ms));
  w.add(rec(2s, 200, "/login/sso", "b", 100ms));
  w.add(rec(3s, 404, "/api/v1/x", "c", 10ms));
  w.add(rec(4s, 200, "/api", "c", 10ms));  // "/api" does not start with "/api/"
  w.add(rec(5s, 200, "/", "d", 10ms));
  auto f = w.figures(at(10s));
  EXPECT_EQ(num(f, "requests"), 6);
  EXPECT_EQ(num(f, "path:/login.requests"), 3);
  EXPECT_DOUBLE_EQ(num(f, "path:/login.error_rate"), 1.0 / 3);
  EXPECT_EQ(num(f, "path:/login.unique_clients"), 2);
  EXPECT_NEAR(static_cast<double>(dur(f, "path:/login.p99").count()), 900, 900.0 / 32);
  EXPECT_NEAR(static_cast<double>(dur(f, "path:/login.p50").count()), 100, 100.0 / 32);
  EXPECT_EQ(num(f, "path:/api/.requests"), 1);
  EXPECT_EQ(num(f, "path:/api/.error_rate_4xx"), 1);
  EXPECT_EQ(num(f, "path:/api/.error_rate"), 0);
  EXPECT_EQ(num(f, "path:/api/.status.4xx"), 1);
  EXPECT_EQ(f.count("path:/missing.requests"), 0u);
}

TEST(AccessWindow, NoPercentilesWithoutDurationsAndZeroWhenEmpty) {
  AccessWindow without(1min, {"/x"}, /*has_duration=*/false);
  without.add(rec(0s, 200));
  auto f = without.figures(at(1s));
  EXPECT_EQ(f.count("p50"), 0u);
  EXPECT_EQ(f.count("p95"), 0u);
  EXPECT_EQ(f.count("path:/x.p99"), 0u);

  AccessWindow empty(1min, {});
  auto e = empty.figures(at(0s));
  EXPECT_EQ(num(e, "requests"), 0);
  EXPECT_EQ(num(e, "request_rate"), 0);
  EXPECT_EQ(dur(e, "p95"), 0ms);
}

}  // namespace
}  // namespace vigil::probe::logs
