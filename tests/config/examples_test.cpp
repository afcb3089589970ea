// The shipped configs (the repo-root vigil.yaml used by `make run`, examples/*.yaml) must
// load: they are what a new user runs first.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "config/config.h"

namespace vigil::config {
namespace {

namespace fs = std::filesystem;

// ctest sets VIGIL_SOURCE_DIR; running the binary by hand falls back to this file's place.
fs::path source_dir() {
  if (const char* d = std::getenv("VIGIL_SOURCE_DIR")) return d;
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

LoadResult load(const std::string& relative) {
  const fs::path p = source_dir() / relative;
  LoadResult r = load_config(p.string());
  for (const auto& e : r.errors) ADD_FAILURE() << to_string(e);
  return r;
}

TEST(Examples, RootVigilYamlMonitorsItself) {
  const auto r = load("vigil.yaml");
  ASSERT_TRUE(r.config);
  const Config& c = *r.config;
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  ASSERT_FALSE(c.services.empty());
  EXPECT_EQ(c.services[0].name, "vigil-self");
  EXPECT_EQ(c.services[0].checks[0].url, "http://127.0.0.1:8080/-/healthy");
  EXPECT_EQ(c.services[0].checks[0].interval, 10s);
  ASSERT_FALSE(c.channels.empty());
  EXPECT_EQ(c.channels[0].type, ChannelType::log);
}

TEST(Examples, ApacheFleet) {
  const auto r = load("examples/apache-fleet.yaml");
  ASSERT_TRUE(r.config);
  const Config& c = *r.config;
  bool has_webhook_with_secret = false;
  for (const auto& ch : c.channels) has_webhook_with_secret |= ch.type == ChannelType::webhook && !ch.secret.empty();
  EXPECT_TRUE(has_webhook_with_secret);
  bool has_login = false, has_tcp = false;
  for (const auto& s : c.services) {
    for (const auto& k : s.checks) {
      has_login |= k.name == "login" && !k.conditions.empty();
      has_tcp |= k.type == CheckType::tcp;
    }
  }
  EXPECT_TRUE(has_login);
  EXPECT_TRUE(has_tcp);
  // Paged per a policy: a two-engineer weekly rotation, then the lead.
  EXPECT_EQ(c.services[0].escalation_policy, "web-oncall");
  ASSERT_EQ(c.schedules.size(), 1u);
  ASSERT_EQ(c.schedules[0].layers.size(), 1u);
  EXPECT_EQ(c.schedules[0].layers[0].users, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(c.schedules[0].layers[0].rotation, std::chrono::hours(24 * 7));
  EXPECT_EQ(c.schedules[0].layers[0].start,
            std::chrono::local_days{std::chrono::year{2024} / 8 / 12} + std::chrono::hours(9));
  ASSERT_EQ(c.escalation_policies.size(), 1u);
  EXPECT_EQ(c.escalation_policies[0].rules.size(), 2u);
  ASSERT_EQ(c.integrations.size(), 1u);
  EXPECT_EQ(c.integrations[0].type, IntegrationType::pagerduty_events_v2);
  EXPECT_EQ(c.integrations[0].key.size(), 32u);
  EXPECT_FALSE(c.server.link_secret.empty());
}

TEST(Examples, OnCall) {
  const auto r = load("examples/oncall.yaml");
  ASSERT_TRUE(r.config);
  const Config& c = *r.config;
  ASSERT_EQ(c.users.size(), 3u);
  ASSERT_EQ(c.schedules.size(), 2u);
  EXPECT_EQ(c.schedules[0].overrides.size(), 1u);
  EXPECT_EQ(c.schedules[1].layers[0].restrictions.size(), 5u);
  ASSERT_EQ(c.escalation_policies.size(), 1u);
  EXPECT_EQ(c.escalation_policies[0].ack_timeout, std::chrono::hours(4));
  ASSERT_EQ(c.integrations.size(), 2u);
  EXPECT_EQ(c.integrations[1].type, IntegrationType::alertmanager);
  ASSERT_EQ(c.services.size(), 2u);
  EXPECT_TRUE(c.services[1].checks.empty()) << "fed by the alertmanager integration";
  ASSERT_TRUE(c.services[1].urgency.support_hours.has_value());
  EXPECT_EQ(c.services[1].urgency.during, UrgencyChoice::severity_based);
  EXPECT_TRUE(c.services[1].urgency.raise_at_start);
  EXPECT_FALSE(c.users[0].contacts[2].high_urgency) << "alice's email: low urgency only";
  EXPECT_FALSE(c.users[2].contacts[1].low_urgency) << "carol's text message: high urgency only";
}

TEST(Examples, LocalApache) {
  const auto r = load("examples/apache.yaml");
  ASSERT_TRUE(r.config);
  ASSERT_EQ(r.config->services.size(), 1u);
  const ServiceConfig& s = r.config->services[0];
  std::vector<CheckType> types;
  for (const auto& k : s.checks) types.push_back(k.type);
  EXPECT_EQ(types, (std::vector<CheckType>{CheckType::apache_status, CheckType::access_log, CheckType::error_log,
                                           CheckType::host, CheckType::process}));
  EXPECT_EQ(s.checks[0].url, "http://127.0.0.1/server-status?auto");
  EXPECT_EQ(s.checks[1].path, "/var/log/apache2/access.log");
  EXPECT_EQ(s.checks[1].path_prefixes, (std::vector<std::string>{"/login", "/api"}));
  ASSERT_EQ(s.evidence.size(), 4u);
  EXPECT_EQ(s.evidence[0].kind, EvidenceConfig::Kind::tail);
  EXPECT_EQ(s.evidence[1].kind, EvidenceConfig::Kind::command);
  EXPECT_EQ(s.evidence[2].kind, EvidenceConfig::Kind::http);
  EXPECT_EQ(s.evidence[3].kind, EvidenceConfig::Kind::config_diff);
  ASSERT_EQ(s.runbooks.size(), 1u);
  EXPECT_EQ(s.runbooks[0].name, "restart-apache");
  EXPECT_EQ(s.runbooks[0].command, (std::vector<std::string>{"/usr/sbin/apachectl", "graceful"}));
  EXPECT_TRUE(s.runbooks[0].automatic);
  EXPECT_EQ(s.runbooks[0].max_attempts, 2);
  EXPECT_EQ(s.runbooks[0].cooldown, std::chrono::minutes(10));
}

// Every other example must at least load.
TEST(Examples, AllExamplesLoad) {
  for (const auto& entry : fs::directory_iterator(source_dir() / "examples")) {
    if (entry.path().extension() != ".yaml" && entry.path().extension() != ".yml") continue;
    SCOPED_TRACE(entry.path().string());
    (void)load(fs::relative(entry.path(), source_dir()).string());
  }
}

}  // namespace
}  // namespace vigil::config
