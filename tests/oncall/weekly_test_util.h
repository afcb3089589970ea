// Helpers shared by the weekly-window and urgency tests.
#pragma once
#include "config/config.h"

namespace vigil::oncall::testing {

// An instant from a UTC calendar date and time: utc(2026, 11, 23, 8) is Monday 08:00 UTC.
inline Time utc(int y, unsigned m, unsigned d, int hh, int mm = 0) {
  return Time{std::chrono::sys_days{std::chrono::year{y} / m / d}} + std::chrono::hours(hh) + std::chrono::minutes(mm);
}

// Mon-Fri 09:00-17:00 Europe/Berlin.
inline config::WeeklyWindow berlin_office() {
  config::WeeklyWindow h;
  h.time_zone = "Europe/Berlin";
  h.days = {1, 2, 3, 4, 5};
  h.start = std::chrono::hours(9);
  h.duration = std::chrono::hours(8);
  return h;
}

}  // namespace vigil::oncall::testing
