#include "oncall/handoff.h"

#include <algorithm>
#include <tuple>

namespace vigil::oncall {

HandoffPlan plan_handoffs(const std::vector<std::pair<std::string, const Schedule*>>& schedules, Time since, Time now,
                          Duration max_sleep) {
  HandoffPlan plan;
  plan.next_wake = now + max_sleep;
  // shifts() clips the first shift to `from`: a start equal to `from` may be a clipped one, and
  // it is outside (since, now] anyway.
  const Time from = std::min(now, std::max(since, now - kHandoffLookback));
  const Time to = now + kHandoffHorizon;
  for (const auto& [name, schedule] : schedules) {
    if (!schedule) continue;
    for (const Shift& s : schedule->shifts(from, to)) {
      if (s.start > now) {
        plan.next_wake = std::min(plan.next_wake, s.start);
        break;  // sorted: the rest start later
      }
      if (s.start > from && s.end > now) plan.due.push_back({name, s, s.end >= to});
    }
  }
  std::sort(plan.due.begin(), plan.due.end(), [](const Handoff& a, const Handoff& b) {
    return std::tie(a.shift.start, a.schedule) < std::tie(b.shift.start, b.schedule);
  });
  return plan;
}

}  // namespace vigil::oncall
