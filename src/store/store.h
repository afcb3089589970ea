// Store: everything vigil persists, behind verbs that map onto one SQLite file or one
// PostgreSQL database (DESIGN.md §6). Nothing above this header knows which engine is
// underneath. Implementations are thread-safe (calls serialise
// internally) and blocking: the shell calls them off its event loops.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "incident/incident.h"
#include "incident/maintenance.h"
#include "rules/heartbeat.h"

namespace vigil::store {

// One probe outcome as kept in history (the full CheckResult is not kept: body is not).
struct ResultRow {
  std::string check_id;
  Time at{};
  bool passed = false;
  int status = 0;
  Duration total{};  // response time
  std::string error;  // reason when failed
  // Numeric figures worth charting later (error_rate, busy_workers_ratio, p95, requests...), only
  // for check types that have them; kept as one JSON text column, absent for http/tcp.
  std::map<std::string, double> figures;
};

// A postmortem section as stored. `edited`: a person wrote it, and generated text never
// replaces it; otherwise it holds the last generated draft.
struct PostmortemSection {
  std::string key;  // summary|timeline|root_cause|corrective|lessons (postmortem/model.h)
  std::string markdown;
  bool edited = false;
  std::string edited_by;
  Time updated_at{};
};

struct StoredPostmortem {
  std::int64_t incident_id = 0;
  std::vector<PostmortemSection> sections;  // in report order
  Time generated_at{};                      // when the draft was last generated
};

// A corrective or preventative measure, tracked until done.
struct ActionItem {
  std::int64_t id = 0;           // assigned by the store
  std::int64_t incident_id = 0;  // 0: not tied to one incident
  std::string text;
  std::string owner;  // user id or free text
  std::string due;    // YYYY-MM-DD, or empty
  std::string status = "open";  // open|done
  Time created_at{};
  Time updated_at{};
};

struct ActionItemFilter {
  std::optional<std::int64_t> incident_id;
  std::optional<std::string> status;
  std::optional<std::string> owner;
};

// Someone on call in a schedule for a while, made at run time (the config's overrides are in
// the config). Wins over the schedule's layers and over earlier overrides, as in PagerDuty.
struct ScheduleOverride {
  std::int64_t id = 0;  // assigned by the store
  std::string schedule;
  std::string user;  // user id
  Time start{};
  Time end{};              // after start
  std::string created_by;  // who made it ("api" when nobody said)
  Time created_at{};
};

// An API token: only its SHA-256 is kept; the token itself is shown once when created.
struct ApiToken {
  std::int64_t id = 0;
  std::string user;  // the user it acts as (roles come from that user's config)
  std::string name;  // what it is for, e.g. "ci"
  std::string sha256_hex;
  Time created_at{};
  std::optional<Time> last_used_at;
};

// A web session: only the SHA-256 of the cookie value is kept.
struct SessionRow {
  std::string sha256_hex;
  std::string user;
  std::string csrf_token;
  Time created_at{};
  Time expires_at{};
};

struct IncidentFilter {
  std::optional<bool> open;  // nullopt: all; true: triggered+acknowledged; false: resolved
  std::optional<std::string> service;
  int limit = 500;  // newest first
};

// What a report needs of the incidents overlapping a window [from, to) — those whose
// [started_at, resolved_at, or forever while open] meets it (resolved exactly at `from` counts) —
// summed per service by the store, so no incident is read one by one.
struct ServiceSums {
  std::string service;
  int incidents = 0;           // started in [from, to)
  int acknowledged = 0;        // of those, acknowledged
  Duration to_acknowledge{};   //   and their sum of acknowledged_at − detected_at
  int resolved = 0;            // of those, resolved
  Duration to_resolve{};       //   and their sum of resolved_at − detected_at
  int pages = 0;               // "paged" timeline entries with at in [from, to), of every overlapping one
  int action_items_open = 0;   // open action items of every overlapping one
  // Of the incidents started in [from, to): the low-urgency ones (incident/incident.h Urgency),
  // and the high-urgency ones acknowledged with their sum of acknowledged_at − detected_at.
  int low_urgency = 0;
  int high_acknowledged = 0;
  Duration high_to_acknowledge{};
};

struct WindowSums {
  std::vector<ServiceSums> services;  // every service with an incident overlapping the window, by name
  int action_items_open = 0;          // every open action item, tied to such an incident or not
};

// An incident's time clamped to a window: [max(started_at, from), min(resolved_at or to, to)).
struct IncidentSpan {
  std::string service;
  std::string severity;
  Time start{};
  Time end{};
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
  // Results of these checks with from <= at < to, oldest first, at most `limit` (charts, reports).
  virtual Result<std::vector<ResultRow>> results_between(const std::vector<std::string>& check_ids, Time from,
                                                         Time to, int limit) = 0;

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
  // Long reads over a window (reports, uptime). They never wait for a write in progress (on
  // SQLite they run on a read-only connection of their own) and see one committed state.
  // Per-service sums of the incidents overlapping [from, to) (reports: MTTA, MTTR, pages).
  virtual Result<WindowSums> window_sums(Time from, Time to) = 0;
  // Calls `visit` for every incident overlapping [from, to) for a positive time, with its span
  // clamped to the window, in order of start (so overlaps merge in one pass: downtime, uptime).
  // `visit` must not call the store.
  virtual Status visit_spans(Time from, Time to, const std::function<void(const IncidentSpan&)>& visit) = 0;

