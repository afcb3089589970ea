#include "postmortem/chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "postmortem/svg.h"
#include "postmortem/timefmt.h"

namespace vigil::postmortem {
namespace {

constexpr double kLeft = 64, kRight = 16, kTitle = 30, kRowH = 14, kPanelH = 96, kPanelGap = 26, kAxis = 40;
constexpr int kMaxLabelRows = 4;
constexpr std::size_t kMaxLabelChars = 32;

struct Scale {
  Time from;
  Time to;
  double x0, x1;
  double x(Time t) const {
    const double f = static_cast<double>((t - from).count()) / static_cast<double>((to - from).count());
    return x0 + std::clamp(f, 0.0, 1.0) * (x1 - x0);
  }
};

double nice_ceiling(double v) {
  if (v <= 0 || !std::isfinite(v)) return 1;
  const double mag = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= v) return m * mag;
  return 10 * mag;
}

std::string with_unit(double v, const std::string& unit) {
  std::string n = std::abs(v) >= 10000 ? svg::num(v / 1000) + "k" : svg::num(v);
  if (unit.empty()) return n;
  return unit == "%" ? n + "%" : n + " " + unit;
}

// A round step that gives at most ~8 ticks, aligned on local wall-clock time.
Duration tick_step(Duration range) {
  using namespace std::chrono;
  for (Duration s : {Duration{minutes(1)}, Duration{minutes(2)}, Duration{minutes(5)}, Duration{minutes(10)},
                     Duration{minutes(15)}, Duration{minutes(30)}, Duration{hours(1)}, Duration{hours(2)},
                     Duration{hours(3)}, Duration{hours(6)}, Duration{hours(12)}, Duration{hours(24)},
                     Duration{hours(48)}, Duration{hours(24 * 7)}})
    if (range / s <= 8) return s;
  return range / 8;
}

std::string axis(const ChartSpec& spec, const Scale& sc, const Zone& zone, double top, double bottom) {
  std::string out;
  const Duration step = tick_step(sc.to - sc.from);
  const Duration off = zone.offset(sc.from);
  // First tick: the first local multiple of `step` at or after `from`.
  const auto local = (sc.from + off).time_since_epoch();
  Time t = Time{((local + step - Duration{1}) / step) * step} - off;
  for (int i = 0; t <= sc.to && i < 64; t += step, ++i) {
    const double x = sc.x(t);
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#e5e5e5\"/>\n", svg::num(x),
                       svg::num(top), svg::num(bottom));
    const std::string label = step >= std::chrono::hours(24) ? zone.day(t).substr(5) : zone.hh_mm(t);
    out += svg::text(x, bottom + 14, label, "middle", "font-size=\"11\" fill=\"#444\"");
  }
  std::string zones = zone.abbrev(sc.from);
  if (zone.abbrev(sc.to) != zones) zones += "/" + zone.abbrev(sc.to);
  out += svg::text(sc.x1, bottom + 30, fmt::format("time ({})", zones), "end", "font-size=\"11\" fill=\"#444\"");
  return out;
}

std::string panel(const Series& s, const Scale& sc, double top) {
  const double bottom = top + kPanelH;
  std::string out = svg::text(sc.x0, top - 6, s.unit.empty() ? s.name : fmt::format("{} ({})", s.name, s.unit), "start",
                              "font-size=\"12\" font-weight=\"bold\" fill=\"#222\"");
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#bbb\"/>\n",
                     svg::num(sc.x0), svg::num(top), svg::num(sc.x1 - sc.x0), svg::num(kPanelH));
  std::vector<const Point*> pts;
  for (const auto& p : s.points)
    if (p.at >= sc.from && p.at <= sc.to && std::isfinite(p.value)) pts.push_back(&p);
  if (pts.empty()) {
    out += svg::text((sc.x0 + sc.x1) / 2, top + kPanelH / 2 + 4, "no data", "middle", "fill=\"#888\"");
    return out;
  }
  double lo = 0, hi = 0;
  for (const auto* p : pts) {
    lo = std::min(lo, p->value);
    hi = std::max(hi, p->value);
  }
  if (s.unit == "%") hi = std::max(hi, 100.0);
  hi = nice_ceiling(hi);
  if (lo < 0) lo = -nice_ceiling(-lo);
  auto y = [&](double v) { return bottom - (v - lo) / (hi - lo) * kPanelH; };
  for (double v : {lo, (lo + hi) / 2, hi}) {
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#eee\"/>\n", svg::num(sc.x0),
                       svg::num(y(v)), svg::num(sc.x1));
    out += svg::text(sc.x0 - 6, y(v) + 4, with_unit(v, s.unit), "end", "font-size=\"11\" fill=\"#444\"");
  }
  // A gap longer than 3 typical steps is drawn as a gap: no line across time without data.
  std::vector<Duration> steps;
  for (std::size_t i = 1; i < pts.size(); ++i) steps.push_back(pts[i]->at - pts[i - 1]->at);
  std::sort(steps.begin(), steps.end());
  const Duration gap = steps.empty() ? Duration::max() : steps[steps.size() / 2] * 3;
  std::vector<std::pair<double, double>> run;
  auto flush = [&] {
    if (run.size() == 1)
      out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"#1f77b4\"/>\n", svg::num(run[0].first),
                         svg::num(run[0].second));
    if (run.size() > 1) {
      std::string xy;
      for (const auto& [px, py] : run) xy += fmt::format("{}{},{}", xy.empty() ? "" : " ", svg::num(px), svg::num(py));
      out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n", xy);
    }
    run.clear();
  };
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (i > 0 && pts[i]->at - pts[i - 1]->at > gap) flush();
    run.emplace_back(sc.x(pts[i]->at), y(pts[i]->value));
  }
  flush();
  return out;
}

