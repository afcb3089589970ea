// API tokens and web sessions (hashes only).
// TODO(auth): being written; every verb answers an error until then.
#include "store/sqlite/sqlite_store.h"

namespace vigil::store::sqlite {
namespace {
Error todo(const char* what) { return Error{std::string(what) + ": not built yet"}; }
}  // namespace

Result<ApiToken> SqliteStore::create_api_token(ApiToken) { return todo("create_api_token"); }
Result<std::optional<ApiToken>> SqliteStore::find_api_token(const std::string&) { return todo("find_api_token"); }
Result<std::vector<ApiToken>> SqliteStore::list_api_tokens() { return todo("list_api_tokens"); }
Status SqliteStore::delete_api_token(std::int64_t) { return todo("delete_api_token"); }
Status SqliteStore::touch_api_token(std::int64_t, Time) { return todo("touch_api_token"); }
Status SqliteStore::put_session(const SessionRow&) { return todo("put_session"); }
Result<std::optional<SessionRow>> SqliteStore::find_session(const std::string&, Time) { return todo("find_session"); }
Status SqliteStore::delete_session(const std::string&) { return todo("delete_session"); }
Result<std::int64_t> SqliteStore::prune_sessions(Time) { return todo("prune_sessions"); }

}  // namespace vigil::store::sqlite
