// services[].checks[] of type heartbeat: defaults that suit pings, and errors at FILE:LINE:COL.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;
using namespace std::chrono_literals;

std::string with_check(const std::string& check) {
  return testing::service_with_check("backups", check,
                                     "defaults: { interval: 30s, failure_threshold: 3, success_threshold: 2 }\n");
}

TEST(HeartbeatConfig, DefaultsSuitPings) {
  auto r = load_config_text(with_check("{ name: nightly, type: heartbeat, period: 24h, key: 0123456789abcdef0123 }"), "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const CheckConfig& c = r.config->services[0].checks[0];
  EXPECT_EQ(c.type, CheckType::heartbeat);
  EXPECT_EQ(c.period, 24h);
  EXPECT_EQ(c.grace, 1h) << "Healthchecks.io's default grace";
  EXPECT_EQ(c.key, "0123456789abcdef0123");
  EXPECT_EQ(c.interval, 30s) << "defaults.interval";
  EXPECT_EQ(c.failure_threshold, 1) << "a late ping is already grace late";
  EXPECT_EQ(c.success_threshold, 1) << "one ping is a recovery";
}

TEST(HeartbeatConfig, ShortPeriodShortensGraceAndInterval) {
  auto r = load_config_text(with_check("{ name: watchdog, type: heartbeat, period: 10s, key: 0123456789abcdef0123 }"), "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const CheckConfig& c = r.config->services[0].checks[0];
  EXPECT_EQ(c.grace, 10s);
  EXPECT_EQ(c.interval, 10s);
}

TEST(HeartbeatConfig, ExplicitValuesWin) {
  auto r = load_config_text(with_check("{ name: nightly, type: heartbeat, period: 1h, grace: 0s, interval: 1s, "
                                       "failure_threshold: 2, key: 'a-b_c.d~0123456789' }"),
                            "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const CheckConfig& c = r.config->services[0].checks[0];
  EXPECT_EQ(c.grace, 0s);
  EXPECT_EQ(c.interval, 1s) << "no complaint about defaults.timeout: a heartbeat waits for nobody";
  EXPECT_EQ(c.failure_threshold, 2);
}

TEST(HeartbeatConfig, Errors) {
  EXPECT_EQ(errors_of(with_check("{ name: a, type: heartbeat }")),
            (std::vector<std::string>{
                R"(t.yaml:5:9: services[0].checks[0]: missing required key "period")",
                R"(t.yaml:5:9: services[0].checks[0]: missing required key "key" (or key_file): the secret in the ping URL /ping/KEY (make one with: openssl rand -hex 16))"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: heartbeat, period: 500ms, key: short }")),
            (std::vector<std::string>{
                R"(t.yaml:5:45: services[0].checks[0].period: must be at least 1s)",
                R"(t.yaml:5:57: services[0].checks[0].key: must be at least 16 characters: anyone who knows it can report the job healthy (make one with: openssl rand -hex 16))"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: heartbeat, period: 1m, key: 'has space 0123456789' }")),
            (std::vector<std::string>{
                R"(t.yaml:5:54: services[0].checks[0].key: use only letters, digits, '-', '.', '_' and '~' (the key travels in URLs and headers))"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: heartbeat, period: 1m, key: 0123456789abcdef0123, url: 'http://x/' }")),
            (std::vector<std::string>{
                R"(t.yaml:5:76: services[0].checks[0].url: "url" applies only to http, tcp, tls and apache_status checks)"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, url: 'http://127.0.0.1:9/', period: 1m }")),
            (std::vector<std::string>{
                R"(t.yaml:5:48: services[0].checks[0].period: "period" applies only to heartbeat checks)"}));
}

TEST(HeartbeatConfig, KeysAreUniqueAcrossServices) {
  const std::string yaml =
      "services:\n"
      "  - name: backups\n"
      "    checks: [ { name: nightly, type: heartbeat, period: 24h, key: 0123456789abcdef0123 } ]\n"
      "  - name: reports\n"
      "    checks: [ { name: weekly, type: heartbeat, period: 7d, key: 0123456789abcdef0123 } ]\n";
  EXPECT_EQ(errors_of(yaml), (std::vector<std::string>{
                                 R"(t.yaml:5:65: services[1].checks[0].key: the same key as check "nightly" (line 3): each heartbeat check needs its own)"}));
}

}  // namespace
}  // namespace vigil::config
