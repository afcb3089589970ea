// The SQLite engine under the store's SQL (sql/db.h): one connection to a database file with
// its statements prepared once (SQLITE_PREPARE_PERSISTENT). Private to src/store/sqlite/: the
// sqlite3 types are only forward-declared here, sqlite3.h is included by the .cpp files.
#pragma once
#include <memory>
#include <string>

#include "store/sql/db.h"

struct sqlite3;

namespace vigil::store::sqlite {

class SqliteDb final : public sql::Db {
 public:
  // Opens (creating if needed) the database file and applies the connection settings: WAL
  // journal, synchronous=FULL, foreign_keys=ON, busy_timeout.
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& path, int busy_timeout_ms);
  // A read-only connection to a WAL database that open() has already set up (in this process or
  // another). In WAL mode its reads see the last commit and never wait for a writer.
  static Result<std::unique_ptr<SqliteDb>> open_reader(const std::string& path, int busy_timeout_ms);
  ~SqliteDb() override;

  Status exec(const std::string& sql) override;
  Error error(std::string_view context) const override;
  std::int64_t changes() override;
  bool in_transaction() const override;
  Status begin_write() override;  // BEGIN IMMEDIATE: the write lock up front
  Status begin_read() override;   // BEGIN (deferred): the snapshot at the first read
  Status commit() override;
  void rollback() override;
  sqlite3* handle() const { return db_; }  // for connection-level hooks (checkpointer.h)

 protected:
  Result<std::unique_ptr<sql::StmtImpl>> compile(std::string_view sql) override;

 private:
  SqliteDb(sqlite3* db, std::string path);
  static Result<std::unique_ptr<SqliteDb>> connect(const std::string& path, int flags, int busy_timeout_ms);
  Status run_cached(std::string_view sql);

  sqlite3* db_ = nullptr;
};

}  // namespace vigil::store::sqlite
