// The SQLite schema, as the ordered list of its migrations (sql/migrations.h).
#include <array>

#include "store/sqlite/schema.h"

namespace vigil::store::sqlite {
namespace {

// Times are Unix epoch milliseconds (INTEGER). Incident status is stored as text
// ('triggered' | 'acknowledged' | 'resolved'), which the partial indexes below rely on.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE check_results (
  check_id TEXT    NOT NULL,
  at_ms    INTEGER NOT NULL,
  passed   INTEGER NOT NULL CHECK (passed IN (0, 1)),
  status   INTEGER NOT NULL,            -- HTTP status (0 when not applicable)
  total_ms INTEGER NOT NULL,            -- response time
  error    TEXT    NOT NULL DEFAULT ''  -- reason when failed
);
-- recent_results(check_id) newest first, per-check history for charts and reports.
CREATE INDEX check_results_check_at ON check_results (check_id, at_ms);
-- prune_results(before): retention deletes by time across all checks.
CREATE INDEX check_results_at ON check_results (at_ms);

CREATE TABLE incidents (
  id                 INTEGER PRIMARY KEY,  -- the incident number, never reused
  dedup_key          TEXT    NOT NULL,
  service            TEXT    NOT NULL,
  check_name         TEXT    NOT NULL,
  title              TEXT    NOT NULL,
  severity           TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
  started_at_ms      INTEGER NOT NULL,
  detected_at_ms     INTEGER NOT NULL,
  acknowledged_at_ms INTEGER,
  resolved_at_ms     INTEGER,
  resolved_by        TEXT    NOT NULL DEFAULT ''
);
-- At most one open incident per dedup key; also serves open_incidents().
CREATE UNIQUE INDEX incidents_open_dedup ON incidents (dedup_key) WHERE status != 'resolved';
-- list_incidents(service=...) newest first.
CREATE INDEX incidents_service ON incidents (service, id);

CREATE TABLE timeline (
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  seq         INTEGER NOT NULL,
  at_ms       INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  actor       TEXT    NOT NULL,
  text        TEXT    NOT NULL,
  PRIMARY KEY (incident_id, seq)
) WITHOUT ROWID;

-- Durable notifications (at-least-once, receivers deduplicate by id). incident_id is not a
-- foreign key so a message can outlive or precede its incident row (e.g. test messages).
CREATE TABLE outbox (
  id                 TEXT    PRIMARY KEY,
  channel            TEXT    NOT NULL,
  incident_id        INTEGER NOT NULL,
  event              TEXT    NOT NULL,
  payload            TEXT    NOT NULL,
  created_at_ms      INTEGER NOT NULL,
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  claimed_until_ms   INTEGER NOT NULL DEFAULT 0,
  delivered_at_ms    INTEGER,
  last_error         TEXT    NOT NULL DEFAULT ''
);
-- Only undelivered rows are ever scanned (claim_outbox oldest first, outbox_pending).
CREATE INDEX outbox_undelivered ON outbox (created_at_ms) WHERE delivered_at_ms IS NULL;
)sql";

// On-call: where an incident came from, its event details, and its escalation (policy name and
// the planner's state as JSON, so a restart continues an escalation where it was). `meta`
// keeps small facts of the installation, such as the generated signing key of page links.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE incidents ADD COLUMN origin TEXT NOT NULL DEFAULT 'check';
ALTER TABLE incidents ADD COLUMN details TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN escalation_policy TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN escalation TEXT NOT NULL DEFAULT '';
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

// Postmortems: figures of local checks kept with their results (charts of error rate, busy
// workers), the postmortem sections per incident (edited ones are a person's and are never
// regenerated), and action items tracked until done.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE check_results ADD COLUMN figures TEXT NOT NULL DEFAULT '';
CREATE TABLE postmortem_sections (
  incident_id   INTEGER NOT NULL,
  key           TEXT    NOT NULL,
  position      INTEGER NOT NULL,
  markdown      TEXT    NOT NULL,
  edited        INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),
  edited_by     TEXT    NOT NULL DEFAULT '',
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (incident_id, key)
) WITHOUT ROWID;
CREATE TABLE postmortems (
  incident_id     INTEGER PRIMARY KEY,
  generated_at_ms INTEGER NOT NULL
);
CREATE TABLE action_items (
  id            INTEGER PRIMARY KEY,
  incident_id   INTEGER NOT NULL DEFAULT 0,
  text          TEXT    NOT NULL,
  owner         TEXT    NOT NULL DEFAULT '',
  due           TEXT    NOT NULL DEFAULT '',
  status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX action_items_incident ON action_items (incident_id);
CREATE INDEX incidents_started ON incidents (started_at_ms);
)sql";

// Authentication: API tokens and web sessions, both kept only as SHA-256 of the secret.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE api_tokens (
  id              INTEGER PRIMARY KEY,
  user            TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  sha256_hex      TEXT    NOT NULL UNIQUE,
  created_at_ms   INTEGER NOT NULL,
  last_used_at_ms INTEGER
);
CREATE TABLE sessions (
  sha256_hex    TEXT    PRIMARY KEY,
  user          TEXT    NOT NULL,
  csrf_token    TEXT    NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expires ON sessions (expires_at_ms);
)sql";

