// Escalation planning with explicit times: trigger, per-rule delays, acknowledgement and its
// timeout, repeats, empty schedules, catch-up after downtime and de-duplication.
#include "oncall/escalation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace vigil::oncall {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Time kT0 = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}} + std::chrono::hours(10);

Time at(std::chrono::minutes m) { return kT0 + m; }
Time at(int minutes) { return at(std::chrono::minutes(minutes)); }

config::EscalationRule rule(int after_minutes, std::vector<std::string> targets) {
  return {std::chrono::minutes(after_minutes), std::move(targets)};
}

config::EscalationPolicyConfig policy(std::vector<config::EscalationRule> rules, int repeat = 0,
                                      Duration ack_timeout = {}) {
  config::EscalationPolicyConfig p;
  p.name = "web-oncall";
  p.repeat = repeat;
  p.rules = std::move(rules);
  p.ack_timeout = ack_timeout;
  return p;
}

// Schedules by name; a missing name or an empty string means nobody is on call.
WhoIsOnCall on_call(std::map<std::string, std::string> who) {
  return [who = std::move(who)](const std::string& schedule, Time) -> std::optional<std::string> {
    auto it = who.find(schedule);
    if (it == who.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}
const WhoIsOnCall kNobody = on_call({});

// "T0+15m", "T0-1s" or "none": readable in failure messages.
std::string when(std::optional<Time> t) {
  if (!t) return "none";
  return *t >= kT0 ? "T0+" + format_duration(*t - kT0) : "T0-" + format_duration(kT0 - *t);
}

std::vector<std::string> users(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& pg : p.pages) out.push_back(pg.user);
  return out;
}

// Every page of a run that calls plan() exactly at each next_wake, unacknowledged.
struct Paged {
  Time at;
  std::string user;
  int rule;
  int round;
  bool operator==(const Paged&) const = default;
};
void PrintTo(const Paged& p, std::ostream* os) {
  *os << format_rfc3339(p.at) << " " << p.user << " rule " << p.rule << " round " << p.round;
}

struct Drive {
  std::vector<Paged> pages;
  std::vector<std::string> notes;
  EscalationState state;
  Time ended_at{};  // time of the last plan() call
};

Drive drive(const config::EscalationPolicyConfig& pol, const WhoIsOnCall& who, Time trigger, int max_calls = 50) {
  Drive run;
  run.state = start_escalation(trigger);
  std::optional<Time> now = trigger;
  for (int i = 0; i < max_calls && now; ++i) {
    Plan p = plan(pol, run.state, false, who, *now);
    for (const auto& pg : p.pages) run.pages.push_back({*now, pg.user, pg.rule, pg.round});
    run.notes.insert(run.notes.end(), p.notes.begin(), p.notes.end());
    run.state = p.state;
    run.ended_at = *now;
    if (p.next_wake) {
      EXPECT_GT(*p.next_wake, *now) << "next_wake must be in the future";
    }
    now = p.next_wake;
  }
  EXPECT_FALSE(now.has_value()) << "escalation did not finish";
  return run;
}

TEST(Escalation, TriggerPagesRuleZeroAtOnce) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:carol"})});
  Plan p = plan(pol, start_escalation(kT0), false, kNobody, kT0);
  ASSERT_EQ(p.pages.size(), 1u);
  EXPECT_EQ(p.pages[0].user, "alice");
  EXPECT_EQ(p.pages[0].target, "user:alice");
  EXPECT_EQ(p.pages[0].rule, 0);
  EXPECT_EQ(p.pages[0].round, 0);
  EXPECT_THAT(p.notes, IsEmpty());
  EXPECT_EQ(p.state.rule, 1);
  EXPECT_EQ(when(p.next_wake), when(at(15)));
}

