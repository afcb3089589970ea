// Postmortem sections, action items, result history for charts and incidents for reports.
// TODO(pm-wire): being written; every verb answers an error until then.
#include "store/sqlite/sqlite_store.h"

namespace vigil::store::sqlite {
namespace {
Error todo(const char* what) { return Error{std::string(what) + ": not built yet"}; }
}  // namespace

Result<std::vector<ResultRow>> SqliteStore::results_between(const std::vector<std::string>&, Time, Time, int) {
  return todo("results_between");
}
Result<std::vector<incident::Incident>> SqliteStore::incidents_between(Time, Time) { return todo("incidents_between"); }
Result<std::optional<StoredPostmortem>> SqliteStore::get_postmortem(std::int64_t) { return todo("get_postmortem"); }
Status SqliteStore::put_postmortem(const StoredPostmortem&) { return todo("put_postmortem"); }
Result<std::vector<ActionItem>> SqliteStore::list_action_items(const ActionItemFilter&) {
  return todo("list_action_items");
}
Result<std::optional<ActionItem>> SqliteStore::get_action_item(std::int64_t) { return todo("get_action_item"); }
Result<ActionItem> SqliteStore::create_action_item(ActionItem) { return todo("create_action_item"); }
Status SqliteStore::update_action_item(const ActionItem&) { return todo("update_action_item"); }
Status SqliteStore::delete_action_item(std::int64_t) { return todo("delete_action_item"); }

}  // namespace vigil::store::sqlite
