// Incident urgency (PagerDuty's urgency rules): what a service's rule makes of a new incident of
// a given severity at a given time. Pure: times in, no clock. Support hours are a weekly window
// (oncall/weekly_window.h).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"
#include "config/config.h"
#include "incident/incident.h"

namespace vigil::oncall {

struct UrgencyDecision {
  incident::Urgency urgency = incident::Urgency::high;
  // Why, for the timeline: "severity warning, outside support hours (Mon-Fri 09:00-17:00
  // Europe/Berlin)"; empty for the default rule (always high).
  std::string why;
};

UrgencyDecision decide_urgency(const config::UrgencyRule& rule, std::string_view severity, Time at);

// What the rule makes of an incident opening at `at`, and until when that holds.
struct UrgencyNow {
  config::UrgencyChoice choice = config::UrgencyChoice::high;
  std::string why;            // "outside support hours (Mon-Fri 09:00-17:00 Europe/Berlin)"; "" without them
  std::optional<Time> until;  // the next start or end of support hours; nullopt without them
};
UrgencyNow urgency_now(const config::UrgencyRule& rule, Time at);

// "high", "low", "severity_based".
std::string_view to_string(config::UrgencyChoice c);

}  // namespace vigil::oncall
