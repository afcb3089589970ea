// schedules: — who is on call when (PagerDuty's model): layers of rotations with
// restrictions, later layers over earlier ones, overrides over all. Wall-clock times are in
// the schedule's IANA time zone; the resolution itself is src/oncall's.
#include <date/tz.h>
#include <fmt/format.h>

#include "config/sections.h"
#include "config/time_values.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

// PagerDuty's floor for a turn: shorter rotations are a typo (`rotation: 1m`), not a plan.
constexpr Duration kMinRotation = hours(1);

std::optional<DateTime> read_datetime(Context& ctx, const Field& f) {
  auto s = read_scalar(ctx, f, "a date and time (e.g. 2024-08-12T09:00:00)");
  if (!s) return std::nullopt;
  auto t = parse_datetime(s->value());
  if (!t) {
    ctx.error(f, fmt::format("invalid time \"{}\": {}", s->value(), t.error().message));
    return std::nullopt;
  }
  return *t;
}

// A layer's start and end: wall-clock times, so hand-offs stay at 09:00 across DST changes.
std::optional<std::chrono::local_seconds> read_wall_time(Context& ctx, const Field& f, const std::string& zone,
                                                         bool* has_time = nullptr) {
  auto t = read_datetime(ctx, f);
  if (!t) return std::nullopt;
  if (t->offset) {
    ctx.error(f, fmt::format("a layer's times are wall-clock times in the schedule's time zone ({}): "
                             "leave out the offset",
                             zone));
    return std::nullopt;
  }
  const auto s = std::chrono::floor<std::chrono::seconds>(t->local);
  if (s != t->local) {
    ctx.error(f, "fractions of a second are not supported here");
    return std::nullopt;
  }
  if (has_time) *has_time = t->has_time;
  return std::chrono::local_seconds{s.time_since_epoch()};
}

std::string hh_mm(minutes m) { return fmt::format("{:02}:{:02}", m.count() / 60, m.count() % 60); }

void read_restriction(Context& ctx, const Field& f, std::vector<Restriction>& out) {
  MapView m(ctx, f, {"type", "start_time", "start_day", "duration"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  Restriction r;
  std::optional<std::string> type;
  if (const Field* v = m.require("type")) type = read_choice(ctx, *v, {"daily", "weekly"});
  if (type) r.kind = *type == "daily" ? Restriction::Kind::daily : Restriction::Kind::weekly;
  if (const Field* v = m.require("start_time")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto t = parse_time_of_day(*s); !t) ctx.error(*v, fmt::format("invalid start_time \"{}\": {}", *s, t.error().message));
      else r.start_time = *t;
    }
  }
  const Field* day = m.get("start_day");
  if (type == "daily" && day) {
    ctx.error(day->key_pos, day->path, "\"start_day\" applies only to weekly restrictions");
  } else if (type == "weekly") {
    if (const Field* v = m.require("start_day")) {
      if (auto s = read_string(ctx, *v)) {
        if (auto d = parse_weekday(*s); !d) ctx.error(*v, fmt::format("invalid start_day \"{}\": {}", *s, d.error().message));
        else r.start_day = *d;
      }
    }
  }
  if (const Field* v = m.require("duration")) {
    if (auto d = read_duration(ctx, *v)) {
      const Duration max = type == "weekly" ? Duration(hours(24 * 7)) : Duration(hours(24));
      if (type && *d > max) {
        ctx.error(*v, fmt::format("a {} restriction lasts at most {}, got {}", *type,
                                  type == "weekly" ? "7d" : "24h", read_string(ctx, *v).value_or("")));
      } else {
        r.duration = *d;
      }
    }
  }
  if (ctx.error_count() == errors_before) out.push_back(r);
}

std::optional<Duration> read_rotation(Context& ctx, const Field& f) {
  auto s = read_scalar(ctx, f, "daily, weekly or a duration");
  if (!s) return std::nullopt;
  if (s->value() == "daily") return hours(24);
  if (s->value() == "weekly") return hours(24 * 7);
  auto d = parse_duration(s->value());
  if (!d) {
    ctx.error(f, fmt::format("invalid rotation \"{}\": expected daily, weekly or a duration (e.g. 72h, 3d, 2w)",
                             s->value()));
    return std::nullopt;
  }
  if (*d < kMinRotation) {
    ctx.error(f, fmt::format("a rotation is at least {}, got \"{}\"", format_duration(kMinRotation), s->value()));
    return std::nullopt;
  }
  return *d;
}

void read_layer_users(Context& ctx, const Field* f, const Field& layer, const NameIndex& users,
                      std::vector<std::string>& out) {
  const std::vector<Field> items = f ? read_list(ctx, *f) : std::vector<Field>{};
  if (items.empty() && (!f || f->node.IsNull() || f->node.IsSequence())) {
    if (f) ctx.error(*f, "a layer needs at least one user");
    else ctx.error(layer, "a layer needs at least one user (missing key \"users\")");
  }
  // The same user twice is a legitimate rotation ([alice, bob, alice, carol]).
  for (const Field& item : items) {
    auto id = read_string(ctx, item);
    if (!id) continue;
    if (!users.contains(*id)) ctx.error(item, users.unknown_message(*id));
    else out.push_back(*id);
  }
}

