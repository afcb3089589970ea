// The golden structure of a generated report: the seed outage replayed as facts must give exactly
// these sections, durations and timeline lines, with times in the configured zone.
#include "postmortem/draft.h"

#include <gtest/gtest.h>

#include <sstream>

#include "postmortem/model.h"
#include "postmortem/render.h"
#include "postmortem/seed_incident.h"

namespace vigil::postmortem {
namespace {

using testing::seed_facts;
using testing::utc;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The lines of one "## " section of a README, without its heading.
std::string section_of(const std::string& md, const std::string& title) {
  const auto start = md.find("\n## " + title + "\n");
  if (start == std::string::npos) return "";
  const auto body = md.find('\n', start + 1) + 1;
  const auto end = md.find("\n## ", body);
  return md.substr(body, end == std::string::npos ? std::string::npos : end - body);
}

std::vector<std::string> timeline_lines(const std::string& section) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(section))
    if (l.rfind("- ", 0) == 0) out.push_back(l);
  return out;
}

std::string readme(const PostmortemFacts& f, Time now) {
  const auto pm = merge(f.incident.id, std::nullopt, draft(f, now), now);
  return markdown(f, pm, images(f));
}

TEST(Measure, SeedOutage) {
  const Measures m = measure(seed_facts());
  EXPECT_EQ(m.time_to_detect, 1min);
  EXPECT_EQ(m.time_to_acknowledge, 7min);
  EXPECT_EQ(m.time_to_mitigate, 19min + 4s);  // restore-config succeeded at 10:20:04, before the 10:20:30 pass
  EXPECT_EQ(m.time_to_resolve, 24min);
  EXPECT_EQ(m.downtime, 25min);
  EXPECT_EQ(m.detection_budget, 100s);  // 30 s × 3 + 10 s
  EXPECT_EQ(m.failed_checks, 41);       // login every 30 s from 10:00:00 to 10:20:00
  EXPECT_EQ(m.pages, 2);
  EXPECT_EQ(m.escalations, 1);
}

TEST(Measure, OpenIncidentHasNoResolution) {
  auto f = seed_facts();
  f.incident.resolved_at.reset();
  f.incident.status = incident::Status::acknowledged;
  f.incident.timeline.resize(12);  // up to the acknowledgement
  const Measures m = measure(f);
  EXPECT_FALSE(m.time_to_resolve);
  EXPECT_FALSE(m.downtime);
  EXPECT_EQ(m.time_to_acknowledge, 7min);
}