TEST(Escalation, SecondRulePagesAtItsDelayAndNotBefore) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:carol"})});
  const EscalationState after_trigger = plan(pol, start_escalation(kT0), false, kNobody, kT0).state;

  struct Case {
    Time now;
    std::vector<std::string> paged;
  } cases[] = {
      {at(1), {}},
      {at(15) - 1ms, {}},
      {at(15), {"carol"}},
      {at(16), {"carol"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(format_rfc3339(c.now));
    Plan p = plan(pol, after_trigger, false, kNobody, c.now);
    ASSERT_EQ(users(p), c.paged);
    if (c.paged.empty()) {
      EXPECT_EQ(p.state.rule, 1);
      EXPECT_EQ(when(p.next_wake), when(at(15)));
    } else {
      EXPECT_EQ(p.pages[0].rule, 1);
      EXPECT_EQ(p.state.rule, 2);
    }
  }
}

TEST(Escalation, AcknowledgementStopsEscalation) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:carol"})}, /*repeat=*/3);
  EscalationState s = plan(pol, start_escalation(kT0), false, kNobody, kT0).state;
  s = on_acknowledged(s, at(5));
  for (int m : {5, 15, 60, 600}) {
    Plan p = plan(pol, s, true, kNobody, at(m));
    EXPECT_THAT(p.pages, IsEmpty()) << m;
    EXPECT_THAT(p.notes, IsEmpty()) << m;
    EXPECT_EQ(when(p.next_wake), when(std::nullopt)) << m;
    EXPECT_EQ(p.state.rule, 1);
    s = p.state;
  }
}

TEST(Escalation, AcknowledgedWithoutAckTimeTakesNow) {
  auto pol = policy({rule(0, {"user:alice"})}, 0, std::chrono::minutes(30));
  EscalationState s = plan(pol, start_escalation(kT0), false, kNobody, kT0).state;
  Plan p = plan(pol, s, true, kNobody, at(4));
  EXPECT_EQ(when(p.state.acked_at), when(at(4)));
  EXPECT_EQ(when(p.next_wake), when(at(34)));
}

TEST(Escalation, AckTimeoutPagesTheLatestRuleAgainEveryTimeout) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"schedule:web-primary"}), rule(30, {"user:dave"})}, 0,
                    std::chrono::minutes(30));
  const auto who = on_call({{"web-primary", "bob"}});
  EscalationState s = plan(pol, start_escalation(kT0), false, who, kT0).state;
  s = plan(pol, s, false, who, at(15)).state;  // bob paged by rule 2
  s = on_acknowledged(s, at(20));

  Plan p = plan(pol, s, true, who, at(49));
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_EQ(when(p.next_wake), when(at(50)));

  p = plan(pol, p.state, true, who, at(50));
  ASSERT_THAT(users(p), ElementsAre("bob"));
  EXPECT_EQ(p.pages[0].rule, 1);
  EXPECT_EQ(p.pages[0].target, "schedule:web-primary");
  EXPECT_THAT(p.notes, ElementsAre("acknowledgement timed out after 30m; paging again"));
  EXPECT_EQ(when(p.state.acked_at), when(at(50)));
  EXPECT_EQ(when(p.next_wake), when(at(80)));

  // Downtime across several timeouts: one re-page, not one per missed timeout.
  p = plan(pol, p.state, true, who, at(200));
  EXPECT_THAT(users(p), ElementsAre("bob"));
  EXPECT_EQ(when(p.next_wake), when(at(230)));
  EXPECT_EQ(p.state.rule, 2) << "acknowledged: rule 3 never escalates";
}

TEST(Escalation, AcknowledgedTimeDoesNotCountTowardTheNextRule) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:carol"})});
  EscalationState s = plan(pol, start_escalation(kT0), false, kNobody, kT0).state;
  s = on_acknowledged(s, at(5));
  // Un-acknowledged an hour later: 10 minutes were left before rule 2.
  Plan p = plan(pol, s, false, kNobody, at(65));
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_EQ(when(p.state.acked_at), when(std::nullopt));
  EXPECT_EQ(when(p.next_wake), when(at(75)));
  p = plan(pol, p.state, false, kNobody, at(75));
  EXPECT_THAT(users(p), ElementsAre("carol"));

  // Same through the helper.
  EscalationState h = on_unacknowledged(on_acknowledged(s, at(5)), at(65));
  EXPECT_EQ(when(h.round_started_at), when(at(60)));
}

