// services[].urgency — PagerDuty's incident urgency rule: a constant (`high`, `low`,
// `severity_based`) or one choice during support hours and another outside them.
#include <fmt/format.h>

#include "config/sections.h"

namespace vigil::config::detail {

namespace {

std::optional<UrgencyChoice> read_urgency_choice(Context& ctx, const Field& f) {
  auto c = read_choice(ctx, f, {"high", "low", "severity_based"});
  if (!c) return std::nullopt;
  if (*c == "high") return UrgencyChoice::high;
  if (*c == "low") return UrgencyChoice::low;
  return UrgencyChoice::severity_based;
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
  if (hours) {
    MapView h(ctx, *hours, {"time_zone", "days", "start", "end"});
    if (h.is_map()) read_weekly_window(ctx, *hours, h, WeeklyKind::support_hours, out.support_hours.emplace());
  }
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
