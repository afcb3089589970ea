// Escalation planning: given a policy, where an incident's escalation stands and `now`, which
// pages are due and when to look again. Pure (no clock, no I/O): the engine persists the state
// it returns and arms one timer for `next_wake`, so a restart continues where it was without
// re-paging what was already paged.
//
// The rules, PagerDuty's model with cumulative delays:
// - A round starts at `round_started_at` (the trigger time for round 0). Rule i pages at
//   round_started_at + rules[i].after, in rule order; each rule pages once per round.
// - Targets: "user:<id>" pages that user; "schedule:<name>" pages whoever `who` says is on call
//   at `now`. A user named twice in one plan() call is paged once (the first target wins).
// - A rule that pages nobody (every schedule empty) escalates at once: the next rule pages now,
//   and the rest of the round is pulled forward so the delays between rules stay as configured.
//   An empty last rule just ends the round (the repeat delay still applies).
// - Catch-up: every rule due at `now` pages in this call (after downtime), each once. When the
//   last rule pages late, the round clock is re-based so its people still get the repeat delay.
// - Repeat: a round lasts until its latest `after` plus the repeat delay. The repeat delay is the
//   last step of the policy repeated (last rule's after − the previous rule's after); with a
//   single rule, or when that step is 0, it is 30 minutes (PagerDuty's default escalation delay).
//   A new round starts then (round + 1, rule 0 again) while round < policy.repeat, so the policy
//   runs 1 + repeat rounds. At the end of the last round the escalation is exhausted: a note,
//   `exhausted`, and no more wakes.
// - Acknowledged: no escalation; the round clock is paused while acknowledged (time spent
//   acknowledged does not count toward the next rule once un-acknowledged). With
//   policy.ack_timeout > 0, once acked_at + ack_timeout <= now the latest rule that paged is
//   paged again (schedules resolved at `now`) and acked_at restarts at `now`, so it repeats
//   every ack_timeout until the incident is resolved. This also applies after exhaustion.
// - Notes number rules from 1 ("rule 2"), as people read them; Page::rule is 0-based.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "config/config.h"

namespace vigil::oncall {

// Persisted per incident (JSON in the store).
struct EscalationState {
  int rule = 0;                 // index of the next rule to page (== rules.size(): round finished)
  int round = 0;                // 0 = first pass; repeats increase it up to policy.repeat
  Time round_started_at{};      // `after` of each rule is measured from here
  std::optional<Time> acked_at;  // set while acknowledged: start of the current ack_timeout period
  bool exhausted = false;       // every rule of every round has paged; nothing more to do
};

// Resolves "schedule:<name>" to the user on call at `at` (nullopt: nobody).
using WhoIsOnCall = std::function<std::optional<std::string>(const std::string& schedule, Time at)>;

struct Page {
  std::string user;    // user id to notify through all their contact methods
  std::string target;  // what named them: "user:alice" or "schedule:web-primary"
  int rule = 0;        // 0-based rule index
  int round = 0;
};

struct Plan {
  std::vector<Page> pages;          // due now, in rule order
  std::vector<std::string> notes;   // timeline texts: "rule 2: schedule web-primary has nobody on call at ..."
  EscalationState state;            // the state to persist
  std::optional<Time> next_wake;    // when to call plan() again (always > now); nullopt: nothing scheduled
};

// Used when a policy has a single rule, or its last two rules share the same `after`.
inline constexpr Duration kDefaultRepeatDelay = std::chrono::minutes(30);

// Starts an escalation at the incident's trigger time.
EscalationState start_escalation(Time triggered_at);

// The incident was acknowledged at `at`: starts the ack_timeout period (a later ack restarts it).
EscalationState on_acknowledged(EscalationState s, Time at);

// The acknowledgement was withdrawn at `at` (the incident re-triggered): escalation resumes where
// it was paused. plan() with acknowledged=false does this itself when acked_at is still set.
EscalationState on_unacknowledged(EscalationState s, Time at);

// The time between the end of a round's last rule and the start of the next round.
Duration repeat_delay(const config::EscalationPolicyConfig& policy);

// Pages due at `now` for an open incident. `acknowledged`: the incident is acknowledged (no
// escalation; with ack_timeout, a re-page of the latest rule when it runs out). When
// acknowledged and state.acked_at is unset, the ack is taken to have happened at `now`.
Plan plan(const config::EscalationPolicyConfig& policy, const EscalationState& state, bool acknowledged,
          const WhoIsOnCall& who, Time now);

// The same for a low-urgency incident (PagerDuty: low urgency does not escalate): the first rule
// that reaches anyone pages at once, whatever its `after`, and the escalation ends there (no
// later rule, no repeat, no re-page after ack_timeout). A state that has already paged (an
// incident lowered in the middle of its escalation) pages nobody more.
Plan plan_low_urgency(const config::EscalationPolicyConfig& policy, const EscalationState& state, bool acknowledged,
                      const WhoIsOnCall& who, Time now);

}  // namespace vigil::oncall
