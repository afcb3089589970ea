// The SQL the store speaks, over either engine: a connection (Db) with a cache of prepared
// statements, a borrowed statement (Stmt), a write transaction (Txn) and a read snapshot
// (ReadTxn). SqlStore (sql_store.h) is written once against these; src/store/sqlite/ and
// src/store/postgres/ implement them. Private to src/store/: no engine's header is included.
//
// SQL is written once, in the dialect both engines share: `?N` parameters (the PostgreSQL
// connection rewrites them to `$N`), `ON CONFLICT ... DO UPDATE SET x = excluded.x`,
// `RETURNING id`, `"user"` quoted, CASE instead of SQLite's two-argument MIN/MAX and boolean
// sums. Times are Unix epoch milliseconds in 64-bit integer columns.
//
// None of these types lock: a Db is used by one thread at a time (SqlStore holds a mutex).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/result.h"
#include "common/time.h"

namespace vigil::store::sql {

inline std::int64_t ms(Time t) { return t.time_since_epoch().count(); }
inline Time at_ms(std::int64_t v) { return Time{Duration{v}}; }
inline std::optional<std::int64_t> opt_ms(const std::optional<Time>& t) {
  if (!t) return std::nullopt;
  return ms(*t);
}
// "what: message", keeping the error's field.
Error with_context(std::string_view what, const Error& e);

// One prepared statement of an engine. Parameters are 1-based, columns 0-based. Bind errors
// are remembered and reported by step().
class StmtImpl {
 public:
  virtual ~StmtImpl() = default;
  virtual void bind_int(int index, std::int64_t value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;  // copied
  virtual void bind_null(int index) = 0;
  // true: a row is ready to read; false: the statement has finished.
  virtual Result<bool> step() = 0;
  // Runs a statement whose rows nobody reads (INSERT/UPDATE/DELETE/DDL). An engine may queue it
  // and report its failure later, by the end of its transaction (Db::commit) at the latest.
  virtual Status run();
  virtual void reset() = 0;    // rewinds; bindings are kept
  virtual void release() = 0;  // the borrow ends: rewinds and clears the bindings
  virtual std::int64_t col_int(int col) const = 0;
  virtual std::string col_text(int col) const = 0;  // NULL reads as ""
  virtual bool col_null(int col) const = 0;

  bool in_use = false;  // lent out by the cache
  bool cached = false;  // owned by the cache (otherwise by the Stmt that borrows it)
};

// One use of a prepared statement. Destruction hands it back to the cache (rewound, bindings
// cleared) so that no unfinished SELECT keeps a read transaction open.
class Stmt {
 public:
  explicit Stmt(StmtImpl* impl) : impl_(impl) { impl_->in_use = true; }
  Stmt(Stmt&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind_int(int index, std::int64_t value) {
    impl_->bind_int(index, value);
    return *this;
  }
  Stmt& bind_text(int index, std::string_view value) {
    impl_->bind_text(index, value);
    return *this;
  }
  Stmt& bind_opt_int(int index, std::optional<std::int64_t> value) {  // nullopt binds NULL
    if (value) impl_->bind_int(index, *value);
    else impl_->bind_null(index);
    return *this;
  }
  Result<bool> step() { return impl_->step(); }
  // For statements that return no rows (INSERT/UPDATE/DELETE/DDL): see StmtImpl::run.
  Status run() { return impl_->run(); }
  void reset() { impl_->reset(); }
  std::int64_t col_int(int col) const { return impl_->col_int(col); }
  std::string col_text(int col) const { return impl_->col_text(col); }
  bool col_null(int col) const { return impl_->col_null(col); }

 private:
  StmtImpl* impl_;
};

// One connection. Statements prepared through prepare() are cached by SQL text for the life of
// the connection and reused; a nested use of the same SQL gets a statement of its own.
class Db {
 public:
  virtual ~Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more SQL statements that return no rows (DDL, BEGIN ...).
  virtual Status exec(const std::string& sql) = 0;
  Result<Stmt> prepare(std::string_view sql);

  // `context: <the engine's message>` for the connection's most recent error.
  virtual Error error(std::string_view context) const = 0;
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  virtual std::int64_t changes() = 0;
  virtual bool in_transaction() const = 0;
  // Starts a write transaction that cannot fail half-way on a lock upgrade (SQLite: BEGIN
  // IMMEDIATE), or a read-only snapshot.
  virtual Status begin_write() = 0;
  virtual Status begin_read() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;
  // Held by migrate() while it reads and moves the schema version, so two processes starting
  // on one database do not migrate it twice (SQLite's write transaction already is such a lock).
  virtual Status lock_schema() { return Status::Ok(); }
  virtual void unlock_schema() {}
  // Appended to a SELECT whose rows the transaction goes on to claim: PostgreSQL locks them and
  // skips those another session holds (so two nodes never claim one row); SQLite has one
  // writer at a time and no such clause.
  virtual std::string_view claim_rows_clause() const { return {}; }
  // What the database is called in messages (a file path; a PostgreSQL URI without password).
  const std::string& path() const { return path_; }

 protected:
  explicit Db(std::string path) : path_(std::move(path)) {}
  // A new statement of the engine for `sql` (compiled now or on first use).
  virtual Result<std::unique_ptr<StmtImpl>> compile(std::string_view sql) = 0;
  // Drops every cached statement; engines call it before closing their connection.
  void clear_cache() { cache_.clear(); }

 private:
  std::string path_;
  // Looked up by string_view (no copy of the SQL per use: an upsert's text is ~900 bytes).
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<StmtImpl>, SqlHash, std::equal_to<>> cache_;
};

// A write transaction; rolls back on destruction unless committed.
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

// A read transaction: the statements run inside it see one committed state. Ended on
// destruction, so an error return never leaves a snapshot pinned.
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

}  // namespace vigil::store::sql
