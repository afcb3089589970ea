// Times and durations as a report writes them: wall-clock times in the report's zone with the
// zone's abbreviation ("11:00 (WAT)", "09:30 (EDT)"), durations in words a reader scans
// ("1 h 25 min"). The zone database is date/tz's; an unknown zone falls back to UTC (the
// config already rejected unknown names, so this only guards hand-built facts).
#pragma once
#include <string>

#include "common/time.h"

namespace date {
class time_zone;
}

namespace vigil::postmortem {

class Zone {
 public:
  explicit Zone(const std::string& name);

  const std::string& name() const { return name_; }
  std::string abbrev(Time t) const;     // "WAT", "EST", "EDT"
  std::string hh_mm(Time t) const;      // "11:00"
  std::string clock(Time t) const;      // "11:00 (WAT)"
  std::string day(Time t) const;        // "2024-08-18"
  std::string date_time(Time t) const;  // "2024-08-18 11:00 WAT"
  std::string utc_offset(Time t) const; // "UTC+01:00"
  Duration offset(Time t) const;        // local − UTC at t
  // Local midnight-based minute of day, used to align chart ticks to round local times.
  Time to_local_epoch(Time t) const { return t + offset(t); }

 private:
  std::string name_;
  const date::time_zone* zone_ = nullptr;  // nullptr: UTC
};

// "45 s", "6 min", "6 min 30 s", "1 h 25 min", "2 d 3 h"; at most two units, rounded down.
std::string human_duration(Duration d);

}  // namespace vigil::postmortem
