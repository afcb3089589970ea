// The on-call sections (users, smtp, schedules, escalation_policies, integrations) and the
// keys that tie them to the rest (services[].escalation_policy, server.link_*), read into
// exact values.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using std::chrono::hours;
using std::chrono::local_days;
using std::chrono::minutes;
using namespace std::chrono;  // August, year/month/day literals
using testing::errors_of;

Time utc(local_days day, Duration time_of_day) { return Time{(day + time_of_day).time_since_epoch()}; }

constexpr const char* kOnCall = R"(
server:
  link_secret: 0123456789abcdef0123456789abcdef
  link_ttl: 12h
smtp:
  url: smtp://127.0.0.1:2525
  from: vigil@example.com
  username: vigil
  password: hunter2hunter2
  starttls: true
users:
  - id: alice
    name: Alice Doe
    email: alice@example.com
    time_zone: Africa/Lagos
    handoff_notifications: true
    contacts:
      - {type: webhook, url: "http://127.0.0.1:9000/alice", secret: s3cret}
      - {type: slack, url: "https://hooks.slack.com/services/T000/B000/XXXX"}
      - {type: discord, url: "https://discord.com/api/webhooks/1/abc"}
      - {type: msteams, url: "https://example.webhook.office.com/webhookb2/x"}
      - {type: email, address: alice@example.com}
      - {type: ntfy, url: "http://127.0.0.1:8081/oncall-alice"}
      - {type: pagerduty, routing_key: R0123456789abcdefABCDEF012345678}
      - {type: pagerduty, routing_key: R0123456789abcdefABCDEF012345678, url: "http://127.0.0.1:9999/v2/enqueue"}
      - {type: command, command: [/usr/local/bin/page, --urgent], after: 5m}
  - id: bob
    contacts: [{type: email, address: bob@example.com}]
  - id: carol
    name: Carol
    time_zone: America/New_York
    contacts: [{type: ntfy, url: "https://ntfy.sh/oncall-carol"}]
schedules:
  - name: web-primary
    time_zone: Europe/Berlin
    layers:
      - name: weekly
        start: "2024-08-12T09:00:00"
        rotation: weekly
        users: [alice, bob]
        restrictions:
          - {type: daily, start_time: "09:00", duration: 8h}
          - {type: weekly, start_day: monday, start_time: "09:00", duration: 5d}
          - {type: weekly, start_day: Sun, start_time: "22:30", duration: 90m}
          - {type: weekly, start_day: 6, start_time: "0:00", duration: 7d}
      - start: 2024-08-12
        handoff: "18:00"
        end: 2024-09-01T00:00
        rotation: 3d
        users: [carol, alice, carol]
    overrides:
      - {user: carol, start: "2024-08-18T09:00:00+02:00", end: "2024-08-18T21:00:00Z"}
      - {user: bob, start: "2024-12-24T18:00", end: "2024-12-25"}
      - {user: alice, start: "2024-08-20T10:15:00.250Z", end: "2024-08-20T11:00:00-05:30"}
  - name: db
    layers:
      - {start: "2024-01-01 00:00:00", rotation: daily, users: [bob]}
escalation_policies:
  - name: web-oncall
    repeat: 2
    ack_timeout: 30m
    rules:
      - after: 0m
        notify: [schedule:web-primary]
      - after: 15m
        notify: [user:carol, schedule:db]
      - {after: 15m, notify: [user:alice]}
  - name: db-oncall
    rules:
      - notify: [schedule:db]
channels:
  - {name: console, type: log}
services:
  - name: webserver-01
    notify: [console]
    escalation_policy: web-oncall
    checks: [{name: login, url: "http://10.0.0.5/login"}]
  - name: fed-by-prometheus
    escalation_policy: db-oncall
integrations:
  - name: prometheus
    type: pagerduty_events_v2
    key: abcdefABCDEF0123456789abcdef0123
    service: webserver-01
  - name: alertmanager
    type: alertmanager
    service: fed-by-prometheus
  - name: alertmanager-keyed
    type: alertmanager
    key: am-key_1.2~x
    service: fed-by-prometheus
)";

class OnCallConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = load_config_text(kOnCall, "t.yaml");
    for (const auto& e : r.errors) ADD_FAILURE() << to_string(e);
    ASSERT_TRUE(r.config);
    c_ = *r.config;
  }
  Config c_;
};

TEST_F(OnCallConfig, ServerLinks) {
  EXPECT_EQ(c_.server.link_secret, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c_.server.link_ttl, hours(12));
}

TEST_F(OnCallConfig, Smtp) {
  EXPECT_EQ(c_.smtp.url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(c_.smtp.from, "vigil@example.com");
  EXPECT_EQ(c_.smtp.username, "vigil");
  EXPECT_EQ(c_.smtp.password, "hunter2hunter2");
  EXPECT_TRUE(c_.smtp.starttls);
}

TEST_F(OnCallConfig, UsersAndEveryContactType) {
  ASSERT_EQ(c_.users.size(), 3u);
  const UserConfig& a = c_.users[0];
  EXPECT_EQ(a.id, "alice");
  EXPECT_EQ(a.name, "Alice Doe");
  EXPECT_EQ(a.email, "alice@example.com");
  EXPECT_EQ(a.time_zone, "Africa/Lagos");
  EXPECT_TRUE(a.handoff_notifications);
  EXPECT_FALSE(c_.users[1].handoff_notifications) << "off unless asked for";
  ASSERT_EQ(a.contacts.size(), 9u);
  const auto& k = a.contacts;
  EXPECT_EQ(k[0].type, "webhook");
  EXPECT_EQ(k[0].url, "http://127.0.0.1:9000/alice");
  EXPECT_EQ(k[0].secret, "s3cret");
  EXPECT_EQ(k[1].type, "slack");
  EXPECT_EQ(k[1].url, "https://hooks.slack.com/services/T000/B000/XXXX");
  EXPECT_EQ(k[2].type, "discord");
  EXPECT_EQ(k[2].url, "https://discord.com/api/webhooks/1/abc");
  EXPECT_EQ(k[3].type, "msteams");
  EXPECT_EQ(k[3].url, "https://example.webhook.office.com/webhookb2/x");
  EXPECT_EQ(k[4].type, "email");
  EXPECT_EQ(k[4].address, "alice@example.com");
  EXPECT_EQ(k[4].url, "");
  EXPECT_EQ(k[5].type, "ntfy");
  EXPECT_EQ(k[5].url, "http://127.0.0.1:8081/oncall-alice");
  EXPECT_EQ(k[6].type, "pagerduty");
  EXPECT_EQ(k[6].routing_key, "R0123456789abcdefABCDEF012345678");
  EXPECT_EQ(k[6].url, "https://events.pagerduty.com/v2/enqueue") << "the default is filled in";
  EXPECT_EQ(k[7].url, "http://127.0.0.1:9999/v2/enqueue");
  EXPECT_EQ(k[8].type, "command");
  EXPECT_EQ(k[8].command, (std::vector<std::string>{"/usr/local/bin/page", "--urgent"}));
  EXPECT_TRUE(k[8].url.empty());
  EXPECT_EQ(k[8].after, std::chrono::minutes(5));
  EXPECT_EQ(k[0].after, Duration{0}) << "at once unless told";

  const UserConfig& b = c_.users[1];
  EXPECT_EQ(b.id, "bob");
  EXPECT_EQ(b.name, "bob") << "name defaults to the id";
  EXPECT_EQ(b.email, "");
  EXPECT_EQ(b.time_zone, "UTC");
  EXPECT_EQ(c_.users[2].time_zone, "America/New_York");
}

TEST_F(OnCallConfig, ScheduleLayersAndRestrictions) {
  ASSERT_EQ(c_.schedules.size(), 2u);
  const ScheduleConfig& s = c_.schedules[0];
  EXPECT_EQ(s.name, "web-primary");
  EXPECT_EQ(s.time_zone, "Europe/Berlin");
  ASSERT_EQ(s.layers.size(), 2u);

  const LayerConfig& weekly = s.layers[0];
  EXPECT_EQ(weekly.name, "weekly");
  EXPECT_EQ(weekly.start, local_days{2024y / August / 12} + hours(9));
  EXPECT_FALSE(weekly.end);
  EXPECT_EQ(weekly.rotation, hours(24 * 7));
  EXPECT_EQ(weekly.users, (std::vector<std::string>{"alice", "bob"}));
  ASSERT_EQ(weekly.restrictions.size(), 4u);
  const auto& r = weekly.restrictions;
  EXPECT_EQ(r[0].kind, Restriction::Kind::daily);
  EXPECT_EQ(r[0].start_time, hours(9));
  EXPECT_EQ(r[0].duration, hours(8));
  EXPECT_EQ(r[1].kind, Restriction::Kind::weekly);
  EXPECT_EQ(r[1].start_day, 1);
  EXPECT_EQ(r[1].start_time, hours(9));
  EXPECT_EQ(r[1].duration, hours(24 * 5));
  EXPECT_EQ(r[2].start_day, 7);
  EXPECT_EQ(r[2].start_time, hours(22) + minutes(30));
  EXPECT_EQ(r[2].duration, minutes(90));
  EXPECT_EQ(r[3].start_day, 6);
  EXPECT_EQ(r[3].start_time, minutes(0));
  EXPECT_EQ(r[3].duration, hours(24 * 7));

  const LayerConfig& second = s.layers[1];
  EXPECT_EQ(second.name, "layer-2") << "unnamed layers are numbered from 1";
  EXPECT_EQ(second.start, local_days{2024y / August / 12} + hours(18)) << "handoff sets the time of day";
  ASSERT_TRUE(second.end);
  EXPECT_EQ(*second.end, local_days{2024y / September / 1});
  EXPECT_EQ(second.rotation, hours(72));
  EXPECT_EQ(second.users, (std::vector<std::string>{"carol", "alice", "carol"}));
  EXPECT_TRUE(second.restrictions.empty());

  const ScheduleConfig& db = c_.schedules[1];
  EXPECT_EQ(db.time_zone, "UTC");
  ASSERT_EQ(db.layers.size(), 1u);
  EXPECT_EQ(db.layers[0].name, "layer-1");
  EXPECT_EQ(db.layers[0].start, local_days{2024y / January / 1});
  EXPECT_EQ(db.layers[0].rotation, hours(24));
  EXPECT_TRUE(db.overrides.empty());
}

TEST_F(OnCallConfig, OverridesAreInstants) {
  const auto& o = c_.schedules[0].overrides;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].user, "carol");
  EXPECT_EQ(o[0].start, utc(local_days{2024y / August / 18}, hours(7)));  // +02:00
  EXPECT_EQ(o[0].end, utc(local_days{2024y / August / 18}, hours(21)));   // Z
  // No offset: wall-clock time in Europe/Berlin, which is +01:00 in December.
  EXPECT_EQ(o[1].user, "bob");
  EXPECT_EQ(o[1].start, utc(local_days{2024y / December / 24}, hours(17)));
  EXPECT_EQ(o[1].end, utc(local_days{2024y / December / 24}, hours(23)));
  // Milliseconds kept; a negative offset with minutes.
  EXPECT_EQ(o[2].start, utc(local_days{2024y / August / 20}, hours(10) + minutes(15) + 250ms));
  EXPECT_EQ(o[2].end, utc(local_days{2024y / August / 20}, hours(16) + minutes(30)));
}