TEST(Escalation, RepeatRunsExactlyRepeatExtraRoundsThenExhausts) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:carol"})}, /*repeat=*/2);
  EXPECT_EQ(repeat_delay(pol), std::chrono::minutes(15));
  Drive run = drive(pol, kNobody, kT0);
  EXPECT_THAT(run.pages, ElementsAre(Paged{at(0), "alice", 0, 0}, Paged{at(15), "carol", 1, 0},
                                     Paged{at(30), "alice", 0, 1}, Paged{at(45), "carol", 1, 1},
                                     Paged{at(60), "alice", 0, 2}, Paged{at(75), "carol", 1, 2}));
  EXPECT_TRUE(run.state.exhausted);
  EXPECT_EQ(when(run.ended_at), when(at(90)));
  EXPECT_THAT(run.notes,
              ElementsAre("nobody acknowledged; repeating escalation policy web-oncall (round 2 of 3)",
                          "nobody acknowledged; repeating escalation policy web-oncall (round 3 of 3)",
                          "escalation policy web-oncall exhausted after 3 rounds; nobody acknowledged"));

  // Exhausted stays quiet.
  Plan p = plan(pol, run.state, false, kNobody, at(500));
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_THAT(p.notes, IsEmpty());
  EXPECT_EQ(when(p.next_wake), when(std::nullopt));
}

TEST(Escalation, RepeatDelayRule) {
  struct Case {
    std::vector<int> afters;
    std::chrono::minutes delay;
  } cases[] = {
      {{0}, std::chrono::minutes(30)},           // one rule: PagerDuty's default delay
      {{0, 15}, std::chrono::minutes(15)},       // the last step repeated
      {{0, 5, 25}, std::chrono::minutes(20)},    // only the last step counts
      {{0, 10, 10}, std::chrono::minutes(30)},   // a zero last step falls back to the default
  };
  for (const auto& c : cases) {
    std::vector<config::EscalationRule> rules;
    for (int a : c.afters) rules.push_back(rule(a, {"user:alice"}));
    EXPECT_EQ(repeat_delay(policy(rules)), c.delay) << c.afters.size() << " rules";
  }
}

TEST(Escalation, SingleRuleWithoutRepeatExhaustsAfterTheDefaultDelay) {
  auto pol = policy({rule(0, {"user:alice"})});
  Drive run = drive(pol, kNobody, kT0);
  EXPECT_THAT(run.pages, ElementsAre(Paged{at(0), "alice", 0, 0}));
  EXPECT_EQ(when(run.ended_at), when(at(30)));
  EXPECT_THAT(run.notes, ElementsAre("escalation policy web-oncall exhausted after 1 round; nobody acknowledged"));
}

TEST(Escalation, EmptyScheduleEscalatesToTheNextRuleAtOnce) {
  auto pol = policy({rule(0, {"schedule:web-primary"}), rule(15, {"user:carol"}), rule(30, {"user:dave"})});
  Plan p = plan(pol, start_escalation(kT0), false, kNobody, kT0);
  ASSERT_THAT(users(p), ElementsAre("carol"));
  EXPECT_EQ(p.pages[0].rule, 1);
  EXPECT_THAT(p.notes, ElementsAre("rule 1: schedule web-primary has nobody on call at 2024-08-18T10:00:00.000Z",
                                   "rule 1 paged nobody; escalating to rule 2 now"));
  // The rest of the round is pulled forward: rule 3 keeps its 15 minutes after rule 2.
  EXPECT_EQ(p.state.rule, 2);
  EXPECT_EQ(when(p.next_wake), when(at(15)));
  p = plan(pol, p.state, false, kNobody, at(15));
  EXPECT_THAT(users(p), ElementsAre("dave"));
}

