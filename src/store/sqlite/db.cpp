#include "store/sqlite/db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace vigil::store::sqlite {

Error with_context(std::string_view what, const Error& e) { return Error{fmt::format("{}: {}", what, e.message), e.field}; }

// ---------------------------------------------------------------------------------------- Stmt

Stmt::Stmt(sqlite3* db, sqlite3_stmt* stmt, bool* in_use, std::string_view context)
    : db_(db), stmt_(stmt), in_use_(in_use), context_(context) {
  if (in_use_) *in_use_ = true;
}

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      context_(other.context_),
      bind_rc_(other.bind_rc_),
      bind_error_(std::move(other.bind_error_)) {}

Stmt::~Stmt() {
  if (!stmt_) return;
  if (in_use_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

Stmt& Stmt::bind_int(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_error_ = fmt::format("bind parameter {}: {}", index, sqlite3_errmsg(db_));
  }
  return *this;
}

Stmt& Stmt::bind_text(int index, std::string_view value) {
  // A non-null pointer even for "" so an empty string binds as '' rather than NULL.
  const char* data = value.data() ? value.data() : "";
  const int rc = sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_error_ = fmt::format("bind parameter {}: {}", index, sqlite3_errmsg(db_));
  }
  return *this;
}

Stmt& Stmt::bind_opt_int(int index, std::optional<std::int64_t> value) {
  if (value) return bind_int(index, *value);
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_error_ = fmt::format("bind parameter {}: {}", index, sqlite3_errmsg(db_));
  }
  return *this;
}

namespace {
// The start of the SQL text, enough to tell which statement failed without flooding logs.
std::string_view sql_head(std::string_view sql) { return sql.substr(0, std::min<std::size_t>(sql.size(), 40)); }
}  // namespace

Error Stmt::step_error(int rc) const {
  // sqlite3_errmsg describes the failed step (prepare_v3 statements return the real code).
  const char* msg = sqlite3_errmsg(db_);
  if (!msg || !*msg) msg = sqlite3_errstr(rc);
  return Error{fmt::format("{} [{}...]", msg, sql_head(context_))};
}

Result<bool> Stmt::step() {
  if (bind_rc_ != SQLITE_OK) return Error{fmt::format("{} [{}...]", bind_error_, sql_head(context_))};
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return step_error(rc);
}

Status Stmt::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.error();
    if (!*r) return Status::Ok();
  }
}

void Stmt::reset() { sqlite3_reset(stmt_); }

std::int64_t Stmt::col_int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Stmt::col_text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool Stmt::col_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

// ------------------------------------------------------------------------------------------ Db

Db::Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Db::~Db() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.stmt);
  cache_.clear();
  // Every Stmt is gone by now (they never outlive the Db), so close_v2 closes immediately.
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Db>> Db::connect(const std::string& path, int flags, int busy_timeout_ms) {
  // Memory statistics make SQLite take a process-wide mutex around every malloc and free; nothing
  // here reads them. Only possible before SQLite initialises, hence once, before the first open.
  static const bool no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)no_memstatus;
  sqlite3* raw = nullptr;
  // NOMUTEX: SQLite's own per-connection mutex is redundant, SqliteStore serialises calls.
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Error{fmt::format("cannot open SQLite database {}: {}", path, msg), path};
  }
  std::unique_ptr<Db> db(new Db(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Result<std::unique_ptr<Db>> Db::open_reader(const std::string& path, int busy_timeout_ms) {
  // No journal or synchronous settings: a reader writes nothing, and WAL mode is a property of
  // the file, set by the writer's open().
  auto db = connect(path, SQLITE_OPEN_READONLY, busy_timeout_ms);
  if (!db.ok()) return db.error();
  auto st = (*db)->prepare("PRAGMA journal_mode");
  if (!st.ok()) return st.error();
  auto row = st->step();
  if (!row.ok()) return Error{fmt::format("{}: reader: {}", path, row.error().message), path};
  // Outside WAL a reader would block the writer (and wait for it): not worth having.
  if (!*row || st->col_text(0) != "wal") return Error{fmt::format("{}: reader: not in WAL mode", path), path};
  return db;
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int busy_timeout_ms) {
  auto opened = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_timeout_ms);
  if (!opened.ok()) return opened.error();
  std::unique_ptr<Db> db = std::move(*opened);

  // journal_mode answers with the mode in effect; an in-memory database stays "memory".
  {
    auto st = db->prepare("PRAGMA journal_mode=WAL");
    if (!st.ok()) return st.error();
    auto row = st->step();
    if (!row.ok()) return Error{fmt::format("{}: enable WAL: {}", path, row.error().message), path};
    const std::string mode = *row ? st->col_text(0) : "";
    if (mode != "wal" && mode != "memory")
      return Error{fmt::format("{}: cannot enable WAL journal mode (got \"{}\")", path, mode), path};
  }
  // synchronous=FULL: in WAL mode every commit fsyncs the WAL, so an acknowledged change
  // survives power loss, not just a process crash. journal_size_limit keeps the WAL file from
  // staying large after a burst.
  if (auto s = db->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                        "PRAGMA journal_size_limit=67108864;");
      !s.ok())
    return Error{fmt::format("{}: {}", path, s.error().message), path};
  return db;
}

Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Error{msg};
}

Result<Stmt> Db::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use)
    return Stmt(db_, it->second.stmt, &it->second.in_use, it->first);

  const bool cache_it = it == cache_.end();
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    cache_it ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return error(fmt::format("prepare [{}]", sql));
  }
  if (!stmt) return Error{fmt::format("prepare [{}]: empty statement", sql)};
  if (!cache_it) return Stmt(db_, stmt, nullptr, it->first);  // nested use: owned, finalized after
  auto [ins, _] = cache_.emplace(std::string(sql), Cached{stmt, false});
  return Stmt(db_, stmt, &ins->second.in_use, ins->first);
}

Error Db::error(std::string_view context) const {
  return Error{fmt::format("{}: {}", context, sqlite3_errmsg(db_))};
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

bool Db::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

// ----------------------------------------------------------------------------------------- Txn

Status Txn::begin() {
  auto st = db_.prepare("BEGIN IMMEDIATE");
  if (!st.ok()) return st.error();
  if (auto s = st->run(); !s.ok()) return s;
  active_ = true;
  return Status::Ok();
}

Status Txn::commit() {
  auto st = db_.prepare("COMMIT");
  if (!st.ok()) return st.error();
  if (auto s = st->run(); !s.ok()) return s;  // still active: the destructor rolls back
  active_ = false;
  return Status::Ok();
}

Txn::~Txn() {
  // Some errors (SQLITE_FULL, IOERR, NOMEM) already rolled the transaction back.
  if (!active_ || db_.autocommit()) return;
  if (auto st = db_.prepare("ROLLBACK"); st.ok()) (void)st->run();
}

// ------------------------------------------------------------------------------------- ReadTxn

Status ReadTxn::begin() {
  // BEGIN (deferred) takes the snapshot at the first read and never a write lock.
  if (auto s = db_.exec("BEGIN"); !s.ok()) return s;
  active_ = true;
  return Status::Ok();
}

ReadTxn::~ReadTxn() {
  if (active_ && !db_.autocommit()) (void)db_.exec("COMMIT");
}

}  // namespace vigil::store::sqlite
