// SVG pictures, self-contained (no scripts, no external fonts or images) so GitHub renders them
// and the web UI inlines them: line charts with a shaded window and event markers, sparklines,
// and the system diagram of a postmortem.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "postmortem/facts.h"

namespace vigil::postmortem {

struct Point {
  Time at{};
  double value = 0;
};

struct Series {
  std::string name;  // "availability", "latency p95"...
  std::string unit;  // "%", "ms", "req/s", "" — axis labels are formatted with it
  std::vector<Point> points;  // oldest first
};

struct Marker {
  Time at{};
  std::string label;  // short: "paged Alice", "runbook rollback-login"
};

struct ChartSpec {
  std::string title;
  std::vector<Series> panels;  // one small chart per series, stacked, sharing the time axis
  Time from{};
  Time to{};
  std::optional<std::pair<Time, Time>> shaded;  // the incident window
  std::vector<Marker> markers;
  std::string time_zone = "UTC";  // axis labels
  int width = 960;
};

// A stacked line chart. Empty series draw "no data", never fail.
std::string line_chart_svg(const ChartSpec& spec);

// A small sparkline (no axes) for lists: width×height px.
std::string sparkline_svg(const std::vector<Point>& points, Time from, Time to, int width = 120, int height = 24);

// Picture 2 of the report: the incident's metrics (availability, latency, error rate, busy
// workers — whatever the service's checks measure) with the window shaded and events marked.
std::string metrics_chart_svg(const PostmortemFacts& facts);

// Picture 1: monitored service and its checks → vigil → escalation policy / schedules → the
// engineers paged in this incident, from the real config.
std::string system_diagram_svg(const PostmortemFacts& facts);

}  // namespace vigil::postmortem