TEST(Escalation, EmptyRuleLaterInTheRoundAlsoEscalates) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"schedule:web-secondary"}), rule(30, {"user:dave"})});
  const auto who = on_call({{"web-secondary", ""}});
  EscalationState s = plan(pol, start_escalation(kT0), false, who, kT0).state;
  Plan p = plan(pol, s, false, who, at(15));
  ASSERT_THAT(users(p), ElementsAre("dave"));
  EXPECT_EQ(p.pages[0].rule, 2);
  EXPECT_THAT(p.notes[0], HasSubstr("rule 2: schedule web-secondary has nobody on call at 2024-08-18T10:15:00"));
  EXPECT_EQ(p.notes[1], "rule 2 paged nobody; escalating to rule 3 now");
}

TEST(Escalation, RuleWithSomeoneLeftDoesNotEscalate) {
  auto pol = policy({rule(0, {"schedule:web-primary", "user:alice"}), rule(15, {"user:carol"})});
  Plan p = plan(pol, start_escalation(kT0), false, kNobody, kT0);
  EXPECT_THAT(users(p), ElementsAre("alice"));
  EXPECT_THAT(p.notes, ElementsAre(HasSubstr("schedule web-primary has nobody on call")));
  EXPECT_EQ(when(p.next_wake), when(at(15)));
}

TEST(Escalation, EveryRuleEmptyEndsTheRoundWithoutLooping) {
  auto pol = policy({rule(0, {"schedule:a"}), rule(10, {"schedule:b"})}, /*repeat=*/1);
  Plan p = plan(pol, start_escalation(kT0), false, kNobody, kT0);
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_THAT(p.notes, ElementsAre(HasSubstr("rule 1: schedule a has nobody"), "rule 1 paged nobody; escalating to rule 2 now",
                                   HasSubstr("rule 2: schedule b has nobody"),
                                   "rule 2 paged nobody; it is the last rule of the policy"));
  // Round 2 starts after the repeat delay, counted from when rule 2 was reached (now).
  EXPECT_EQ(when(p.next_wake), when(at(10)));
  p = plan(pol, p.state, false, on_call({{"a", "alice"}}), at(10));
  ASSERT_THAT(users(p), ElementsAre("alice"));
  EXPECT_EQ(p.pages[0].round, 1);
}

TEST(Escalation, CatchUpAfterDowntimePagesEveryDueRuleOnce) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:bob"}), rule(30, {"user:carol"})}, /*repeat=*/1);
  EscalationState s = plan(pol, start_escalation(kT0), false, kNobody, kT0).state;
  // vigil was down from 10:05 to 12:00.
  Plan p = plan(pol, s, false, kNobody, at(120));
  ASSERT_EQ(p.pages.size(), 2u);
  EXPECT_EQ(p.pages[0].user, "bob");
  EXPECT_EQ(p.pages[0].rule, 1);
  EXPECT_EQ(p.pages[1].user, "carol");
  EXPECT_EQ(p.pages[1].rule, 2);
  EXPECT_THAT(p.notes, ElementsAre("rule 2 was due at 2024-08-18T10:15:00.000Z; paging it 1h45m late",
                                   "rule 3 was due at 2024-08-18T10:30:00.000Z; paging it 1h30m late"));
  // Round 2 does not start on top of it: carol gets the repeat delay from now.
  EXPECT_EQ(p.state.round, 0);
  EXPECT_EQ(when(p.next_wake), when(at(135)));

  // Replaying the same instant (a crash before the next wake) pages nothing twice.
  Plan again = plan(pol, p.state, false, kNobody, at(120));
  EXPECT_THAT(again.pages, IsEmpty());
  EXPECT_THAT(again.notes, IsEmpty());

  p = plan(pol, p.state, false, kNobody, at(135));
  ASSERT_THAT(users(p), ElementsAre("alice"));
  EXPECT_EQ(p.pages[0].round, 1);
}

