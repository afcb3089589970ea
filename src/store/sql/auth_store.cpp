// API tokens and web sessions. Only SHA-256 hashes of the secrets are stored (src/web/auth), so
// reading the database does not let anyone act as a user.
#include <fmt/format.h>

#include "store/sql/db.h"
#include "store/sql/sql_store.h"

namespace vigil::store::sql {
namespace {

constexpr const char* kTokenColumns = "id, \"user\", name, sha256_hex, created_at_ms, last_used_at_ms";

ApiToken read_token(const Stmt& st) {
  ApiToken t;
  t.id = st.col_int(0);
  t.user = st.col_text(1);
  t.name = st.col_text(2);
  t.sha256_hex = st.col_text(3);
  t.created_at = at_ms(st.col_int(4));
  if (!st.col_null(5)) t.last_used_at = at_ms(st.col_int(5));
  return t;
}

}  // namespace

Result<ApiToken> SqlStore::create_api_token(ApiToken token) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "INSERT INTO api_tokens (\"user\", name, sha256_hex, created_at_ms, last_used_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, NULL) RETURNING id");
  if (!st.ok()) return st.error();
  st->bind_text(1, token.user).bind_text(2, token.name).bind_text(3, token.sha256_hex).bind_int(4, ms(token.created_at));
  auto row = st->step();
  if (!row.ok()) return with_context("create api token", row.error());
  if (!*row) return Error{"create api token: no id returned"};
  token.id = st->col_int(0);
  token.last_used_at.reset();
  return token;
}

Result<std::optional<ApiToken>> SqlStore::find_api_token(const std::string& sha256_hex) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(fmt::format("SELECT {} FROM api_tokens WHERE sha256_hex = ?1", kTokenColumns));
  if (!st.ok()) return st.error();
  st->bind_text(1, sha256_hex);
  auto row = st->step();
  if (!row.ok()) return with_context("find api token", row.error());
  if (!*row) return std::optional<ApiToken>{};
  return std::optional<ApiToken>{read_token(*st)};
}

Result<std::vector<ApiToken>> SqlStore::list_api_tokens() {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(fmt::format("SELECT {} FROM api_tokens ORDER BY id", kTokenColumns));
  if (!st.ok()) return st.error();
  std::vector<ApiToken> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return with_context("list api tokens", row.error());
    if (!*row) return out;
    out.push_back(read_token(*st));
  }
}

Status SqlStore::delete_api_token(std::int64_t id) { return delete_by_id("api_tokens", id, "API token"); }

Status SqlStore::touch_api_token(std::int64_t id, Time at) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("UPDATE api_tokens SET last_used_at_ms = ?2 WHERE id = ?1");
  if (!st.ok()) return st.error();
  st->bind_int(1, id).bind_int(2, ms(at));
  if (Status s = st->run(); !s.ok()) return with_context("touch api token", s.error());
  return {};
}

Status SqlStore::put_session(const SessionRow& s) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "INSERT INTO sessions (sha256_hex, \"user\", csrf_token, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (sha256_hex) DO UPDATE SET \"user\" = ?2, csrf_token = ?3, created_at_ms = ?4, expires_at_ms = ?5");
  if (!st.ok()) return st.error();
  st->bind_text(1, s.sha256_hex).bind_text(2, s.user).bind_text(3, s.csrf_token);
  st->bind_int(4, ms(s.created_at)).bind_int(5, ms(s.expires_at));
  if (Status r = st->run(); !r.ok()) return with_context("put session", r.error());
  return {};
}

Result<std::optional<SessionRow>> SqlStore::find_session(const std::string& sha256_hex, Time now) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "SELECT sha256_hex, \"user\", csrf_token, created_at_ms, expires_at_ms FROM sessions "
      "WHERE sha256_hex = ?1 AND expires_at_ms > ?2");
  if (!st.ok()) return st.error();
  st->bind_text(1, sha256_hex).bind_int(2, ms(now));
  auto row = st->step();
  if (!row.ok()) return with_context("find session", row.error());
  if (!*row) return std::optional<SessionRow>{};
  SessionRow s;
  s.sha256_hex = st->col_text(0);
  s.user = st->col_text(1);
  s.csrf_token = st->col_text(2);
  s.created_at = at_ms(st->col_int(3));
  s.expires_at = at_ms(st->col_int(4));
  return std::optional<SessionRow>{std::move(s)};
}

Status SqlStore::delete_session(const std::string& sha256_hex) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("DELETE FROM sessions WHERE sha256_hex = ?1");
  if (!st.ok()) return st.error();
  st->bind_text(1, sha256_hex);
  if (Status s = st->run(); !s.ok()) return with_context("delete session", s.error());
  return {};
}

Result<std::int64_t> SqlStore::prune_sessions(Time now) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("DELETE FROM sessions WHERE expires_at_ms <= ?1");
  if (!st.ok()) return st.error();
  st->bind_int(1, ms(now));
  if (Status s = st->run(); !s.ok()) return with_context("prune sessions", s.error());
  return db_->changes();
}

}  // namespace vigil::store::sql
