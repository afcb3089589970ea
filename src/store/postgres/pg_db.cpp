#include "store/postgres/pg_db.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace vigil::store::postgres {
namespace {

constexpr Oid kInt8 = 20;
constexpr Oid kText = 25;
// pg_advisory_lock key held while migrating ("vigil" in ASCII).
constexpr std::int64_t kSchemaLock = 0x766967696c;

std::string_view sql_head(std::string_view sql) { return sql.substr(0, std::min<std::size_t>(sql.size(), 40)); }

// libpq's messages end with a newline (and sometimes carry a DETAIL line after it).
std::string one_line(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s.empty() ? "unknown error" : s;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool succeeded(const PGresult* r) {
  const auto st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

// "postgresql://user@host:port/dbname" from the parsed options: the password stays out of logs.
std::string display_name(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    PQfreemem(err);
    return "postgresql";
  }
  std::string user, host, port, dbname;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string_view k = o->keyword;
    if (k == "user") user = o->val;
    else if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    else if (k == "port") port = o->val;
    else if (k == "dbname") dbname = o->val;
  }
  PQconninfoFree(opts);
  return fmt::format("postgresql://{}{}{}{}/{}", user, user.empty() ? "" : "@", host, port.empty() ? "" : ":" + port,
                     dbname);
}

std::int64_t command_rows(const PGresult* r) {
  std::int64_t n = 0;
  const char* text = PQcmdTuples(const_cast<PGresult*>(r));
  if (text && *text) std::from_chars(text, text + std::char_traits<char>::length(text), n);
  return n;
}

}  // namespace

class PgStmt final : public sql::StmtImpl {
 public:
  PgStmt(PgDb& db, std::string sql) : db_(db), sql_(std::move(sql)) {}
  ~PgStmt() override = default;  // a prepared statement lives as long as its session

  void bind_int(int index, std::int64_t value) override {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    set(index, std::string(buf, end), kInt8, false);
  }
  void bind_text(int index, std::string_view value) override { set(index, std::string(value), kText, false); }
  // Typed by its column: the server infers a NULL's type from where it is used.
  void bind_null(int index) override { set(index, {}, 0, true); }

  Status run() override {
    if (!db_.pipelining()) return StmtImpl::run();
    if (!bind_error_.empty()) return Error{fmt::format("{} [{}...]", bind_error_, sql_head(sql_))};
    return send(nullptr);  // its answer is read later (pg_db.h)
  }

