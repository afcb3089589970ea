// The cost of deciding a new incident's urgency (oncall/urgency.h), paid once per incident that
// opens: against the ~25 µs an Events API trigger costs end to end (docs/performance.md), the
// default rule must be free and support hours (a time zone lookup and conversion) small.
#include <benchmark/benchmark.h>

#include "oncall/urgency.h"

namespace {

using namespace vigil;

const Time kAt = Time{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23}} + std::chrono::hours(10);

config::UrgencyRule rule(int kind) {
  config::UrgencyRule r;
  if (kind == 1) r.during = config::UrgencyChoice::severity_based;
  if (kind == 2) {
    config::WeeklyWindow h;
    h.time_zone = "Europe/Berlin";
    h.days = {1, 2, 3, 4, 5};
    h.start = std::chrono::hours(9);
    h.duration = std::chrono::hours(8);
    r.support_hours = h;
    r.during = config::UrgencyChoice::severity_based;
    r.raise_at_start = true;
  }
  return r;
}

// Arg: 0 the default rule (always high), 1 severity_based, 2 support hours in Europe/Berlin.
void BM_DecideUrgency(benchmark::State& state) {
  const auto r = rule(static_cast<int>(state.range(0)));
  Time at = kAt;
  for (auto _ : state) {
    auto d = oncall::decide_urgency(r, "warning", at);
    benchmark::DoNotOptimize(d);
    at += std::chrono::seconds(1);
  }
}
BENCHMARK(BM_DecideUrgency)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
