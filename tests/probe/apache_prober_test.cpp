// The apache_status prober against a real Apache (tests/support/apache.h), through the HTTP
// client on an io_context as the shard runs it.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <future>
#include <thread>

#include "net/http_client.h"
#include "probe/prober.h"
#include "support/apache.h"

namespace vigil::probe {
namespace {

namespace asio = boost::asio;

// One io_context and client across probes, like a shard (connections are reused).
class Harness {
 public:
  Harness() : http_(io_), env_{io_, http_}, prober_(make_prober(config::CheckType::apache_status)) {}

  CheckResult probe(const std::string& url, const std::string& id = "web/apache") {
    config::CheckConfig c;
    c.name = "apache";
    c.type = config::CheckType::apache_status;
    c.url = url;
    c.timeout = 5s;
    std::optional<CheckResult> out;
    prober_->run(id, c, env_, [&](CheckResult r) { out = std::move(r); });
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!out && std::chrono::steady_clock::now() < deadline) {
      if (io_.stopped()) io_.restart();
      io_.run_one_for(100ms);
    }
    if (!out) throw std::runtime_error("probe did not complete");
    return std::move(*out);
  }
  Prober& prober() { return *prober_; }

 private:
  asio::io_context io_;
  net::HttpClient http_;
  ProbeEnv env_;
  std::unique_ptr<Prober> prober_;
};

double num(const CheckResult& r, const std::string& name) {
  auto it = r.figures.find(name);
  if (it == r.figures.end() || !std::holds_alternative<double>(it->second)) {
    ADD_FAILURE() << "no number figure " << name;
    return -1;
  }
  return std::get<double>(it->second);
}

std::optional<double> metric(const CheckResult& r, const std::string& name,
                             std::vector<std::pair<std::string, std::string>> labels = {}) {
  for (const auto& m : r.metrics)
    if (m.name == name && m.labels == labels) return m.value;
  return std::nullopt;
}

class ApacheProberTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { web = new testing::Apache(); }
  static void TearDownTestSuite() {
    delete web;
    web = nullptr;
  }
  static testing::Apache* web;
};
testing::Apache* ApacheProberTest::web = nullptr;

TEST_F(ApacheProberTest, RegisteredForItsType) { EXPECT_NE(make_prober(config::CheckType::apache_status), nullptr); }

TEST_F(ApacheProberTest, FiguresAndMetricsFromARealServer) {
  Harness h;
  const CheckResult r = h.probe(web->url("/server-status"));  // ?auto is added
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(std::get<std::string>(r.figures.at("server_mpm")), "event");
  EXPECT_TRUE(std::get<std::string>(r.figures.at("server_version")).starts_with("Apache/2.4"));
  EXPECT_GE(num(r, "busy_workers"), 1);  // this very request
  EXPECT_GE(num(r, "idle_workers"), 0);
  EXPECT_LE(num(r, "busy_workers") + num(r, "idle_workers"), 10);  // MaxRequestWorkers
  const double ratio = num(r, "busy_workers_ratio");
  EXPECT_GT(ratio, 0);
  EXPECT_LE(ratio, 1);
  EXPECT_GE(num(r, "total_accesses"), 0);
  EXPECT_GE(num(r, "scoreboard.sending"), 1);
  EXPECT_TRUE(std::holds_alternative<Duration>(r.figures.at("uptime")));
  EXPECT_TRUE(r.figures.contains("conns_total"));
  EXPECT_TRUE(r.figures.contains("load1"));
  EXPECT_FALSE(r.figures.contains("request_rate"));  // first run
  EXPECT_EQ(metric(r, "apache_up"), 1);
  EXPECT_EQ(metric(r, "apache_workers", {{"state", "busy"}}), num(r, "busy_workers"));
  EXPECT_TRUE(metric(r, "apache_accesses_total"));
  EXPECT_TRUE(metric(r, "apache_scoreboard", {{"state", "open_slot"}}));
}

TEST_F(ApacheProberTest, RequestRateFromTwoRuns) {
  Harness h;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(web->get("/").status, 200);
  const auto before_first = std::chrono::steady_clock::now();
  const CheckResult a = h.probe(web->status_url());
  const auto after_first = std::chrono::steady_clock::now();
  ASSERT_TRUE(a.reachable) << a.error;
  EXPECT_FALSE(a.figures.contains("request_rate"));
  for (int i = 0; i < 10; ++i) ASSERT_EQ(web->get("/login").status, 200);
  std::this_thread::sleep_for(200ms);
  const auto before_second = std::chrono::steady_clock::now();
  const CheckResult b = h.probe(web->status_url());
  const auto after_second = std::chrono::steady_clock::now();
  ASSERT_TRUE(b.reachable) << b.error;
  // Our 10 requests and the first scrape itself (Apache counts a request once it is logged).
  const double delta = num(b, "total_accesses") - num(a, "total_accesses");
  EXPECT_EQ(delta, 11);
  const double rate = num(b, "request_rate");
  const double shortest = std::chrono::duration<double>(before_second - after_first).count();
  const double longest = std::chrono::duration<double>(after_second - before_first).count();
  EXPECT_GE(rate, delta / longest);
  EXPECT_LE(rate, delta / shortest);
}