// The incidents table without `CHECK (status IN (...))`: SQLite evaluates an IN list of three
// with an ephemeral table on every insert and update (1.3 µs of a 3 µs upsert, on every event a
// storm commits); the same check spelt with OR costs nothing. A CHECK cannot be altered, so the
// table is rebuilt (copied, dropped, renamed) and its indexes made again. timeline's foreign key
// names the table, so it points at the new one after the rename.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE incidents_v5 (
  id                 INTEGER PRIMARY KEY,
  dedup_key          TEXT    NOT NULL,
  service            TEXT    NOT NULL,
  check_name         TEXT    NOT NULL,
  title              TEXT    NOT NULL,
  severity           TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status = 'triggered' OR status = 'acknowledged' OR status = 'resolved'),
  started_at_ms      INTEGER NOT NULL,
  detected_at_ms     INTEGER NOT NULL,
  acknowledged_at_ms INTEGER,
  resolved_at_ms     INTEGER,
  resolved_by        TEXT    NOT NULL DEFAULT '',
  origin             TEXT    NOT NULL DEFAULT 'check',
  details            TEXT    NOT NULL DEFAULT '',
  escalation_policy  TEXT    NOT NULL DEFAULT '',
  escalation         TEXT    NOT NULL DEFAULT ''
);
INSERT INTO incidents_v5 (id, dedup_key, service, check_name, title, severity, status, started_at_ms,
                          detected_at_ms, acknowledged_at_ms, resolved_at_ms, resolved_by, origin, details,
                          escalation_policy, escalation)
  SELECT id, dedup_key, service, check_name, title, severity, status, started_at_ms, detected_at_ms,
         acknowledged_at_ms, resolved_at_ms, resolved_by, origin, details, escalation_policy, escalation
  FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_v5 RENAME TO incidents;
CREATE UNIQUE INDEX incidents_open_dedup ON incidents (dedup_key) WHERE status != 'resolved';
CREATE INDEX incidents_service ON incidents (service, id);
CREATE INDEX incidents_started ON incidents (started_at_ms);
)sql";

// Schedule overrides made at run time (the API, `vigil override`), on top of the config's.
constexpr std::string_view kV6 = R"sql(
CREATE TABLE schedule_overrides (
  id            INTEGER PRIMARY KEY,
  schedule      TEXT    NOT NULL,
  user_id       TEXT    NOT NULL,
  start_ms      INTEGER NOT NULL,
  end_ms        INTEGER NOT NULL CHECK (end_ms > start_ms),
  created_by    TEXT    NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL
);
)sql";

// Who an incident is assigned to (PagerDuty's "assigned to"): user ids, comma-separated.
constexpr std::string_view kV7 = R"sql(
ALTER TABLE incidents ADD COLUMN assignees TEXT NOT NULL DEFAULT '';
)sql";

// Maintenance windows made at run time (the API, `vigil maintenance`); services one per line.
constexpr std::string_view kV8 = R"sql(
CREATE TABLE maintenance_windows (
  id            INTEGER PRIMARY KEY,
  services      TEXT    NOT NULL CHECK (services != ''),
  start_ms      INTEGER NOT NULL,
  end_ms        INTEGER NOT NULL CHECK (end_ms > start_ms),
  description   TEXT    NOT NULL DEFAULT '',
  created_by    TEXT    NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL
);
)sql";

// PagerDuty's incident urgency: high (pages and escalates) or low. The CHECK is spelt with OR
// for the reason given at version 5.
constexpr std::string_view kV9 = R"sql(
ALTER TABLE incidents ADD COLUMN urgency TEXT NOT NULL DEFAULT 'high' CHECK (urgency = 'high' OR urgency = 'low');
)sql";

// Heartbeat checks' last pings, kept so a restart neither forgets a ping nor restarts the clock.
constexpr std::string_view kV10 = R"sql(
CREATE TABLE heartbeats (
  check_id          TEXT    PRIMARY KEY,
  watching_since_ms INTEGER NOT NULL,
  last_ping_ms      INTEGER,
  last_kind         TEXT    NOT NULL DEFAULT 'success' CHECK (last_kind = 'success' OR last_kind = 'fail'),
  exit_status       INTEGER NOT NULL DEFAULT 0,
  message           TEXT    NOT NULL DEFAULT '',
  started_ms        INTEGER,
  last_run_ms       INTEGER,
  pings             INTEGER NOT NULL DEFAULT 0
);
)sql";

constexpr std::array<sql::Migration, 10> kMigrations{{
    {1, kV1},
    {2, kV2},
    {3, kV3},
    {4, kV4},
    {5, kV5, true},
    {6, kV6},
    {7, kV7},
    {8, kV8},
    {9, kV9},
    {10, kV10},
}};

}  // namespace

std::span<const sql::Migration> migrations() { return kMigrations; }

}  // namespace vigil::store::sqlite
