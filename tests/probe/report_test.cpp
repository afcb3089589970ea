#include "probe/report.h"

#include <gtest/gtest.h>

namespace vigil::probe {
namespace {

using std::chrono::microseconds;

Time at(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value(); }

bool has(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

std::string line_of(const std::string& text, std::string_view label) {
  const auto start = text.find(label);
  if (start == std::string::npos) return {};
  return text.substr(start, text.find('\n', start) - start);
}

TEST(CheckReport, HttpsSuccess) {
  CheckResult r;
  r.reachable = true;
  r.status = 200;
  r.remote_ip = "93.184.216.34";
  r.body = "hello";
  r.started_at = at("2024-08-18T10:15:00Z");
  r.cert_expires_at = at("2024-09-17T12:00:00Z");
  r.timings = {microseconds(1200), microseconds(3400), microseconds(15000), microseconds(21100), microseconds(21300)};
  const std::string text = format_check_report(r);
  EXPECT_TRUE(has(text, "200 OK")) << text;
  EXPECT_TRUE(has(text, "93.184.216.34")) << text;
  // phase and elapsed, ms with one decimal
  EXPECT_TRUE(has(text, "DNS lookup")) << text;
  EXPECT_TRUE(has(text, "1.2")) << text;
  EXPECT_TRUE(has(text, "2.2       3.4")) << text;    // connect: 2.2 ms, at 3.4 ms
  EXPECT_TRUE(has(text, "11.6      15.0")) << text;   // TLS
  EXPECT_TRUE(has(text, "6.1      21.1")) << text;    // TTFB
  EXPECT_TRUE(has(text, "0.2      21.3")) << text;    // total
  EXPECT_TRUE(has(text, "expires 2024-09-17 12:00:00 UTC (30 days left)")) << text;
  EXPECT_TRUE(has(text, "5 bytes")) << text;
  EXPECT_FALSE(has(text, "error")) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(CheckReport, UnreachableShowsTheErrorAndUnreachedPhases) {
  CheckResult r;
  r.reachable = false;
  r.error = "Failed to connect to 127.0.0.1 port 1: Connection refused";
  r.timings.dns = microseconds(150);
  r.timings.total = microseconds(530);
  const std::string text = format_check_report(r);
  EXPECT_TRUE(has(text, "unreachable")) << text;
  EXPECT_TRUE(has(text, "Connection refused")) << text;
  const std::string connect = line_of(text, "TCP connect");
  EXPECT_TRUE(connect.ends_with("-         -")) << connect;
  EXPECT_TRUE(has(text, "0.5")) << text;
  EXPECT_FALSE(has(text, "tls cert")) << text;
  EXPECT_FALSE(has(text, "bytes")) << text;
}

TEST(CheckReport, TcpAndExpiredCertificate) {
  CheckResult tcp;
  tcp.reachable = true;
  tcp.remote_ip = "127.0.0.1";
  tcp.timings.connect = microseconds(300);
  tcp.timings.total = microseconds(310);
  EXPECT_TRUE(has(format_check_report(tcp), "connected (tcp)"));

  CheckResult old;
  old.reachable = true;
  old.status = 503;
  old.started_at = at("2024-08-18T10:15:00Z");
  old.cert_expires_at = at("2024-08-16T10:15:00Z");
  const std::string text = format_check_report(old);
  EXPECT_TRUE(has(text, "503 Service Unavailable")) << text;
  EXPECT_TRUE(has(text, "EXPIRED 2 days ago")) << text;
}

}  // namespace
}  // namespace vigil::probe
