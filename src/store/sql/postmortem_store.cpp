// Postmortem sections (one row per section, so an edit to one never rewrites another's text)
// and action items. Times are epoch milliseconds, as everywhere in the schema.
#include <fmt/format.h>

#include "store/sql/db.h"
#include "store/sql/sql_store.h"

namespace vigil::store::sql {
namespace {

constexpr std::string_view kItemColumns = "id, incident_id, text, owner, due, status, created_at_ms, updated_at_ms";

ActionItem read_item(const Stmt& st) {
  ActionItem a;
  a.id = st.col_int(0);
  a.incident_id = st.col_int(1);
  a.text = st.col_text(2);
  a.owner = st.col_text(3);
  a.due = st.col_text(4);
  a.status = st.col_text(5);
  a.created_at = at_ms(st.col_int(6));
  a.updated_at = at_ms(st.col_int(7));
  return a;
}

// The schema's CHECK would refuse these too; saying so here names the field.
Status check_item(const ActionItem& a) {
  if (a.text.empty()) return Error{"action item text must not be empty", "text"};
  if (a.status != "open" && a.status != "done") return Error{"status must be open or done", "status"};
  return Status::Ok();
}

}  // namespace

Result<std::optional<StoredPostmortem>> SqlStore::get_postmortem(std::int64_t incident_id) {
  std::lock_guard lock(mu_);
  StoredPostmortem pm;
  pm.incident_id = incident_id;
  {
    auto st = db_->prepare("SELECT generated_at_ms FROM postmortems WHERE incident_id = ?1");
    if (!st.ok()) return st.error();
    st->bind_int(1, incident_id);
    auto row = st->step();
    if (!row.ok()) return with_context("get postmortem", row.error());
    if (!*row) return std::optional<StoredPostmortem>{};
    pm.generated_at = at_ms(st->col_int(0));
  }
  auto st = db_->prepare(
      "SELECT key, markdown, edited, edited_by, updated_at_ms FROM postmortem_sections WHERE incident_id = ?1 "
      "ORDER BY position");
  if (!st.ok()) return st.error();
  st->bind_int(1, incident_id);
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return with_context("get postmortem", row.error());
    if (!*row) break;
    pm.sections.push_back(
        PostmortemSection{st->col_text(0), st->col_text(1), st->col_int(2) != 0, st->col_text(3), at_ms(st->col_int(4))});
  }
  return std::optional<StoredPostmortem>(std::move(pm));
}