void read_layer(Context& ctx, const Field& f, std::size_t index, const std::string& zone, const NameIndex& users,
                NameIndex& names, std::vector<LayerConfig>& out) {
  MapView m(ctx, f, {"name", "start", "end", "rotation", "handoff", "users", "restrictions"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  LayerConfig l;
  if (const Field* v = m.get("name")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_name(*s)) ctx.error(*v, *p);
      else if (*s == "override") ctx.error(*v, "\"override\" is reserved: shifts from overrides are named so");
      else if (names.add(ctx, *v, *s)) l.name = *s;
    }
  } else {
    l.name = fmt::format("layer-{}", index + 1);
    names.add(ctx, f, l.name);
  }

  bool start_has_time = false;
  const Field* start = m.require("start");
  std::optional<std::chrono::local_seconds> start_at;
  if (start) start_at = read_wall_time(ctx, *start, zone, &start_has_time);
  if (const Field* v = m.get("handoff")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto t = parse_time_of_day(*s); !t) {
        ctx.error(*v, fmt::format("invalid handoff \"{}\": {}", *s, t.error().message));
        start_at.reset();
      } else if (start_at) {
        const auto day = std::chrono::floor<std::chrono::days>(*start_at);
        if (start_has_time && *start_at - day != *t) {
          // Two different hand-off times: which one was meant is anyone's guess.
          ctx.error(*v, fmt::format("handoff {} contradicts the time of day of start ({}): set it in one place",
                                    hh_mm(*t), format_local(LocalMs(*start_at))));
        }
        start_at = day + *t;
      }
    } else {
      start_at.reset();
    }
  }
  if (start_at) l.start = *start_at;
  if (const Field* v = m.get("end")) {
    if (auto end = read_wall_time(ctx, *v, zone)) {
      if (start_at && *end <= *start_at)
        ctx.error(*v, fmt::format("end must be after start ({})", format_local(LocalMs(*start_at))));
      else l.end = *end;
    }
  }
  if (const Field* v = m.get("rotation")) {
    if (auto d = read_rotation(ctx, *v)) l.rotation = *d;
  }
  read_layer_users(ctx, m.get("users"), f, users, l.users);
  if (const Field* v = m.get("restrictions")) {
    for (const Field& item : read_list(ctx, *v)) read_restriction(ctx, item, l.restrictions);
  }
  if (ctx.error_count() == errors_before) out.push_back(std::move(l));
}

// An override's start or end: RFC 3339 with an offset, or wall-clock time in the schedule's
// zone (`zone` is null when the schedule's time_zone is invalid, already reported).
std::optional<Time> read_instant(Context& ctx, const Field& f, const date::time_zone* zone) {
  auto t = read_datetime(ctx, f);
  if (!t) return std::nullopt;
  if (t->offset) return Time{(t->local - *t->offset).time_since_epoch()};
  if (zone == nullptr) return std::nullopt;
  auto sys = local_to_sys(zone, t->local);
  if (!sys) {
    ctx.error(f, sys.error().message);
    return std::nullopt;
  }
  return *sys;
}

void read_override(Context& ctx, const Field& f, const date::time_zone* zone, const NameIndex& users,
                   std::vector<OverrideConfig>& out) {
  MapView m(ctx, f, {"user", "start", "end"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  OverrideConfig o;
  if (const Field* v = m.require("user")) {
    if (auto id = read_string(ctx, *v)) {
      if (!users.contains(*id)) ctx.error(*v, users.unknown_message(*id));
      else o.user = *id;
    }
  }
  const Field* start = m.require("start");
  const Field* end = m.require("end");
  std::optional<Time> from = start ? read_instant(ctx, *start, zone) : std::nullopt;
  std::optional<Time> to = end ? read_instant(ctx, *end, zone) : std::nullopt;
  if (from) o.start = *from;
  if (to) {
    if (from && *to <= *from) ctx.error(*end, fmt::format("end must be after start ({})", format_rfc3339(*from)));
    else o.end = *to;
  }
  if (ctx.error_count() == errors_before && zone != nullptr) out.push_back(std::move(o));
}

void read_schedule(Context& ctx, const Field& f, const NameIndex& users, NameIndex& names,
                   std::vector<ScheduleConfig>& out) {
  MapView m(ctx, f, {"name", "time_zone", "layers", "overrides"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  ScheduleConfig s;
  if (const Field* v = m.require("name")) {
    if (auto name = read_string(ctx, *v)) {
      if (auto p = check_name(*name)) ctx.error(*v, *p);
      else if (names.add(ctx, *v, *name)) s.name = *name;
    }
  }
  const date::time_zone* zone = nullptr;
  std::string zone_name = s.time_zone;  // as written, for messages, even when unknown
  if (const Field* v = m.get("time_zone")) {
    if (auto name = read_string(ctx, *v)) {
      zone_name = *name;
      if (auto z = find_time_zone(*name); !z) ctx.error(*v, z.error().message);
      else {
        s.time_zone = *name;
        zone = *z;
      }
    }
  } else if (auto z = find_time_zone(s.time_zone)) {
    zone = *z;
  } else {
    ctx.error(f, z.error().message);  // no tzdata at all
  }

  const Field* layers = m.get("layers");
  const std::vector<Field> items = layers ? read_list(ctx, *layers) : std::vector<Field>{};
  if (items.empty() && (!layers || layers->node.IsNull() || layers->node.IsSequence())) {
    if (layers) ctx.error(*layers, "a schedule needs at least one layer");
    else ctx.error(f, "a schedule needs at least one layer (missing key \"layers\")");
  }
  NameIndex layer_names("layer");
  for (std::size_t i = 0; i < items.size(); ++i) read_layer(ctx, items[i], i, zone_name, users, layer_names, s.layers);
  if (const Field* v = m.get("overrides")) {
    for (const Field& item : read_list(ctx, *v)) read_override(ctx, item, zone, users, s.overrides);
  }
  if (ctx.error_count() == errors_before) out.push_back(std::move(s));
}

}  // namespace

void read_schedules(Context& ctx, const Field& f, const NameIndex& users, std::vector<ScheduleConfig>& out,
                    NameIndex& names) {
  for (const Field& item : read_list(ctx, f)) read_schedule(ctx, item, users, names, out);
}

}  // namespace vigil::config::detail
