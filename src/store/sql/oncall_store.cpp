// Schedule overrides made at run time. Times are epoch milliseconds, as everywhere in the schema.
#include <fmt/format.h>

#include "store/sql/db.h"
#include "store/sql/sql_store.h"

namespace vigil::store::sql {
namespace {

constexpr std::string_view kOverrideColumns = "id, schedule, user_id, start_ms, end_ms, created_by, created_at_ms";

ScheduleOverride read_override(const Stmt& st) {
  ScheduleOverride o;
  o.id = st.col_int(0);
  o.schedule = st.col_text(1);
  o.user = st.col_text(2);
  o.start = at_ms(st.col_int(3));
  o.end = at_ms(st.col_int(4));
  o.created_by = st.col_text(5);
  o.created_at = at_ms(st.col_int(6));
  return o;
}

}  // namespace

Result<std::vector<ScheduleOverride>> SqlStore::list_schedule_overrides(const std::string& schedule) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(fmt::format("SELECT {} FROM schedule_overrides{} ORDER BY id", kOverrideColumns,
                                     schedule.empty() ? "" : " WHERE schedule = ?1"));
  if (!st.ok()) return st.error();
  if (!schedule.empty()) st->bind_text(1, schedule);
  std::vector<ScheduleOverride> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return with_context("list schedule overrides", row.error());
    if (!*row) return out;
    out.push_back(read_override(*st));
  }
}

Result<ScheduleOverride> SqlStore::create_schedule_override(ScheduleOverride o) {
  // The schema's CHECK would refuse it too; saying so here names the field.
  if (o.end <= o.start) return Error{"end must be after start", "end"};
  o.created_at = now_ms();
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "INSERT INTO schedule_overrides (schedule, user_id, start_ms, end_ms, created_by, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  if (!st.ok()) return st.error();
  st->bind_text(1, o.schedule)
      .bind_text(2, o.user)
      .bind_int(3, ms(o.start))
      .bind_int(4, ms(o.end))
      .bind_text(5, o.created_by)
      .bind_int(6, ms(o.created_at));
  auto row = st->step();
  if (!row.ok()) return with_context("create schedule override", row.error());
  if (!*row) return Error{"create schedule override: no id returned"};
  o.id = st->col_int(0);
  auto done = st->step();  // finishes the statement, which commits the autocommit write
  if (!done.ok()) return with_context("create schedule override", done.error());
  return o;
}

Status SqlStore::delete_schedule_override(std::int64_t id) {
  return delete_by_id("schedule_overrides", id, "schedule override");
}

}  // namespace vigil::store::sql
