// The PostgreSQL engine under the store's SQL (sql/db.h), over libpq: one connection, its
// statements prepared on the server at first use (typed by the first values bound) and kept
// for the session. `?N` parameters are rewritten to `$N`.
//
// Write transactions are pipelined (libpq's pipeline mode): the statements whose rows nobody
// reads are sent without waiting for their answers, which are read at the next statement that
// returns rows, at changes(), every kPipelineDepth statements, and at COMMIT. A group commit of
// N events is then about one round trip to the server instead of 2N; a failure anywhere fails
// the transaction at COMMIT at the latest, as it would have failed it earlier.
//
// A connection the server dropped (a restart, a failover) is re-established by the next
// statement made outside a transaction, which then runs on the new session; a transaction it
// interrupted fails and is not re-run here (the caller sees the error, as with any failed
// commit, and the next transaction reconnects). Private to src/store/postgres/: libpq's
// types are only forward-declared here.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "store/sql/db.h"

struct pg_conn;
struct pg_result;

namespace vigil::store::postgres {

class PgStmt;

class PgDb final : public sql::Db {
 public:
  // `conninfo`: a libpq URI or key=value string. Errors name the server, never the password.
  static Result<std::unique_ptr<PgDb>> connect(const std::string& conninfo);
  ~PgDb() override;

  Status exec(const std::string& sql) override;
  Error error(std::string_view context) const override;
  std::int64_t changes() override;
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
  pg_conn* raw() const { return conn_; }  // as it is (pipelined statements: inside a transaction)
  int session() const { return session_; }
  // The last statement failed because the server dropped the connection, and no transaction
  // was open: running it again on a new session is safe.
  bool lost_outside_transaction() const;
  void set_changes(std::int64_t n) { changes_ = n; }
  std::string next_statement_name();
  // Pipelining (a write transaction is open): queue a statement just sent; `wants` is told its
  // result (it reads rows), or null. Returns the pending failure, if a flush was due and failed.
  bool pipelining() const { return pipelining_; }
  Status queued(PgStmt* wants);
  // Sends a sync point and reads every queued answer; the first failure since BEGIN, if any.
  Status sync();

  static constexpr std::size_t kPipelineDepth = 256;  // statements queued before a sync

 protected:
  Result<std::unique_ptr<sql::StmtImpl>> compile(std::string_view sql) override;

 private:
  PgDb(pg_conn* conn, std::string display);
  Status set_up_session();

  // Leaves pipeline mode (the transaction stays as it is); true if something in it failed.
  bool end_pipeline();
  // After a failed pipeline, once the transaction is over: a PREPARE queued after the failure
  // never ran, though its statement counts it as done. All are dropped and prepared again.
  void forget_prepared();

  pg_conn* conn_ = nullptr;
  bool pipelining_ = false;
  std::vector<PgStmt*> queue_;  // sent since the last sync, in order (null: nobody reads it)
  std::string pipeline_error_;  // the first failure since BEGIN
  std::string last_status_;     // command tag of the last answer read ("COMMIT", "ROLLBACK", ...)
  int session_ = 0;
  int statements_ = 0;
  std::int64_t changes_ = 0;
  bool in_transaction_ = false;
};

// `?N` → `$N` outside string literals and quoted identifiers.
std::string dollar_parameters(std::string_view sql);

}  // namespace vigil::store::postgres
