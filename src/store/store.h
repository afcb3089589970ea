// Store: everything vigil persists, behind verbs that map onto one SQLite file today and
// one PostgreSQL shared by several nodes later (DESIGN.md §6). Nothing above this header
// knows which engine is underneath. Implementations are thread-safe (calls serialise
// internally) and blocking: the shell calls them off its event loops.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "incident/incident.h"

namespace vigil::store {

// One probe outcome as kept in history (the full CheckResult is not kept: body is not).
struct ResultRow {
  std::string check_id;
  Time at{};
  bool passed = false;
  int status = 0;
  Duration total{};  // response time
  std::string error;  // reason when failed
};

struct IncidentFilter {
  std::optional<bool> open;  // nullopt: all; true: triggered+acknowledged; false: resolved
  std::optional<std::string> service;
  int limit = 500;  // newest first
};

struct OutboxRow {
  incident::OutboxMessage message;
  int attempts = 0;  // deliveries tried so far
  Time next_attempt_at{};
  std::string last_error;
};

class Store {
 public:
  virtual ~Store() = default;

  // Appends probe results (one transaction for the batch).
  virtual Status append_results(const std::vector<ResultRow>& rows) = 0;
  // Deletes results older than `before`; returns how many were deleted.
  virtual Result<std::int64_t> prune_results(Time before) = 0;
  // Most recent results of one check, newest first.
  virtual Result<std::vector<ResultRow>> recent_results(const std::string& check_id, int limit) = 0;

  // Atomically upserts the incident, appends its new timeline entries and enqueues its outbox
  // messages. Returns only after the transaction is durable.
  virtual Status apply(const incident::IncidentChange& change) = 0;
  // Applies several changes durably with one commit where possible (group commit); returns one
  // Status per change, in order. A bad change fails alone: the others still land.
  virtual std::vector<Status> apply_batch(const std::vector<incident::IncidentChange>& changes) = 0;
  // Incidents newest first, without timelines.
  virtual Result<std::vector<incident::Incident>> list_incidents(const IncidentFilter& filter) = 0;
  // One incident with its full timeline; nullopt if there is no such id.
  virtual Result<std::optional<incident::Incident>> get_incident(std::int64_t id) = 0;
  // Every open incident with its timeline (used at start-up to rebuild the IncidentBook).
  virtual Result<std::vector<incident::Incident>> open_incidents() = 0;
  // Highest incident id ever assigned (0 if none).
  virtual Result<std::int64_t> max_incident_id() = 0;

  // Outbox messages due at `now` and not delivered, oldest first, at most `limit`. Claimed rows
  // are not returned again by another claim until `now + lease` (so a crashed sender's rows come
  // back, and on PostgreSQL two nodes never send the same row within a lease).
  virtual Result<std::vector<OutboxRow>> claim_outbox(Time now, Duration lease, int limit) = 0;
  virtual Status mark_delivered(const std::string& message_id, Time at) = 0;
  virtual Status mark_failed(const std::string& message_id, const std::string& error, Time next_attempt_at) = 0;
  // Number of undelivered outbox messages.
  virtual Result<std::int64_t> outbox_pending() = 0;

  // Small facts of this installation (e.g. the generated key that signs page links).
  virtual Result<std::optional<std::string>> get_meta(const std::string& key) = 0;
  // Sets `key` unless it is already set; returns the value now stored (first writer wins, so
  // two nodes sharing a database agree on one value).
  virtual Result<std::string> put_meta_once(const std::string& key, const std::string& value) = 0;
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode and runs migrations.
Result<std::unique_ptr<Store>> open_sqlite(const std::string& path);

}  // namespace vigil::store
