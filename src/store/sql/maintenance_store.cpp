// Maintenance windows made at run time. Times are epoch milliseconds, as everywhere in the
// schema; a window's services are stored one per line (service names have no line breaks).
#include <fmt/format.h>

#include "store/sql/db.h"
#include "store/sql/sql_store.h"

namespace vigil::store::sql {
namespace {

using incident::MaintenanceWindow;

constexpr std::string_view kColumns = "id, services, start_ms, end_ms, description, created_by, created_at_ms";

std::string join_lines(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += '\n';
    out += n;
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= text.size()) {
    const std::size_t j = std::min(text.find('\n', i), text.size());
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

MaintenanceWindow read_window(const Stmt& st) {
  MaintenanceWindow w;
  w.id = st.col_int(0);
  w.services = split_lines(st.col_text(1));
  w.start = at_ms(st.col_int(2));
  w.end = at_ms(st.col_int(3));
  w.description = st.col_text(4);
  w.created_by = st.col_text(5);
  w.created_at = at_ms(st.col_int(6));
  return w;
}

}  // namespace

Result<std::vector<MaintenanceWindow>> SqlStore::list_maintenance_windows() {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(fmt::format("SELECT {} FROM maintenance_windows ORDER BY id", kColumns));
  if (!st.ok()) return st.error();
  std::vector<MaintenanceWindow> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return with_context("list maintenance windows", row.error());
    if (!*row) return out;
    out.push_back(read_window(*st));
  }
}

Result<MaintenanceWindow> SqlStore::create_maintenance_window(MaintenanceWindow w) {
  // The schema's CHECKs would refuse these too; saying so here names the field.
  if (w.end <= w.start) return Error{"end must be after start", "end"};
  if (w.services.empty()) return Error{"at least one service is required", "services"};
  for (const auto& s : w.services)
    if (s.empty() || s.find('\n') != std::string::npos) return Error{"invalid service name", "services"};
  w.created_at = now_ms();
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "INSERT INTO maintenance_windows (services, start_ms, end_ms, description, created_by, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  if (!st.ok()) return st.error();
  st->bind_text(1, join_lines(w.services))
      .bind_int(2, ms(w.start))
      .bind_int(3, ms(w.end))
      .bind_text(4, w.description)
      .bind_text(5, w.created_by)
      .bind_int(6, ms(w.created_at));
  auto row = st->step();
  if (!row.ok()) return with_context("create maintenance window", row.error());
  if (!*row) return Error{"create maintenance window: no id returned"};
  w.id = st->col_int(0);
  auto done = st->step();  // finishes the statement, which commits the autocommit write
  if (!done.ok()) return with_context("create maintenance window", done.error());
  return w;
}

Status SqlStore::set_maintenance_end(std::int64_t id, Time end) {
  std::lock_guard lock(mu_);
  {
    auto st = db_->prepare("UPDATE maintenance_windows SET end_ms = ?2 WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->bind_int(1, id).bind_int(2, ms(end));
    if (auto s = st->run(); !s.ok()) return with_context(fmt::format("end maintenance window {}", id), s.error());
  }
  if (db_->changes() == 0) return Error{fmt::format("no maintenance window {}", id), "id"};
  return Status::Ok();
}

Status SqlStore::delete_maintenance_window(std::int64_t id) {
  return delete_by_id("maintenance_windows", id, "maintenance window");
}

}  // namespace vigil::store::sql
