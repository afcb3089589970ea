// IncidentBook::apply: a check fires (opens an incident), then recovers (auto-resolves it).
#include <benchmark/benchmark.h>

#include <string>

#include "incident/incident_book.h"

namespace {
using namespace vigil;

Time at(int second) {
  return Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}} + std::chrono::hours(10) +
         std::chrono::seconds(second);
}

rules::AlertChange alert(rules::AlertChange::Kind kind, const std::string& check, Time started, Time now) {
  rules::AlertChange a;
  a.kind = kind;
  a.service = "webserver-01";
  a.check = check;
  a.severity = "critical";
  a.summary = kind == rules::AlertChange::Kind::firing ? check + ": status == 200 (status is 503)" : check + ": recovered";
  a.started_at = started;
  a.at = now;
  return a;
}

// One firing + one resolve per iteration; `range(0)` other incidents stay open meanwhile.
void BM_IncidentFiringResolve(benchmark::State& state) {
  incident::IncidentBook book;
  const auto open_others = static_cast<int>(state.range(0));
  for (int i = 0; i < open_others; ++i)
    (void)book.apply(alert(rules::AlertChange::Kind::firing, "other-" + std::to_string(i), at(0), at(30)), at(30));
  const auto fire = alert(rules::AlertChange::Kind::firing, "login", at(60), at(90));
  const auto resolve = alert(rules::AlertChange::Kind::resolved, "login", at(120), at(140));
  for (auto _ : state) {
    auto opened = book.apply(fire, at(91));
    auto closed = book.apply(resolve, at(141));
    if (!opened || !closed) state.SkipWithError("apply did not open and resolve");
    benchmark::DoNotOptimize(opened);
    benchmark::DoNotOptimize(closed);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_IncidentFiringResolve)->Arg(0)->Arg(1000);

// A firing for a check that already has an open incident: deduplicated, nothing changes.
void BM_IncidentDedup(benchmark::State& state) {
  incident::IncidentBook book;
  const auto fire = alert(rules::AlertChange::Kind::firing, "login", at(60), at(90));
  (void)book.apply(fire, at(91));
  for (auto _ : state) {
    auto again = book.apply(fire, at(92));
    benchmark::DoNotOptimize(again);
  }
}
BENCHMARK(BM_IncidentDedup);

}  // namespace