TEST(Draft, SeedOutageInLagos) {
  const auto f = seed_facts();
  const std::string md = readme(f, utc("2024-08-18T12:00:00Z"));

  // Headings in the order of the seed postmortem, pictures next to the summary and the timeline.
  std::vector<std::string> headings;
  for (const auto& l : lines_of(md))
    if (l.rfind("#", 0) == 0 || l.rfind("![", 0) == 0) headings.push_back(l);
  const std::vector<std::string> expected_headings = {
      "# Postmortem: web: login failing: status 500",
      "## Issue Summary",
      "![How web is watched and who was paged](images/system.svg)",
      "## Timeline",
      "![Metrics of web around incident #7, incident window shaded, events marked](images/metrics.svg)",
      "## Root Cause and Resolution",
      "## Corrective and Preventative Measures",
      "### Suggestions",
      "### Action items",
      "## Lessons Learned",
      "### What went well",
      "### What went wrong",
      "### Where we got lucky",
  };
  EXPECT_EQ(headings, expected_headings);

  const std::string summary = section_of(md, "Issue Summary");
  EXPECT_NE(summary.find("**Duration:** 25 min, from 2024-08-18 11:00 WAT to 11:25 WAT; times are in Africa/Lagos "
                         "(WAT, UTC+01:00).\n"),
            std::string::npos)
      << summary;
  for (const char* want : {
           "- 25 min of downtime of service `web` (Apache2 on WebServer-01): check `login` failing.\n",
           "- 41 failed checks of the service during the incident.\n",
           "- 1,234 of 5,000 requests failed (24.7%) according to `/var/log/apache2/access.log`.\n",
           "- 87 distinct clients affected (of 312 seen).\n",
           "- Failing paths: `/login` (1,200), `/login/submit` (34).\n",
           "**Detection:** Check `login` opened incident #7 1 min after the first failure (detection budget 1 min "
           "40 s); 2 pages sent, first acknowledged 7 min after detection.\n",
           "**Root cause:** Bad RewriteRule in the 10:00 deploy looped /login; reverted the site config. (bob's "
           "resolution note)\n",
       })
    EXPECT_NE(summary.find(want), std::string::npos) << want << "\n---\n" << summary;

  const std::vector<std::string> expected_timeline = {
      "- 11:00 (WAT) — First failed check: login — status 500 != 200",
      "- 11:01 (WAT) — Detected by check login (http, every 30 s, alert after 3 failures): incident #7 opened — "
      "login failing: status 500",
      "- 11:01 (WAT) — Paged Alice Doe (alice), rule 1 via schedule:web-primary — delivered via email, webhook",
      "- 11:01 (WAT) — Evidence gathered: error.log tail (took 12ms)",
      "- 11:01 (WAT) — Likely cause (suggestion): AH00124 — a rewrite loop; seen 1 time in error.log tail",
      "- 11:01 (WAT) — Runbook: running rollback-login automatically: /usr/local/bin/rollback-login",
      "- 11:01 (WAT) — Runbook failed: rollback-login exited 1 after 4s",
      "- 11:06 (WAT) — Paged Bob Smith (bob), rule 2 via user:bob — delivered via sms",
      "- 11:08 (WAT) — Acknowledged by bob",
      "- 11:12 (WAT) — Note from bob: The 10:00 deploy added a RewriteRule that loops on /login.",
      "- 11:20 (WAT) — Runbook: running restore-config by hand: /usr/local/bin/restore-config (by bob)",
      "- 11:20 (WAT) — Runbook succeeded: restore-config exited 0 after 4s",
      "- 11:20 (WAT) — Recovered: check login passing again (HTTP 200)",
      "- 11:25 (WAT) — Resolved by bob: Bad RewriteRule in the 10:00 deploy looped /login; reverted the site config.",
  };
  EXPECT_EQ(timeline_lines(section_of(md, "Timeline")), expected_timeline);

  const std::string root = section_of(md, "Root Cause and Resolution");
  for (const char* want : {
           "**Root cause** (bob's resolution note): Bad RewriteRule in the 10:00 deploy looped /login; reverted the "
           "site config.\n",
           "*Suggestion: likely cause from pattern matching on the evidence, not confirmed:* AH00124 — a rewrite loop",
           "- 11:12 (WAT) bob: The 10:00 deploy added a RewriteRule that loops on /login.\n",
           "AH00124: Request exceeded the limit of 10 internal redirects",
           "- 11:01 (WAT) — Runbook `rollback-login` failed (started automatically): rollback-login exited 1 after 4s\n",
           "- 11:20 (WAT) — Runbook `restore-config` succeeded (run by hand by bob): restore-config exited 0 after 4s\n",
           "- 11:20 (WAT) — Check `login` passed again, 19 min 30 s after detection\n",
           "- 11:25 (WAT) — Resolved by bob, 24 min after detection\n",
       })
    EXPECT_NE(root.find(want), std::string::npos) << want << "\n---\n" << root;

  const std::string corrective = section_of(md, "Corrective and Preventative Measures");
  for (const char* want : {
           "*Suggestion:* No check covered `/login/submit`, which failed 34 requests",
           "*Suggestion:* The page was acknowledged after 7 min, over the policy's target of 5 min",
           "*Suggestion:* A runbook failed (rollback-login exited 1 after 4s)",
           "None tracked yet.",
       })
    EXPECT_NE(corrective.find(want), std::string::npos) << want << "\n---\n" << corrective;
  // /login has a check of its own: no suggestion to add one.
  EXPECT_EQ(corrective.find("No check covered `/login`,"), std::string::npos);
  // Nothing is suggested that the facts do not show.
  EXPECT_EQ(corrective.find("No runbook ran"), std::string::npos);
  EXPECT_EQ(corrective.find("Nobody was paged"), std::string::npos);

  const std::string lessons = section_of(md, "Lessons Learned");
  for (const char* want : {
           "- Time to detect: 1 min (budget 1 min 40 s: every 30 s × 3 failures + 10 s timeout).\n",
           "- Time to acknowledge: 7 min (target 5 min).\n",
           "- Time to mitigate: 19 min 4 s.\n",
           "- Time to resolve: 24 min (target 1 h).\n",
           "- Detection took 1 min, within the check's budget of 1 min 40 s.\n",
           "- The page was acknowledged 7 min after detection, over the target of 5 min.\n",
           "- Only 24.7% of requests failed: the rest of the site kept serving.\n",
       })
    EXPECT_NE(lessons.find(want), std::string::npos) << want << "\n---\n" << lessons;
}