struct PlacedMarker {
  double x;
  std::string label;
  int row = 0;
  bool left = false;  // label drawn to the left of its line
};

// Markers closer than a few pixels share one line; labels go to the first row where they fit.
std::vector<PlacedMarker> place(const std::vector<Marker>& markers, const Scale& sc, int& rows) {
  std::vector<std::pair<double, std::string>> xs;
  for (const auto& m : markers)
    if (m.at >= sc.from && m.at <= sc.to) xs.emplace_back(sc.x(m.at), m.label);
  std::stable_sort(xs.begin(), xs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<PlacedMarker> out;
  for (auto& [x, label] : xs) {
    if (!out.empty() && x - out.back().x < 3) {
      out.back().label += ", " + label;
      continue;
    }
    out.push_back({x, label});
  }
  std::vector<double> row_end(kMaxLabelRows, -1e9);
  rows = 0;
  for (auto& m : out) {
    m.label = svg::clip(m.label, kMaxLabelChars);
    const double w = svg::text_width(m.label);
    m.left = m.x + 3 + w > sc.x1 + kRight;
    const double start = m.left ? m.x - 3 - w : m.x + 3;
    int best = 0;
    for (int r = 0; r < kMaxLabelRows; ++r) {
      if (start >= row_end[r] + 6) {
        best = r;
        break;
      }
      if (row_end[r] < row_end[best]) best = r;  // nowhere free: the row that overlaps least
    }
    m.row = best;
    row_end[best] = std::max(row_end[best], start + w);
    rows = std::max(rows, best + 1);
  }
  return out;
}

}  // namespace

std::string line_chart_svg(const ChartSpec& spec) {
  const Zone zone(spec.time_zone);
  const double width = std::max(spec.width, 320);
  Scale sc{spec.from, spec.to > spec.from ? spec.to : spec.from + std::chrono::minutes(1), kLeft, width - kRight};
  int rows = 0;
  const auto markers = place(spec.markers, sc, rows);
  const double band_top = kTitle + (spec.shaded ? 14 : 0);
  const double first_panel = band_top + rows * kRowH + kPanelGap;
  std::vector<Series> panels = spec.panels;
  if (panels.empty()) panels.push_back({"", "", {}});
  const double last_bottom = first_panel + static_cast<double>(panels.size()) * (kPanelH + kPanelGap) - kPanelGap;
  const int height = static_cast<int>(last_bottom + kAxis);

  std::string out = svg::open(static_cast<int>(width), height, spec.title);
  out += svg::text(kLeft, 20, spec.title, "start", "font-size=\"14\" font-weight=\"bold\" fill=\"#111\"");
  if (spec.shaded) {
    const auto [a, b] = *spec.shaded;
    out += svg::text(kLeft, kTitle + 8,
                     fmt::format("shaded: incident {} – {}", zone.clock(a), zone.clock(b)), "start",
                     "font-size=\"11\" fill=\"#a33\"");
  }
  out += axis(spec, sc, zone, first_panel, last_bottom);
  if (spec.shaded) {
    const double x0 = sc.x(spec.shaded->first), x1 = sc.x(std::max(spec.shaded->first, spec.shaded->second));
    out += fmt::format("<rect class=\"incident-window\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#d62728\" "
                       "fill-opacity=\"0.12\"/>\n",
                       svg::num(x0), svg::num(first_panel), svg::num(x1 - x0), svg::num(last_bottom - first_panel));
  }
  for (std::size_t i = 0; i < panels.size(); ++i)
    out += panel(panels[i], sc, first_panel + static_cast<double>(i) * (kPanelH + kPanelGap));
  for (const auto& m : markers) {
    const double label_y = band_top + (m.row + 1) * kRowH - 3;
    out += fmt::format("<g class=\"marker\"><line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#555\" "
                       "stroke-dasharray=\"3,3\"/>\n",
                       svg::num(m.x), svg::num(label_y - 9), svg::num(last_bottom));
    out += svg::text(m.left ? m.x - 3 : m.x + 3, label_y, m.label, m.left ? "end" : "start",
                     "font-size=\"11\" fill=\"#333\"") +
           "</g>\n";
  }
  return out + svg::close();
}

std::string sparkline_svg(const std::vector<Point>& points, Time from, Time to, int width, int height) {
  width = std::max(width, 8);
  height = std::max(height, 4);
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\">\n",
      width, height);
  const Scale sc{from, to > from ? to : from + std::chrono::minutes(1), 1, static_cast<double>(width) - 1};
  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& p : points) {
    if (p.at < sc.from || p.at > sc.to || !std::isfinite(p.value)) continue;
    lo = any ? std::min(lo, p.value) : p.value;
    hi = any ? std::max(hi, p.value) : p.value;
    any = true;
  }
  if (!any) return out + "<title>no data</title>\n" + svg::close();
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  std::string pts;
  for (const auto& p : points) {
    if (p.at < sc.from || p.at > sc.to || !std::isfinite(p.value)) continue;
    const double y = 1 + (hi - p.value) / (hi - lo) * (height - 2);
    pts += fmt::format("{},{} ", svg::num(sc.x(p.at)), svg::num(y));
  }
  out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\"/>\n", pts);
  return out + svg::close();
}

}  // namespace vigil::postmortem
