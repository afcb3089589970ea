// The long reads over a window (reports, uptime) as SQL aggregates on the reader connection:
// an alert storm's hundreds of thousands of incidents are summed where they lie, and the
// writer's mutex is never held while they are (sql_store.h, Threads).
#include <fmt/format.h>

#include <map>

#include "store/sql/db.h"
#include "store/sql/sql_store.h"

namespace vigil::store::sql {
namespace {

// ?1 = from, ?2 = to. Open incidents (no resolved_at) last for ever, so they overlap any window
// after they started; resolved exactly at `from` counts (as the reports always did).
constexpr std::string_view kOverlaps = "started_at_ms < ?2 AND (resolved_at_ms IS NULL OR resolved_at_ms >= ?1)";

// Steps `st` to its end, calling `row` for each row.
template <typename F>
Status each_row(Stmt& st, F&& row) {
  for (;;) {
    auto more = st.step();
    if (!more.ok()) return more.error();
    if (!*more) return Status::Ok();
    row(st);
  }
}

}  // namespace

Result<WindowSums> SqlStore::window_sums(Time from, Time to) {
  std::map<std::string, ServiceSums> by_service;
  WindowSums out;
  auto [lock, db] = lock_reader();
  ReadTxn snapshot(db);  // first: the three statements below read one committed state
  if (auto s = snapshot.begin(); !s.ok()) return with_context("window sums", s.error());
  {
    // One pass over the incidents of the window (incidents_started range); pages are counted by
    // a lookup into each one's timeline (its primary key), not by reading the entries out.
    auto st = db.prepare(fmt::format(
        "SELECT service, "
        "SUM(CASE WHEN started_at_ms >= ?1 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN started_at_ms >= ?1 AND acknowledged_at_ms IS NOT NULL THEN 1 ELSE 0 END), "
        "COALESCE(SUM(CASE WHEN started_at_ms >= ?1 THEN acknowledged_at_ms - detected_at_ms END), 0), "
        "SUM(CASE WHEN started_at_ms >= ?1 AND resolved_at_ms IS NOT NULL THEN 1 ELSE 0 END), "
        "COALESCE(SUM(CASE WHEN started_at_ms >= ?1 THEN resolved_at_ms - detected_at_ms END), 0), "
        "SUM(CASE WHEN started_at_ms >= ?1 AND urgency = 'low' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN started_at_ms >= ?1 AND urgency = 'high' AND acknowledged_at_ms IS NOT NULL THEN 1 ELSE 0 END), "
        "COALESCE(SUM(CASE WHEN started_at_ms >= ?1 AND urgency = 'high' THEN acknowledged_at_ms - detected_at_ms END), 0), "
        "SUM((SELECT COUNT(*) FROM timeline t WHERE t.incident_id = incidents.id AND t.kind = 'paged' "
        "AND t.at_ms >= ?1 AND t.at_ms < ?2)) "
        "FROM incidents WHERE {} GROUP BY service",
        kOverlaps));
    if (!st.ok()) return st.error();
    st->bind_int(1, ms(from)).bind_int(2, ms(to));
    auto s = each_row(*st, [&](const Stmt& r) {
      ServiceSums& x = by_service[r.col_text(0)];
      x.incidents = static_cast<int>(r.col_int(1));
      x.acknowledged = static_cast<int>(r.col_int(2));
      x.to_acknowledge = Duration{r.col_int(3)};
      x.resolved = static_cast<int>(r.col_int(4));
      x.to_resolve = Duration{r.col_int(5)};
      x.low_urgency = static_cast<int>(r.col_int(6));
      x.high_acknowledged = static_cast<int>(r.col_int(7));
      x.high_to_acknowledge = Duration{r.col_int(8)};
      x.pages = static_cast<int>(r.col_int(9));
    });
    if (!s.ok()) return with_context("window sums: incidents", s.error());
  }
  {
    // Driven by the (small) open action items, each joined to its incident.
    auto st = db.prepare(fmt::format(
        "SELECT incidents.service, COUNT(*) FROM action_items JOIN incidents ON incidents.id = action_items.incident_id "
        "WHERE action_items.status = 'open' AND {} GROUP BY incidents.service",
        kOverlaps));
    if (!st.ok()) return st.error();
    st->bind_int(1, ms(from)).bind_int(2, ms(to));
    auto s = each_row(*st, [&](const Stmt& r) { by_service[r.col_text(0)].action_items_open = static_cast<int>(r.col_int(1)); });
    if (!s.ok()) return with_context("window sums: action items", s.error());
  }
  {
    auto st = db.prepare("SELECT COUNT(*) FROM action_items WHERE status = 'open'");
    if (!st.ok()) return st.error();
    auto s = each_row(*st, [&](const Stmt& r) { out.action_items_open = static_cast<int>(r.col_int(0)); });
    if (!s.ok()) return with_context("window sums: open action items", s.error());
  }
  for (auto& [name, x] : by_service) {
    x.service = name;
    out.services.push_back(std::move(x));
  }
  return out;
}

Status SqlStore::visit_spans(Time from, Time to, const std::function<void(const IncidentSpan&)>& visit) {
  if (to <= from) return Status::Ok();
  auto [lock, db] = lock_reader();
  // Ordered by started_at (the incidents_started range), which orders the clamped starts too.
  // Only spans of positive length: resolved after both the window's and its own start.
  auto st = db.prepare(
      "SELECT service, severity, CASE WHEN started_at_ms > ?1 THEN started_at_ms ELSE ?1 END, "
      "CASE WHEN resolved_at_ms IS NOT NULL AND resolved_at_ms < ?2 THEN resolved_at_ms ELSE ?2 END FROM incidents "
      "WHERE started_at_ms < ?2 AND (resolved_at_ms IS NULL OR (resolved_at_ms > started_at_ms AND resolved_at_ms > ?1)) "
      "ORDER BY started_at_ms");
  if (!st.ok()) return st.error();
  st->bind_int(1, ms(from)).bind_int(2, ms(to));
  IncidentSpan span;
  auto s = each_row(*st, [&](const Stmt& r) {
    span.service = r.col_text(0);
    span.severity = r.col_text(1);
    span.start = at_ms(r.col_int(2));
    span.end = at_ms(r.col_int(3));
    visit(span);
  });
  if (!s.ok()) return with_context("incident spans", s.error());
  return Status::Ok();
}

}  // namespace vigil::store::sql
