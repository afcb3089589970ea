#include "store/sql/sql_store.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "store/sql/db.h"

namespace vigil::store::sql {
namespace {

using incident::Incident;
using incident::IncidentChange;
using incident::TimelineEntry;


// The store's own spelling of incident status (the schema's CHECK constraint and partial
// indexes use these words), kept here so the schema does not depend on another domain's text.
std::string_view status_text(incident::Status s) {
  switch (s) {
    case incident::Status::triggered: return "triggered";
    case incident::Status::acknowledged: return "acknowledged";
    case incident::Status::resolved: return "resolved";
  }
  return "triggered";
}

std::optional<incident::Status> parse_status_text(std::string_view s) {
  if (s == "triggered") return incident::Status::triggered;
  if (s == "acknowledged") return incident::Status::acknowledged;
  if (s == "resolved") return incident::Status::resolved;
  return std::nullopt;
}


constexpr std::string_view kIncidentColumns =
    "id, dedup_key, service, check_name, title, severity, status, started_at_ms, detected_at_ms, "
    "acknowledged_at_ms, resolved_at_ms, resolved_by, origin, details, escalation_policy, escalation, assignees, urgency";

// Config names (user ids) cannot hold a comma, so a comma-separated list is unambiguous.
std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) (out.empty() ? out : out += ',') += id;
  return out;
}

std::vector<std::string> split_ids(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    const auto comma = std::min(text.find(',', at), text.size());
    if (comma > at) out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

Result<Incident> read_incident(const Stmt& st) {
  Incident in;
  in.id = st.col_int(0);
  in.dedup_key = st.col_text(1);
  in.service = st.col_text(2);
  in.check = st.col_text(3);
  in.title = st.col_text(4);
  in.severity = st.col_text(5);
  const std::string status = st.col_text(6);
  auto parsed = parse_status_text(status);
  if (!parsed) return Error{fmt::format("incident {} has unknown status \"{}\"", in.id, status)};
  in.status = *parsed;
  in.started_at = at_ms(st.col_int(7));
  in.detected_at = at_ms(st.col_int(8));
  if (!st.col_null(9)) in.acknowledged_at = at_ms(st.col_int(9));
  if (!st.col_null(10)) in.resolved_at = at_ms(st.col_int(10));
  in.resolved_by = st.col_text(11);
  in.origin = st.col_text(12);
  in.details = st.col_text(13);
  in.escalation_policy = st.col_text(14);
  in.escalation = st.col_text(15);
  in.assignees = split_ids(st.col_text(16));
  in.urgency = incident::parse_urgency(st.col_text(17)).value_or(incident::Urgency::high);
  return in;
}

// Collects every row of a SELECT of incident columns.
Result<std::vector<Incident>> read_incidents(Stmt& st) {
  std::vector<Incident> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.error();
    if (!*row) return out;
    auto in = read_incident(st);
    if (!in.ok()) return in.error();
    out.push_back(std::move(*in));
  }
}

// figures as one JSON object text; "" when there are none (http/tcp rows), so those rows cost
// nothing. Non-finite values have no JSON spelling and are left out.
std::string figures_text(const std::map<std::string, double>& figures) {
  if (figures.empty()) return {};
  boost::json::object o;
  for (const auto& [k, v] : figures)
    if (std::isfinite(v)) o[k] = v;
  return o.empty() ? std::string() : boost::json::serialize(o);
}

std::map<std::string, double> parse_figures(const std::string& text) {
  std::map<std::string, double> out;
  if (text.empty()) return out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return out;  // a damaged row loses its figures, not the result
  for (const auto& [k, x] : v.as_object())
    if (x.is_number()) out.emplace(std::string(k), x.to_number<double>());
  return out;
}

constexpr std::string_view kResultColumns = "check_id, at_ms, passed, status, total_ms, error, figures";

ResultRow read_result(const Stmt& st) {
  ResultRow r;
  r.check_id = st.col_text(0);
  r.at = at_ms(st.col_int(1));
  r.passed = st.col_int(2) != 0;
  r.status = static_cast<int>(st.col_int(3));
  r.total = Duration{st.col_int(4)};
  r.error = st.col_text(5);
  r.figures = parse_figures(st.col_text(6));
  return r;
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<Db> db, MigrationReport report, Options options)
    : db_(std::move(db)), migrations_(report), options_(options) {}

