// Heartbeat checks' last pings: one row per check, replaced whole by the pings of a batch. Times are epoch
// milliseconds, as everywhere in the schema.
#include <fmt/format.h>

#include "store/sql/db.h"
#include "store/sql/sql_store.h"

namespace vigil::store::sql {
Result<std::map<std::string, rules::HeartbeatState>> SqlStore::heartbeats() {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "SELECT check_id, watching_since_ms, last_ping_ms, last_kind, exit_status, message, started_ms, last_run_ms, "
      "pings FROM heartbeats");
  if (!st.ok()) return st.error();
  std::map<std::string, rules::HeartbeatState> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return with_context("list heartbeats", row.error());
    if (!*row) return out;
    rules::HeartbeatState s;
    s.watching_since = at_ms(st->col_int(1));
    if (!st->col_null(2)) s.last_ping_at = at_ms(st->col_int(2));
    s.last_kind = rules::parse_ping_kind(st->col_text(3)).value_or(rules::PingKind::success);
    s.exit_status = static_cast<int>(st->col_int(4));
    s.message = st->col_text(5);
    if (!st->col_null(6)) s.started_at = at_ms(st->col_int(6));
    if (!st->col_null(7)) s.last_run_time = Duration{st->col_int(7)};
    s.pings = static_cast<std::uint64_t>(st->col_int(8));
    out.emplace(st->col_text(0), std::move(s));
  }
}

Status SqlStore::put_heartbeats(const std::map<std::string, rules::HeartbeatState>& states) {
  if (states.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Txn txn(*db_);
  if (auto b = txn.begin(); !b.ok()) return b;
  for (const auto& [check_id, s] : states) {
    auto st = db_->prepare(
        "INSERT INTO heartbeats (check_id, watching_since_ms, last_ping_ms, last_kind, exit_status, "
        "message, started_ms, last_run_ms, pings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
        "ON CONFLICT (check_id) DO UPDATE SET watching_since_ms = excluded.watching_since_ms, "
        "last_ping_ms = excluded.last_ping_ms, last_kind = excluded.last_kind, exit_status = excluded.exit_status, "
        "message = excluded.message, started_ms = excluded.started_ms, last_run_ms = excluded.last_run_ms, "
        "pings = excluded.pings");
    if (!st.ok()) return st.error();
    st->bind_text(1, check_id)
        .bind_int(2, ms(s.watching_since))
        .bind_opt_int(3, opt_ms(s.last_ping_at))
        .bind_text(4, rules::to_string(s.last_kind))
        .bind_int(5, s.exit_status)
        .bind_text(6, s.message)
        .bind_opt_int(7, opt_ms(s.started_at))
        .bind_opt_int(8, s.last_run_time ? std::optional<std::int64_t>(s.last_run_time->count()) : std::nullopt)
        .bind_int(9, static_cast<std::int64_t>(s.pings));
    if (auto r = st->run(); !r.ok()) return with_context(fmt::format("record heartbeat of {}", check_id), r.error());
  }
  return txn.commit();
}

}  // namespace vigil::store::sql
