// services[].urgency — PagerDuty's incident urgency rule: a constant (`high`, `low`,
// `severity_based`) or one choice during support hours and another outside them.
#include <fmt/format.h>

#include <algorithm>

#include "config/sections.h"
#include "config/time_values.h"

namespace vigil::config::detail {

namespace {

std::optional<UrgencyChoice> read_urgency_choice(Context& ctx, const Field& f) {
  auto c = read_choice(ctx, f, {"high", "low", "severity_based"});
  if (!c) return std::nullopt;
  if (*c == "high") return UrgencyChoice::high;
  if (*c == "low") return UrgencyChoice::low;
  return UrgencyChoice::severity_based;
}

std::optional<std::chrono::minutes> read_time_of_day(Context& ctx, const Field& f, bool end_of_day_ok) {
  auto s = read_string(ctx, f);
  if (!s) return std::nullopt;
  if (end_of_day_ok && *s == "24:00") return std::chrono::minutes(24 * 60);
  auto t = parse_time_of_day(*s);
  if (!t) {
    ctx.error(f, fmt::format("invalid time of day \"{}\": {}", *s, t.error().message));
    return std::nullopt;
  }
  return *t;
}

void read_support_hours(Context& ctx, const Field& f, WeeklyWindow& out) {
  MapView m(ctx, f, {"time_zone", "days", "start", "end"});
  if (!m.is_map()) return;
  if (const Field* v = m.get("time_zone")) {
    if (auto name = read_string(ctx, *v)) {
      if (auto z = find_time_zone(*name); !z) ctx.error(*v, z.error().message);
      else out.time_zone = *name;
    }
  }
  out.days = {1, 2, 3, 4, 5};  // Monday to Friday unless said otherwise
  if (const Field* v = m.get("days")) {
    out.days.clear();
    for (const Field& item : read_list(ctx, *v)) {
      auto s = read_string(ctx, item);
      if (!s) continue;
      auto d = parse_weekday(*s);
      if (!d) ctx.error(item, fmt::format("invalid day \"{}\": {}", *s, d.error().message));
      else if (std::find(out.days.begin(), out.days.end(), *d) != out.days.end())
        ctx.error(item, fmt::format("day \"{}\" is listed twice", *s));
      else out.days.push_back(*d);
    }
    std::sort(out.days.begin(), out.days.end());
    if (out.days.empty() && !v->node.IsNull() && v->node.IsSequence()) ctx.error(*v, "must list at least one day");
  }
  const Field* start = m.require("start");
  const Field* end = m.require("end");
  auto s = start ? read_time_of_day(ctx, *start, false) : std::nullopt;
  auto e = end ? read_time_of_day(ctx, *end, true) : std::nullopt;
  if (s) out.start = *s;
  if (s && e && *e <= *s)
    ctx.error(*end, "must be after start (support hours end on the day they start; use 24:00 for midnight)");
  else if (s && e) out.duration = *e - *s;
}

}  // namespace

void read_urgency(Context& ctx, const Field& f, UrgencyRule& out) {
  if (f.node.IsScalar()) {
    if (auto c = read_urgency_choice(ctx, f)) out.during = *c;
    return;
  }
  MapView m(ctx, f, {"support_hours", "during", "outside", "raise_at_start"});
  if (!m.is_map()) return;
  const Field* hours = m.require("support_hours");
  if (hours) read_support_hours(ctx, *hours, out.support_hours.emplace());
  // PagerDuty's common case: high during support hours, low outside them.
  out.during = UrgencyChoice::high;
  out.outside = UrgencyChoice::low;
  if (const Field* v = m.get("during"))
    if (auto c = read_urgency_choice(ctx, *v)) out.during = *c;
  if (const Field* v = m.get("outside"))
    if (auto c = read_urgency_choice(ctx, *v)) out.outside = *c;
  if (const Field* v = m.get("raise_at_start"))
    if (auto b = read_bool(ctx, *v)) out.raise_at_start = *b;
}

}  // namespace vigil::config::detail