SqlStore::~SqlStore() = default;

SqlStore::ReadLock SqlStore::lock_reader() {
  if (reader_) return ReadLock{std::unique_lock(reader_mu_), *reader_};
  return ReadLock{std::unique_lock(mu_), *db_};
}

// ---------------------------------------------------------------------------- probe results

Status SqlStore::append_results(const std::vector<ResultRow>& rows) {
  if (rows.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Txn txn(*db_);
  if (auto s = txn.begin(); !s.ok()) return with_context("append results", s.error());
  {
    auto st = db_->prepare(
        "INSERT INTO check_results (check_id, at_ms, passed, status, total_ms, error, figures) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st.ok()) return st.error();
    for (const ResultRow& r : rows) {
      st->reset();
      st->bind_text(1, r.check_id)
          .bind_int(2, ms(r.at))
          .bind_int(3, r.passed ? 1 : 0)
          .bind_int(4, r.status)
          .bind_int(5, r.total.count())
          .bind_text(6, r.error)
          .bind_text(7, figures_text(r.figures));
      if (auto s = st->run(); !s.ok())
        return with_context(fmt::format("append results (check {})", r.check_id), s.error());
    }
  }
  if (auto s = txn.commit(); !s.ok()) return with_context("append results: commit", s.error());
  return Status::Ok();
}

Result<std::int64_t> SqlStore::prune_results(Time before) {
  const int chunk = options_.prune_chunk > 0 ? options_.prune_chunk : 20000;
  std::int64_t total = 0;
  for (;;) {
    // One transaction per chunk, the mutex released in between: other calls interleave.
    std::lock_guard lock(mu_);
    Txn txn(*db_);
    if (auto s = txn.begin(); !s.ok()) return with_context("prune results", s.error());
    std::int64_t deleted = 0;
    {
      auto st = db_->prepare(
          "DELETE FROM check_results WHERE rowid IN "
          "(SELECT rowid FROM check_results WHERE at_ms < ?1 LIMIT ?2)");
      if (!st.ok()) return st.error();
      st->bind_int(1, ms(before)).bind_int(2, chunk);
      if (auto s = st->run(); !s.ok()) return with_context("prune results", s.error());
      deleted = db_->changes();
    }
    if (auto s = txn.commit(); !s.ok()) return with_context("prune results: commit", s.error());
    total += deleted;
    if (deleted < chunk) return total;
  }
}

Result<std::vector<ResultRow>> SqlStore::recent_results(const std::string& check_id, int limit) {
  std::vector<ResultRow> out;
  if (limit <= 0) return out;
  std::lock_guard lock(mu_);
  auto st = db_->prepare(fmt::format(
      "SELECT {} FROM check_results WHERE check_id = ?1 ORDER BY at_ms DESC, rowid DESC LIMIT ?2", kResultColumns));
  if (!st.ok()) return st.error();
  st->bind_text(1, check_id).bind_int(2, limit);
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return with_context("recent results", row.error());
    if (!*row) return out;
    out.push_back(read_result(*st));
  }
}

Result<std::vector<ResultRow>> SqlStore::results_between(const std::vector<std::string>& check_ids, Time from,
                                                            Time to, int limit) {
  std::vector<ResultRow> out;
  if (limit <= 0 || check_ids.empty() || to <= from) return out;
  std::lock_guard lock(mu_);
  // One indexed range scan per check (check_results_check_at), merged by time: one statement
  // shape whatever the number of checks.
  auto st = db_->prepare(fmt::format(
      "SELECT {} FROM check_results WHERE check_id = ?1 AND at_ms >= ?2 AND at_ms < ?3 ORDER BY at_ms, rowid "
      "LIMIT ?4",
      kResultColumns));
  if (!st.ok()) return st.error();
  for (const std::string& id : check_ids) {
    st->reset();
    st->bind_text(1, id).bind_int(2, ms(from)).bind_int(3, ms(to)).bind_int(4, limit);
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return with_context("results between", row.error());
      if (!*row) break;
      out.push_back(read_result(*st));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ResultRow& a, const ResultRow& b) { return a.at < b.at; });
  if (out.size() > static_cast<std::size_t>(limit)) out.resize(static_cast<std::size_t>(limit));
  return out;
}

