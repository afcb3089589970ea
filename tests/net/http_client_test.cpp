// HttpClient against a real nginx (tests/support/nginx.h) and a silent TCP listener.
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <filesystem>
#include <optional>

#include "support/nginx.h"
#include "support/silent_listener.h"

namespace vigil::net {
namespace {

namespace asio = boost::asio;
using probe::CheckResult;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<std::string> header(const CheckResult& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

// One request on a fresh loop; fails the test if no answer comes within 10 s.
std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

CheckResult fetch_one(HttpRequest req) {
  asio::io_context io;
  HttpClient client(io);
  std::optional<CheckResult> out;
  client.fetch(std::move(req), [&](CheckResult r) {
    out = std::move(r);
    io.stop();
  });
  io.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(out.has_value()) << "no callback within 10 s";
  EXPECT_EQ(client.in_flight(), 0u);
  return out.value_or(CheckResult{});
}

HttpRequest get(std::string url) {
  HttpRequest req;
  req.url = std::move(url);
  req.timeout = 5s;
  return req;
}

class HttpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::Nginx::Options o;
    o.extra_server_config = R"(location = /echo { return 200 "$request_method|$http_x_probe|$http_user_agent"; })";
    web = new testing::Nginx(o);
  }
  static void TearDownTestSuite() {
    delete web;
    web = nullptr;
  }
  static testing::Nginx* web;
};
testing::Nginx* HttpClientTest::web = nullptr;

TEST_F(HttpClientTest, Get200WithBodyHeadersAndTimings) {
  const Time before = now_ms();
  CheckResult r = fetch_one(get(web->url("/")));
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_FALSE(r.body_truncated);
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  EXPECT_GE(r.started_at, before);
  EXPECT_LE(r.started_at, now_ms());
  ASSERT_TRUE(header(r, "server").has_value());
  EXPECT_EQ(header(r, "server")->rfind("nginx", 0), 0u) << *header(r, "server");
  EXPECT_EQ(header(r, "content-type"), "text/plain");
  EXPECT_EQ(header(r, "content-length"), "5");
  for (const auto& [name, value] : r.headers) EXPECT_EQ(name, lower(name));
  EXPECT_GT(r.timings.connect.count(), 0);
  EXPECT_GE(r.timings.connect, r.timings.dns);
  EXPECT_GE(r.timings.ttfb, r.timings.connect);
  EXPECT_GE(r.timings.total, r.timings.ttfb);
  EXPECT_EQ(r.timings.tls.count(), 0);  // plain http
  EXPECT_LT(r.timings.total, std::chrono::seconds(5));
  EXPECT_FALSE(r.cert_expires_at.has_value());
}

TEST_F(HttpClientTest, HostNameGoesThroughTheResolver) {
  CheckResult r = fetch_one(get("http://localhost:" + std::to_string(web->port()) + "/"));
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_GT(r.timings.dns.count(), 0);
  EXPECT_TRUE(r.remote_ip == "127.0.0.1" || r.remote_ip == "::1") << r.remote_ip;
}

TEST_F(HttpClientTest, ServerErrorIsReachableWithItsStatus) {
  CheckResult r = fetch_one(get(web->url("/status/500")));
  EXPECT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fetch_one(get(web->url("/nope"))).status, 404);
}

TEST_F(HttpClientTest, JsonBodyAndContentType) {
  CheckResult r = fetch_one(get(web->url("/json")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"user":{"id":7}})");
  EXPECT_EQ(header(r, "content-type"), "application/json");
}

TEST_F(HttpClientTest, RedirectsFollowedOnlyWhenAsked) {
  CheckResult off = fetch_one(get(web->url("/redirect")));
  EXPECT_EQ(off.status, 302);
  EXPECT_EQ(header(off, "location"), "/");

  HttpRequest req = get(web->url("/redirect"));
  req.follow_redirects = true;
  CheckResult on = fetch_one(req);
  EXPECT_EQ(on.status, 200);
  EXPECT_EQ(on.body, "hello");
  EXPECT_FALSE(header(on, "location").has_value()) << "headers are the final response's";
}

