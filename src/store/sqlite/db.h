// Small RAII wrappers over the raw SQLite C API: a connection (Db) with a cache of prepared
// statements, a borrowed statement (Stmt) that resets itself when done, and a write
// transaction (Txn) that rolls back unless committed. Private to src/store/sqlite/: the
// sqlite3 types are only forward-declared here, sqlite3.h is included by the .cpp files.
//
// None of these types lock: a Db is used by one thread at a time (SqliteStore holds a mutex).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "common/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vigil::store::sqlite {

// Times are stored as Unix epoch milliseconds (INTEGER columns).
inline std::int64_t ms(Time t) { return t.time_since_epoch().count(); }
inline Time at_ms(std::int64_t v) { return Time{Duration{v}}; }
// "what: message", keeping the error's field.
Error with_context(std::string_view what, const Error& e);

// One use of a prepared statement: bind parameters (1-based), step, read columns (0-based).
// Destruction resets the statement and clears its bindings so the cache can lend it again and
// no unfinished SELECT keeps a read transaction open.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Bind errors (a wrong index, out of memory) are remembered and reported by step()/run().
  Stmt& bind_int(int index, std::int64_t value);
  Stmt& bind_text(int index, std::string_view value);  // copied (SQLITE_TRANSIENT)
  Stmt& bind_opt_int(int index, std::optional<std::int64_t> value);  // nullopt binds NULL

  // true: a row is ready to read; false: the statement has finished.
  Result<bool> step();
  // Steps to completion; for statements that return no rows (INSERT/UPDATE/DELETE/DDL).
  Status run();
  // Rewinds to run the statement again in the same borrow (bindings are kept until rebound).
  void reset();

  std::int64_t col_int(int col) const;
  std::string col_text(int col) const;  // NULL reads as ""
  bool col_null(int col) const;

 private:
  friend class Db;
  Stmt(sqlite3* db, sqlite3_stmt* stmt, bool* in_use, std::string_view context);
  Error step_error(int rc) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // the cache slot's flag; null when the statement is owned (uncached)
  std::string_view context_;  // the SQL text, for error messages
  int bind_rc_ = 0;
  std::string bind_error_;
};

// One SQLite connection. Statements prepared through prepare() are cached by SQL text for the
// life of the connection (SQLITE_PREPARE_PERSISTENT) and reused.
class Db {
 public:
  // Opens (creating if needed) the database file and applies the connection settings: WAL
  // journal, synchronous=FULL, foreign_keys=ON, busy_timeout.
  static Result<std::unique_ptr<Db>> open(const std::string& path, int busy_timeout_ms);
  // A read-only connection to a WAL database that open() has already set up (in this process or
  // another). In WAL mode its reads see the last commit and never wait for a writer.
  static Result<std::unique_ptr<Db>> open_reader(const std::string& path, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more SQL statements that return no rows (DDL, PRAGMA, BEGIN ...).
  Status exec(const std::string& sql);
  // A cached prepared statement. If the cached one is still lent out (a nested use of the
  // same SQL), a fresh statement is prepared for this use and finalized afterwards.
  Result<Stmt> prepare(std::string_view sql);

  // `context: <sqlite3_errmsg>` for the connection's most recent error.
  Error error(std::string_view context) const;
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  // False when a transaction is open.
  bool autocommit() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }  // for connection-level hooks (checkpointer.h)

 private:
  Db(sqlite3* db, std::string path);
  static Result<std::unique_ptr<Db>> connect(const std::string& path, int flags, int busy_timeout_ms);
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  sqlite3* db_ = nullptr;
  std::string path_;
  // Looked up by string_view (no copy of the SQL per use: an upsert's text is ~900 bytes).
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Cached, SqlHash, std::equal_to<>> cache_;  // node-based: &Cached::in_use stays valid
};

// A write transaction: BEGIN IMMEDIATE (takes the write lock up front, so it never fails
// half-way with SQLITE_BUSY on lock upgrade). Rolls back on destruction unless committed.
class Txn {
 public:
  explicit Txn(Db& db) : db_(db) {}
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Status begin();
  Status commit();

 private:
  Db& db_;
  bool active_ = false;
};

// A read transaction: the statements run inside it see one committed state. Ended (COMMIT,
// which for a read only releases the snapshot) on destruction, so an error return never
// leaves a snapshot pinning the WAL.
class ReadTxn {
 public:
  explicit ReadTxn(Db& db) : db_(db) {}
  ~ReadTxn();
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  Status begin();

 private:
  Db& db_;
  bool active_ = false;
};

}  // namespace vigil::store::sqlite