TEST_F(ApacheProberTest, BusyWorkersUnderLoad) {
  Harness h;
  std::vector<std::future<testing::HttpReply>> slow;
  for (int i = 0; i < 3; ++i) slow.push_back(std::async(std::launch::async, [] { return web->get("/slow?1.5"); }));
  // Wait until the three are being served (they show as W in the scoreboard).
  CheckResult r;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  do {
    r = h.probe(web->status_url());
    ASSERT_TRUE(r.reachable) << r.error;
  } while (num(r, "busy_workers") < 4 && std::chrono::steady_clock::now() < deadline);
  EXPECT_GE(num(r, "busy_workers"), 4);  // 3 slow + the scrape
  EXPECT_GE(num(r, "scoreboard.sending"), 4);
  EXPECT_GE(num(r, "busy_workers_ratio"), 0.4);
  EXPECT_LE(num(r, "busy_workers_ratio"), 1.0);
  for (auto& f : slow) EXPECT_EQ(f.get().status, 200);
}

TEST_F(ApacheProberTest, NotFoundIsAFailureWithApacheUpZero) {
  Harness h;
  const CheckResult r = h.probe(web->url("/no-status-here"));
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.error.find("HTTP 404"), std::string::npos) << r.error;
  EXPECT_TRUE(r.figures.empty());
  ASSERT_EQ(r.metrics.size(), 1u);
  EXPECT_EQ(r.metrics[0].name, "apache_up");
  EXPECT_EQ(r.metrics[0].value, 0);
}

TEST_F(ApacheProberTest, APageThatIsNotStatusOutputIsAFailure) {
  Harness h;
  const CheckResult r = h.probe(web->url("/login"));  // 200, HTML
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.error.find("not understood"), std::string::npos) << r.error;
  EXPECT_EQ(metric(r, "apache_up"), 0);
}

TEST_F(ApacheProberTest, RefusedIsAFailureWithApacheUpZero) {
  Harness h;
  const CheckResult r = h.probe("http://127.0.0.1:" + std::to_string(testing::free_tcp_port()) + "/server-status");
  EXPECT_FALSE(r.reachable);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(metric(r, "apache_up"), 0);
}

TEST_F(ApacheProberTest, EachCheckHasItsOwnPreviousScrape) {
  Harness h;
  ASSERT_TRUE(h.probe(web->status_url(), "a/one").reachable);
  EXPECT_FALSE(h.probe(web->status_url(), "b/two").figures.contains("request_rate"));
  EXPECT_TRUE(h.probe(web->status_url(), "a/one").figures.contains("request_rate"));
  h.prober().forget("a/one");
  EXPECT_FALSE(h.probe(web->status_url(), "a/one").figures.contains("request_rate"));
}

// A separate server: restarting it must not disturb the shared one.
TEST(ApacheProberRestart, NoRequestRateAcrossARestart) {
  testing::Apache web;
  Harness h;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(web.get("/").status, 200);
  const CheckResult a = h.probe(web.status_url());
  ASSERT_TRUE(a.reachable) << a.error;
  ASSERT_GE(num(a, "total_accesses"), 5);
  web.stop();
  const CheckResult down = h.probe(web.status_url());
  EXPECT_FALSE(down.reachable);
  web.start();
  const CheckResult b = h.probe(web.status_url());
  ASSERT_TRUE(b.reachable) << b.error;
  EXPECT_LT(num(b, "total_accesses"), num(a, "total_accesses"));
  EXPECT_FALSE(b.figures.contains("request_rate"));  // the counter restarted: no rate this time
  const CheckResult c = h.probe(web.status_url());
  EXPECT_TRUE(c.figures.contains("request_rate"));   // and again from the next scrape
}

// After a graceful restart the counters go on: the rate does too.
TEST(ApacheProberRestart, GracefulRestartKeepsTheRate) {
  testing::Apache web;
  Harness h;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(web.get("/").status, 200);
  const CheckResult a = h.probe(web.status_url());
  ASSERT_TRUE(a.reachable) << a.error;
  web.graceful();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(web.get("/").status, 200);
  const CheckResult b = h.probe(web.status_url());
  ASSERT_TRUE(b.reachable) << b.error;
  EXPECT_EQ(num(b, "parent_server_config_generation"), num(a, "parent_server_config_generation") + 1);
  EXPECT_GE(num(b, "total_accesses"), num(a, "total_accesses") + 3);
  EXPECT_TRUE(b.figures.contains("request_rate"));
}

}  // namespace
}  // namespace vigil::probe
