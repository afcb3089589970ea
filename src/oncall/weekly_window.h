// Weekly windows (config::WeeklyWindow): the listed days at a wall-clock time in a zone, for a
// wall-clock duration. Support hours and recurring maintenance are both such windows. Pure:
// times are arguments. A start the clocks skip (DST begins) is the end of the gap, one they show
// twice is its first occurrence, as for schedules.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "config/config.h"

namespace vigil::oncall {

// Longest duration a weekly window may have (a longer one would overlap its next week).
inline constexpr Duration kMaxWeeklyDuration = std::chrono::hours(24 * 7);

struct Occurrence {
  Time start{};
  Time end{};
};

// The start of the occurrence that contains `at` (the latest, if several overlap); nullopt when
// none does.
std::optional<Time> occurrence_start(const config::WeeklyWindow& w, Time at);
// The first start strictly after `after` (nullopt: no day is listed).
std::optional<Time> next_start(const config::WeeklyWindow& w, Time after);
// Every occurrence with end > from and start < to, in start order.
std::vector<Occurrence> occurrences(const config::WeeklyWindow& w, Time from, Time to);
// "Mon-Fri 09:00-17:00 Europe/Berlin", "Sun 23:00-01:00 UTC", "Sat 22:00 for 1d6h UTC".
std::string describe(const config::WeeklyWindow& w);

}  // namespace vigil::oncall