  Result<bool> step() override {
    if (!bind_error_.empty()) return Error{fmt::format("{} [{}...]", bind_error_, sql_head(sql_))};
    if (!result_) {
      if (db_.pipelining()) {
        // Rows are wanted now: this statement and everything queued before it, answered.
        if (auto s = send(this); !s.ok()) return s.error();
        if (auto s = db_.sync(); !s.ok()) return Error{fmt::format("{} [{}...]", s.error().message, sql_head(sql_))};
        if (!result_) return Error{fmt::format("no answer from the server [{}...]", sql_head(sql_))};
      } else {
        auto r = execute();
        if (!r.ok()) return r.error();
        result_ = std::move(*r);
        db_.set_changes(command_rows(result_.get()));
      }
      rows_ = PQntuples(result_.get());
      row_ = -1;
    }
    if (row_ + 1 < rows_) {
      ++row_;
      return true;
    }
    row_ = rows_;
    return false;
  }
  void reset() override {
    result_.reset();
    row_ = -1;
    rows_ = 0;
  }
  void release() override {
    reset();
    values_.clear();
    nulls_.clear();
    types_.clear();
    bind_error_.clear();
  }
  std::int64_t col_int(int col) const override {
    const char* v = PQgetvalue(result_.get(), row_, col);
    std::int64_t out = 0;
    if (v && *v) {
      const auto len = std::char_traits<char>::length(v);
      // SUM() of bigints is numeric: "12" or, for an average, "12.5" (the integer part is kept).
      std::from_chars(v, v + len, out);
    }
    return out;
  }
  std::string col_text(int col) const override {
    if (PQgetisnull(result_.get(), row_, col)) return {};
    return std::string(PQgetvalue(result_.get(), row_, col),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, col)));
  }
  bool col_null(int col) const override { return PQgetisnull(result_.get(), row_, col) != 0; }

  void take_result(PGresult* r) { result_.reset(r); }

 private:
  // Pipelined: the statement's PREPARE on its first use in this session, then its execution;
  // the answers are read at the next sync.
  Status send(PgStmt* wants) {
    PGconn* conn = db_.raw();
    const std::vector<const char*> params = param_pointers();
    const int n = static_cast<int>(params.size());
    auto failed = [&] { return Error{fmt::format("{} [{}...]", one_line(PQerrorMessage(conn)), sql_head(sql_))}; };
    if (!cached) {
      if (!PQsendQueryParams(conn, sql_.c_str(), n, types_.data(), params.data(), nullptr, nullptr, 0)) return failed();
      return db_.queued(wants);
    }
    if (prepared_in_ != db_.session()) {
      if (name_.empty()) name_ = db_.next_statement_name();
      if (!PQsendPrepare(conn, name_.c_str(), sql_.c_str(), n, types_.data())) return failed();
      prepared_in_ = db_.session();
      if (auto s = db_.queued(nullptr); !s.ok()) return s;
    }
    if (!PQsendQueryPrepared(conn, name_.c_str(), n, params.data(), nullptr, nullptr, 0)) return failed();
    return db_.queued(wants);
  }

  // libpq's view of the bound values: one C string per parameter, null for NULL.
  std::vector<const char*> param_pointers() const {
    std::vector<const char*> out(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) out[i] = nulls_[i] ? nullptr : values_[i].c_str();
    return out;
  }

  void set(int index, std::string value, Oid type, bool null) {
    if (index < 1 || index > 65535) {
      if (bind_error_.empty()) bind_error_ = fmt::format("bind parameter {}: out of range", index);
      return;
    }
    const auto i = static_cast<std::size_t>(index - 1);
    if (values_.size() <= i) {
      // A parameter the statement has but this use does not bind (an optional filter) is a
      // NULL text, so that the server can type it.
      values_.resize(i + 1);
      nulls_.resize(i + 1, true);
      types_.resize(i + 1, kText);
    }
    values_[i] = std::move(value);
    nulls_[i] = null;
    types_[i] = type;
  }

  // A connection the server dropped is only noticed when a statement fails on it: outside a
  // transaction, that statement is run once more on a new session.
  Result<ResultPtr> execute() {
    auto r = attempt();
    if (r.ok() || !db_.lost_outside_transaction()) return r;
    return attempt();
  }

  Result<ResultPtr> attempt() {
    auto conn = db_.live();
    if (!conn.ok()) return conn.error();
    const std::vector<const char*> params = param_pointers();
    const int n = static_cast<int>(params.size());
    if (!cached) {  // a one-off (nested) use: parsed, run and forgotten
      ResultPtr r(PQexecParams(*conn, sql_.c_str(), n, types_.data(), params.data(), nullptr, nullptr, 0));
      return checked(std::move(r), *conn);
    }
    if (prepared_in_ != db_.session()) {
      if (name_.empty()) name_ = db_.next_statement_name();
      ResultPtr p(PQprepare(*conn, name_.c_str(), sql_.c_str(), n, types_.data()));
      auto ok = checked(std::move(p), *conn);
      if (!ok.ok()) return ok.error();
      prepared_in_ = db_.session();
    }
    ResultPtr r(PQexecPrepared(*conn, name_.c_str(), n, params.data(), nullptr, nullptr, 0));
    return checked(std::move(r), *conn);
  }

  Result<ResultPtr> checked(ResultPtr r, PGconn* conn) const {
    if (r && succeeded(r.get())) return r;
    const char* msg = r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn);
    return Error{fmt::format("{} [{}...]", one_line(msg), sql_head(sql_))};
  }

  PgDb& db_;
  std::string sql_;
  std::string name_;
  int prepared_in_ = -1;  // the session the statement was prepared in
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<Oid> types_;
  std::string bind_error_;
  ResultPtr result_;
  int rows_ = 0;
  int row_ = -1;
};

std::string dollar_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;  // inside '...' or "..."
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '$';
      continue;
    }
    out += c;
  }
  return out;
}

