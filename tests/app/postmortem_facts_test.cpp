// The config half of a postmortem's facts (pure) and the traffic read from a real access log.
#include "app/postmortem_facts.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace vigil::app {
namespace {

Time t(std::int64_t s) { return Time{std::chrono::seconds(s)}; }

config::Config sample_config() {
  config::Config c;
  c.postmortems.time_zone = "Africa/Lagos";
  c.server.external_url = "http://vigil.example";
  config::ServiceConfig s;
  s.name = "web";
  s.description = "Apache2 on WebServer-01";
  s.notify = {"ops-hook"};
  s.escalation_policy = "web-oncall";
  config::CheckConfig login;
  login.name = "login";
  login.url = "http://127.0.0.1/login";
  login.interval = std::chrono::seconds(10);
  login.timeout = std::chrono::seconds(5);
  login.failure_threshold = 3;
  login.conditions = {"status == 200"};
  config::CheckConfig access;
  access.name = "access";
  access.type = config::CheckType::access_log;
  access.path = "/var/log/apache2/access.log";
  access.path_prefixes = {"/login"};
  s.checks = {login, access};
  c.services = {s};
  config::EscalationPolicyConfig p;
  p.name = "web-oncall";
  p.repeat = 1;
  p.target_acknowledge = std::chrono::minutes(5);
  p.target_resolve = std::chrono::hours(1);
  p.rules = {{Duration{0}, {"schedule:primary"}}, {std::chrono::minutes(15), {"user:carol"}}};
  c.escalation_policies = {p};
  config::UserConfig alice;
  alice.id = "alice";
  alice.name = "Alice Okafor";
  c.users = {alice};
  return c;
}

TEST(PostmortemFacts, FromTheIncidentAndTheConfig) {
  incident::Incident inc;
  inc.id = 7;
  inc.service = "web";
  inc.started_at = t(1000);
  inc.timeline = {{1, t(1030), "triggered", "check:login", "3 failures"},
                  {2, t(1030), "paged", "vigil", "paged Alice Okafor (alice): rule 1 via schedule:primary"},
                  {3, t(1930), "paged", "vigil", "paged carol (carol): rule 2 via user:carol"},
                  {4, t(2000), "paged", "vigil", "paged Alice Okafor (alice): rule 1 via schedule:primary, repeat 1"},
                  {5, t(2100), "note", "alice", "paged (not really): a note that looks like a page"}};
  const auto f = facts_from_config(inc, sample_config());
  EXPECT_EQ(f.time_zone, "Africa/Lagos");
  EXPECT_EQ(f.external_url, "http://vigil.example");
  EXPECT_EQ(f.service_description, "Apache2 on WebServer-01");
  EXPECT_EQ(f.channels, std::vector<std::string>{"ops-hook"});
  ASSERT_EQ(f.checks.size(), 2u);
  EXPECT_EQ(f.checks[0].id, "web/login");
  EXPECT_EQ(f.checks[0].type, "http");
  EXPECT_EQ(f.checks[0].target, "http://127.0.0.1/login");
  EXPECT_EQ(f.checks[0].failure_threshold, 3);
  EXPECT_EQ(f.checks[1].type, "access_log");
  EXPECT_EQ(f.checks[1].target, "/var/log/apache2/access.log");
  EXPECT_EQ(f.checks[1].path_prefixes, std::vector<std::string>{"/login"});
  EXPECT_EQ(f.escalation_policy, "web-oncall");
  EXPECT_EQ(f.policy_repeat, 1);
  ASSERT_EQ(f.policy_rules.size(), 2u);
  EXPECT_EQ(f.policy_rules[1].after, std::chrono::minutes(15));
  EXPECT_EQ(f.target_acknowledge, std::chrono::minutes(5));
  EXPECT_EQ(f.target_resolve, std::chrono::hours(1));
  ASSERT_EQ(f.paged.size(), 2u) << "each person once, in the order first paged; notes are not pages";
  EXPECT_EQ(f.paged[0].id, "alice");
  EXPECT_EQ(f.paged[0].name, "Alice Okafor");
  EXPECT_EQ(f.paged[1].id, "carol");
  EXPECT_EQ(f.paged[1].name, "carol") << "not in the config any more: the id stands in";
}

TEST(PostmortemFacts, UnknownServiceGivesTheIncidentAlone) {
  incident::Incident inc;
  inc.service = "gone";
  inc.escalation_policy = "web-oncall";  // what it was paged with wins over the service's config
  const auto f = facts_from_config(inc, sample_config());
  EXPECT_TRUE(f.checks.empty());
  EXPECT_EQ(f.escalation_policy, "web-oncall");
}

TEST(PostmortemFacts, ResultsWindowHasAMargin) {
  incident::Incident inc;
  inc.started_at = t(10'000);
  inc.resolved_at = t(10'000 + 3600);
  auto [from, to] = results_window(inc, t(20'000));
  EXPECT_EQ(from, t(10'000 - 900));  // a quarter of an hour-long incident
  EXPECT_EQ(to, t(10'000 + 3600 + 900));
  inc.resolved_at.reset();  // open: up to now, never into the future
  std::tie(from, to) = results_window(inc, t(10'060));
  EXPECT_EQ(from, t(10'000 - 120));  // at least two minutes
  EXPECT_EQ(to, t(10'060));
}

TEST(PostmortemFacts, TrafficFromTheAccessLogWithinTheWindow) {
  const auto path = std::filesystem::temp_directory_path() / ("vigil-traffic-" + std::to_string(::getpid()) + ".log");
  {
    std::ofstream f(path);
    // 2024-08-18T10:00:00Z = 1723975200
    f << "10.0.0.1 - - [18/Aug/2024:09:59:59 +0000] \"GET /login HTTP/1.1\" 500 10 \"-\" \"ua\"\n"   // before
      << "10.0.0.1 - - [18/Aug/2024:10:00:00 +0000] \"GET /login HTTP/1.1\" 500 10 \"-\" \"ua\"\n"
      << "10.0.0.2 - - [18/Aug/2024:10:00:01 +0000] \"GET /login?x=1 HTTP/1.1\" 503 10 \"-\" \"ua\"\n"
      << "10.0.0.2 - - [18/Aug/2024:10:00:02 +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"ua\"\n"
      << "10.0.0.3 - - [18/Aug/2024:10:00:03 +0000] \"GET /api HTTP/1.1\" 502 10 \"-\" \"ua\"\n"
      << "10.0.0.4 - - [18/Aug/2024:10:00:04 +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"ua\"\n"
      << "10.0.0.5 - - [18/Aug/2024:10:00:10 +0000] \"GET /login HTTP/1.1\" 500 10 \"-\" \"ua\"\n";  // after
  }
  config::CheckConfig c;
  c.type = config::CheckType::access_log;
  c.path = path.string();
  const Time from = t(1723975200), to = t(1723975200 + 10);
  auto impact = traffic_impact(c, from, to);
  std::filesystem::remove(path);
  ASSERT_TRUE(impact);
  EXPECT_EQ(impact->requests, 5);
  EXPECT_EQ(impact->failed, 3);
  EXPECT_EQ(impact->clients, 4);
  EXPECT_EQ(impact->clients_failed, 3);
  ASSERT_EQ(impact->failed_paths.size(), 2u);
  EXPECT_EQ(impact->failed_paths[0], (std::pair<std::string, std::int64_t>{"/login", 2}));
  EXPECT_EQ(impact->failed_paths[1], (std::pair<std::string, std::int64_t>{"/api", 1}));
  c.path = "/nonexistent/access.log";
  EXPECT_FALSE(traffic_impact(c, from, to)) << "a log that cannot be read has no impact to tell";
}

}  // namespace
}  // namespace vigil::app
