// Every kind of error in the on-call sections, with its exact FILE:LINE:COL, key path and
// message. Cases marked `users` get kUsers appended: definitions may follow references, so
// the lines of the case itself start at 1.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

constexpr const char* kUsers = R"(
users:
  - {id: alice, contacts: [{type: ntfy, url: "http://127.0.0.1:8081/alice"}]}
  - {id: bob, contacts: [{type: ntfy, url: "http://127.0.0.1:8081/bob"}]}
)";

struct Case {
  const char* name;
  const char* yaml;
  std::vector<std::string> want;
  bool users = false;  // append kUsers
};

const Case kCases[] = {
    // ---- server ----
    {"link secret too short", R"(server:
  link_secret: tooshort
)",
     {R"(t.yaml:2:16: server.link_secret: must be at least 16 characters, got 8 (e.g. openssl rand -hex 32))"}},
    {"link secret twice", R"(server:
  link_secret: 0123456789abcdef0123
  link_secret_file: /etc/vigil/link.key
)",
     {R"(t.yaml:3:3: server.link_secret_file: set either link_secret or link_secret_file, not both)"}},
    {"link ttl zero", R"(server: {link_ttl: 0s}
)",
     {R"(t.yaml:1:20: server.link_ttl: must be greater than 0s, got "0s")"}},

    // ---- smtp ----
    {"smtp url with http scheme", R"(smtp:
  url: http://mail.example.com
  from: vigil@example.com
)",
     {R"(t.yaml:2:8: smtp.url: invalid URL "http://mail.example.com": scheme must be smtp or smtps, not "http")"}},
    {"smtp without from", R"(smtp:
  url: smtp://mail.example.com:587
)",
     {R"(t.yaml:2:3: smtp: missing required key "from")"}},
    {"smtp credentials in the url", R"(smtp:
  url: smtp://vigil:pw@mail.example.com
  from: vigil@example.com
)",
     {R"(t.yaml:2:8: smtp.url: invalid URL "smtp://vigil:pw@mail.example.com": put the credentials in username and password, not in the URL)"}},
    {"smtp password without username", R"(smtp:
  url: smtp://mail.example.com
  from: vigil@example.com
  password: pw
)",
     {R"(t.yaml:4:3: smtp.password: a password needs a username)"}},
    {"smtp username without password", R"(smtp:
  url: smtp://mail.example.com
  from: vigil@example.com
  username: vigil
)",
     {R"(t.yaml:4:3: smtp.username: a username needs a password (or password_file))"}},
    {"smtp starttls on smtps", R"(smtp:
  url: smtps://mail.example.com
  from: vigil@example.com
  starttls: true
)",
     {R"(t.yaml:4:13: smtp.starttls: smtps:// is TLS from the first byte; starttls applies to smtp:// URLs)"}},
    {"smtp from is not an address", R"(smtp:
  url: smtp://mail.example.com
  from: Vigil <vigil@example.com>
)",
     {R"(t.yaml:3:9: smtp.from: invalid email address "Vigil <vigil@example.com>": write the bare address, e.g. vigil@example.com)"}},

    // ---- users ----
    {"user without id", R"(users:
  - name: Alice
    contacts: [{type: ntfy, url: "http://n/a"}]
)",
     {R"(t.yaml:2:5: users[0]: missing required key "id")"}},
    {"duplicate user id", R"(users:
  - {id: alice, contacts: [{type: ntfy, url: "http://n/a"}]}
  - {id: alice, contacts: [{type: ntfy, url: "http://n/b"}]}
)",
     {R"(t.yaml:3:10: users[1].id: duplicate user id "alice" (first defined at line 2))"}},
    {"invalid user id", R"(users:
  - {id: alice smith, contacts: [{type: ntfy, url: "http://n/a"}]}
)",
     {R"(t.yaml:2:10: users[0].id: invalid name "alice smith": use only letters, digits, '_', '.' and '-')"}},
    {"unknown time zone with hint", R"(users:
  - id: alice
    time_zone: Europe/Berln
    contacts: [{type: ntfy, url: "http://n/a"}]
)",
     {R"(t.yaml:3:16: users[0].time_zone: unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?))"}},
    {"contact after longer than a day", R"(users:
  - id: alice
    contacts: [{type: ntfy, url: "http://n/a", after: 2d}]
)",
     {R"(t.yaml:3:55: users[0].contacts[0].after: must be at most 24h (a page nobody acknowledged for a day is an escalation policy's job), got 2d)"}},
    {"hand-off notifications not a boolean", R"(users:
  - id: alice
    handoff_notifications: sometimes
    contacts: [{type: ntfy, url: "http://n/a"}]
)",
     {R"(t.yaml:3:28: users[0].handoff_notifications: expected true or false, got "sometimes")"}},
    {"time zone names are case-sensitive", R"(users:
  - id: alice
    time_zone: utc
    contacts: [{type: ntfy, url: "http://n/a"}]
)",
     {R"(t.yaml:3:16: users[0].time_zone: unknown time zone "utc" (did you mean "UTC"?))"}},
    {"unknown time zone without hint", R"(users:
  - id: alice
    time_zone: Mars/Olympus_Mons
    contacts: [{type: ntfy, url: "http://n/a"}]
)",
     {R"(t.yaml:3:16: users[0].time_zone: unknown time zone "Mars/Olympus_Mons": use an IANA name like Europe/Berlin, America/New_York or UTC)"}},
    {"user email invalid", R"(users:
  - id: alice
    email: alice.example.com
    contacts: [{type: ntfy, url: "http://n/a"}]
)",
     {R"(t.yaml:3:12: users[0].email: invalid email address "alice.example.com": expected name@domain)"}},
    {"user without contacts", R"(users:
  - id: alice
  - id: bob
    contacts: []
)",
     {R"(t.yaml:2:5: users[0]: a user needs at least one contact method (missing key "contacts"))",
      R"(t.yaml:4:15: users[1].contacts: a user needs at least one contact method)"}},
    {"contact of an unknown type", R"(users:
  - id: alice
    contacts:
      - {type: slakc, url: "https://hooks.slack.com/x"}
)",
     {R"(t.yaml:4:16: users[0].contacts[0].type: invalid value "slakc": expected one of webhook, slack, discord, msteams, email, ntfy, pagerduty, command (did you mean "slack"?))"}},
    {"contact without type", R"(users:
  - id: alice
    contacts:
      - {url: "https://hooks.slack.com/x"}
)",
     {R"(t.yaml:4:9: users[0].contacts[0]: missing required key "type")"}},
    {"slack contact without url", R"(users:
  - id: alice
    contacts:
      - type: slack
)",
     {R"(t.yaml:4:9: users[0].contacts[0]: missing required key "url")"}},
    {"email contact without smtp", R"(users:
  - id: alice
    contacts:
      - {type: email, address: alice@example.com}
)",
     {R"(t.yaml:4:16: users[0].contacts[0].type: email contacts need a mail server: set smtp.url)"}},
    {"email contact with a bad address", R"(smtp: {url: "smtp://127.0.0.1:2525", from: vigil@example.com}
users:
  - id: alice
    contacts:
      - {type: email, address: "alice@"}
)",
     {R"(t.yaml:5:32: users[0].contacts[0].address: invalid email address "alice@": nothing after the @)"}},
    {"keys of another contact type", R"(smtp: {url: "smtp://127.0.0.1:2525", from: vigil@example.com}
users:
  - id: alice
    contacts:
      - {type: email, address: a@example.com, url: "http://x/", secret: k}
      - {type: webhook, url: "http://x/", routing_key: abc, command: [/bin/true]}
)",
     {R"(t.yaml:5:47: users[0].contacts[0].url: "url" does not apply to email contacts)",
      R"(t.yaml:5:65: users[0].contacts[0].secret: "secret" applies only to webhook contacts)",
      R"(t.yaml:6:43: users[0].contacts[1].routing_key: "routing_key" applies only to pagerduty contacts)",
      R"(t.yaml:6:61: users[0].contacts[1].command: "command" applies only to command contacts)"}},
    {"pagerduty routing key too short", R"(users:
  - id: alice
    contacts:
      - {type: pagerduty, routing_key: 0123456789abcdef0123456789abcde}
)",
     {R"(t.yaml:4:40: users[0].contacts[0].routing_key: a PagerDuty routing key has 32 characters, got 31)"}},
    {"pagerduty routing key with a dash", R"(users:
  - id: alice
    contacts:
      - {type: pagerduty, routing_key: 0123456789abcdef-123456789abcdef}
)",
     {R"(t.yaml:4:40: users[0].contacts[0].routing_key: a PagerDuty routing key has only letters and digits)"}},
    {"pagerduty bad api url", R"(users:
  - id: alice
    contacts:
      - {type: pagerduty, routing_key: 0123456789abcdef0123456789abcdef, url: "events.pagerduty.com"}
)",
     {R"(t.yaml:4:79: users[0].contacts[0].url: invalid URL "events.pagerduty.com": expected http://host[:port]/path or https://...)"}},
    {"command with a relative program", R"(users:
  - id: alice
    contacts:
      - {type: command, command: [page, --urgent]}
)",
     {R"(t.yaml:4:35: users[0].contacts[0].command[0]: "page" is not an absolute path: the command runs without a shell or PATH lookup)"}},
    {"command empty", R"(users:
  - id: alice
    contacts:
      - {type: command, command: []}
)",
     {R"(t.yaml:4:34: users[0].contacts[0].command: must not be empty: the program and its arguments, e.g. [/usr/local/bin/page, --urgent])"}},
    {"command as one string", R"(users:
  - id: alice
    contacts:
      - {type: command, command: "/usr/local/bin/page --urgent"}
)",
     {R"(t.yaml:4:34: users[0].contacts[0].command: expected a list, got "/usr/local/bin/page --urgent")"}},
    {"ntfy without topic", R"(users:
  - id: alice
    contacts:
      - {type: ntfy, url: "http://127.0.0.1:8081/"}
)",
     {R"(t.yaml:4:27: users[0].contacts[0].url: an ntfy URL names the topic in its path, e.g. http://127.0.0.1:8081/oncall-alice)"}},
    {"webhook contact secret twice", R"(users:
  - id: alice
    contacts:
      - {type: webhook, url: "http://x/", secret: a, secret_file: /k}
)",
     {R"(t.yaml:4:54: users[0].contacts[0].secret_file: set either secret or secret_file, not both)"}},

    // ---- schedules ----
    {"duplicate schedule", R"(schedules:
  - {name: s, layers: [{start: 2024-08-12, users: [alice]}]}
  - {name: s, layers: [{start: 2024-08-12, users: [alice]}]}
)",
     {R"(t.yaml:3:12: schedules[1].name: duplicate schedule name "s" (first defined at line 2))"}, true},
    {"schedule with a bad time zone", R"(schedules:
  - name: s
    time_zone: Europe/Paris2
    layers: [{start: 2024-08-12, users: [alice]}]
)",
     {R"(t.yaml:3:16: schedules[0].time_zone: unknown time zone "Europe/Paris2" (did you mean "Europe/Paris"?))"}, true},
    {"schedule without layers", R"(schedules:
  - name: s
  - name: t
    layers: []
)",
     {R"(t.yaml:2:5: schedules[0]: a schedule needs at least one layer (missing key "layers"))",
      R"(t.yaml:4:13: schedules[1].layers: a schedule needs at least one layer)"}, true},
    {"layer without start", R"(schedules:
  - name: s
    layers:
      - users: [alice]
)",
     {R"(t.yaml:4:9: schedules[0].layers[0]: missing required key "start")"}, true},
    {"layer start with an offset", R"(schedules:
  - name: s
    time_zone: Europe/Berlin
    layers:
      - {start: "2024-08-12T09:00:00+02:00", users: [alice]}
)",
     {R"(t.yaml:5:17: schedules[0].layers[0].start: a layer's times are wall-clock times in the schedule's time zone (Europe/Berlin): leave out the offset)"}, true},
    {"layer start not a date", R"(schedules:
  - name: s
    layers:
      - {start: next monday, users: [alice]}
      - {start: 2024-02-30, users: [alice]}
      - {start: "2024-08-12T24:00:00", users: [alice]}
      - {start: "2024-08-12T09:00:00.5", users: [alice]}
)",
     {R"(t.yaml:4:17: schedules[0].layers[0].start: invalid time "next monday": expected a date and time like 2024-08-12T09:00:00 (or a date like 2024-08-12))",
      R"(t.yaml:5:17: schedules[0].layers[1].start: invalid time "2024-02-30": 2024-02-30 is not a date)",
      R"(t.yaml:6:17: schedules[0].layers[2].start: invalid time "2024-08-12T24:00:00": 24:00:00 is not a time of day (00:00:00 to 23:59:59))",
      R"(t.yaml:7:17: schedules[0].layers[3].start: fractions of a second are not supported here)"}, true},
    {"bad rotations", R"(schedules:
  - name: s
    layers:
      - {start: 2024-08-12, rotation: fortnightly, users: [alice]}
      - {start: 2024-08-12, rotation: 30m, users: [alice]}
      - {start: 2024-08-12, rotation: 0s, users: [alice]}
)",
     {R"(t.yaml:4:39: schedules[0].layers[0].rotation: invalid rotation "fortnightly": expected daily, weekly or a duration (e.g. 72h, 3d, 2w))",
      R"(t.yaml:5:39: schedules[0].layers[1].rotation: a rotation is at least 1h, got "30m")",
      R"(t.yaml:6:39: schedules[0].layers[2].rotation: a rotation is at least 1h, got "0s")"}, true},
    {"bad handoff", R"(schedules:
  - name: s
    layers:
      - {start: 2024-08-12, handoff: "9am", users: [alice]}
      - {start: 2024-08-12T10:00:00, handoff: "09:00", users: [alice]}
)",
     {R"(t.yaml:4:38: schedules[0].layers[0].handoff: invalid handoff "9am": expected a time of day HH:MM, e.g. 09:00)",
      R"(t.yaml:5:47: schedules[0].layers[1].handoff: handoff 09:00 contradicts the time of day of start (2024-08-12T10:00:00): set it in one place)"}, true},
    {"layer end before start", R"(schedules:
  - name: s
    layers:
      - {start: 2024-08-12, handoff: "09:00", end: 2024-08-12T09:00, users: [alice]}
)",
     {R"(t.yaml:4:52: schedules[0].layers[0].end: end must be after start (2024-08-12T09:00:00))"}, true},
    {"layer users", R"(schedules:
  - name: s
    layers:
      - {start: 2024-08-12, users: [alcie, zed]}
      - {start: 2024-08-12, users: []}
      - {start: 2024-08-12}
)",
     {R"(t.yaml:4:37: schedules[0].layers[0].users[0]: unknown user "alcie" (did you mean "alice"?))",
      R"(t.yaml:4:44: schedules[0].layers[0].users[1]: unknown user "zed" (defined: alice, bob))",
      R"(t.yaml:5:36: schedules[0].layers[1].users: a layer needs at least one user)",
      R"(t.yaml:6:9: schedules[0].layers[2]: a layer needs at least one user (missing key "users"))"}, true},
    {"restriction durations", R"(schedules:
  - name: s
    layers:
      - start: 2024-08-12
        users: [alice]
        restrictions:
          - {type: daily, start_time: "09:00", duration: 25h}
          - {type: weekly, start_day: mon, start_time: "09:00", duration: 8d}
          - {type: daily, start_time: "09:00", duration: 0s}
)",
     {R"(t.yaml:7:58: schedules[0].layers[0].restrictions[0].duration: a daily restriction lasts at most 24h, got 25h)",
      R"(t.yaml:8:75: schedules[0].layers[0].restrictions[1].duration: a weekly restriction lasts at most 7d, got 8d)",
      R"(t.yaml:9:58: schedules[0].layers[0].restrictions[2].duration: must be greater than 0s, got "0s")"}, true},
    {"restriction days and times", R"(schedules:
  - name: s
    layers:
      - start: 2024-08-12
        users: [alice]
        restrictions:
          - {type: daily, start_time: "9.00", duration: 8h}
          - {type: weekly, start_day: funday, start_time: "09:00", duration: 1d}
          - {type: weekly, start_day: 0, start_time: "09:00", duration: 1d}
          - {type: daily, start_day: mon, start_time: "09:00", duration: 8h}
          - {type: weekly, start_time: "09:00", duration: 1d}
          - {type: nightly, start_time: "22:00", duration: 8h}
)",
     {R"(t.yaml:7:39: schedules[0].layers[0].restrictions[0].start_time: invalid start_time "9.00": expected a time of day HH:MM, e.g. 09:00)",
      R"(t.yaml:8:39: schedules[0].layers[0].restrictions[1].start_day: invalid start_day "funday": expected a day of the week: monday ... sunday, mon ... sun, or 1 (Monday) ... 7 (Sunday))",
      R"(t.yaml:9:39: schedules[0].layers[0].restrictions[2].start_day: invalid start_day "0": expected a day of the week: monday ... sunday, mon ... sun, or 1 (Monday) ... 7 (Sunday))",
      R"(t.yaml:10:27: schedules[0].layers[0].restrictions[3].start_day: "start_day" applies only to weekly restrictions)",
      R"(t.yaml:11:13: schedules[0].layers[0].restrictions[4]: missing required key "start_day")",
      R"(t.yaml:12:20: schedules[0].layers[0].restrictions[5].type: invalid value "nightly": expected one of daily, weekly)"}, true},
    {"layer names", R"(schedules:
  - name: s
    layers:
      - {name: override, start: 2024-08-12, users: [alice]}
      - {name: day, start: 2024-08-12, users: [alice]}
      - {name: day, start: 2024-08-12, users: [bob]}
)",
     {R"(t.yaml:4:16: schedules[0].layers[0].name: "override" is reserved: shifts from overrides are named so)",
      R"(t.yaml:6:16: schedules[0].layers[2].name: duplicate layer name "day" (first defined at line 5))"}, true},
    {"overrides", R"(schedules:
  - name: s
    time_zone: Europe/Berlin
    layers: [{start: 2024-08-12, users: [alice]}]
    overrides:
      - {user: carol, start: "2024-08-18T09:00:00Z", end: "2024-08-18T21:00:00Z"}
      - {user: bob, start: "2024-08-18T09:00:00+02:00", end: "2024-08-18T07:00:00Z"}
      - {user: bob, start: "2024-08-18T09:00:00Z"}
      - {user: bob, start: "2024-03-31T02:30", end: "2024-03-31T12:00"}
      - {user: bob, start: "2024-10-27T02:30", end: "2024-10-27T12:00"}
      - {user: bob, start: "18 Aug 2024", end: "2024-08-18T12:00:00+25:00"}
)",
     {R"(t.yaml:6:16: schedules[0].overrides[0].user: unknown user "carol" (defined: alice, bob))",
      R"(t.yaml:7:62: schedules[0].overrides[1].end: end must be after start (2024-08-18T07:00:00.000Z))",
      R"(t.yaml:8:9: schedules[0].overrides[2]: missing required key "end")",
      R"(t.yaml:9:28: schedules[0].overrides[3].start: 2024-03-31T02:30:00 does not exist in Europe/Berlin: the clocks skip from 02:00 to 03:00 that day)",
      R"(t.yaml:10:28: schedules[0].overrides[4].start: 2024-10-27T02:30:00 happens twice in Europe/Berlin (the clocks go back that night): add the offset, +02:00 or +01:00)",
      R"(t.yaml:11:28: schedules[0].overrides[5].start: invalid time "18 Aug 2024": expected a date and time like 2024-08-12T09:00:00 (or a date like 2024-08-12))",
      R"(t.yaml:11:48: schedules[0].overrides[5].end: invalid time "2024-08-18T12:00:00+25:00": expected a date and time like 2024-08-12T09:00:00 (or a date like 2024-08-12))"}, true},

    // ---- escalation_policies ----
    {"duplicate policy", R"(escalation_policies:
  - {name: p, rules: [{notify: [user:alice]}]}
  - {name: p, rules: [{notify: [user:bob]}]}
)",
     {R"(t.yaml:3:12: escalation_policies[1].name: duplicate escalation policy name "p" (first defined at line 2))"}, true},
    {"policy without rules", R"(escalation_policies:
  - name: p
  - name: q
    rules: []
)",
     {R"(t.yaml:2:5: escalation_policies[0]: an escalation policy needs at least one rule (missing key "rules"))",
      R"(t.yaml:4:12: escalation_policies[1].rules: an escalation policy needs at least one rule)"}, true},
    {"repeat out of range", R"(escalation_policies:
  - {name: p, repeat: 10, rules: [{notify: [user:alice]}]}
)",
     {R"(t.yaml:2:23: escalation_policies[0].repeat: must be at most 9, got 10)"}, true},
    {"ack timeout zero", R"(escalation_policies:
  - {name: p, ack_timeout: 0s, rules: [{notify: [user:alice]}]}
)",
     {R"(t.yaml:2:28: escalation_policies[0].ack_timeout: must be greater than 0s, got "0s")"}, true},
    {"after goes back", R"(escalation_policies:
  - name: p
    rules:
      - {after: 0m, notify: [user:alice]}
      - {after: 30m, notify: [user:bob]}
      - {after: 15m, notify: [user:alice]}
      - {after: 20m, notify: [user:bob]}
)",
     {R"(t.yaml:6:17: escalation_policies[0].rules[2].after: must not be earlier than a previous rule's 30m, got 15m (after counts from the trigger))",
      R"(t.yaml:7:17: escalation_policies[0].rules[3].after: must not be earlier than a previous rule's 30m, got 20m (after counts from the trigger))"}, true},
    {"after missing on a later rule", R"(escalation_policies:
  - name: p
    rules:
      - {notify: [user:alice]}
      - {notify: [user:bob]}
)",
     {R"(t.yaml:5:9: escalation_policies[0].rules[1]: missing required key "after")"}, true},
    {"bad targets", R"(escalation_policies:
  - name: p
    rules:
      - notify: [user:alcie, schedule:nope, alice, usr:bob, team:web, user:alice, user:alice]
      - {after: 5m, notify: []}
)",
     {R"(t.yaml:4:18: escalation_policies[0].rules[0].notify[0]: unknown user "alcie" (did you mean "alice"?))",
      R"(t.yaml:4:30: escalation_policies[0].rules[0].notify[1]: unknown schedule "nope" (no schedules are defined))",
      R"(t.yaml:4:45: escalation_policies[0].rules[0].notify[2]: invalid target "alice": expected user:<id> or schedule:<name> (did you mean "user:alice"?))",
      R"(t.yaml:4:52: escalation_policies[0].rules[0].notify[3]: invalid target "usr:bob": expected user:<id> or schedule:<name> (did you mean "user:bob"?))",
      R"(t.yaml:4:61: escalation_policies[0].rules[0].notify[4]: invalid target "team:web": expected user:<id> or schedule:<name>)",
      R"(t.yaml:4:83: escalation_policies[0].rules[0].notify[6]: target "user:alice" is listed twice)",
      R"(t.yaml:5:29: escalation_policies[0].rules[1].notify: a rule needs at least one target (user:<id> or schedule:<name>))"}, true},
    {"target naming a schedule without prefix", R"(escalation_policies:
  - {name: p, rules: [{notify: [web-primary]}]}
schedules:
  - {name: web-primary, layers: [{start: 2024-08-12, users: [alice]}]}
)",
     {R"(t.yaml:2:33: escalation_policies[0].rules[0].notify[0]: invalid target "web-primary": expected user:<id> or schedule:<name> (did you mean "schedule:web-primary"?))"}, true},
    {"rule without notify", R"(escalation_policies:
  - {name: p, rules: [{after: 0m}]}
)",
     {R"(t.yaml:2:23: escalation_policies[0].rules[0]: missing required key "notify")"}, true},

    // ---- services[].escalation_policy ----
    {"unknown escalation policy", R"(escalation_policies:
  - {name: web-oncall, rules: [{notify: [user:alice]}]}
services:
  - name: web
    escalation_policy: web-oncal
    checks: [{name: a, url: "http://web/"}]
  - name: api
    escalation_policy: api-oncall
    checks: [{name: a, url: "http://api/"}]
)",
     {R"(t.yaml:5:24: services[0].escalation_policy: unknown escalation policy "web-oncal" (did you mean "web-oncall"?))",
      R"(t.yaml:8:24: services[1].escalation_policy: unknown escalation policy "api-oncall" (defined: web-oncall))"}, true},
    {"escalation policy with none defined", R"(services:
  - name: web
    escalation_policy: web-oncall
    checks: [{name: a, url: "http://web/"}]
)",
     {R"(t.yaml:3:24: services[0].escalation_policy: unknown escalation policy "web-oncall" (no escalation policies are defined))"}},

    // ---- integrations ----
    {"integration type", R"(integrations:
  - {name: a, type: prometheus, service: web}
  - {name: b, service: web}
services:
  - {name: web, checks: [{name: a, url: "http://web/"}]}
)",
     {R"(t.yaml:2:21: integrations[0].type: invalid value "prometheus": expected one of pagerduty_events_v2, alertmanager)",
      R"(t.yaml:3:5: integrations[1]: missing required key "type")"}},
    {"pagerduty integration key", R"(integrations:
  - {name: a, type: pagerduty_events_v2, service: web}
  - {name: b, type: pagerduty_events_v2, key: short, service: web}
services:
  - {name: web, checks: [{name: a, url: "http://web/"}]}
)",
     {R"(t.yaml:2:5: integrations[0]: missing required key "key" (or key_file): the routing key senders put in their events)",
      R"(t.yaml:3:47: integrations[1].key: a PagerDuty routing key has 32 characters, got 5)"}},
    {"alertmanager key characters", R"(integrations:
  - {name: a, type: alertmanager, key: "has space", service: web}
  - {name: b, type: alertmanager, key: "", service: web}
services:
  - {name: web, checks: [{name: a, url: "http://web/"}]}
)",
     {R"(t.yaml:2:40: integrations[0].key: use only letters, digits, '-', '.', '_' and '~' (the key travels in URLs and headers))",
      R"(t.yaml:3:40: integrations[1].key: must not be empty)"}},
    {"integration keys are unique", R"(integrations:
  - {name: a, type: pagerduty_events_v2, key: abcdefABCDEF0123456789abcdef0123, service: web}
  - {name: b, type: pagerduty_events_v2, key: abcdefABCDEF0123456789abcdef0123, service: web}
  - {name: c, type: alertmanager, key: abcdefABCDEF0123456789abcdef0123, service: web}
services:
  - {name: web, checks: [{name: a, url: "http://web/"}]}
)",
     {R"(t.yaml:3:47: integrations[1].key: the same key as integration "a" (line 2): each integration needs its own)",
      R"(t.yaml:4:40: integrations[2].key: the same key as integration "a" (line 2): each integration needs its own)"}},
    {"integration names and services", R"(integrations:
  - {name: am, type: alertmanager, service: wbe}
  - {name: am, type: alertmanager, service: web}
  - {name: x, type: alertmanager}
services:
  - {name: web, checks: [{name: a, url: "http://web/"}]}
)",
     {R"(t.yaml:2:45: integrations[0].service: unknown service "wbe" (did you mean "web"?))",
      R"(t.yaml:3:12: integrations[1].name: duplicate integration name "am" (first defined at line 2))",
      R"(t.yaml:4:5: integrations[2]: missing required key "service")"}},
    {"integration key twice", R"(integrations:
  - {name: a, type: alertmanager, key: k, key_file: /k, service: web}
services:
  - {name: web, checks: [{name: a, url: "http://web/"}]}
)",
     {R"(t.yaml:2:43: integrations[0].key_file: set either key or key_file, not both)"}},
    {"checkless service not fed by any integration", R"(services:
  - name: web
integrations:
  - {name: am, type: alertmanager, service: api}
)",
     {R"(t.yaml:2:5: services[0]: a service needs at least one check, or an integration feeding it (missing key "checks"))",
      R"(t.yaml:4:45: integrations[0].service: unknown service "api" (defined: web))"}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class OnCallErrors : public ::testing::TestWithParam<Case> {};

TEST_P(OnCallErrors, ReportsPositionKeyAndMessage) {
  const Case& c = GetParam();
  const std::string yaml = std::string(c.yaml) + (c.users ? kUsers : "");
  EXPECT_EQ(errors_of(yaml), c.want) << yaml;
}

INSTANTIATE_TEST_SUITE_P(Table, OnCallErrors, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
});

}  // namespace
}  // namespace vigil::config
