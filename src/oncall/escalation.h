// Escalation planning: given a policy, where an incident's escalation stands and `now`, which
// pages are due and when to look again. Pure (no clock, no I/O): the engine persists the state
// it returns and arms one timer for `next_wake`, so a restart continues where it was without
// re-paging what was already paged.
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
  std::optional<Time> acked_at;  // set while acknowledged (for ack_timeout re-pages)
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
  std::vector<std::string> notes;   // timeline texts: "level 2: schedule web-primary has nobody on call; escalating"
  EscalationState state;            // the state to persist
  std::optional<Time> next_wake;    // when to call plan() again; nullopt: nothing scheduled
};

// Starts an escalation at the incident's trigger time.
EscalationState start_escalation(Time triggered_at);

// Pages due at `now` for an open incident. `acknowledged`: the incident is acknowledged (no
// escalation; with ack_timeout, a re-page of the current level when it runs out).
Plan plan(const config::EscalationPolicyConfig& policy, const EscalationState& state, bool acknowledged,
          const WhoIsOnCall& who, Time now);

}  // namespace vigil::oncall