// ------------------------------------------------------------------------------- incidents

Status SqlStore::apply(const IncidentChange& change) {
  const Incident& in = change.incident;
  if (in.id <= 0) return Error{fmt::format("apply: incident id must be positive, got {}", in.id), "id"};
  std::lock_guard lock(mu_);
  if (auto s = apply_locked(change); !s.ok()) return with_context(fmt::format("apply incident {}", in.id), s.error());
  return Status::Ok();
}

Status SqlStore::apply_locked(const IncidentChange& change) {
  Txn txn(*db_);  // declared first: every statement of apply_rows is reset before it rolls back
  if (auto s = txn.begin(); !s.ok()) return s;
  if (auto s = apply_rows(change); !s.ok()) return s;
  return txn.commit();
}

std::vector<Status> SqlStore::apply_batch(const std::vector<IncidentChange>& changes) {
  std::vector<Status> out(changes.size());
  if (changes.empty()) return out;
  for (std::size_t i = 0; i < changes.size(); ++i)
    if (changes[i].incident.id <= 0)
      out[i] = Error{fmt::format("apply: incident id must be positive, got {}", changes[i].incident.id), "id"};
  std::lock_guard lock(mu_);
  {
    // Group commit: one transaction (one fsync) for every change that queued up meanwhile.
    Txn txn(*db_);
    bool ok = txn.begin().ok();
    for (std::size_t i = 0; ok && i < changes.size(); ++i) ok = out[i].ok() && apply_rows(changes[i]).ok();
    if (ok && txn.commit().ok()) return out;
  }
  // One of them is bad: apply each alone so the others still land and the bad one is named.
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (!out[i].ok()) continue;
    if (auto s = apply_locked(changes[i]); !s.ok())
      out[i] = with_context(fmt::format("apply incident {}", changes[i].incident.id), s.error());
  }
  return out;
}

Status SqlStore::delete_by_id(std::string_view table, std::int64_t id, std::string_view what) {
  std::lock_guard lock(mu_);
  {
    auto st = db_->prepare(fmt::format("DELETE FROM {} WHERE id = ?1", table));
    if (!st.ok()) return st.error();
    st->bind_int(1, id);
    if (auto s = st->run(); !s.ok()) return with_context(fmt::format("delete {} {}", what, id), s.error());
  }
  if (db_->changes() == 0) return Error{fmt::format("no {} {}", what, id), "id"};
  return Status::Ok();
}

