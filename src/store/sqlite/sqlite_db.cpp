#include "store/sqlite/sqlite_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace vigil::store::sqlite {
namespace {

// The start of the SQL text, enough to tell which statement failed without flooding logs.
std::string_view sql_head(std::string_view sql) { return sql.substr(0, std::min<std::size_t>(sql.size(), 40)); }

class SqliteStmt final : public sql::StmtImpl {
 public:
  SqliteStmt(sqlite3* db, sqlite3_stmt* stmt, std::string sql) : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  ~SqliteStmt() override { sqlite3_finalize(stmt_); }

  void bind_int(int index, std::int64_t value) override { check_bind(index, sqlite3_bind_int64(stmt_, index, value)); }
  void bind_text(int index, std::string_view value) override {
    // A non-null pointer even for "" so an empty string binds as '' rather than NULL.
    const char* data = value.data() ? value.data() : "";
    check_bind(index, sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_null(int index) override { check_bind(index, sqlite3_bind_null(stmt_, index)); }

  Result<bool> step() override {
    if (bind_rc_ != SQLITE_OK) return Error{fmt::format("{} [{}...]", bind_error_, sql_head(sql_))};
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // sqlite3_errmsg describes the failed step (prepare_v3 statements return the real code).
    const char* msg = sqlite3_errmsg(db_);
    if (!msg || !*msg) msg = sqlite3_errstr(rc);
    return Error{fmt::format("{} [{}...]", msg, sql_head(sql_))};
  }
  void reset() override { sqlite3_reset(stmt_); }
  void release() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    bind_rc_ = SQLITE_OK;
    bind_error_.clear();
  }
  std::int64_t col_int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  std::string col_text(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (!p) return {};
    return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  bool col_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  void check_bind(int index, int rc) {
    if (rc == SQLITE_OK || bind_rc_ != SQLITE_OK) return;
    bind_rc_ = rc;
    bind_error_ = fmt::format("bind parameter {}: {}", index, sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  int bind_rc_ = SQLITE_OK;
  std::string bind_error_;
};

}  // namespace

SqliteDb::SqliteDb(sqlite3* db, std::string path) : sql::Db(std::move(path)), db_(db) {}

SqliteDb::~SqliteDb() {
  clear_cache();
  // Every Stmt is gone by now (they never outlive the Db), so close_v2 closes immediately.
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::connect(const std::string& path, int flags, int busy_timeout_ms) {
  // Memory statistics make SQLite take a process-wide mutex around every malloc and free; nothing
  // here reads them. Only possible before SQLite initialises, hence once, before the first open.
  static const bool no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)no_memstatus;
  sqlite3* raw = nullptr;
  // NOMUTEX: SQLite's own per-connection mutex is redundant, SqlStore serialises calls.
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Error{fmt::format("cannot open SQLite database {}: {}", path, msg), path};
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open_reader(const std::string& path, int busy_timeout_ms) {
  // No journal or synchronous settings: a reader writes nothing, and WAL mode is a property of
  // the file, set by the writer's open().
  auto db = connect(path, SQLITE_OPEN_READONLY, busy_timeout_ms);
  if (!db.ok()) return db.error();
  {
    auto st = (*db)->prepare("PRAGMA journal_mode");
    if (!st.ok()) return st.error();
    auto row = st->step();
    if (!row.ok()) return Error{fmt::format("{}: reader: {}", path, row.error().message), path};
    // Outside WAL a reader would block the writer (and wait for it): not worth having.
    if (!*row || st->col_text(0) != "wal") return Error{fmt::format("{}: reader: not in WAL mode", path), path};
  }
  return db;
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path, int busy_timeout_ms) {
  auto opened = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_timeout_ms);
  if (!opened.ok()) return opened.error();
  std::unique_ptr<SqliteDb> db = std::move(*opened);

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

Status SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Error{msg};
}

Result<std::unique_ptr<sql::StmtImpl>> SqliteDb::compile(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return error(fmt::format("prepare [{}]", sql));
  }
  if (!stmt) return Error{fmt::format("prepare [{}]: empty statement", sql)};
  return std::unique_ptr<sql::StmtImpl>(new SqliteStmt(db_, stmt, std::string(sql)));
}

Error SqliteDb::error(std::string_view context) const {
  return Error{fmt::format("{}: {}", context, sqlite3_errmsg(db_))};
}

std::int64_t SqliteDb::changes() { return sqlite3_changes64(db_); }

bool SqliteDb::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// Transaction control through cached statements: parsed once, not on every group commit.
Status SqliteDb::run_cached(std::string_view sql) {
  auto st = prepare(sql);
  if (!st.ok()) return st.error();
  return st->run();
}

Status SqliteDb::begin_write() { return run_cached("BEGIN IMMEDIATE"); }
Status SqliteDb::begin_read() { return exec("BEGIN"); }
Status SqliteDb::commit() { return run_cached("COMMIT"); }
void SqliteDb::rollback() { (void)run_cached("ROLLBACK"); }

}  // namespace vigil::store::sqlite
