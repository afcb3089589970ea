// The seed outage as facts: Apache2 on WebServer-01, /login failing after a deploy while the home
// page stays up. Alice is paged and does not answer, the policy escalates to Bob, who acknowledges,
// writes a note, runs the restore runbook by hand after the automatic rollback failed, and resolves
// with the cause. Every time is explicit (UTC) so the expected report can be computed by hand.
#pragma once
#include <string>

#include "common/time.h"
#include "postmortem/facts.h"

namespace vigil::postmortem::testing {

inline Time utc(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

// day: "2024-08-18" (a Sunday in August: Lagos is UTC+1 all year). `shift` moves every time, to
// put the incident across a DST change.
inline PostmortemFacts seed_facts(const std::string& day = "2024-08-18", const std::string& zone = "Africa/Lagos",
                                  Duration shift = Duration{0}) {
  auto at = [&](const char* hms) { return utc((day + "T" + hms + "Z").c_str()) + shift; };
  auto e = [&](std::int64_t seq, const char* hms, const char* kind, const char* actor, std::string text) {
    return incident::TimelineEntry{seq, at(hms), kind, actor, std::move(text)};
  };
  PostmortemFacts f;
  auto& inc = f.incident;
  inc.id = 7;
  inc.dedup_key = "web/login";
  inc.service = "web";
  inc.check = "login";
  inc.title = "web: login failing: status 500";
  inc.severity = "critical";
  inc.status = incident::Status::resolved;
  inc.started_at = at("10:00:00");
  inc.detected_at = at("10:01:00");
  inc.acknowledged_at = at("10:08:00");
  inc.resolved_at = at("10:25:00");
  inc.resolved_by = "bob";
  inc.escalation_policy = "web-oncall";
  inc.timeline = {
      e(1, "10:01:00", "triggered", "check:login",
        "login failing: status 500 (failing since " + day + "T10:00:00.000Z)"),
      e(2, "10:01:00", "paged", "vigil", "paged Alice Doe (alice): rule 1 via schedule:web-primary"),
      e(3, "10:01:02", "notified", "vigil", "page to alice via email delivered"),
      e(4, "10:01:02", "notified", "vigil", "page to alice via webhook delivered"),
      e(5, "10:01:05", "evidence", "vigil",
        "error.log tail (took 12ms):\n[Sun Aug 18 10:00:01 2024] [core:error] [pid 4242] AH00124: Request exceeded "
        "the limit of 10 internal redirects due to probable configuration error.\n"),
      e(6, "10:01:05", "likely_cause", "vigil",
        "Likely cause (suggestion): AH00124 — a rewrite loop; seen 1 time in error.log tail"),
      e(7, "10:01:06", "runbook", "vigil", "running rollback-login automatically: /usr/local/bin/rollback-login"),
      e(8, "10:01:10", "runbook_failed", "vigil", "rollback-login exited 1 after 4s\nno previous config kept"),
      e(9, "10:06:00", "paged", "vigil", "paged Bob Smith (bob): rule 2 via user:bob"),
      e(10, "10:06:01", "notified", "vigil", "page to bob via sms delivered"),
      e(11, "10:06:30", "notified", "vigil", "page to bob via sms delivered"),
      e(12, "10:08:00", "acknowledged", "bob", "acknowledged"),
      e(13, "10:12:00", "note", "bob", "The 10:00 deploy added a RewriteRule that loops on /login."),
      e(14, "10:20:00", "runbook", "bob", "running restore-config by hand: /usr/local/bin/restore-config"),
      e(15, "10:20:04", "runbook_succeeded", "bob", "restore-config exited 0 after 4s"),
      e(16, "10:25:00", "resolved", "bob", "Bad RewriteRule in the 10:00 deploy looped /login; reverted the site config."),
  };
  f.service_description = "Apache2 on WebServer-01";
  f.checks = {
      {"web/home", "home", "http", "http://127.0.0.1:8081/", 30s, 10s, 3, {"status == 200"}, {}},
      {"web/login", "login", "http", "http://127.0.0.1:8081/login", 30s, 10s, 3, {"status == 200"}, {}},
  };
  f.channels = {"team-web", "log"};
  // Both checks every 30 s from 09:45 to 10:40; login fails from 10:00:00 to 10:20:00 inclusive.
  for (Time t = at("09:45:00"); t <= at("10:40:00"); t += 30s) {
    store::ResultRow home{"web/home", t, true, 200, 40ms, "", {}};
    const bool down = t >= at("10:00:00") && t <= at("10:20:00");
    store::ResultRow login{"web/login", t, !down, down ? 500 : 200, down ? 15ms : 60ms,
                           down ? "status 500 != 200" : "", {}};
    f.results.push_back(home);
    f.results.push_back(login);
  }
  f.window_from = at("09:45:00");
  f.window_to = at("10:40:00");
  f.traffic = TrafficImpact{"/var/log/apache2/access.log", 5000, 1234, 312, 87, {{"/login", 1200}, {"/login/submit", 34}}};
  f.escalation_policy = "web-oncall";
  f.policy_rules = {{0s, {"schedule:web-primary"}}, {5min, {"user:bob"}}};
  f.policy_repeat = 1;
  f.target_acknowledge = 5min;
  f.target_resolve = 1h;
  f.paged = {{"alice", "Alice Doe"}, {"bob", "Bob Smith"}};
  f.action_items = {};
  f.time_zone = zone;
  return f;
}

}  // namespace vigil::postmortem::testing