PgDb::PgDb(PGconn* conn, std::string display) : sql::Db(std::move(display)), conn_(conn) {}

PgDb::~PgDb() {
  clear_cache();
  PQfinish(conn_);
}

Result<std::unique_ptr<PgDb>> PgDb::connect(const std::string& conninfo) {
  const std::string display = display_name(conninfo);
  // Defaults first, the configured string after them (expand_dbname): the user's values win.
  const char* keys[] = {"application_name", "connect_timeout", "dbname", nullptr};
  const char* values[] = {"vigil", "10", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (!conn) return Error{fmt::format("cannot connect to {}: out of memory", display), display};
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    return Error{fmt::format("cannot connect to {}: {}", display, msg), display};
  }
  std::unique_ptr<PgDb> db(new PgDb(conn, display));
  if (auto s = db->set_up_session(); !s.ok())
    return Error{fmt::format("{}: {}", display, s.error().message), display};
  return db;
}

Status PgDb::set_up_session() {
  // NOTICEs ("relation already exists, skipping") would go to stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  ++session_;
  // An acknowledged change must survive a crash of the server: a server set to
  // synchronous_commit=off would acknowledge commits it may lose. Stronger settings are kept.
  ResultPtr r(PQexec(conn_, "SHOW synchronous_commit"));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return Error{one_line(PQerrorMessage(conn_))};
  if (std::string_view(PQgetvalue(r.get(), 0, 0)) == "off") return exec("SET synchronous_commit = on");
  return Status::Ok();
}

Result<PGconn*> PgDb::live() {
  if (PQstatus(conn_) == CONNECTION_OK) return conn_;
  if (in_transaction_) return Error{fmt::format("{}: connection lost during a transaction", path()), path()};
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK)
    return Error{fmt::format("cannot reconnect to {}: {}", path(), one_line(PQerrorMessage(conn_))), path()};
  if (auto s = set_up_session(); !s.ok()) return s.error();
  return conn_;
}

std::string PgDb::next_statement_name() { return fmt::format("vigil_{}", ++statements_); }

Result<std::unique_ptr<sql::StmtImpl>> PgDb::compile(std::string_view sql) {
  return std::unique_ptr<sql::StmtImpl>(new PgStmt(*this, dollar_parameters(sql)));
}

Status PgDb::exec(const std::string& sql) {
  // Pipeline mode takes no simple query (DDL of a migration inside a transaction): answered up
  // to here, the connection leaves it for this one and comes back.
  if (pipelining_) {
    if (auto s = sync(); !s.ok()) return s;
    PQexitPipelineMode(conn_);
    pipelining_ = false;
    Status s = exec(sql);
    pipelining_ = PQenterPipelineMode(conn_) == 1;
    return s;
  }
  for (int attempt = 0;; ++attempt) {
    auto conn = live();
    if (!conn.ok()) return conn.error();
    ResultPtr r(PQexec(*conn, sql.c_str()));
    if (r && succeeded(r.get())) return Status::Ok();
    // As PgStmt::execute: once more on a new session if the server had dropped this one.
    if (attempt == 0 && lost_outside_transaction()) continue;
    return Error{one_line(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(*conn))};
  }
}

bool PgDb::lost_outside_transaction() const { return !in_transaction_ && PQstatus(conn_) == CONNECTION_BAD; }

Error PgDb::error(std::string_view context) const {
  return Error{fmt::format("{}: {}", context, one_line(PQerrorMessage(conn_)))};
}

Status PgDb::begin_write() {
  // BEGIN itself waits for its answer: a session the server dropped is noticed (and replaced)
  // here, before anything of the transaction is queued.
  if (auto s = exec("BEGIN"); !s.ok()) return s;
  in_transaction_ = true;
  pipeline_error_.clear();
  last_status_.clear();
  pipelining_ = PQenterPipelineMode(conn_) == 1;
  return Status::Ok();
}

Status PgDb::queued(PgStmt* wants) {
  queue_.push_back(wants);
  if (queue_.size() >= kPipelineDepth) return sync();  // the server's answers must not pile up
  return Status::Ok();
}

