// Picture 2: the service's metrics around the incident, built from its stored check results.
// Results are averaged per time bucket so a chart of hours stays small; a panel with no data
// is left out rather than drawn empty.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "postmortem/chart.h"
#include "postmortem/events.h"

namespace vigil::postmortem {
namespace {

constexpr int kBuckets = 80;  // points per line at most

struct Bucketing {
  Time from;
  Duration width;
  Time mid(Time t) const { return from + ((t - from) / width) * width + width / 2; }
};

// One series: the mean per bucket of `value` over the results it returns a value for.
Series series(const PostmortemFacts& f, const Bucketing& b, std::string name, std::string unit,
              const std::function<std::optional<double>(const store::ResultRow&)>& value) {
  std::map<Time, std::pair<double, int>> sums;
  for (const auto& r : f.results) {
    if (r.at < f.window_from || r.at > f.window_to) continue;
    if (auto v = value(r)) {
      auto& [sum, n] = sums[b.mid(r.at)];
      sum += *v;
      ++n;
    }
  }
  Series s{std::move(name), std::move(unit), {}};
  for (const auto& [t, sn] : sums) s.points.push_back({t, sn.first / sn.second});
  return s;
}

std::optional<double> figure(const store::ResultRow& r, const char* key, double scale) {
  auto it = r.figures.find(key);
  if (it == r.figures.end()) return std::nullopt;
  return it->second * scale;
}

bool is_marked(std::string_view kind) {
  for (std::string_view k : {"first_failure", "triggered", "paged", "acknowledged", "escalation", "runbook_succeeded",
                             "runbook_failed", "recovered", "resolved", "auto_resolved"})
    if (k == kind) return true;
  return false;
}

}  // namespace

std::string metrics_chart_svg(const PostmortemFacts& in) {
  PostmortemFacts f = in;  // only the window may be filled in
  const auto& inc = f.incident;
  const Time end = inc.resolved_at.value_or(f.results.empty() ? inc.detected_at : std::max(inc.detected_at, f.results.back().at));
  if (f.window_to <= f.window_from) {
    f.window_from = inc.started_at - std::chrono::minutes(15);
    f.window_to = end + std::chrono::minutes(15);
  }
  Duration width = std::max<Duration>((f.window_to - f.window_from) / kBuckets, std::chrono::seconds(1));
  for (const auto& c : f.checks) width = std::max(width, std::min<Duration>(c.interval, (f.window_to - f.window_from) / 10));
  const Bucketing b{f.window_from, width};

  std::map<std::string, std::string> type_of;
  for (const auto& c : f.checks) type_of[c.id] = c.type;
  ChartSpec spec;
  spec.title = fmt::format("{} around incident #{}", inc.service.empty() ? inc.title : inc.service, inc.id);
  spec.from = f.window_from;
  spec.to = f.window_to;
  spec.time_zone = f.time_zone;
  spec.shaded = std::pair{inc.started_at, end};
  std::vector<Series> all = {
      series(f, b, "availability", "%", [](const auto& r) { return std::optional<double>(r.passed ? 100.0 : 0.0); }),
      series(f, b, "latency of http checks", "ms",
             [&](const auto& r) -> std::optional<double> {
               auto t = type_of.find(r.check_id);
               if (t == type_of.end() ? !r.figures.empty() : t->second != "http") return std::nullopt;
               return static_cast<double>(r.total.count());
             }),
      series(f, b, "error rate (5xx)", "%", [](const auto& r) { return figure(r, "error_rate", 100); }),
      series(f, b, "latency p95 (access log)", "ms", [](const auto& r) { return figure(r, "p95", 1); }),
      series(f, b, "busy workers", "%", [](const auto& r) { return figure(r, "busy_workers_ratio", 100); }),
  };
  for (auto& s : all)
    if (!s.points.empty()) spec.panels.push_back(std::move(s));
  for (const auto& e : key_events(f))
    if (is_marked(e.kind)) spec.markers.push_back({e.at, e.label});
  return line_chart_svg(spec);
}

}  // namespace vigil::postmortem
