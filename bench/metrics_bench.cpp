// /metrics rendering: the four per-check families (up, probes, failures, duration histogram)
// of `range(0)` checks, as Engine::render_metrics writes them.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "app/check_runtime.h"
#include "app/metrics_text.h"

namespace {
using namespace vigil;

struct Row {
  app::Labels labels;
  app::CheckFigures figures;
};

std::vector<Row> make_rows(int n) {
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(n));
  const Time t0 = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}};
  for (int i = 0; i < n; ++i) {
    Row r;
    r.labels = {{"service", "webserver-" + std::to_string(i / 10)}, {"check", "check-" + std::to_string(i % 10)}};
    for (int k = 0; k < 50; ++k) r.figures.record(k % 17 != 0, 200, 0.0007 * (k + 1), t0, "status == 200 (status is 503)");
    rows.push_back(std::move(r));
  }
  return rows;
}

void BM_MetricsText(benchmark::State& state) {
  const auto rows = make_rows(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    app::MetricsText m;
    m.family("vigil_check_up", "gauge", "Whether the last probe of the check passed (1) or not (0).");
    for (const auto& r : rows) m.sample("vigil_check_up", r.labels, r.figures.up ? 1 : 0);
    m.family("vigil_check_probes_total", "counter", "Probes completed per check.");
    for (const auto& r : rows) m.sample("vigil_check_probes_total", r.labels, static_cast<double>(r.figures.probes));
    m.family("vigil_check_failures_total", "counter", "Probes whose conditions failed, per check.");
    for (const auto& r : rows) m.sample("vigil_check_failures_total", r.labels, static_cast<double>(r.figures.failures));
    m.family("vigil_check_duration_seconds", "histogram", "Probe duration (total time) per check.");
    for (const auto& r : rows)
      m.histogram("vigil_check_duration_seconds", r.labels, app::kDurationBuckets, r.figures.buckets, r.figures.probes,
                  r.figures.seconds_sum);
    bytes = m.str().size();
    benchmark::DoNotOptimize(m.str().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MetricsText)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