Status PgDb::sync() {
  if (!queue_.empty()) {
    if (!PQpipelineSync(conn_)) {
      if (pipeline_error_.empty()) pipeline_error_ = one_line(PQerrorMessage(conn_));
    } else {
      // One answer per statement (each followed by a null), then the sync point. Two nulls in a
      // row mean the connection is gone and nothing more will come.
      std::size_t next = 0;
      for (int nulls = 0; nulls < 2;) {
        PGresult* r = PQgetResult(conn_);
        if (!r) {
          ++nulls;
          continue;
        }
        nulls = 0;
        const auto status = PQresultStatus(r);
        if (status == PGRES_PIPELINE_SYNC) {
          PQclear(r);
          break;
        }
        PgStmt* wants = next < queue_.size() ? queue_[next] : nullptr;
        ++next;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
          changes_ = command_rows(r);
          last_status_ = PQcmdStatus(r);
          if (wants) {
            wants->take_result(r);
            continue;
          }
        } else if (pipeline_error_.empty()) {
          // After a failure the server skips the rest (PGRES_PIPELINE_ABORTED): the first says why.
          pipeline_error_ = status == PGRES_PIPELINE_ABORTED ? "aborted" : one_line(PQresultErrorMessage(r));
        }
        PQclear(r);
      }
      if (next < queue_.size() && pipeline_error_.empty())
        pipeline_error_ = "connection lost: " + one_line(PQerrorMessage(conn_));
    }
    queue_.clear();
  }
  if (!pipeline_error_.empty()) return Error{pipeline_error_};
  return Status::Ok();
}

bool PgDb::end_pipeline() {
  if (!pipelining_) return false;
  const bool failed = !pipeline_error_.empty();
  PQexitPipelineMode(conn_);
  pipelining_ = false;
  queue_.clear();
  pipeline_error_.clear();
  return failed;
}

void PgDb::forget_prepared() {
  ResultPtr r(PQexec(conn_, "DEALLOCATE ALL"));
  ++session_;  // every statement prepares itself again
}

std::int64_t PgDb::changes() {
  if (pipelining_ && !queue_.empty()) (void)sync();  // its failure stays for COMMIT
  return changes_;
}

Status PgDb::begin_read() {
  if (auto s = exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s.ok()) return s;
  in_transaction_ = true;
  return Status::Ok();
}

Status PgDb::commit() {
  if (pipelining_) {
    // COMMIT joins the queue; its answer comes with everyone's. Only "COMMIT" means committed.
    const bool sent = PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    if (sent) queue_.push_back(nullptr);
    Status s = sent ? sync() : Error{one_line(PQerrorMessage(conn_))};
    const bool committed = s.ok() && last_status_ == "COMMIT";
    const bool failed = end_pipeline();
    if (!committed) {
      // A failed statement left the transaction open (aborted) on the server: end it.
      ResultPtr r(PQexec(conn_, "ROLLBACK"));
      if (failed) forget_prepared();
      in_transaction_ = false;
      return s.ok() ? Error{"the transaction was rolled back"} : s;
    }
    in_transaction_ = false;
    return Status::Ok();
  }
  // Still "in a transaction" while COMMIT runs: a connection lost now must fail the commit,
  // not reconnect and commit nothing. Whatever the answer, the transaction is over.
  auto conn = live();
  if (!conn.ok()) {
    in_transaction_ = false;
    return conn.error();
  }
  ResultPtr r(PQexec(*conn, "COMMIT"));
  in_transaction_ = false;
  if (!r || !succeeded(r.get())) return Error{one_line(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(*conn))};
  // COMMIT of a transaction that had failed answers "ROLLBACK".
  if (std::string_view(PQcmdStatus(r.get())) != "COMMIT") return Error{"the transaction was rolled back"};
  return Status::Ok();
}

void PgDb::rollback() {
  bool failed = false;
  if (pipelining_) {
    (void)sync();
    failed = end_pipeline();
  }
  (void)exec("ROLLBACK");
  if (failed) forget_prepared();
  in_transaction_ = false;
}

Status PgDb::lock_schema() { return exec(fmt::format("SELECT pg_advisory_lock({})", kSchemaLock)); }

void PgDb::unlock_schema() { (void)exec(fmt::format("SELECT pg_advisory_unlock({})", kSchemaLock)); }

}  // namespace vigil::store::postgres