Status SqlStore::apply_rows(const IncidentChange& change) {
  const Incident& in = change.incident;
  {
    auto st = db_->prepare(
        "INSERT INTO incidents (id, dedup_key, service, check_name, title, severity, status, "
        "started_at_ms, detected_at_ms, acknowledged_at_ms, resolved_at_ms, resolved_by, origin, details, "
        "escalation_policy, escalation, assignees, urgency) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
        "ON CONFLICT (id) DO UPDATE SET dedup_key = excluded.dedup_key, service = excluded.service, "
        "check_name = excluded.check_name, title = excluded.title, severity = excluded.severity, "
        "status = excluded.status, started_at_ms = excluded.started_at_ms, "
        "detected_at_ms = excluded.detected_at_ms, acknowledged_at_ms = excluded.acknowledged_at_ms, "
        "resolved_at_ms = excluded.resolved_at_ms, resolved_by = excluded.resolved_by, origin = excluded.origin, "
        "details = excluded.details, escalation_policy = excluded.escalation_policy, "
        "escalation = excluded.escalation, assignees = excluded.assignees, urgency = excluded.urgency");
    if (!st.ok()) return st.error();
    st->bind_int(1, in.id)
        .bind_text(2, in.dedup_key)
        .bind_text(3, in.service)
        .bind_text(4, in.check)
        .bind_text(5, in.title)
        .bind_text(6, in.severity)
        .bind_text(7, status_text(in.status))
        .bind_int(8, ms(in.started_at))
        .bind_int(9, ms(in.detected_at))
        .bind_opt_int(10, opt_ms(in.acknowledged_at))
        .bind_opt_int(11, opt_ms(in.resolved_at))
        .bind_text(12, in.resolved_by)
        .bind_text(13, in.origin)
        .bind_text(14, in.details)
        .bind_text(15, in.escalation_policy)
        .bind_text(16, in.escalation)
        .bind_text(17, join_ids(in.assignees.list()))
        .bind_text(18, incident::to_string(in.urgency));
    if (auto s = st->run(); !s.ok()) return s;
  }
  if (!change.new_entries.empty()) {
    auto st = db_->prepare(
        "INSERT INTO timeline (incident_id, seq, at_ms, kind, actor, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st.ok()) return st.error();
    for (const TimelineEntry& e : change.new_entries) {
      st->reset();
      st->bind_int(1, in.id)
          .bind_int(2, e.seq)
          .bind_int(3, ms(e.at))
          .bind_text(4, e.kind)
          .bind_text(5, e.actor)
          .bind_text(6, e.text);
      if (auto s = st->run(); !s.ok()) return with_context(fmt::format("timeline entry {}", e.seq), s.error());
    }
  }
  return insert_outbox(change.outbox);
}

Status SqlStore::insert_outbox(const std::vector<incident::OutboxMessage>& outbox) {
  if (outbox.empty()) return Status::Ok();
  {
    // Idempotent by message id: re-applying a change never enqueues a message twice (and never
    // overwrites one that is being delivered). Only the id conflict is ignored, unlike
    // INSERT OR IGNORE which would also swallow NOT NULL / CHECK failures.
    auto st = db_->prepare(
        "INSERT INTO outbox (id, channel, incident_id, event, payload, created_at_ms, attempts, "
        "next_attempt_at_ms, claimed_until_ms, delivered_at_ms, last_error) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?8, ?7, NULL, '') ON CONFLICT (id) DO NOTHING");
    if (!st.ok()) return st.error();
    for (const incident::OutboxMessage& m : outbox) {
      st->reset();
      st->bind_text(1, m.id)
          .bind_text(2, m.channel)
          .bind_int(3, m.incident_id)
          .bind_text(4, m.event)
          .bind_text(5, m.payload)
          .bind_int(6, ms(m.created_at))
          .bind_int(7, m.claimed_until ? ms(*m.claimed_until) : 0)
          .bind_int(8, ms(m.not_before.value_or(m.created_at)));
      if (auto s = st->run(); !s.ok()) return with_context(fmt::format("outbox message {}", m.id), s.error());
    }
  }
  return Status::Ok();
}

Status SqlStore::load_timeline(Incident& in) {
  auto st = db_->prepare(
      "SELECT seq, at_ms, kind, actor, text FROM timeline WHERE incident_id = ?1 ORDER BY seq");
  if (!st.ok()) return st.error();
  st->bind_int(1, in.id);
  in.timeline.clear();
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) return Status::Ok();
    TimelineEntry e;
    e.seq = st->col_int(0);
    e.at = at_ms(st->col_int(1));
    e.kind = st->col_text(2);
    e.actor = st->col_text(3);
    e.text = st->col_text(4);
    in.timeline.push_back(std::move(e));
  }
}

Result<std::vector<Incident>> SqlStore::list_incidents(const IncidentFilter& filter) {
  // A handful of SQL shapes (open × service), each prepared once and cached: every shape can
  // use its index, which a single "(?1 IS NULL OR ...)" statement could not.
  std::string sql = fmt::format("SELECT {} FROM incidents", kIncidentColumns);
  std::string where;
  if (filter.open) where = *filter.open ? "status != 'resolved'" : "status = 'resolved'";
  if (filter.service) where += std::string(where.empty() ? "" : " AND ") + "service = ?2";
  if (!where.empty()) sql += " WHERE " + where;
  sql += " ORDER BY id DESC LIMIT ?1";

  std::lock_guard lock(mu_);
  auto st = db_->prepare(sql);
  if (!st.ok()) return st.error();
  // Negative: no limit (the largest LIMIT both engines take).
  st->bind_int(1, filter.limit < 0 ? std::numeric_limits<std::int64_t>::max() : filter.limit);
  if (filter.service) st->bind_text(2, *filter.service);
  auto out = read_incidents(*st);
  if (!out.ok()) return with_context("list incidents", out.error());
  return out;
}

