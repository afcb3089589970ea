// examples/demo.yaml is valid on its own (defaults) and takes the demo's ports and paths from
// the VIGIL_DEMO_* variables.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "config/config.h"
#include "demo/demo.h"
#include "demo/speed.h"

namespace vigil::demo {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path example() {
  const char* d = std::getenv("VIGIL_SOURCE_DIR");
  const fs::path root = d ? fs::path(d) : fs::path(__FILE__).parent_path().parent_path().parent_path();
  return root / "examples" / "demo.yaml";
}

const config::CheckConfig* check(const config::ServiceConfig& s, std::string_view name) {
  for (const auto& c : s.checks)
    if (c.name == name) return &c;
  return nullptr;
}

TEST(DemoConfig, TakesPortsAndPathsFromTheEnvironment) {
  ::setenv(kEnvListen, "127.0.0.1:18080", 1);
  ::setenv(kEnvSite, "http://127.0.0.1:18081", 1);
  ::setenv(kEnvReceiver, "http://127.0.0.1:18082", 1);
  ::setenv(kEnvDir, "/srv/d/demo", 1);
  ::setenv(kEnvData, "/srv/d", 1);
  auto r = config::load_config(example().string());
  for (const auto& e : r.errors) ADD_FAILURE() << config::to_string(e);
  ASSERT_TRUE(r.config);
  const auto& c = *r.config;
  EXPECT_EQ(c.server.listen, "127.0.0.1:18080");
  EXPECT_EQ(c.server.external_url, "http://127.0.0.1:18080");
  EXPECT_EQ(c.store.sqlite, "/srv/d/demo/vigil.db");
  EXPECT_EQ(c.postmortems.dir, "/srv/d/postmortems");
  EXPECT_EQ(c.postmortems.time_zone, "Africa/Lagos");
  ASSERT_EQ(c.services.size(), 1u);
  const auto& s = c.services[0];
  EXPECT_EQ(s.name, "webserver-01");
  EXPECT_EQ(s.escalation_policy, "web-oncall");
  const auto* login = check(s, "login");
  ASSERT_NE(login, nullptr);
  EXPECT_EQ(login->url, "http://127.0.0.1:18081/login");
  EXPECT_EQ(login->conditions, (std::vector<std::string>{"status == 200", "body contains \"Sign in\""}));
  ASSERT_NE(check(s, "home"), nullptr);
  const auto* traffic = check(s, "traffic");
  ASSERT_NE(traffic, nullptr);
  EXPECT_EQ(traffic->type, config::CheckType::access_log);
  EXPECT_EQ(traffic->path, "/srv/d/demo/logs/access.log");
  EXPECT_EQ(traffic->path_prefixes, (std::vector<std::string>{"/login"}));
  ASSERT_NE(check(s, "status"), nullptr);
  ASSERT_NE(check(s, "errors"), nullptr);
  ASSERT_EQ(s.runbooks.size(), 1u);
  EXPECT_EQ(s.runbooks[0].name, "rollback-config");
  EXPECT_EQ(s.runbooks[0].command, (std::vector<std::string>{"/srv/d/demo/apache/rollback"}));
  EXPECT_FALSE(s.runbooks[0].automatic);  // an engineer decides, with the evidence in front of them
  ASSERT_EQ(s.evidence.size(), 3u);
  EXPECT_EQ(s.evidence[1].kind, config::EvidenceConfig::Kind::config_diff);
  EXPECT_EQ(s.evidence[1].path, "/srv/d/demo/apache/conf");
  ASSERT_EQ(c.users.size(), 2u);
  EXPECT_EQ(c.users[0].contacts[0].url, "http://127.0.0.1:18082/page/ama");
  EXPECT_EQ(c.users[1].contacts[0].url, "http://127.0.0.1:18082/page/kwame");
  ASSERT_EQ(c.escalation_policies.size(), 1u);
  ASSERT_EQ(c.escalation_policies[0].rules.size(), 2u);
  EXPECT_EQ(c.escalation_policies[0].rules[1].after, 20s);

  // The demo's default story fits in two minutes: detection, escalation and recovery budgets.
  EXPECT_LE(login->interval * (login->failure_threshold + login->success_threshold) +
                c.escalation_policies[0].rules[1].after,
            1min);
  auto fast = c;
  scale_config(fast, 10);
  EXPECT_EQ(check(fast.services[0], "login")->interval, 500ms);
  EXPECT_EQ(fast.escalation_policies[0].rules[1].after, 2s);
  for (const char* v : {kEnvListen, kEnvSite, kEnvReceiver, kEnvDir, kEnvData}) ::unsetenv(v);
}

TEST(DemoConfig, ValidWithoutTheEnvironment) {
  for (const char* v : {kEnvListen, kEnvSite, kEnvReceiver, kEnvDir, kEnvData}) ::unsetenv(v);
  auto r = config::load_config(example().string());
  for (const auto& e : r.errors) ADD_FAILURE() << config::to_string(e);
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->server.listen, "127.0.0.1:8080");
}

}  // namespace
}  // namespace vigil::demo