TEST(Draft, TimelineAcrossTheEndOfDaylightSavingTimeInNewYork) {
  // 2024-11-03 06:00Z: 02:00 EDT becomes 01:00 EST. Every time moves 4 h 10 min earlier, so the
  // incident runs 05:50Z–06:15Z: 01:50 EDT to 01:15 EST, still 25 minutes.
  const auto f = seed_facts("2024-11-03", "America/New_York", -(4h + 10min));
  const std::string md = readme(f, utc("2024-11-03T08:00:00Z"));
  const std::string summary = section_of(md, "Issue Summary");
  EXPECT_NE(summary.find("**Duration:** 25 min, from 2024-11-03 01:50 EDT to 01:15 EST; times are in "
                         "America/New_York (EDT, UTC-04:00).\n"),
            std::string::npos)
      << summary;
  const auto timeline = timeline_lines(section_of(md, "Timeline"));
  ASSERT_EQ(timeline.size(), 14u);
  EXPECT_EQ(timeline[0], "- 01:50 (EDT) — First failed check: login — status 500 != 200");
  EXPECT_EQ(timeline[7].rfind("- 01:56 (EDT) — Paged Bob Smith (bob)", 0), 0u) << timeline[7];
  EXPECT_EQ(timeline[8], "- 01:58 (EDT) — Acknowledged by bob");
  EXPECT_EQ(timeline[9], "- 01:02 (EST) — Note from bob: The 10:00 deploy added a RewriteRule that loops on /login.");
  EXPECT_EQ(timeline[12], "- 01:10 (EST) — Recovered: check login passing again (HTTP 200)");
  EXPECT_EQ(timeline[13].rfind("- 01:15 (EST) — Resolved by bob: Bad RewriteRule", 0), 0u) << timeline[13];
}

TEST(Draft, OngoingIncidentSaysSo) {
  auto f = seed_facts();
  f.incident.resolved_at.reset();
  f.incident.resolved_by.clear();
  f.incident.status = incident::Status::acknowledged;
  f.incident.timeline.resize(13);  // up to bob's note
  const std::string md = readme(f, utc("2024-08-18T10:15:00Z"));
  EXPECT_NE(md.find("*Draft of an ongoing incident: still acknowledged at 2024-08-18 11:15 WAT; the figures cover "
                    "the time so far.*"),
            std::string::npos);
  EXPECT_NE(md.find("**Duration:** 15 min so far, from 2024-08-18 11:00 WAT to 11:15 WAT (still open)"),
            std::string::npos);
  const auto timeline = timeline_lines(section_of(md, "Timeline"));
  ASSERT_FALSE(timeline.empty());
  EXPECT_EQ(timeline.back(), "- 11:15 (WAT) — Still acknowledged when this draft was written");
  // Without a resolution note the root cause is the likely cause, marked as a suggestion.
  EXPECT_NE(section_of(md, "Issue Summary").find("**Root cause:** Likely cause (suggestion): AH00124"),
            std::string::npos);
}

TEST(Draft, NobodyPagedAndNoRunbookAreSuggestedFixes) {
  auto f = seed_facts();
  f.incident.escalation_policy.clear();
  f.escalation_policy.clear();
  f.policy_rules.clear();
  f.paged.clear();
  f.traffic.reset();
  std::erase_if(f.incident.timeline, [](const auto& e) {
    return e.kind == "paged" || e.kind == "notified" || e.kind.rfind("runbook", 0) == 0 || e.kind == "acknowledged";
  });
  f.incident.acknowledged_at.reset();
  const auto sections = draft(f, utc("2024-08-18T12:00:00Z"));
  ASSERT_EQ(sections.size(), kSections.size());
  const std::string& corrective = sections[3].markdown;
  EXPECT_NE(corrective.find("*Suggestion:* Nobody was paged: the service has no escalation policy."), std::string::npos)
      << corrective;
  EXPECT_NE(corrective.find("*Suggestion:* No runbook ran"), std::string::npos);
  EXPECT_NE(sections[0].markdown.find("Failing path: `/login` (the path check `login` requests); no access log"),
            std::string::npos)
      << sections[0].markdown;
}

TEST(Draft, SlowDetectionIsMeasuredAgainstTheCheckBudget) {
  auto f = seed_facts();
  f.incident.detected_at = f.incident.started_at + 3min;  // budget is 1 min 40 s
  const auto sections = draft(f, utc("2024-08-18T12:00:00Z"));
  EXPECT_NE(sections[3].markdown.find("*Suggestion:* Detection took 3 min, longer than the check's budget of 1 min 40 "
                                      "s: every 30 s × 3 failures + 10 s timeout"),
            std::string::npos)
      << sections[3].markdown;
  EXPECT_NE(sections[4].markdown.find("- Detection took 3 min, over the check's budget of 1 min 40 s."), std::string::npos);
}

TEST(Draft, SectionsAreGeneratedInOrderAndNotEdited) {
  const Time now = utc("2024-08-18T12:00:00Z");
  const auto sections = draft(seed_facts(), now);
  ASSERT_EQ(sections.size(), kSections.size());
  for (std::size_t i = 0; i < kSections.size(); ++i) {
    EXPECT_EQ(sections[i].key, kSections[i].key);
    EXPECT_FALSE(sections[i].edited);
    EXPECT_EQ(sections[i].updated_at, now);
    EXPECT_FALSE(sections[i].markdown.empty());
  }
}

}  // namespace
}  // namespace vigil::postmortem