Result<std::optional<Incident>> SqlStore::get_incident(std::int64_t id) {
  std::lock_guard lock(mu_);
  Incident in;
  {
    auto st = db_->prepare(fmt::format("SELECT {} FROM incidents WHERE id = ?1", kIncidentColumns));
    if (!st.ok()) return st.error();
    st->bind_int(1, id);
    auto row = st->step();
    if (!row.ok()) return with_context(fmt::format("get incident {}", id), row.error());
    if (!*row) return std::optional<Incident>{};
    auto read = read_incident(*st);
    if (!read.ok()) return read.error();
    in = std::move(*read);
  }
  if (auto s = load_timeline(in); !s.ok()) return with_context(fmt::format("get incident {}", id), s.error());
  return std::optional<Incident>(std::move(in));
}

Result<std::vector<Incident>> SqlStore::open_incidents() {
  std::lock_guard lock(mu_);
  std::vector<Incident> out;
  {
    // Oldest first: the order the IncidentBook opened them.
    auto st = db_->prepare(
        fmt::format("SELECT {} FROM incidents WHERE status != 'resolved' ORDER BY id", kIncidentColumns));
    if (!st.ok()) return st.error();
    auto rows = read_incidents(*st);
    if (!rows.ok()) return with_context("open incidents", rows.error());
    out = std::move(*rows);
  }
  for (Incident& in : out)
    if (auto s = load_timeline(in); !s.ok()) return with_context("open incidents", s.error());
  return out;
}

Result<std::int64_t> SqlStore::max_incident_id() {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT COALESCE(MAX(id), 0) FROM incidents");
  if (!st.ok()) return st.error();
  auto row = st->step();
  if (!row.ok()) return with_context("max incident id", row.error());
  return *row ? st->col_int(0) : 0;
}


// ---------------------------------------------------------------------------------- outbox

Result<std::vector<OutboxRow>> SqlStore::claim_outbox(Time now, Duration lease, int limit) {
  std::vector<OutboxRow> out;
  if (limit <= 0) return out;
  std::lock_guard lock(mu_);
  Txn txn(*db_);
  if (auto s = txn.begin(); !s.ok()) return with_context("claim outbox", s.error());
  {
    auto st = db_->prepare(fmt::format(
        "SELECT id, channel, incident_id, event, payload, created_at_ms, attempts, next_attempt_at_ms, "
        "last_error FROM outbox "
        "WHERE delivered_at_ms IS NULL AND next_attempt_at_ms <= ?1 AND claimed_until_ms <= ?1 "
        "ORDER BY created_at_ms, rowid LIMIT ?2{}",
        db_->claim_rows_clause()));
    if (!st.ok()) return st.error();
    st->bind_int(1, ms(now)).bind_int(2, limit);
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return with_context("claim outbox", row.error());
      if (!*row) break;
      OutboxRow r;
      r.message.id = st->col_text(0);
      r.message.channel = st->col_text(1);
      r.message.incident_id = st->col_int(2);
      r.message.event = st->col_text(3);
      r.message.payload = st->col_text(4);
      r.message.created_at = at_ms(st->col_int(5));
      r.attempts = static_cast<int>(st->col_int(6));
      r.next_attempt_at = at_ms(st->col_int(7));
      r.last_error = st->col_text(8);
      out.push_back(std::move(r));
    }
  }
  if (!out.empty()) {
    auto st = db_->prepare("UPDATE outbox SET claimed_until_ms = ?2 WHERE id = ?1");
    if (!st.ok()) return st.error();
    for (const OutboxRow& r : out) {
      st->reset();
      st->bind_text(1, r.message.id).bind_int(2, ms(now + lease));
      if (auto s = st->run(); !s.ok()) return with_context("claim outbox", s.error());
    }
  }
  if (auto s = txn.commit(); !s.ok()) return with_context("claim outbox: commit", s.error());
  return out;
}

