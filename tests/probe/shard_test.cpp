// ProbeShard on a real io_context against a real nginx. Wall-clock based, short and tolerant.
#include "probe/shard.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <malloc.h>

#include <map>
#if defined(__SANITIZE_ADDRESS__)
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();  // libasan; gcc ships no header
#endif

#include "support/nginx.h"
#include "support/silent_listener.h"

namespace vigil::probe {
namespace {

namespace asio = boost::asio;

std::shared_ptr<const config::CheckConfig> http_check(std::string url, Duration interval, Duration timeout = 2s) {
  auto c = std::make_shared<config::CheckConfig>();
  c->type = config::CheckType::http;
  c->url = std::move(url);
  c->interval = interval;
  c->timeout = timeout;
  return c;
}

std::shared_ptr<const config::CheckConfig> tcp_check(std::string url, Duration interval, Duration timeout = 2s) {
  auto c = std::make_shared<config::CheckConfig>();
  c->type = config::CheckType::tcp;
  c->url = std::move(url);
  c->interval = interval;
  c->timeout = timeout;
  return c;
}

std::size_t heap_in_use() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

std::string closed_port_target() { return "tcp://127.0.0.1:" + std::to_string(testing::free_tcp_port()); }

class ProbeShardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { web = new testing::Nginx(); }
  static void TearDownTestSuite() {
    delete web;
    web = nullptr;
  }
  static testing::Nginx* web;
};
testing::Nginx* ProbeShardTest::web = nullptr;

TEST_F(ProbeShardTest, ThreeChecksKeepTheirCadence) {
  asio::io_context io;
  std::map<std::string, std::vector<CheckResult>> got;
  ProbeShard shard(io, [&](CheckResult r) { got[r.check_id].push_back(std::move(r)); });
  shard.set_checks({{"web/root", http_check(web->url("/"), 200ms)},
                    {"web/json", http_check(web->url("/json"), 200ms)},
                    {"web/port", tcp_check("tcp://127.0.0.1:" + std::to_string(web->port()), 200ms)}});
  const Time before = now_ms();
  shard.start();
  io.run_for(1100ms);
  shard.stop();

  ASSERT_EQ(got.size(), 3u);
  for (const auto& [id, results] : got) {
    // Runs at phase + 0, 200, ..., 1000 ms (phase < 20 ms): 6, or 5 on a very busy machine.
    EXPECT_GE(results.size(), 5u) << id;
    EXPECT_LE(results.size(), 6u) << id;
    for (const auto& r : results) {
      EXPECT_TRUE(r.reachable) << id << ": " << r.error;
      EXPECT_GE(r.started_at, before);
    }
  }
  EXPECT_EQ(got["web/root"].front().status, 200);
  EXPECT_EQ(got["web/root"].front().body, "hello");
  EXPECT_EQ(got["web/json"].front().body, R"({"user":{"id":7}})");
  EXPECT_EQ(got["web/port"].front().status, 0);

  // Cadence: consecutive starts ~200 ms apart (not 200 ms + probe time).
  const auto& root = got["web/root"];
  const auto span = root.back().started_at - root.front().started_at;
  EXPECT_NEAR(static_cast<double>(span.count()), 200.0 * static_cast<double>(root.size() - 1), 60.0);

  const ShardStats st = shard.stats();
  EXPECT_EQ(st.completed, st.started);
  EXPECT_EQ(st.skipped, 0u);
  EXPECT_EQ(st.late, 0u);
}

TEST_F(ProbeShardTest, TcpReachableAndUnreachable) {
  asio::io_context io;
  std::map<std::string, CheckResult> last;
  ProbeShard shard(io, [&](CheckResult r) { last[r.check_id] = std::move(r); });
  shard.set_checks({{"t/up", tcp_check("tcp://127.0.0.1:" + std::to_string(web->port()), 10s), 0.0},
                    {"t/down", tcp_check(closed_port_target(), 10s), 0.0},
                    {"t/name", tcp_check("localhost:" + std::to_string(web->port()), 10s), 0.0}});
  shard.start();
  io.run_for(500ms);
  shard.stop();

  ASSERT_EQ(last.count("t/up"), 1u);
  const CheckResult& up = last["t/up"];
  EXPECT_TRUE(up.reachable) << up.error;
  EXPECT_EQ(up.remote_ip, "127.0.0.1");
  EXPECT_GT(up.timings.connect.count(), 0);
  EXPECT_GE(up.timings.total, up.timings.connect);

  ASSERT_EQ(last.count("t/down"), 1u);
  EXPECT_FALSE(last["t/down"].reachable);
  EXPECT_NE(last["t/down"].error.find("refused"), std::string::npos) << last["t/down"].error;

  ASSERT_EQ(last.count("t/name"), 1u);  // through the resolver
  EXPECT_TRUE(last["t/name"].reachable) << last["t/name"].error;
}

TEST_F(ProbeShardTest, SlowCheckSkipsSlotsInsteadOfPilingUp) {
  testing::SilentListener silent;
  asio::io_context io;
  int results = 0;
  ProbeShard shard(io, [&](CheckResult) { ++results; });
  shard.set_checks({{"slow/hang", http_check(silent.url("/"), 200ms, 3s), 0.0}});
  shard.start();
  io.run_for(1100ms);
  const ShardStats st = shard.stats();
  shard.stop();
  EXPECT_EQ(results, 0);
  EXPECT_EQ(st.started, 1u);
  EXPECT_GE(st.skipped, 4u);  // slots at 200..1000 ms
  EXPECT_LE(st.skipped, 5u);
}

TEST_F(ProbeShardTest, NoSinkCallsAfterStop) {
  testing::SilentListener silent;
  asio::io_context io;
  int calls = 0, calls_at_stop = -1;
  auto shard = std::make_unique<ProbeShard>(io, [&](CheckResult) { ++calls; });
  shard->set_checks({{"a/root", http_check(web->url("/"), 50ms)},
                     {"a/port", tcp_check("tcp://127.0.0.1:" + std::to_string(web->port()), 50ms)},
                     {"a/hang", http_check(silent.url("/"), 50ms, 300ms)}});  // in flight at stop
  shard->start();
  asio::steady_timer at(io, std::chrono::milliseconds(300));
  at.async_wait([&](const boost::system::error_code&) {
    shard->stop();
    calls_at_stop = calls;
  });
  io.run_for(800ms);
  EXPECT_GT(calls_at_stop, 5);
  EXPECT_EQ(calls, calls_at_stop);
  shard.reset();  // destroying a stopped shard with handlers still queued is safe
  io.restart();
  io.run_for(50ms);
  EXPECT_EQ(calls, calls_at_stop);
}

TEST_F(ProbeShardTest, SinkMayStopTheShard) {
  asio::io_context io;
  int calls = 0;
  std::unique_ptr<ProbeShard> shard;
  shard = std::make_unique<ProbeShard>(io, [&](CheckResult) {
    ++calls;
    shard->stop();
  });
  shard->set_checks({{"a/1", http_check(web->url("/"), 20ms)}, {"a/2", http_check(web->url("/"), 20ms)}});
  shard->start();
  io.run_for(300ms);
  EXPECT_EQ(calls, 1);
}

TEST_F(ProbeShardTest, SetChecksWhileRunning) {
  asio::io_context io;
  std::map<std::string, int> count;
  ProbeShard shard(io, [&](CheckResult r) { ++count[r.check_id]; });
  shard.set_checks({{"r/old", http_check(web->url("/"), 100ms)}});
  shard.start();
  asio::steady_timer at(io, std::chrono::milliseconds(350));
  at.async_wait([&](const boost::system::error_code&) {
    shard.set_checks({{"r/new", http_check(web->url("/json"), 100ms)}});
  });
  io.run_for(700ms);
  shard.stop();
  EXPECT_GE(count["r/old"], 3);
  EXPECT_LE(count["r/old"], 5);
  EXPECT_GE(count["r/new"], 3);
}

// DESIGN: 100k checks in one process; the shard's own state stays well under 1 KB a check.
TEST(ProbeShardScale, HundredThousandChecksCostLittleMemory) {
  constexpr std::size_t kChecks = 100'000;
  asio::io_context io;
  auto shared = http_check("http://127.0.0.1:9/", std::chrono::hours(1));  // phases spread over 1 h: none due
  const std::size_t before = heap_in_use();
  {
    ProbeShard shard(io, [](CheckResult) {});
    std::vector<ProbeTarget> targets;
    targets.reserve(kChecks);
    for (std::size_t i = 0; i < kChecks; ++i) targets.push_back({"service-" + std::to_string(i / 10) + "/check-" + std::to_string(i), shared, 1.0});
    shard.set_checks(std::move(targets));
    shard.start();
    io.run_for(10ms);
    const std::size_t per_check = (heap_in_use() - before) / kChecks;
    EXPECT_LT(per_check, 256u);
    RecordProperty("bytes_per_check", static_cast<int>(per_check));
    EXPECT_LT(shard.stats().started, 20u);  // ~1 in 360k per ms of the hour
  }
}

TEST_F(ProbeShardTest, RunOnceHttpAndTcp) {
  config::CheckConfig c;
  c.name = "once";
  c.url = web->url("/json");
  c.timeout = 2s;
  CheckResult r = run_once(c);
  EXPECT_EQ(r.check_id, "once");
  EXPECT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"user":{"id":7}})");

  c.type = config::CheckType::tcp;
  c.url = "127.0.0.1:" + std::to_string(web->port());
  r = run_once(c);
  EXPECT_TRUE(r.reachable) << r.error;

  c.url = "tcp://nonsense";
  r = run_once(c);
  EXPECT_FALSE(r.reachable);
  EXPECT_NE(r.error.find("host:port"), std::string::npos) << r.error;
}

TEST_F(ProbeShardTest, ServerGoingDownAndUpIsSeen) {
  testing::Nginx own;
  config::CheckConfig c;
  c.url = own.url("/");
  c.timeout = 1s;
  EXPECT_TRUE(run_once(c).reachable);
  own.stop();
  EXPECT_FALSE(run_once(c).reachable);
  own.start();
  EXPECT_EQ(run_once(c).status, 200);
}

}  // namespace
}  // namespace vigil::probe