TEST(Escalation, CatchUpPagesAUserOnceAcrossRules) {
  auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:alice", "user:bob"}), rule(30, {"user:bob"})});
  Plan p = plan(pol, start_escalation(kT0), false, kNobody, at(40));
  ASSERT_THAT(users(p), ElementsAre("alice", "bob"));
  EXPECT_EQ(p.pages[0].rule, 0);
  EXPECT_EQ(p.pages[1].rule, 1);
  EXPECT_EQ(p.state.rule, 3);
}

TEST(Escalation, SameUserTwiceInOneRulePagesOnce) {
  auto pol = policy({rule(0, {"user:alice", "schedule:web-primary", "user:bob", "user:alice"})});
  Plan p = plan(pol, start_escalation(kT0), false, on_call({{"web-primary", "alice"}}), kT0);
  ASSERT_THAT(users(p), ElementsAre("alice", "bob"));
  EXPECT_EQ(p.pages[0].target, "user:alice");
}

TEST(Escalation, UnknownTargetIsNotedAndSkipped) {
  auto pol = policy({rule(0, {"team:ops", "user:"}), rule(5, {"user:bob"})});
  Plan p = plan(pol, start_escalation(kT0), false, kNobody, kT0);
  EXPECT_THAT(users(p), ElementsAre("bob"));
  EXPECT_THAT(p.notes, ElementsAre("rule 1: unknown target \"team:ops\"; skipped",
                                   "rule 1: unknown target \"user:\"; skipped",
                                   "rule 1 paged nobody; escalating to rule 2 now"));
}

TEST(Escalation, NextWakeIsAlwaysTheEarliestFutureDueTime) {
  // Calls at arbitrary instants (timer jitter, other incidents' wakes, a restart).
  auto pol = policy({rule(0, {"user:alice"}), rule(10, {"user:bob"}), rule(25, {"user:carol"})}, /*repeat=*/1);
  struct Step {
    int minute;
    std::vector<std::string> paged;
    std::optional<int> wake;  // minutes after kT0; nullopt: none
  } steps[] = {
      {0, {"alice"}, 10}, {3, {}, 10},          {9, {}, 10},      {10, {"bob"}, 25},
      {24, {}, 25},       {25, {"carol"}, 40},  {39, {}, 40},     {40, {"alice"}, 50},  // round 2
      {41, {}, 50},       {50, {"bob"}, 65},    {65, {"carol"}, 80}, {79, {}, 80},
      {80, {}, std::nullopt},  // exhausted
      {200, {}, std::nullopt},
  };
  EscalationState s = start_escalation(kT0);
  for (const auto& st : steps) {
    SCOPED_TRACE(st.minute);
    Plan p = plan(pol, s, false, kNobody, at(st.minute));
    EXPECT_EQ(users(p), st.paged);
    if (st.wake) {
      EXPECT_EQ(when(p.next_wake), when(at(*st.wake)));
    } else {
      EXPECT_EQ(when(p.next_wake), when(std::nullopt));
    }
    s = p.state;
  }
  EXPECT_TRUE(s.exhausted);
}

TEST(Escalation, BeforeTheTriggerNothingIsDue) {
  auto pol = policy({rule(0, {"user:alice"})});
  Plan p = plan(pol, start_escalation(kT0), false, kNobody, kT0 - 1s);
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_EQ(when(p.next_wake), when(kT0));
}

TEST(Escalation, PolicyWithoutRulesIsExhaustedAtOnce) {
  Plan p = plan(policy({}), start_escalation(kT0), false, kNobody, kT0);
  EXPECT_TRUE(p.state.exhausted);
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_THAT(p.notes, ElementsAre("escalation policy web-oncall has no rules; nobody is paged"));
  EXPECT_EQ(when(p.next_wake), when(std::nullopt));
}