TEST_F(HttpClientTest, MethodHeadersAndUserAgent) {
  HttpRequest req = get(web->url("/echo"));
  req.method = "POST";
  req.body = R"({"a":1})";
  req.headers = {{"X-Probe", "yes"}};
  CheckResult r = fetch_one(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST|yes|vigil/0.1");

  req.method = "DELETE";
  req.body.clear();
  EXPECT_EQ(fetch_one(req).body, "DELETE|yes|vigil/0.1");

  req.method = "HEAD";
  CheckResult head = fetch_one(req);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnreachableWithError) {
  const auto port = testing::free_tcp_port();
  CheckResult r = fetch_one(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  EXPECT_NE(lower(r.error).find("connect"), std::string::npos) << r.error;
}

TEST_F(HttpClientTest, TimeoutAgainstASilentServer) {
  testing::SilentListener silent;
  HttpRequest req = get(silent.url("/"));
  req.timeout = 300ms;
  const auto t0 = steady_clock::now();
  CheckResult r = fetch_one(req);
  const auto took = steady_clock::now() - t0;
  EXPECT_FALSE(r.reachable);
  const std::string e = lower(r.error);
  EXPECT_TRUE(e.find("timed out") != std::string::npos || e.find("timeout") != std::string::npos) << r.error;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
}

TEST_F(HttpClientTest, BodyIsCappedAndMarkedTruncated) {
  HttpRequest req = get(web->url("/json"));
  req.max_body = 4;
  CheckResult r = fetch_one(req);
  EXPECT_TRUE(r.reachable);
  EXPECT_EQ(r.body, R"({"us)");
  EXPECT_TRUE(r.body_truncated);

  req.max_body = 17;  // exactly the body's size
  r = fetch_one(req);
  EXPECT_EQ(r.body.size(), 17u);
  EXPECT_FALSE(r.body_truncated);
}

TEST_F(HttpClientTest, BadUrlIsReportedThroughTheCallback) {
  CheckResult r = fetch_one(get("ftp://127.0.0.1/"));
  EXPECT_FALSE(r.reachable);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(HttpClientTest, TwoHundredConcurrentFetchesAllComplete) {
  asio::io_context io;
  HttpClient client(io);
  const std::size_t fds_before = open_fds();
  constexpr int kN = 200;
  int done = 0, ok = 0;
  for (int i = 0; i < kN; ++i) {
    client.fetch(get(web->url(i % 2 ? "/" : "/json")), [&](CheckResult r) {
      ++done;
      if (r.reachable && r.status == 200) ++ok;
      if (done == kN) io.stop();
    });
  }
  EXPECT_EQ(client.in_flight(), static_cast<std::size_t>(kN));
  io.run_for(std::chrono::seconds(20));
  EXPECT_EQ(done, kN);
  EXPECT_EQ(ok, kN);
  EXPECT_EQ(client.in_flight(), 0u);
  EXPECT_EQ(open_fds(), fds_before) << "fresh connections are closed after use, none leak";

  // Pooled handles carry nothing over from their previous transfer.
  io.restart();
  std::optional<CheckResult> again;
  client.fetch(get(web->url("/status/500")), [&](CheckResult r) {
    again = std::move(r);
    io.stop();
  });
  io.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 500);
  EXPECT_FALSE(header(*again, "x-probe"));
}

TEST_F(HttpClientTest, CallbackMayFetchAgainAndDestroyTheClient) {
  asio::io_context io;
  auto client = std::make_unique<HttpClient>(io);
  int calls = 0;
  client->fetch(get(web->url("/")), [&](CheckResult first) {
    ++calls;
    EXPECT_EQ(first.status, 200);
    client->fetch(get(web->url("/json")), [&](CheckResult second) {
      ++calls;
      EXPECT_EQ(second.status, 200);
      client.reset();  // from inside the client's own callback
    });
  });
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(client);
}

TEST_F(HttpClientTest, DestroyingTheClientAbortsTransfersWithoutCallbacks) {
  testing::SilentListener silent;
  asio::io_context io;
  int calls = 0;
  {
    HttpClient client(io);
    for (int i = 0; i < 5; ++i) client.fetch(get(silent.url("/")), [&](CheckResult) { ++calls; });
    io.run_for(100ms);  // connected and waiting for an answer
    EXPECT_EQ(client.in_flight(), 5u);
  }
  io.restart();
  io.run_for(100ms);  // queued handlers of the dead client must be harmless
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpClientTest, FetchBlocking) {
  CheckResult r = fetch_blocking(get(web->url("/")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  HttpRequest keep = get(web->url("/json"));
  keep.fresh_connection = false;
  EXPECT_EQ(fetch_blocking(keep).status, 200);
}

TEST(HttpClientTls, CertificateExpiryAndTlsTiming) {
  testing::Nginx::Options o;
  o.tls = true;
  o.cert_days = 30;
  testing::Nginx web(o);

  HttpRequest req = get(web.url("/"));
  req.tls_verify = false;  // self-signed
  CheckResult r = fetch_one(req);
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.cert_expires_at.has_value());
  const auto left = *r.cert_expires_at - now_ms();
  EXPECT_GT(left, std::chrono::hours(24 * 29));
  EXPECT_LT(left, std::chrono::hours(24 * 31));
  EXPECT_GT(r.timings.tls.count(), 0);
  EXPECT_GE(r.timings.tls, r.timings.connect);
  EXPECT_GE(r.timings.ttfb, r.timings.tls);

  req.tls_verify = true;
  CheckResult strict = fetch_one(req);
  EXPECT_FALSE(strict.reachable);
  EXPECT_NE(lower(strict.error).find("certificate"), std::string::npos) << strict.error;
}

}  // namespace
}  // namespace vigil::net
