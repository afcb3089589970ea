// The tls check type against a real nginx speaking TLS with a self-signed certificate made for
// the test, a plain-HTTP nginx and a silent port: the handshake, the certificate's expiry and
// names, blackbox_exporter's metrics, and each way it fails with a reason people can act on.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "probe/shard.h"
#include "support/nginx.h"
#include "support/silent_listener.h"

namespace vigil::probe {
namespace {

using namespace std::chrono_literals;

config::CheckConfig tls_check(std::uint16_t port, bool verify) {
  config::CheckConfig c;
  c.name = "smtps";
  c.type = config::CheckType::tls;
  c.url = "tls://127.0.0.1:" + std::to_string(port);
  c.server_name = "localhost";
  c.tls_verify = verify;
  c.timeout = 2s;
  c.interval = 2s;
  return c;
}

std::string figure(const CheckResult& r, const std::string& name) {
  auto it = r.figures.find(name);
  if (it == r.figures.end()) return "(absent)";
  const auto* s = std::get_if<std::string>(&it->second);
  return s ? *s : "(not a string)";
}

const MetricSample* metric(const CheckResult& r, const std::string& name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return &m;
  return nullptr;
}

TEST(TlsCheck, HandshakeCertificateAndMetrics) {
  testing::Nginx::Options o;
  o.tls = true;
  o.cert_days = 20;
  testing::Nginx web(o);
  const CheckResult r = run_once(tls_check(web.port(), /*verify=*/false));
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.status, 0) << "no HTTP: a handshake and nothing else";
  ASSERT_TRUE(r.cert_expires_at.has_value());
  const auto left = *r.cert_expires_at - now_ms();
  EXPECT_GT(left, std::chrono::hours(24 * 19));
  EXPECT_LT(left, std::chrono::hours(24 * 21));
  EXPECT_GE(r.timings.tls, r.timings.connect);
  EXPECT_GT(r.timings.tls.count(), 0);
  EXPECT_TRUE(figure(r, "tls_version") == "TLSv1.3" || figure(r, "tls_version") == "TLSv1.2") << figure(r, "tls_version");
  EXPECT_NE(figure(r, "cipher"), "(absent)");
  EXPECT_EQ(figure(r, "cert_subject"), "localhost");
  EXPECT_EQ(figure(r, "cert_issuer"), "localhost") << "self-signed";
  const MetricSample* expiry = metric(r, "probe_ssl_earliest_cert_expiry");
  ASSERT_NE(expiry, nullptr);
  EXPECT_NEAR(expiry->value, std::chrono::duration<double>(r.cert_expires_at->time_since_epoch()).count(), 1.0);
  const MetricSample* version = metric(r, "probe_tls_version_info");
  ASSERT_NE(version, nullptr);
  ASSERT_EQ(version->labels.size(), 1u);
  EXPECT_EQ(version->labels[0].second, "TLS " + figure(r, "tls_version").substr(4));
}

TEST(TlsCheck, UntrustedCertificateFailsWithTheReason) {
  testing::Nginx::Options o;
  o.tls = true;
  testing::Nginx web(o);
  const CheckResult r = run_once(tls_check(web.port(), /*verify=*/true));
  EXPECT_FALSE(r.reachable);
  const std::string want = "TLS handshake with 127.0.0.1:" + std::to_string(web.port()) + ": certificate not trusted: self";
  EXPECT_EQ(r.error.substr(0, want.size()), want) << r.error;
}

TEST(TlsCheck, PlainServerAndSilentPortAndRefused) {
  testing::Nginx plain;  // HTTP, not TLS
  CheckResult r = run_once(tls_check(plain.port(), false));
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error.rfind("TLS handshake with 127.0.0.1:", 0), 0u) << r.error;

  testing::SilentListener silent;  // connects, then never answers the ClientHello
  config::CheckConfig c = tls_check(silent.port(), false);
  c.timeout = 300ms;
  r = run_once(c);
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error, "TLS handshake with 127.0.0.1:" + std::to_string(silent.port()) + " timed out after 300ms");

  const std::uint16_t closed = plain.port();
  plain.stop();
  r = run_once(tls_check(closed, false));
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error.rfind("connect to 127.0.0.1:", 0), 0u) << r.error;
}

TEST(TlsCheck, TlsUrlInAnHttpCheckIsProbedAsTls) {
  testing::Nginx::Options o;
  o.tls = true;
  testing::Nginx web(o);
  config::CheckConfig c;  // what `vigil check tls://host:port -k` builds
  c.url = "tls://127.0.0.1:" + std::to_string(web.port());
  c.type = config::CheckType::tls;
  c.tls_verify = false;
  c.timeout = 2s;
  EXPECT_TRUE(run_once(c).reachable);
}

TEST(TlsCheck, ShardProbesOnScheduleWithOneContext) {
  testing::Nginx::Options o;
  o.tls = true;
  testing::Nginx web(o);
  boost::asio::io_context io;
  std::vector<CheckResult> results;
  ProbeShard shard(io, [&](CheckResult r) { results.push_back(std::move(r)); });
  std::vector<ProbeTarget> targets;
  for (int i = 0; i < 3; ++i) {
    auto c = std::make_shared<config::CheckConfig>(tls_check(web.port(), false));
    c->interval = 200ms;
    targets.push_back({"svc/tls" + std::to_string(i), c, 0.0});
  }
  shard.set_checks(std::move(targets));
  shard.start();
  boost::asio::steady_timer stop(io, 1100ms);
  stop.async_wait([&](auto) { shard.stop(); });
  io.run();
  ASSERT_GE(results.size(), 9u) << "three checks, five or six runs each";
  for (const auto& r : results) EXPECT_TRUE(r.reachable) << r.check_id << ": " << r.error;
}

}  // namespace
}  // namespace vigil::probe
