// postmortems: — where the drafts of resolved incidents are written and in which time zone.
#include "config/sections.h"
#include "config/time_values.h"

namespace vigil::config::detail {

void read_postmortems(Context& ctx, const Field& f, PostmortemConfig& out) {
  MapView m(ctx, f, {"dir", "write_on_resolve", "min_duration", "time_zone", "report_window"});
  if (const Field* v = m.get("dir")) {
    if (auto s = read_string(ctx, *v)) {
      if (s->empty()) ctx.error(*v, "must not be empty");
      else out.dir = *s;  // relative to the working directory, like store.sqlite
    }
  }
  if (const Field* v = m.get("write_on_resolve")) {
    if (auto b = read_bool(ctx, *v)) out.write_on_resolve = *b;
  }
  if (const Field* v = m.get("min_duration")) {
    if (auto d = read_duration(ctx, *v, /*allow_zero=*/true)) out.min_duration = *d;
  }
  if (const Field* v = m.get("time_zone")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto z = find_time_zone(*s); !z) ctx.error(*v, z.error().message);
      else out.time_zone = *s;
    }
  }
  if (const Field* v = m.get("report_window")) {
    if (auto d = read_duration(ctx, *v)) out.report_window = *d;
  }
}

}  // namespace vigil::config::detail