  // Postmortems (one per incident) and their action items.
  virtual Result<std::optional<StoredPostmortem>> get_postmortem(std::int64_t incident_id) = 0;
  virtual Status put_postmortem(const StoredPostmortem& pm) = 0;  // replaces all its sections
  virtual Result<std::vector<ActionItem>> list_action_items(const ActionItemFilter& filter) = 0;
  virtual Result<std::optional<ActionItem>> get_action_item(std::int64_t id) = 0;
  virtual Result<ActionItem> create_action_item(ActionItem item) = 0;  // id and times assigned
  virtual Status update_action_item(const ActionItem& item) = 0;       // error when no such id
  virtual Status delete_action_item(std::int64_t id) = 0;

  // Schedule overrides, oldest first; those of one schedule when `schedule` is not empty.
  virtual Result<std::vector<ScheduleOverride>> list_schedule_overrides(const std::string& schedule) = 0;
  virtual Result<ScheduleOverride> create_schedule_override(ScheduleOverride o) = 0;  // id and created_at assigned
  virtual Status delete_schedule_override(std::int64_t id) = 0;  // error (field "id") when no such id

  // Maintenance windows made at run time, oldest first.
  virtual Result<std::vector<incident::MaintenanceWindow>> list_maintenance_windows() = 0;
  // id and created_at assigned; error (field "end") unless end > start, ("services") when none.
  virtual Result<incident::MaintenanceWindow> create_maintenance_window(incident::MaintenanceWindow w) = 0;
  // Moves the window's end (ending one in progress now); error (field "id") when no such id.
  virtual Status set_maintenance_end(std::int64_t id, Time end) = 0;
  virtual Status delete_maintenance_window(std::int64_t id) = 0;  // error (field "id") when no such id

  // Heartbeat checks' pings (rules/heartbeat.h) by check id ("service/check").
  virtual Result<std::map<std::string, rules::HeartbeatState>> heartbeats() = 0;
  // Replaces these checks' states in one transaction (the pings that arrived together: group
  // commit); durable when it returns, since each ping is answered after it.
  virtual Status put_heartbeats(const std::map<std::string, rules::HeartbeatState>& states) = 0;

  // Authentication (src/web/auth).
  virtual Result<ApiToken> create_api_token(ApiToken token) = 0;  // id assigned
  virtual Result<std::optional<ApiToken>> find_api_token(const std::string& sha256_hex) = 0;
  virtual Result<std::vector<ApiToken>> list_api_tokens() = 0;
  virtual Status delete_api_token(std::int64_t id) = 0;
  virtual Status touch_api_token(std::int64_t id, Time at) = 0;
  virtual Status put_session(const SessionRow& s) = 0;
  virtual Result<std::optional<SessionRow>> find_session(const std::string& sha256_hex, Time now) = 0;
  virtual Status delete_session(const std::string& sha256_hex) = 0;
  virtual Result<std::int64_t> prune_sessions(Time now) = 0;

  // Outbox messages due at `now` and not delivered, oldest first, at most `limit`. Claimed rows
  // are not returned again by another claim until `now + lease` (so a crashed sender's rows come
  // back, and on PostgreSQL two nodes never send the same row within a lease).
  virtual Result<std::vector<OutboxRow>> claim_outbox(Time now, Duration lease, int limit) = 0;
  virtual Status mark_delivered(const std::string& message_id, Time at) = 0;
  virtual Status mark_failed(const std::string& message_id, const std::string& error, Time next_attempt_at) = 0;
  // Enqueues messages of no incident (on-call hand-offs, incident_id 0) and sets meta `key` to
  // `value`, in one durable transaction (the messages and the watermark that says they were
  // made land together). A message whose id is already in the outbox is left as it is.
  virtual Status enqueue_outbox(const std::vector<incident::OutboxMessage>& messages, const std::string& key,
                                const std::string& value) = 0;
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
// Connects to the PostgreSQL database `conninfo` names (a libpq URI or key=value string) and
// runs migrations. Errors name the server without the password.
Result<std::unique_ptr<Store>> open_postgres(const std::string& conninfo);

}  // namespace vigil::store