Status SqlStore::put_postmortem(const StoredPostmortem& pm) {
  if (pm.incident_id <= 0) return Error{"put postmortem: incident id must be positive", "incident_id"};
  std::lock_guard lock(mu_);
  Txn txn(*db_);
  if (auto s = txn.begin(); !s.ok()) return with_context("put postmortem", s.error());
  {
    auto st = db_->prepare(
        "INSERT INTO postmortems (incident_id, generated_at_ms) VALUES (?1, ?2) "
        "ON CONFLICT (incident_id) DO UPDATE SET generated_at_ms = excluded.generated_at_ms");
    if (!st.ok()) return st.error();
    st->bind_int(1, pm.incident_id).bind_int(2, ms(pm.generated_at));
    if (auto s = st->run(); !s.ok()) return with_context("put postmortem", s.error());
  }
  {
    auto st = db_->prepare("DELETE FROM postmortem_sections WHERE incident_id = ?1");
    if (!st.ok()) return st.error();
    st->bind_int(1, pm.incident_id);
    if (auto s = st->run(); !s.ok()) return with_context("put postmortem", s.error());
  }
  {
    auto st = db_->prepare(
        "INSERT INTO postmortem_sections (incident_id, key, position, markdown, edited, edited_by, updated_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st.ok()) return st.error();
    for (std::size_t i = 0; i < pm.sections.size(); ++i) {
      const PostmortemSection& sec = pm.sections[i];
      st->reset();
      st->bind_int(1, pm.incident_id)
          .bind_text(2, sec.key)
          .bind_int(3, static_cast<std::int64_t>(i))
          .bind_text(4, sec.markdown)
          .bind_int(5, sec.edited ? 1 : 0)
          .bind_text(6, sec.edited_by)
          .bind_int(7, ms(sec.updated_at));
      if (auto s = st->run(); !s.ok()) return with_context(fmt::format("put postmortem section {}", sec.key), s.error());
    }
  }
  if (auto s = txn.commit(); !s.ok()) return with_context("put postmortem: commit", s.error());
  return Status::Ok();
}

Result<std::vector<ActionItem>> SqlStore::list_action_items(const ActionItemFilter& filter) {
  // One statement shape per combination of filters (at most eight), each cached.
  std::string where;
  auto add = [&](std::string_view cond) { where += std::string(where.empty() ? " WHERE " : " AND ") += cond; };
  if (filter.incident_id) add("incident_id = ?1");
  if (filter.status) add("status = ?2");
  if (filter.owner) add("owner = ?3");
  std::lock_guard lock(mu_);
  auto st = db_->prepare(fmt::format("SELECT {} FROM action_items{} ORDER BY id", kItemColumns, where));
  if (!st.ok()) return st.error();
  if (filter.incident_id) st->bind_int(1, *filter.incident_id);
  if (filter.status) st->bind_text(2, *filter.status);
  if (filter.owner) st->bind_text(3, *filter.owner);
  std::vector<ActionItem> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return with_context("list action items", row.error());
    if (!*row) return out;
    out.push_back(read_item(*st));
  }
}

Result<std::optional<ActionItem>> SqlStore::get_action_item(std::int64_t id) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(fmt::format("SELECT {} FROM action_items WHERE id = ?1", kItemColumns));
  if (!st.ok()) return st.error();
  st->bind_int(1, id);
  auto row = st->step();
  if (!row.ok()) return with_context("get action item", row.error());
  if (!*row) return std::optional<ActionItem>{};
  return std::optional<ActionItem>(read_item(*st));
}

Result<ActionItem> SqlStore::create_action_item(ActionItem item) {
  if (auto s = check_item(item); !s.ok()) return s.error();
  item.created_at = item.updated_at = now_ms();
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "INSERT INTO action_items (incident_id, text, owner, due, status, created_at_ms, updated_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id");
  if (!st.ok()) return st.error();
  st->bind_int(1, item.incident_id)
      .bind_text(2, item.text)
      .bind_text(3, item.owner)
      .bind_text(4, item.due)
      .bind_text(5, item.status)
      .bind_int(6, ms(item.created_at));
  auto row = st->step();
  if (!row.ok()) return with_context("create action item", row.error());
  if (!*row) return Error{"create action item: no id returned"};
  item.id = st->col_int(0);
  auto done = st->step();  // finishes the statement, which commits the autocommit write
  if (!done.ok()) return with_context("create action item", done.error());
  return item;
}

Status SqlStore::update_action_item(const ActionItem& item) {
  if (auto s = check_item(item); !s.ok()) return s;
  std::lock_guard lock(mu_);
  {
    auto st = db_->prepare(
        "UPDATE action_items SET incident_id = ?2, text = ?3, owner = ?4, due = ?5, status = ?6, updated_at_ms = ?7 "
        "WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->bind_int(1, item.id)
        .bind_int(2, item.incident_id)
        .bind_text(3, item.text)
        .bind_text(4, item.owner)
        .bind_text(5, item.due)
        .bind_text(6, item.status)
        .bind_int(7, ms(now_ms()));
    if (auto s = st->run(); !s.ok()) return with_context("update action item", s.error());
  }
  if (db_->changes() == 0) return Error{fmt::format("no action item {}", item.id), "id"};
  return Status::Ok();
}

Status SqlStore::delete_action_item(std::int64_t id) { return delete_by_id("action_items", id, "action item"); }

}  // namespace vigil::store::sql
