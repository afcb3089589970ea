// Schedule resolution by walking boundaries: each layer yields its turns (hand-off to hand-off)
// intersected with the union of its restriction windows; layers are painted bottom to top,
// then the overrides (in vector order) on top; finally adjacent pieces of one user are merged.
// Every wall-clock boundary is a local time converted to UTC once, so the work is linear in
// the number of boundaries in the range, never in its length.
#include "oncall/schedule.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <utility>

#include "oncall/wall_clock.h"

namespace vigil::oncall {
namespace {

using std::chrono::hours;

constexpr Duration kDay = hours(24);
constexpr Duration kWeek = hours(24 * 7);
constexpr Duration kMinRotation = std::chrono::minutes(1);
// Margin around the range when enumerating restriction windows in local time: covers any UTC
// offset change (the largest, Samoa skipping a day in 2011, is 24h).
constexpr Duration kLocalMargin = hours(48);

const date::time_zone* tz(const void* p) { return static_cast<const date::time_zone*>(p); }

LocalMs to_local_ms(std::chrono::local_seconds t) { return LocalMs{Duration(t.time_since_epoch())}; }

LocalMs to_local(const date::time_zone* z, Time t) { return z->to_local(t); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

struct Interval {
  Time start;
  Time end;
};

// Sorted union of intervals (touching ones joined).
std::vector<Interval> unite(std::vector<Interval> v) {
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  std::vector<Interval> out;
  for (const auto& i : v) {
    if (!out.empty() && i.start <= out.back().end) {
      out.back().end = std::max(out.back().end, i.end);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

// Joins adjacent shifts of the same user (the first piece's layer is kept).
std::vector<Shift> merge_adjacent(std::vector<Shift> v) {
  std::vector<Shift> out;
  out.reserve(v.size());
  for (auto& s : v) {
    if (!out.empty() && out.back().user == s.user && out.back().end == s.start) {
      out.back().end = s.end;
    } else {
      out.push_back(std::move(s));
    }
  }
  return out;
}

// `top` painted over `base`: both sorted and disjoint; top wins wherever it has a shift.
std::vector<Shift> overlay(const std::vector<Shift>& base, const std::vector<Shift>& top) {
  if (top.empty()) return base;
  if (base.empty()) return top;
  std::vector<Shift> out;
  out.reserve(base.size() + 2 * top.size());
  std::size_t j = 0;
  for (const auto& a : base) {
    while (j < top.size() && top[j].end <= a.start) ++j;
    Time cur = a.start;
    for (std::size_t k = j; cur < a.end; ++k) {
      if (k < top.size() && top[k].start < a.end) {
        if (top[k].start > cur) out.push_back(Shift{a.user, cur, top[k].start, a.layer});
        cur = std::max(cur, top[k].end);
      } else {
        out.push_back(Shift{a.user, cur, a.end, a.layer});
        break;
      }
    }
  }
  out.insert(out.end(), top.begin(), top.end());
  std::sort(out.begin(), out.end(), [](const Shift& a, const Shift& b) { return a.start < b.start; });
  return out;
}

// Cuts [from, to) to at most kMaxRange; false when empty.
bool clamp_range(Time& from, Time& to) {
  if (to <= from) return false;
  if (from < Time::max() - kMaxRange && to > from + kMaxRange) to = from + kMaxRange;
  return true;
}

std::string layer_name(const config::LayerConfig& l, std::size_t index) {
  return l.name.empty() ? "Layer " + std::to_string(index + 1) : l.name;
}

// Restriction windows of a layer intersecting [from, to), in UTC, united and clipped.
std::vector<Interval> restriction_windows(const date::time_zone* z, const config::LayerConfig& layer,
                                          Time from, Time to) {
  std::vector<Interval> windows;
  const LocalMs local_from = to_local(z, from) - kLocalMargin;
  const LocalMs local_to = to_local(z, to) + kLocalMargin;
  for (const auto& r : layer.restrictions) {
    const bool weekly = r.kind == config::Restriction::Kind::weekly;
    const Duration period = weekly ? kWeek : kDay;
    // Local midnight of 1970-01-01 (a Thursday) for daily, of Monday 1970-01-05 for weekly.
    const LocalMs anchor = weekly ? LocalMs{} + 4 * kDay : LocalMs{};
    const Duration offset = Duration(r.start_time) + (weekly ? (r.start_day - 1) * kDay : Duration{0});
    std::int64_t n = floor_div((local_from - anchor - offset - r.duration).count(), period.count());
    for (;; ++n) {
      const LocalMs ws = anchor + n * period + offset;
      if (ws >= local_to) break;
      const Time s = std::max(to_utc(z, ws), from);
      const Time e = std::min(to_utc(z, ws + r.duration), to);
      if (s < e) windows.push_back({s, e});
    }
  }
  return unite(std::move(windows));
}

// One layer's shifts in [from, to) (range already clamped), unmerged.
std::vector<Shift> compute_layer(const date::time_zone* z, const config::LayerConfig& layer,
                                 std::size_t index, Time from, Time to) {
  std::vector<Shift> out;
  if (layer.users.empty() || layer.rotation < kMinRotation) return out;
  const LocalMs start = to_local_ms(layer.start);
  from = std::max(from, to_utc(z, start));
  if (layer.end) to = std::min(to, to_utc(z, to_local_ms(*layer.end)));
  if (from >= to) return out;

  const std::string name = layer_name(layer, index);
  const auto n_users = static_cast<std::int64_t>(layer.users.size());
  const auto boundary = [&](std::int64_t k) { return to_utc(z, start + k * layer.rotation); };

  // The turn holding `from`: estimate from the local time, then step to the exact one
  // (boundaries are monotonic in k; the estimate is off by at most the DST shift).
  std::int64_t k = std::max<std::int64_t>(
      0, floor_div((to_local(z, from) - start).count(), layer.rotation.count()));
  while (k > 0 && boundary(k) > from) --k;
  while (boundary(k + 1) <= from) ++k;

  std::vector<Shift> turns;
  for (Time s = boundary(k); s < to; ++k) {
    const Time e = boundary(k + 1);
    const Time cs = std::max(s, from), ce = std::min(e, to);
    if (cs < ce) turns.push_back(Shift{layer.users[static_cast<std::size_t>(k % n_users)], cs, ce, name});
    s = e;
  }
  if (layer.restrictions.empty()) return turns;

  // Turns ∩ windows: both sorted and disjoint.
  const auto windows = restriction_windows(z, layer, from, to);
  std::size_t w = 0;
  for (const auto& t : turns) {
    while (w < windows.size() && windows[w].end <= t.start) ++w;
    for (std::size_t i = w; i < windows.size() && windows[i].start < t.end; ++i) {
      const Time s = std::max(t.start, windows[i].start), e = std::min(t.end, windows[i].end);
      if (s < e) out.push_back(Shift{t.user, s, e, t.layer});
    }
  }
  return out;
}

}  // namespace

Result<Schedule> Schedule::make(const config::ScheduleConfig& cfg) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(cfg.time_zone);
  } catch (const std::exception&) {
    zone = nullptr;
  }
  if (zone == nullptr) {
    return Error{"schedule " + cfg.name + ": unknown time zone \"" + cfg.time_zone + "\"", "time_zone"};
  }
  for (std::size_t i = 0; i < cfg.layers.size(); ++i) {
    const auto& l = cfg.layers[i];
    const std::string at = "layers[" + std::to_string(i) + "]";
    const std::string who = "schedule " + cfg.name + ", " + layer_name(l, i) + ": ";
    if (l.users.empty()) return Error{who + "a layer needs at least one user", at + ".users"};
    if (l.rotation < kMinRotation) return Error{who + "rotation must be at least 1m", at + ".rotation"};
    for (std::size_t j = 0; j < l.restrictions.size(); ++j) {
      const auto& r = l.restrictions[j];
      const std::string rat = at + ".restrictions[" + std::to_string(j) + "]";
      const bool weekly = r.kind == config::Restriction::Kind::weekly;
      if (r.start_time < std::chrono::minutes(0) || r.start_time >= kDay) {
        return Error{who + "restriction start_time must be within 00:00..23:59", rat + ".start_time"};
      }
      if (weekly && (r.start_day < 1 || r.start_day > 7)) {
        return Error{who + "restriction start_day must be 1 (Monday) .. 7 (Sunday)", rat + ".start_day"};
      }
      if (r.duration <= Duration{0} || r.duration > (weekly ? kWeek : kDay)) {
        return Error{who + (weekly ? "weekly restriction duration must be in (0, 7d]"
                                   : "daily restriction duration must be in (0, 24h]"),
                     rat + ".duration"};
      }
    }
  }
  Schedule s;
  s.cfg_ = cfg;
  s.zone_ = zone;
  return s;
}

std::vector<Shift> Schedule::layer_shifts(std::size_t layer, Time from, Time to) const {
  if (layer >= cfg_.layers.size() || !clamp_range(from, to)) return {};
  return merge_adjacent(compute_layer(tz(zone_), cfg_.layers[layer], layer, from, to));
}

std::vector<Shift> Schedule::shifts(Time from, Time to) const {
  if (!clamp_range(from, to)) return {};
  std::vector<Shift> result;
  for (std::size_t i = 0; i < cfg_.layers.size(); ++i) {
    result = overlay(result, compute_layer(tz(zone_), cfg_.layers[i], i, from, to));
  }
  // Overrides, later ones over earlier ones, then over the layers.
  std::vector<Shift> overrides;
  for (const auto& o : cfg_.overrides) {
    const Time s = std::max(o.start, from), e = std::min(o.end, to);
    if (s < e) overrides = overlay(overrides, {Shift{o.user, s, e, "override"}});
  }
  result = overlay(result, overrides);
  return merge_adjacent(std::move(result));
}

std::optional<std::string> Schedule::on_call(Time at) const {
  if (at == Time::max()) return std::nullopt;
  auto s = shifts(at, at + Duration(1));
  if (s.empty()) return std::nullopt;
  return std::move(s.front().user);
}

}  // namespace vigil::oncall
