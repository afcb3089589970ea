// On-call hand-offs (PagerDuty's "you are on call" notifications): which shifts of the final
// schedules started since the last look, and when to look again. Pure: the caller keeps the
// watermark (`since`, stored so a restart neither repeats nor skips) and reads the clock.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "oncall/schedule.h"

namespace vigil::oncall {

struct Handoff {
  std::string schedule;
  Shift shift;              // shift.start is the hand-off; shift.end as far as kHandoffHorizon sees
  bool open_ended = false;  // the shift runs past kHandoffHorizon (one user and no rotation, say)
};

struct HandoffPlan {
  std::vector<Handoff> due;  // by start, then schedule name
  Time next_wake{};          // the next shift start after `now`, at most `max_sleep` away
};

// How far ahead a shift's end is looked for; a longer shift is reported open-ended.
inline constexpr Duration kHandoffHorizon = std::chrono::hours(24 * 35);
// How far back a stale watermark (vigil was down) is honoured.
inline constexpr Duration kHandoffLookback = std::chrono::hours(24 * 30);

// Shifts that start in (since, now] and still run at `now`: a shift that ended while nobody
// looked (vigil was stopped) is not worth a message any more. Adjacent shifts of one user are
// one shift (Schedule::shifts merges them), so a user who stays on call is not told again.
HandoffPlan plan_handoffs(const std::vector<std::pair<std::string, const Schedule*>>& schedules, Time since, Time now,
                          Duration max_sleep = std::chrono::hours(1));

}  // namespace vigil::oncall