TEST(Escalation, ReloadThatRemovedRulesDoesNotCrash) {
  auto three = policy({rule(0, {"user:alice"}), rule(15, {"user:bob"}), rule(30, {"user:carol"})});
  EscalationState s = plan(three, start_escalation(kT0), false, kNobody, at(20)).state;
  ASSERT_EQ(s.rule, 2);
  auto one = policy({rule(0, {"user:alice"})});
  Plan p = plan(one, s, false, kNobody, at(21));
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_EQ(p.state.rule, 1);
  EXPECT_EQ(when(p.next_wake), when(at(30)));  // round end: rule 1's after (0) + the default 30m delay
}

// ---- low urgency: the first rule that reaches anyone, once, and no escalation ----

TEST(LowUrgency, PagesTheFirstRuleOnceAndNeverEscalates) {
  const auto pol = policy({rule(0, {"schedule:primary"}), rule(15, {"user:carol"})}, /*repeat=*/2, std::chrono::minutes(10));
  const auto who = on_call({{"primary", "alice"}});
  auto p = plan_low_urgency(pol, start_escalation(at(0)), false, who, at(0));
  EXPECT_THAT(users(p), ElementsAre("alice"));
  EXPECT_EQ(p.pages[0].rule, 0);
  EXPECT_EQ(when(p.next_wake), "none");  // no timer: nothing more is ever due
  EXPECT_TRUE(p.state.exhausted);
  // Long after rule 2 and every repeat were due: still nobody more.
  auto later = plan_low_urgency(pol, p.state, false, who, at(120));
  EXPECT_THAT(later.pages, IsEmpty());
  EXPECT_THAT(later.notes, IsEmpty());
}

TEST(LowUrgency, AnEmptyFirstRuleHandsToTheNextAtOnce) {
  const auto pol = policy({rule(0, {"schedule:primary"}), rule(15, {"user:carol"}), rule(30, {"user:dave"})});
  auto p = plan_low_urgency(pol, start_escalation(at(0)), false, kNobody, at(0));
  EXPECT_THAT(users(p), ElementsAre("carol"));  // now, not at +15m
  EXPECT_EQ(p.pages[0].rule, 1);
  EXPECT_THAT(p.notes, ElementsAre(HasSubstr("schedule primary has nobody on call"),
                                   "rule 1 paged nobody; paging rule 2 instead"));
  EXPECT_EQ(p.state.rule, 2);
}

TEST(LowUrgency, AcknowledgedPagesNothingEvenAfterTheAckTimeout) {
  const auto pol = policy({rule(0, {"user:alice"})}, 0, std::chrono::minutes(10));
  auto st = on_acknowledged(start_escalation(at(0)), at(1));
  auto p = plan_low_urgency(pol, st, true, kNobody, at(60));
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_EQ(when(p.next_wake), "none");
}

TEST(LowUrgency, LoweredMidEscalationPagesNobodyMoreAndSaysWhy) {
  const auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:carol"})});
  auto high = plan(pol, start_escalation(at(0)), false, kNobody, at(0));
  ASSERT_THAT(users(high), ElementsAre("alice"));
  auto p = plan_low_urgency(pol, high.state, false, kNobody, at(20));
  EXPECT_THAT(p.pages, IsEmpty());
  EXPECT_THAT(p.notes, ElementsAre(HasSubstr("low-urgency incidents do not escalate")));
  EXPECT_TRUE(p.state.exhausted);
}

TEST(LowUrgency, RaisedToHighStartsOverFromRuleOne) {
  // What the engine does when the urgency goes up: a fresh escalation from that moment.
  const auto pol = policy({rule(0, {"user:alice"}), rule(15, {"user:carol"})});
  auto low = plan_low_urgency(pol, start_escalation(at(0)), false, kNobody, at(0));
  auto p = plan(pol, start_escalation(at(60)), false, kNobody, at(60));
  EXPECT_THAT(users(p), ElementsAre("alice"));
  EXPECT_EQ(when(p.next_wake), when(at(75)));
  EXPECT_TRUE(low.state.exhausted);
}

}  // namespace
}  // namespace vigil::oncall