namespace {

// After an UPDATE by id changed nothing: tells "no such message" from "already delivered".
Result<bool> outbox_exists(Db& db, const std::string& id) {
  auto st = db.prepare("SELECT 1 FROM outbox WHERE id = ?1");
  if (!st.ok()) return st.error();
  st->bind_text(1, id);
  return st->step();
}

}  // namespace

Status SqlStore::mark_delivered(const std::string& message_id, Time at) {
  std::lock_guard lock(mu_);
  {
    // A second report keeps the first delivery time.
    auto st = db_->prepare("UPDATE outbox SET delivered_at_ms = ?2 WHERE id = ?1 AND delivered_at_ms IS NULL");
    if (!st.ok()) return st.error();
    st->bind_text(1, message_id).bind_int(2, ms(at));
    if (auto s = st->run(); !s.ok()) return with_context(fmt::format("mark delivered {}", message_id), s.error());
  }
  if (db_->changes() > 0) return Status::Ok();
  auto exists = outbox_exists(*db_, message_id);
  if (!exists.ok()) return with_context(fmt::format("mark delivered {}", message_id), exists.error());
  if (!*exists) return Error{fmt::format("mark delivered: no outbox message \"{}\"", message_id), message_id};
  return Status::Ok();
}

Status SqlStore::mark_failed(const std::string& message_id, const std::string& error, Time next_attempt_at) {
  std::lock_guard lock(mu_);
  {
    // A delivered message stays delivered (a late failure report from a slow duplicate send
    // must not resurrect it).
    auto st = db_->prepare(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at_ms = ?3, "
        "claimed_until_ms = 0 WHERE id = ?1 AND delivered_at_ms IS NULL");
    if (!st.ok()) return st.error();
    st->bind_text(1, message_id).bind_text(2, error).bind_int(3, ms(next_attempt_at));
    if (auto s = st->run(); !s.ok()) return with_context(fmt::format("mark failed {}", message_id), s.error());
  }
  if (db_->changes() > 0) return Status::Ok();
  auto exists = outbox_exists(*db_, message_id);
  if (!exists.ok()) return with_context(fmt::format("mark failed {}", message_id), exists.error());
  if (!*exists) return Error{fmt::format("mark failed: no outbox message \"{}\"", message_id), message_id};
  return Status::Ok();
}

Result<std::int64_t> SqlStore::outbox_pending() {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT COUNT(*) FROM outbox WHERE delivered_at_ms IS NULL");
  if (!st.ok()) return st.error();
  auto row = st->step();
  if (!row.ok()) return with_context("outbox pending", row.error());
  return *row ? st->col_int(0) : 0;
}

Result<std::optional<std::string>> SqlStore::get_meta(const std::string& key) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT value FROM meta WHERE key = ?1");
  if (!st.ok()) return st.error();
  st->bind_text(1, key);
  auto row = st->step();
  if (!row.ok()) return with_context("get meta " + key, row.error());
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>{st->col_text(0)};
}

Result<std::string> SqlStore::put_meta_once(const std::string& key, const std::string& value) {
  {
    std::lock_guard lock(mu_);
    auto st = db_->prepare("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING");
    if (!st.ok()) return st.error();
    st->bind_text(1, key).bind_text(2, value);
    if (auto s = st->run(); !s.ok()) return with_context("put meta " + key, s.error());
  }
  auto stored = get_meta(key);
  if (!stored.ok()) return stored.error();
  if (!stored.value()) return Error{"meta " + key + " vanished after insert"};
  return *stored.value();
}

Status SqlStore::enqueue_outbox(const std::vector<incident::OutboxMessage>& messages, const std::string& key,
                                   const std::string& value) {
  std::lock_guard lock(mu_);
  Txn txn(*db_);
  if (auto s = txn.begin(); !s.ok()) return s;
  if (auto s = insert_outbox(messages); !s.ok()) return s;
  {
    auto st = db_->prepare("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2");
    if (!st.ok()) return st.error();
    st->bind_text(1, key).bind_text(2, value);
    if (auto s = st->run(); !s.ok()) return with_context("put meta " + key, s.error());
  }
  return txn.commit();
}

}  // namespace vigil::store::sql