TEST_F(OnCallConfig, EscalationPolicies) {
  ASSERT_EQ(c_.escalation_policies.size(), 2u);
  const EscalationPolicyConfig& p = c_.escalation_policies[0];
  EXPECT_EQ(p.name, "web-oncall");
  EXPECT_EQ(p.repeat, 2);
  EXPECT_EQ(p.ack_timeout, minutes(30));
  ASSERT_EQ(p.rules.size(), 3u);
  EXPECT_EQ(p.rules[0].after, minutes(0));
  EXPECT_EQ(p.rules[0].targets, (std::vector<std::string>{"schedule:web-primary"}));
  EXPECT_EQ(p.rules[1].after, minutes(15));
  EXPECT_EQ(p.rules[1].targets, (std::vector<std::string>{"user:carol", "schedule:db"}));
  EXPECT_EQ(p.rules[2].after, minutes(15)) << "equal delays page together";
  EXPECT_EQ(p.rules[2].targets, (std::vector<std::string>{"user:alice"}));

  const EscalationPolicyConfig& db = c_.escalation_policies[1];
  EXPECT_EQ(db.repeat, 0);
  EXPECT_EQ(db.ack_timeout, Duration{0});
  ASSERT_EQ(db.rules.size(), 1u);
  EXPECT_EQ(db.rules[0].after, Duration{0}) << "the first rule pages at once by default";
}

