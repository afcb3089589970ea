// Wall-clock times of a zone to instants, the way every on-call rule reads them (schedules'
// rotations and restrictions, support hours): a time the clocks skip (DST begins) is the end of
// the gap, a time they show twice is its first occurrence. Private to src/oncall.
#pragma once
#include <date/tz.h>

#include "common/time.h"

namespace vigil::oncall {

using LocalMs = date::local_time<Duration>;

inline Time to_utc(const date::time_zone* z, LocalMs lt) {
  const auto info = z->get_info(lt);
  if (info.result == date::local_info::nonexistent) return std::chrono::time_point_cast<Duration>(info.first.end);
  // unique, or ambiguous: the offset in force before the transition (the earlier instant).
  return Time{lt.time_since_epoch() - Duration(info.first.offset)};
}

}  // namespace vigil::oncall
