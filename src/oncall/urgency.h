// Incident urgency (PagerDuty's urgency rules): what a service's rule makes of a new incident of
// a given severity at a given time, and where its support hours begin. Pure: times in, no clock.
// Support hours are wall-clock times in their zone: a start the clocks skip (DST) is the end of
// the gap, one they repeat is its first occurrence, as for schedules.
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

// The start of the support period that contains `at`; nullopt outside support hours.
std::optional<Time> support_period_start(const config::SupportHours& hours, Time at);
// The first start of support hours strictly after `after` (nullopt: no day is listed).
std::optional<Time> next_support_start(const config::SupportHours& hours, Time after);
// "Mon-Fri 09:00-17:00 Europe/Berlin".
std::string describe(const config::SupportHours& hours);

}  // namespace vigil::oncall