TEST_F(OnCallConfig, ServicesNamePolicies) {
  ASSERT_EQ(c_.services.size(), 2u);
  EXPECT_EQ(c_.services[0].escalation_policy, "web-oncall");
  EXPECT_EQ(c_.services[1].escalation_policy, "db-oncall");
  EXPECT_TRUE(c_.services[1].checks.empty()) << "fed by an integration: no checks needed";
}

TEST_F(OnCallConfig, Integrations) {
  ASSERT_EQ(c_.integrations.size(), 3u);
  EXPECT_EQ(c_.integrations[0].name, "prometheus");
  EXPECT_EQ(c_.integrations[0].type, IntegrationType::pagerduty_events_v2);
  EXPECT_EQ(c_.integrations[0].key, "abcdefABCDEF0123456789abcdef0123");
  EXPECT_EQ(c_.integrations[0].service, "webserver-01");
  EXPECT_EQ(c_.integrations[1].type, IntegrationType::alertmanager);
  EXPECT_EQ(c_.integrations[1].key, "");
  EXPECT_EQ(c_.integrations[1].service, "fed-by-prometheus");
  EXPECT_EQ(c_.integrations[2].key, "am-key_1.2~x");
}

TEST(OnCallDefaults, NothingConfigured) {
  const auto r = load_config_text("smtp:\nusers:\nschedules:\nescalation_policies:\nintegrations:\n", "t.yaml");
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  const Config& c = *r.config;
  EXPECT_EQ(c.server.link_secret, "") << "derived by the daemon when not configured";
  EXPECT_EQ(c.server.link_ttl, hours(24));
  EXPECT_EQ(c.smtp.url, "");
  EXPECT_FALSE(c.smtp.starttls);
  EXPECT_TRUE(c.users.empty());
  EXPECT_TRUE(c.schedules.empty());
  EXPECT_TRUE(c.escalation_policies.empty());
  EXPECT_TRUE(c.integrations.empty());
}

TEST(OnCallDefaults, SmtpsWithoutCredentials) {
  const auto r = load_config_text("smtp: {url: \"smtps://mail.example.com:465\", from: vigil@example.com}\n", "t.yaml");
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  EXPECT_EQ(r.config->smtp.url, "smtps://mail.example.com:465");
  EXPECT_EQ(r.config->smtp.username, "");
}

TEST(OnCallDefaults, ReferencesMayComeBeforeDefinitions) {
  // File order does not matter: the integration and the policy come first here.
  EXPECT_EQ(errors_of(R"(integrations:
  - {name: am, type: alertmanager, service: web}
escalation_policies:
  - {name: p, rules: [{notify: [schedule:s]}]}
services:
  - {name: web, escalation_policy: p}
schedules:
  - {name: s, layers: [{start: 2024-01-01, users: [u]}]}
users:
  - {id: u, contacts: [{type: ntfy, url: "http://127.0.0.1:8081/u"}]}
)"),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace vigil::config
