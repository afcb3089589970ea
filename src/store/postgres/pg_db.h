// The PostgreSQL engine under the store's SQL (sql/db.h), over libpq: one connection, its
// statements prepared on the server at first use (typed by the first values bound) and kept
// for the session. `?N` parameters are rewritten to `$N`.
//
// A connection the server dropped (a restart, a failover) is re-established by the next
// statement made outside a transaction, which then runs on the new session; a transaction it
// interrupted fails and is not re-run here (the caller sees the error, as with any failed
// commit, and the next transaction reconnects). Private to src/store/postgres/: libpq's
// types are only forward-declared here.
#pragma once
#include <memory>
#include <string>

#include "store/sql/db.h"

struct pg_conn;

namespace vigil::store::postgres {

class PgDb final : public sql::Db {
 public:
  // `conninfo`: a libpq URI or key=value string. Errors name the server, never the password.
  static Result<std::unique_ptr<PgDb>> connect(const std::string& conninfo);
  ~PgDb() override;

  Status exec(const std::string& sql) override;
  Error error(std::string_view context) const override;
  std::int64_t changes() const override { return changes_; }
  bool in_transaction() const override { return in_transaction_; }
  Status begin_write() override;  // BEGIN (READ COMMITTED; rows are locked as they are written)
  Status begin_read() override;   // BEGIN ... REPEATABLE READ, READ ONLY: one snapshot
  Status commit() override;
  void rollback() override;
  std::string_view claim_rows_clause() const override { return " FOR UPDATE SKIP LOCKED"; }
  Status lock_schema() override;  // a session advisory lock, held while migrating
  void unlock_schema() override;

  // For PgStmt: the live connection (re-established if it broke outside a transaction), or an
  // error; and a number that changes with every new session (prepared statements die with it).
  Result<pg_conn*> live();
  int session() const { return session_; }
  // The last statement failed because the server dropped the connection, and no transaction
  // was open: running it again on a new session is safe.
  bool lost_outside_transaction() const;
  void set_changes(std::int64_t n) { changes_ = n; }
  std::string next_statement_name();

 protected:
  Result<std::unique_ptr<sql::StmtImpl>> compile(std::string_view sql) override;

 private:
  PgDb(pg_conn* conn, std::string display);
  Status control(const char* sql);  // BEGIN/COMMIT/ROLLBACK and the like
  Status set_up_session();

  pg_conn* conn_ = nullptr;
  int session_ = 0;
  int statements_ = 0;
  std::int64_t changes_ = 0;
  bool in_transaction_ = false;
};

// `?N` → `$N` outside string literals and quoted identifiers.
std::string dollar_parameters(std::string_view sql);

}  // namespace vigil::store::postgres
