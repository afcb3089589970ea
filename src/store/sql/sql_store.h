// SqlStore: the Store over SQL, on one SQLite file (the default, single-node deployment) or
// on a PostgreSQL database (DESIGN.md §6). The logic and the SQL are written once (sql/db.h);
// what differs per engine is how connections are opened and the schema (sqlite/schema.cpp,
// postgres/schema.cpp).
//
// Durability: every method that writes returns only after its transaction is committed and
// durable (SQLite: WAL with synchronous=FULL, each commit fsynced; PostgreSQL: its WAL with
// synchronous_commit on, the server's default), so a kill -9 or power loss afterwards loses
// nothing. Each write method is one transaction (append_results: one per batch, apply_batch:
// one per group of changes, which is what amortises the fsync at high rates).
//
// Threads: one writing connection guarded by one mutex; calls from any thread serialise. Calls
// block (disk and network I/O), so the event loops call them through a worker. prune_results
// deletes in chunks, releasing the mutex between chunks so a large retention sweep does not
// stall writers. The long reads over a window (window_sums, visit_spans: reports and uptime over
// an alert storm's hundreds of thousands of incidents) run on a second connection with a mutex
// of its own, reading the last commit while the writer commits, so a report never holds up a
// group commit. An in-memory SQLite database has no second connection: they use the writer's.
// On SQLite a checkpointer thread moves the WAL into the database file off the commit path.
//
// Private to src/store/ (and its tests): everything else uses store::open_sqlite() or
// store::open_postgres().
#pragma once
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/sql/migrations.h"
#include "store/store.h"

namespace vigil::store::sql {

class Db;

struct Options {
  std::span<const Migration> migrations;  // empty: the engine's own list
  int busy_timeout_ms = 5000;  // SQLite: waiting for another process's write lock
  int prune_chunk = 20000;     // rows deleted per transaction by prune_results
};

class SqlStore final : public Store {
 public:
  // `path`: a file, or ":memory:" (no second connection, no checkpointer).
  static Result<std::unique_ptr<SqlStore>> open_sqlite(const std::string& path, const Options& options = {});
  // `conninfo`: a libpq connection string or URI ("postgresql://vigil@db.example/vigil").
  static Result<std::unique_ptr<SqlStore>> open_postgres(const std::string& conninfo, const Options& options = {});
  ~SqlStore() override;

  // What open() found and did to the schema.
  const MigrationReport& migration_report() const { return migrations_; }

  Status append_results(const std::vector<ResultRow>& rows) override;
  Result<std::int64_t> prune_results(Time before) override;
  Result<std::vector<ResultRow>> recent_results(const std::string& check_id, int limit) override;

  Status apply(const incident::IncidentChange& change) override;
  Result<std::vector<incident::Incident>> list_incidents(const IncidentFilter& filter) override;
  Result<std::optional<incident::Incident>> get_incident(std::int64_t id) override;
  Result<std::vector<incident::Incident>> open_incidents() override;
  Result<std::int64_t> max_incident_id() override;

  Result<std::vector<OutboxRow>> claim_outbox(Time now, Duration lease, int limit) override;
  Status mark_delivered(const std::string& message_id, Time at) override;
  Status mark_failed(const std::string& message_id, const std::string& error, Time next_attempt_at) override;
  Result<std::int64_t> outbox_pending() override;
  Result<std::optional<std::string>> get_meta(const std::string& key) override;
  Result<std::string> put_meta_once(const std::string& key, const std::string& value) override;
  Status enqueue_outbox(const std::vector<incident::OutboxMessage>& messages, const std::string& key,
                        const std::string& value) override;
  std::vector<Status> apply_batch(const std::vector<incident::IncidentChange>& changes) override;
  Result<std::vector<ResultRow>> results_between(const std::vector<std::string>& check_ids, Time from, Time to,
                                                 int limit) override;

  // report_store.cpp (on the reader connection)
  Result<WindowSums> window_sums(Time from, Time to) override;
  Status visit_spans(Time from, Time to, const std::function<void(const IncidentSpan&)>& visit) override;

  // postmortem_store.cpp
  Result<std::optional<StoredPostmortem>> get_postmortem(std::int64_t incident_id) override;
  Status put_postmortem(const StoredPostmortem& pm) override;
  Result<std::vector<ScheduleOverride>> list_schedule_overrides(const std::string& schedule) override;
  Result<ScheduleOverride> create_schedule_override(ScheduleOverride o) override;
  Status delete_schedule_override(std::int64_t id) override;
  Result<std::vector<incident::MaintenanceWindow>> list_maintenance_windows() override;
  Result<incident::MaintenanceWindow> create_maintenance_window(incident::MaintenanceWindow w) override;
  Status set_maintenance_end(std::int64_t id, Time end) override;
  Status delete_maintenance_window(std::int64_t id) override;
  Result<std::map<std::string, rules::HeartbeatState>> heartbeats() override;
  Status put_heartbeats(const std::map<std::string, rules::HeartbeatState>& states) override;
  Result<std::vector<ActionItem>> list_action_items(const ActionItemFilter& filter) override;
  Result<std::optional<ActionItem>> get_action_item(std::int64_t id) override;
  Result<ActionItem> create_action_item(ActionItem item) override;
  Status update_action_item(const ActionItem& item) override;
  Status delete_action_item(std::int64_t id) override;

  // auth_store.cpp
  Result<ApiToken> create_api_token(ApiToken token) override;
  Result<std::optional<ApiToken>> find_api_token(const std::string& sha256_hex) override;
  Result<std::vector<ApiToken>> list_api_tokens() override;
  Status delete_api_token(std::int64_t id) override;
  Status touch_api_token(std::int64_t id, Time at) override;
  Status put_session(const SessionRow& s) override;
  Result<std::optional<SessionRow>> find_session(const std::string& sha256_hex, Time now) override;
  Status delete_session(const std::string& sha256_hex) override;
  Result<std::int64_t> prune_sessions(Time now) override;

 private:
  SqlStore(std::unique_ptr<Db> db, MigrationReport report, Options options);
  Status apply_locked(const incident::IncidentChange& change);
  Status apply_rows(const incident::IncidentChange& change);  // inside a transaction
  Status insert_outbox(const std::vector<incident::OutboxMessage>& outbox);  // inside a transaction
  Status load_timeline(incident::Incident& incident);
  // DELETE FROM `table` WHERE id = `id`; Error{"no <what> <id>", "id"} when there was none.
  Status delete_by_id(std::string_view table, std::int64_t id, std::string_view what);

  std::mutex mu_;
  std::unique_ptr<Db> db_;  // guarded by mu_
  // The engine's helper beside the writer (SQLite's checkpointer thread), after db_: it stops
  // before the connection closes.
  std::shared_ptr<void> background_;

  // The connection long reads use, locked: the reader, or the writer when there is none.
  struct ReadLock {
    std::unique_lock<std::mutex> lock;
    Db& db;
  };
  ReadLock lock_reader();
  std::mutex reader_mu_;
  std::unique_ptr<Db> reader_;  // guarded by reader_mu_; last: closes before the writer
  MigrationReport migrations_;
  Options options_;
};

}  // namespace vigil::store::sql
