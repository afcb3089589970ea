// Weekly windows: the `time_zone`, `days`, `start` and `end` (or `duration`) keys shared by a
// service's support hours (services[].urgency.support_hours) and recurring maintenance windows
// (maintenance:), each also read here.
#include <fmt/format.h>

#include <algorithm>

#include "config/sections.h"
#include "config/time_values.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

constexpr auto kWeek = std::chrono::hours(24 * 7);

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

}  // namespace

void read_weekly_window(Context& ctx, const Field& f, MapView& m, WeeklyKind kind, WeeklyWindow& out) {
  if (const Field* v = m.get("time_zone")) {
    if (auto name = read_string(ctx, *v)) {
      if (auto z = find_time_zone(*name); !z) ctx.error(*v, z.error().message);
      else out.time_zone = *name;
    }
  }
  // Support hours are office days unless said otherwise; a maintenance window, every day.
  out.days = kind == WeeklyKind::support_hours ? std::vector<int>{1, 2, 3, 4, 5} : std::vector<int>{1, 2, 3, 4, 5, 6, 7};
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
  const auto s = start ? read_time_of_day(ctx, *start, false) : std::nullopt;
  if (s) out.start = *s;
  const Field* end = m.get("end");
  const Field* duration = kind == WeeklyKind::maintenance ? m.get("duration") : nullptr;
  if (end && duration) return ctx.error(*duration, "set either end or duration, not both");
  if (duration) {
    if (auto d = read_duration(ctx, *duration)) {
      if (*d > kWeek) ctx.error(*duration, fmt::format("must be at most 7d (the window recurs every week), got {}", format_duration(*d)));
      else out.duration = *d;
    }
    return;
  }
  if (!end) {
    if (kind == WeeklyKind::support_hours) m.require("end");
    else ctx.error(f, "missing required key \"end\" or \"duration\"");
    return;
  }
  const auto e = read_time_of_day(ctx, *end, true);
  if (!s || !e) return;
  if (*e > *s) out.duration = *e - *s;
  else if (kind == WeeklyKind::maintenance) out.duration = *e + std::chrono::hours(24) - *s;  // ends the next day
  else ctx.error(*end, "must be after start (support hours end on the day they start; use 24:00 for midnight)");
}

void read_recurring_maintenance(Context& ctx, const Field& f, const NameIndex& services,
                                std::vector<RecurringMaintenance>& out) {
  NameIndex names("maintenance window");
  for (const Field& item : read_list(ctx, f)) {
    MapView m(ctx, item, {"name", "services", "description", "time_zone", "days", "start", "end", "duration"});
    if (!m.is_map()) continue;
    const std::size_t errors_before = ctx.error_count();
    RecurringMaintenance r;
    if (const Field* v = m.require("name")) {
      if (auto name = read_string(ctx, *v)) {
        if (auto p = check_name(*name)) ctx.error(*v, *p);
        else if (names.add(ctx, *v, *name)) r.name = *name;
      }
    }
    if (const Field* v = m.require("services")) {
      if (v->node.IsSequence() && v->node.size() == 0) ctx.error(*v, "must list at least one service");
      services.read_list_of(ctx, *v, r.services);
    }
    if (const Field* v = m.get("description")) {
      if (auto d = read_string(ctx, *v)) r.description = *d;
    }
    read_weekly_window(ctx, item, m, WeeklyKind::maintenance, r.window);
    if (ctx.error_count() == errors_before) out.push_back(std::move(r));
  }
}

}  // namespace vigil::config::detail
