#include "store/sql/sql_store.h"
#include "store/postgres/schema.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/store.h"
#include "store/store_engines.h"
#include "support/test_dir.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using incident::Incident;
using incident::IncidentChange;
using incident::OutboxMessage;
using incident::TimelineEntry;

Time t(std::int64_t ms) { return Time{Duration{ms}}; }

// Every behaviour of the store, on each engine (store_engines.h).
class StoreTest : public EngineTest {
 protected:
  std::unique_ptr<Store> open() { return db_.open(); }
  std::span<const sql::Migration> builtin() const {
    return db_.engine() == Engine::sqlite ? sqlite::migrations() : postgres::migrations();
  }
};
VIGIL_ON_BOTH_ENGINES(StoreTest);

// What only SQLite has: a file (and its folder), its own schema history.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (dir_ / "vigil.db").string();
  }
  std::unique_ptr<Store> open() {
    auto s = open_sqlite(path_);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }

  testing::TestDir dir_;
  std::string path_;
};

Incident make_incident(std::int64_t id, std::string dedup = "web-01/login") {
  Incident in;
  in.id = id;
  in.dedup_key = std::move(dedup);
  in.service = "web-01";
  in.check = "login";
  in.title = "login failing on web-01";
  in.severity = "critical";
  in.status = incident::Status::triggered;
  in.started_at = t(1'000);
  in.detected_at = t(31'000);
  return in;
}

TimelineEntry entry(std::int64_t seq, std::int64_t at, std::string kind, std::string text = "") {
  return TimelineEntry{seq, t(at), std::move(kind), "vigil", std::move(text)};
}

OutboxMessage message(std::string id, std::int64_t incident, std::int64_t created, std::string channel = "ops-hook") {
  return OutboxMessage{std::move(id), std::move(channel), incident, "triggered", R"({"x":1})", t(created)};
}

// The change that opens incident `id` with its first timeline entry and one notification.
IncidentChange opening(std::int64_t id, std::string dedup = "web-01/login") {
  IncidentChange c;
  c.incident = make_incident(id, std::move(dedup));
  c.new_entries = {entry(1, 31'000, "triggered", "3 failures")};
  c.outbox = {message("vigil-" + std::to_string(id) + "-1-ops-hook", id, 31'000)};
  return c;
}

// SQLite: "UNIQUE constraint failed: ..."; PostgreSQL: "duplicate key value violates unique
// constraint ...".
bool names_unique_violation(const std::string& message) {
  return message.find("UNIQUE constraint failed") != std::string::npos ||
         message.find("violates unique constraint") != std::string::npos;
}

std::vector<std::string> ids(const std::vector<OutboxRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.message.id);
  return out;
}

// ------------------------------------------------------------------------------ migrations

TEST_P(StoreTest, MigratesNewDatabaseAndReopeningAppliesNothing) {
  const int latest = static_cast<int>(builtin().size());
  {
    auto s = db_.open_sql();
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ((*s)->migration_report().from_version, 0);
    EXPECT_EQ((*s)->migration_report().to_version, latest);
    EXPECT_EQ((*s)->migration_report().applied, latest);
  }
  for (int i = 0; i < 2; ++i) {
    auto s = db_.open_sql();
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ((*s)->migration_report().from_version, latest);
    EXPECT_EQ((*s)->migration_report().applied, 0);
  }
}

TEST_P(StoreTest, AppliesOnlyNewMigrationsInOrder) {
  const auto builtin = this->builtin();
  std::vector<sql::Migration> extended(builtin.begin(), builtin.end());
  // Not idempotent on purpose: applying it twice would fail the open.
  const int next = static_cast<int>(extended.size()) + 1;
  extended.push_back({next, "CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (1);"});
  { ASSERT_NE(open(), nullptr); }
  sql::Options opts;
  opts.migrations = extended;
  {
    auto s = db_.open_sql(opts);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ((*s)->migration_report().applied, 1);
    EXPECT_EQ((*s)->migration_report().to_version, next);
  }
  {
    auto s = db_.open_sql(opts);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ((*s)->migration_report().applied, 0);
  }
  // An older binary (only the built-in list) refuses the newer database with a clear error.
  auto old = db_.open_sql();
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message.find("schema version " + std::to_string(next)), std::string::npos)
      << old.error().message;
  EXPECT_NE(old.error().message.find("newer"), std::string::npos) << old.error().message;
}

TEST_P(StoreTest, FailedMigrationLeavesPreviousVersion) {
  const auto builtin = this->builtin();
  std::vector<sql::Migration> bad(builtin.begin(), builtin.end());
  const int next = static_cast<int>(bad.size()) + 1;
  bad.push_back({next, "CREATE TABLE half (x INTEGER); SELECT no_such_function();"});
  sql::Options opts;
  opts.migrations = bad;
  auto s = db_.open_sql(opts);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("migration " + std::to_string(next)), std::string::npos) << s.error().message;
  // The built-in migrations committed; the broken one left nothing (not even table `half`).
  auto again = db_.open_sql();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)->migration_report().applied, 0);
  std::vector<sql::Migration> fixed(builtin.begin(), builtin.end());
  fixed.push_back({next, "CREATE TABLE half (x INTEGER);"});
  opts.migrations = fixed;
  auto third = db_.open_sql(opts);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ((*third)->migration_report().applied, 1);
}

// Migration 5 rebuilds the incidents table (its status CHECK without IN): a version-4 database
// keeps every incident, timeline entry and index, and the constraints still hold.
TEST_F(SqliteStoreTest, Version5RebuildKeepsIncidentsTimelinesIndexesAndConstraints) {
  const auto builtin = sqlite::migrations();
  ASSERT_GE(builtin.size(), 5u);
  ASSERT_TRUE(builtin[4].rebuilds_table);
  {
    sql::Options v4;
    v4.migrations = builtin.subspan(0, 4);
    auto s = sql::SqlStore::open_sqlite(path_, v4);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_EQ((*s)->migration_report().to_version, 4);
  }
  {
    // Rows as a version-4 vigil wrote them (today's store writes columns version 4 lacked).
    auto v4 = sqlite::SqliteDb::open(path_, 1000);
    ASSERT_TRUE(v4.ok()) << v4.error().message;
    auto rows = (*v4)->exec(
        "INSERT INTO incidents (id, dedup_key, service, check_name, title, severity, status, started_at_ms, "
        "detected_at_ms, resolved_at_ms, escalation_policy) VALUES "
        "(1, 'a', 'web-01', 'login', 'login failing on web-01', 'critical', 'triggered', 1000, 31000, NULL, ''), "
        "(2, 'b', 'web-01', 'login', 'login failing on web-01', 'critical', 'triggered', 1000, 31000, NULL, ''), "
        "(3, 'c', 'web-01', 'login', 'login failing on web-01', 'critical', 'resolved', 1000, 31000, 90000, 'ops');"
        "INSERT INTO timeline (incident_id, seq, at_ms, kind, actor, text) VALUES "
        "(1, 1, 31000, 'triggered', 'check:login', '3 failures'), (2, 1, 31000, 'triggered', 'check:login', '3 failures'), "
        "(3, 1, 31000, 'triggered', 'check:login', '3 failures');");
    ASSERT_TRUE(rows.ok()) << rows.error().message;
  }
  auto opened = sql::SqlStore::open_sqlite(path_);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = *opened;
  EXPECT_EQ(store->migration_report().from_version, 4);
  EXPECT_EQ(store->migration_report().applied, static_cast<int>(builtin.size()) - 4);  // 5 and any later
  auto open = store->open_incidents();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  auto three = store->get_incident(3);
  ASSERT_TRUE(three.ok() && three->has_value());
  EXPECT_EQ((*three)->escalation_policy, "ops");
  EXPECT_EQ((*three)->resolved_at, t(90'000));
  ASSERT_EQ((*three)->timeline.size(), 1u);
  EXPECT_EQ((*three)->timeline[0].text, "3 failures");
  EXPECT_EQ(*store->max_incident_id(), 3);
  // The open-key index is back: a second open incident for "a" is refused...
  IncidentChange dup = opening(4, "a");
  EXPECT_FALSE(store->apply(dup).ok());
  // ...the timeline's foreign key still points at incidents, and the status CHECK still holds.
  auto raw = sqlite::SqliteDb::open(path_, 1000);
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_TRUE((*raw)->exec("INSERT INTO timeline (incident_id, seq, at_ms, kind, actor, text) "
                           "VALUES (1, 99, 0, 'note', 'x', 'y')").ok());
  EXPECT_FALSE((*raw)->exec("INSERT INTO timeline (incident_id, seq, at_ms, kind, actor, text) "
                            "VALUES (777, 1, 0, 'note', 'x', 'y')").ok());
  EXPECT_FALSE((*raw)->exec("INSERT INTO incidents (id, dedup_key, service, check_name, title, severity, status, "
                            "started_at_ms, detected_at_ms) VALUES (50, 'z', 's', 'c', 't', 'critical', 'bogus', 0, 0)").ok());
  auto sql = (*raw)->prepare("SELECT sql FROM sqlite_master WHERE name = 'incidents'");
  ASSERT_TRUE(sql.ok());
  ASSERT_TRUE(*sql->step());
  EXPECT_EQ(sql->col_text(0).find(" IN ("), std::string::npos) << sql->col_text(0);
  auto indexes = (*raw)->prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' "
                                 "AND name IN ('incidents_open_dedup', 'incidents_service', 'incidents_started')");
  ASSERT_TRUE(indexes.ok());
  ASSERT_TRUE(*indexes->step());
  EXPECT_EQ(indexes->col_int(0), 3);
}

TEST_F(SqliteStoreTest, CreatesParentDirectoryAndReportsUnopenablePath) {
  path_ = (dir_ / "data" / "nested" / "vigil.db").string();
  EXPECT_NE(open(), nullptr);
  EXPECT_TRUE(fs::exists(path_));

  const auto file = dir_ / "plain-file";
  { std::FILE* f = std::fopen(file.c_str(), "w"); ASSERT_NE(f, nullptr); std::fclose(f); }
  auto bad = open_sqlite((file / "vigil.db").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(bad.error().message.empty());
}

// ------------------------------------------------------------------------------- incidents

TEST_P(StoreTest, ApplyAndGetRoundTrip) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->max_incident_id(), 0);
  auto none = store->get_incident(1);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(store->apply(opening(1)).ok());
  auto got = store->get_incident(1);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  const Incident& a = **got;
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(a.dedup_key, "web-01/login");
  EXPECT_EQ(a.service, "web-01");
  EXPECT_EQ(a.check, "login");
  EXPECT_EQ(a.title, "login failing on web-01");
  EXPECT_EQ(a.severity, "critical");
  EXPECT_EQ(a.status, incident::Status::triggered);
  EXPECT_EQ(a.started_at, t(1'000));
  EXPECT_EQ(a.detected_at, t(31'000));
  EXPECT_FALSE(a.acknowledged_at.has_value());
  EXPECT_FALSE(a.resolved_at.has_value());
  EXPECT_EQ(a.resolved_by, "");
  EXPECT_TRUE(a.assignees.empty());
  EXPECT_EQ(a.urgency, incident::Urgency::high);
  ASSERT_EQ(a.timeline.size(), 1u);
  EXPECT_EQ(a.timeline[0].kind, "triggered");
  EXPECT_EQ(a.timeline[0].text, "3 failures");

  // Acknowledge, then resolve; entries arrive out of seq order within a change.
  IncidentChange ack;
  ack.incident = make_incident(1);
  ack.incident.status = incident::Status::acknowledged;
  ack.incident.acknowledged_at = t(60'000);
  ack.incident.assignees = {"alice", "bob"};
  ack.incident.urgency = incident::Urgency::low;
  ack.new_entries = {entry(3, 61'000, "note", "looking at apache"), entry(2, 60'000, "acknowledged")};
  ASSERT_TRUE(store->apply(ack).ok());

  IncidentChange res;
  res.incident = ack.incident;
  res.incident.status = incident::Status::resolved;
  res.incident.resolved_at = t(120'000);
  res.incident.resolved_by = "auto";
  res.incident.title = "login recovered";
  res.new_entries = {entry(4, 120'000, "auto_resolved", "2 successes")};
  ASSERT_TRUE(store->apply(res).ok());

  got = store->get_incident(1);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Incident& b = **got;
  EXPECT_EQ(b.status, incident::Status::resolved);
  EXPECT_EQ(b.title, "login recovered");
  EXPECT_EQ(b.acknowledged_at, t(60'000));
  EXPECT_EQ(b.resolved_at, t(120'000));
  EXPECT_EQ(b.resolved_by, "auto");
  EXPECT_EQ(b.assignees, (std::vector<std::string>{"alice", "bob"}));
  auto listed = store->list_incidents({});
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  EXPECT_EQ((*listed)[0].assignees, b.assignees);
  EXPECT_EQ(b.urgency, incident::Urgency::low);
  EXPECT_EQ((*listed)[0].urgency, incident::Urgency::low);
  ASSERT_EQ(b.timeline.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(b.timeline[i].seq, static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(b.timeline[1].kind, "acknowledged");
  EXPECT_EQ(b.timeline[2].text, "looking at apache");
  EXPECT_EQ(b.timeline[2].at, t(61'000));
  EXPECT_EQ(b.timeline[3].kind, "auto_resolved");
  EXPECT_EQ(*store->max_incident_id(), 1);
}

TEST_P(StoreTest, ApplyIsAtomic) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->apply(opening(1)).ok());

  IncidentChange bad;
  bad.incident = make_incident(1);
  bad.incident.status = incident::Status::acknowledged;
  bad.incident.acknowledged_at = t(50'000);
  bad.new_entries = {entry(2, 50'000, "acknowledged"), entry(1, 50'000, "note", "duplicate seq")};
  bad.outbox = {message("vigil-1-2-ops-hook", 1, 50'000)};
  auto s = store->apply(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("apply incident 1"), std::string::npos) << s.error().message;
  EXPECT_TRUE(names_unique_violation(s.error().message)) << s.error().message;

  auto got = store->get_incident(1);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, incident::Status::triggered);
  EXPECT_FALSE((*got)->acknowledged_at.has_value());
  ASSERT_EQ((*got)->timeline.size(), 1u);
  EXPECT_EQ((*got)->timeline[0].kind, "triggered");
  EXPECT_EQ(*store->outbox_pending(), 1);
  EXPECT_EQ(ids(*store->claim_outbox(t(100'000), 30s, 10)), std::vector<std::string>{"vigil-1-1-ops-hook"});

  // The store is still usable after the rollback.
  bad.new_entries = {entry(2, 50'000, "acknowledged")};
  ASSERT_TRUE(store->apply(bad).ok());
  EXPECT_EQ((*store->get_incident(1))->timeline.size(), 2u);
  EXPECT_EQ(*store->outbox_pending(), 2);
}

TEST_P(StoreTest, OneOpenIncidentPerDedupKey) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->apply(opening(1)).ok());
  auto dup = store->apply(opening(2));
  ASSERT_FALSE(dup.ok());
  EXPECT_TRUE(names_unique_violation(dup.error().message)) << dup.error().message;
  EXPECT_FALSE(store->get_incident(2)->has_value());
  EXPECT_EQ(*store->max_incident_id(), 1);

  IncidentChange res;
  res.incident = make_incident(1);
  res.incident.status = incident::Status::resolved;
  res.incident.resolved_at = t(90'000);
  res.incident.resolved_by = "alice";
  ASSERT_TRUE(store->apply(res).ok());
  ASSERT_TRUE(store->apply(opening(2)).ok());  // the key is free again once resolved
  EXPECT_EQ(*store->max_incident_id(), 2);
}

TEST_P(StoreTest, RejectsNonPositiveIncidentId) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto s = store->apply(opening(0));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "id");
}

TEST_P(StoreTest, OpenIncidentsExcludeResolvedAndCarryTimelines) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->apply(opening(1, "a/x")).ok());
  ASSERT_TRUE(store->apply(opening(2, "b/x")).ok());
  ASSERT_TRUE(store->apply(opening(3, "c/x")).ok());
  IncidentChange ack;
  ack.incident = make_incident(3, "c/x");
  ack.incident.status = incident::Status::acknowledged;
  ack.incident.acknowledged_at = t(40'000);
  ack.new_entries = {entry(2, 40'000, "acknowledged")};
  ASSERT_TRUE(store->apply(ack).ok());
  IncidentChange res;
  res.incident = make_incident(2, "b/x");
  res.incident.status = incident::Status::resolved;
  res.incident.resolved_at = t(50'000);
  res.new_entries = {entry(2, 50'000, "resolved")};
  ASSERT_TRUE(store->apply(res).ok());

  auto open_list = store->open_incidents();
  ASSERT_TRUE(open_list.ok()) << open_list.error().message;
  ASSERT_EQ(open_list->size(), 2u);
  EXPECT_EQ((*open_list)[0].id, 1);
  EXPECT_EQ((*open_list)[0].timeline.size(), 1u);
  EXPECT_EQ((*open_list)[1].id, 3);
  EXPECT_EQ((*open_list)[1].status, incident::Status::acknowledged);
  ASSERT_EQ((*open_list)[1].timeline.size(), 2u);
  EXPECT_EQ((*open_list)[1].timeline[1].kind, "acknowledged");
}

TEST_P(StoreTest, ListIncidentsFiltersNewestFirstWithoutTimelines) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  for (int id = 1; id <= 5; ++id) {
    IncidentChange c = opening(id, "key-" + std::to_string(id));
    c.incident.service = id % 2 ? "web-01" : "db-01";
    if (id <= 2) {
      c.incident.status = incident::Status::resolved;
      c.incident.resolved_at = t(99'000);
    }
    ASSERT_TRUE(store->apply(c).ok());
  }
  auto id_list = [](const std::vector<Incident>& v) {
    std::vector<std::int64_t> out;
    for (const auto& i : v) {
      EXPECT_TRUE(i.timeline.empty());
      out.push_back(i.id);
    }
    return out;
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(id_list(*store->list_incidents({})), (V{5, 4, 3, 2, 1}));
  EXPECT_EQ(id_list(*store->list_incidents({.open = true})), (V{5, 4, 3}));
  EXPECT_EQ(id_list(*store->list_incidents({.open = false})), (V{2, 1}));
  EXPECT_EQ(id_list(*store->list_incidents({.service = "web-01"})), (V{5, 3, 1}));
  EXPECT_EQ(id_list(*store->list_incidents({.open = true, .service = "db-01"})), (V{4}));
  EXPECT_EQ(id_list(*store->list_incidents({.limit = 2})), (V{5, 4}));
  EXPECT_EQ(id_list(*store->list_incidents({.service = "nope"})), V{});
}

// ------------------------------------------------------------------------------ durability

// Applies the change in a child process that then dies without closing the database (as a
// kill -9 would), and checks the parent sees everything after reopening.
void apply_in_child_and_die(const TestDatabase& db, const IncidentChange& change, bool sigkill) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = db.open_sql();
    if (!s.ok()) _exit(2);
    if (!(*s)->apply(change).ok()) _exit(3);
    (void)s->release();  // never closed: no checkpoint, no WAL cleanup
    if (sigkill) raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  if (sigkill) {
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  } else {
    ASSERT_TRUE(WIFEXITED(status)) << status;
    ASSERT_EQ(WEXITSTATUS(status), 0);
  }
}

TEST_P(StoreTest, AcknowledgedChangeSurvivesProcessDeath) {
  { ASSERT_NE(open(), nullptr); }  // create the schema first, then no connection is open here
  apply_in_child_and_die(db_, opening(1, "a/x"), /*sigkill=*/false);
  apply_in_child_and_die(db_, opening(2, "b/x"), /*sigkill=*/true);

  auto store = open();
  ASSERT_NE(store, nullptr);
  auto one = store->get_incident(1);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->timeline.size(), 1u);
  EXPECT_TRUE(store->get_incident(2)->has_value());
  EXPECT_EQ(*store->outbox_pending(), 2);
  EXPECT_EQ(*store->max_incident_id(), 2);
}

TEST_P(StoreTest, ReopenSeesEverything) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->apply(opening(7)).ok());
    ASSERT_TRUE(store->append_results({{"web-01/login", t(5'000), false, 500, 120ms, "status 500"}}).ok());
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->max_incident_id(), 7);
  EXPECT_EQ(store->open_incidents()->size(), 1u);
  auto r = store->recent_results("web-01/login", 10);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].error, "status 500");
  EXPECT_EQ((*r)[0].total, 120ms);
  EXPECT_FALSE((*r)[0].passed);
}

// ---------------------------------------------------------------------------------- outbox

TEST_P(StoreTest, OutboxClaimLeaseFailDeliver) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  IncidentChange c = opening(1);
  c.outbox = {message("m1", 1, 10'000), message("m2", 1, 11'000, "slack"), message("m3", 1, 12'000)};
  ASSERT_TRUE(store->apply(c).ok());
  EXPECT_EQ(*store->outbox_pending(), 3);

  // Not yet due before its creation time.
  EXPECT_TRUE(store->claim_outbox(t(9'999), 30s, 10)->empty());

  auto first = store->claim_outbox(t(20'000), 30s, 2);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(ids(*first), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ((*first)[0].attempts, 0);
  EXPECT_EQ((*first)[1].message.channel, "slack");
  EXPECT_EQ((*first)[1].message.payload, R"({"x":1})");
  EXPECT_EQ((*first)[1].message.created_at, t(11'000));

  // Within the lease the claimed rows are not handed out again; the unclaimed one is.
  EXPECT_EQ(ids(*store->claim_outbox(t(20'001), 30s, 10)), std::vector<std::string>{"m3"});
  EXPECT_TRUE(store->claim_outbox(t(49'999), 30s, 10)->empty());
  // m1 fails: back off until 100s, claim released.
  ASSERT_TRUE(store->mark_failed("m1", "connection refused", t(100'000)).ok());
  // m2 delivered.
  ASSERT_TRUE(store->mark_delivered("m2", t(21'000)).ok());
  EXPECT_EQ(*store->outbox_pending(), 2);

  // Lease of m3 (claimed at 20001 for 30s) expired at 50001 (a crashed sender): it comes back.
  EXPECT_TRUE(store->claim_outbox(t(50'000), 30s, 10)->empty());
  auto again = store->claim_outbox(t(50'001), 30s, 10);
  EXPECT_EQ(ids(*again), std::vector<std::string>{"m3"});

  // m1 is due at 100s; m3's second lease runs to 80001 so it is due as well by then.
  auto due = store->claim_outbox(t(100'000), 30s, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(ids(*due), (std::vector<std::string>{"m1", "m3"}));
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].last_error, "connection refused");
  EXPECT_EQ((*due)[0].next_attempt_at, t(100'000));

  ASSERT_TRUE(store->mark_failed("m1", "timeout", t(200'000)).ok());
  ASSERT_TRUE(store->mark_delivered("m3", t(100'500)).ok());
  EXPECT_TRUE(store->claim_outbox(t(199'999), 30s, 10)->empty());
  auto last = store->claim_outbox(t(200'000), 30s, 10);
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*last)[0].attempts, 2);
  EXPECT_EQ((*last)[0].last_error, "timeout");
  ASSERT_TRUE(store->mark_delivered("m1", t(200'100)).ok());
  EXPECT_EQ(*store->outbox_pending(), 0);
  EXPECT_TRUE(store->claim_outbox(t(999'999), 30s, 10)->empty());

  // Late reports about a delivered message change nothing; unknown ids are errors.
  EXPECT_TRUE(store->mark_failed("m1", "late", t(300'000)).ok());
  EXPECT_TRUE(store->mark_delivered("m1", t(300'000)).ok());
  EXPECT_EQ(*store->outbox_pending(), 0);
  EXPECT_FALSE(store->mark_delivered("nope", t(1)).ok());
  EXPECT_FALSE(store->mark_failed("nope", "x", t(1)).ok());
}

TEST_P(StoreTest, BackedOffMessageDoesNotBlockNewerOnes) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  IncidentChange c = opening(1);
  c.outbox = {message("old", 1, 1'000), message("new", 1, 2'000)};
  ASSERT_TRUE(store->apply(c).ok());
  ASSERT_EQ(ids(*store->claim_outbox(t(3'000), 10s, 1)), std::vector<std::string>{"old"});
  ASSERT_TRUE(store->mark_failed("old", "503", t(60'000)).ok());
  EXPECT_EQ(ids(*store->claim_outbox(t(4'000), 10s, 10)), std::vector<std::string>{"new"});
  ASSERT_TRUE(store->mark_failed("new", "503", t(30'000)).ok());
  // Both due: oldest first regardless of which came due first.
  EXPECT_EQ(ids(*store->claim_outbox(t(60'000), 10s, 10)), (std::vector<std::string>{"old", "new"}));
}

TEST_P(StoreTest, OutboxMessageWithNotBeforeIsDueThenNotAtItsCreation) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  IncidentChange c = opening(1);
  c.outbox = {message("now", 1, 10'000), message("in-5m", 1, 10'000, "user:alice:1")};
  c.outbox[1].not_before = t(10'000) + 5min;
  ASSERT_TRUE(store->apply(c).ok());
  EXPECT_EQ(ids(*store->claim_outbox(t(10'000) + 5min - 1ms, 30s, 10)), std::vector<std::string>{"now"});
  const auto later = *store->claim_outbox(t(10'000) + 5min, 30s, 10);
  EXPECT_EQ(ids(later), std::vector<std::string>{"in-5m"});
  EXPECT_EQ(later[0].message.created_at, t(10'000)) << "created when the page was made";
}

TEST_P(StoreTest, OutboxInsertIsIdempotentById) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  IncidentChange c = opening(1);
  ASSERT_TRUE(store->apply(c).ok());
  auto claimed = store->claim_outbox(t(40'000), 30s, 10);
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(store->mark_failed(c.outbox[0].id, "boom", t(45'000)).ok());

  // The same change again (e.g. retried after an ambiguous failure), minus the timeline
  // entries that did land: the message is neither duplicated nor reset.
  IncidentChange again = c;
  again.new_entries.clear();
  again.outbox[0].payload = "changed";
  ASSERT_TRUE(store->apply(again).ok());
  EXPECT_EQ(*store->outbox_pending(), 1);
  auto rows = store->claim_outbox(t(45'000), 30s, 10);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].attempts, 1);
  EXPECT_EQ((*rows)[0].message.payload, R"({"x":1})");
}

// --------------------------------------------------------------------------------- results

TEST_P(StoreTest, ResultsAppendRecentAndPrune) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->append_results({}).ok());
  std::vector<ResultRow> rows;
  for (int i = 0; i < 10; ++i) {
    rows.push_back({"web-01/login", t(1'000 * i), i % 3 != 0, i % 3 ? 200 : 503, Duration{100 + i},
                    i % 3 ? "" : "status 503"});
    rows.push_back({"web-01/home", t(1'000 * i + 500), true, 200, 50ms, ""});
  }
  ASSERT_TRUE(store->append_results(rows).ok());

  auto recent = store->recent_results("web-01/login", 3);
  ASSERT_TRUE(recent.ok()) << recent.error().message;
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[0].at, t(9'000));
  EXPECT_EQ((*recent)[0].check_id, "web-01/login");
  EXPECT_EQ((*recent)[0].status, 503);
  EXPECT_EQ((*recent)[0].error, "status 503");
  EXPECT_FALSE((*recent)[0].passed);
  EXPECT_EQ((*recent)[0].total, Duration{109});
  EXPECT_EQ((*recent)[1].at, t(8'000));
  EXPECT_TRUE((*recent)[1].passed);
  EXPECT_EQ((*recent)[2].at, t(7'000));
  EXPECT_TRUE(store->recent_results("nope", 10)->empty());
  EXPECT_TRUE(store->recent_results("web-01/login", 0)->empty());

  // Strictly older than `before`: login 0..4999 (5 rows) and home 500..4500 (5 rows).
  auto pruned = store->prune_results(t(5'000));
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_EQ(*pruned, 10);
  EXPECT_EQ(store->recent_results("web-01/login", 100)->size(), 5u);
  EXPECT_EQ(store->recent_results("web-01/login", 100)->back().at, t(5'000));
  EXPECT_EQ(*store->prune_results(t(5'000)), 0);
}

TEST_P(StoreTest, PruneDeletesAcrossManyChunks) {
  sql::Options opts;
  opts.prune_chunk = 7;
  auto s = db_.open_sql(opts);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto& store = **s;
  std::vector<ResultRow> rows;
  for (int i = 0; i < 100; ++i) rows.push_back({"c", t(i), true, 200, 1ms, ""});
  ASSERT_TRUE(store.append_results(rows).ok());
  EXPECT_EQ(*store.prune_results(t(70)), 70);  // exactly 10 full chunks
  EXPECT_EQ(*store.prune_results(t(1'000)), 30);
  EXPECT_TRUE(store.recent_results("c", 10)->empty());
}

TEST_P(StoreTest, TenThousandRowBatch) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  std::vector<ResultRow> rows;
  rows.reserve(10'000);
  for (int i = 0; i < 10'000; ++i)
    rows.push_back({"check-" + std::to_string(i % 50), t(1'000'000 + i), true, 200, Duration{i % 900}, ""});
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store->append_results(rows).ok());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 5s);  // generous: sanitizer builds on shared CI cores
  auto recent = store->recent_results("check-7", 1'000);
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->size(), 200u);
  EXPECT_EQ(recent->front().at, t(1'000'000 + 9'957));
  EXPECT_EQ(*store->prune_results(t(2'000'000)), 10'000);
}

TEST_P(StoreTest, ConcurrentCallsSerialise) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int b = 0; b < 20; ++b) {
        std::vector<ResultRow> rows;
        for (int i = 0; i < 25; ++i) rows.push_back({"c" + std::to_string(w), t(b * 100 + i), true, 200, 1ms, ""});
        EXPECT_TRUE(store->append_results(rows).ok());
        EXPECT_TRUE(store->recent_results("c" + std::to_string(w), 5).ok());
        const std::int64_t id = w * 100 + b + 1;
        EXPECT_TRUE(store->apply(opening(id, "k" + std::to_string(id))).ok());
        EXPECT_TRUE(store->claim_outbox(t(1'000'000), 1s, 3).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store->recent_results("c2", 10'000)->size(), 500u);
  EXPECT_EQ(store->open_incidents()->size(), 80u);
  EXPECT_EQ(*store->outbox_pending(), 80);
}

}  // namespace
}  // namespace vigil::store

namespace vigil::store {
namespace {

TEST_P(StoreTest, OnCallFieldsRoundTrip) {
  auto s = open();
  ASSERT_TRUE(s);
  incident::IncidentChange c;
  c.incident = make_incident(1, "am-4f2a");
  c.incident.origin = "alertmanager";
  c.incident.details = R"({"labels":{"alertname":"ApacheDown"}})";
  c.incident.escalation_policy = "web-oncall";
  c.incident.escalation = R"({"rule":1,"round":0})";
  ASSERT_TRUE(s->apply(c).ok());
  auto got = s->get_incident(1);
  ASSERT_TRUE(got.ok() && got.value());
  EXPECT_EQ((*got.value()).origin, "alertmanager");
  EXPECT_EQ((*got.value()).details, c.incident.details);
  EXPECT_EQ((*got.value()).escalation_policy, "web-oncall");
  EXPECT_EQ((*got.value()).escalation, c.incident.escalation);
}

TEST_P(StoreTest, MetaFirstWriterWins) {
  auto s = open();
  ASSERT_TRUE(s);
  auto none = s->get_meta("link_key");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value());
  auto first = s->put_meta_once("link_key", "k1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "k1");
  auto second = s->put_meta_once("link_key", "k2");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "k1") << "an existing value is kept";
  s.reset();
  auto reopened = open();
  EXPECT_EQ(*reopened->get_meta("link_key").value(), "k1");
}

TEST_P(StoreTest, EnqueueOutboxStoresMessagesOfNoIncidentWithTheirWatermark) {
  auto s = open();
  ASSERT_TRUE(s);
  auto h = message("vigil-handoff-primary-1-bob-user:bob:0", 0, 1'000, "user:bob:0");
  h.event = "handoff";
  ASSERT_TRUE(s->enqueue_outbox({h}, "handoff_checked_until_ms", "1000").ok());
  EXPECT_EQ(*s->get_meta("handoff_checked_until_ms").value(), "1000");
  // Again with the same message (a look that was not recorded): kept once; the watermark moves.
  h.payload = R"({"changed":true})";
  ASSERT_TRUE(s->enqueue_outbox({h}, "handoff_checked_until_ms", "2000").ok());
  ASSERT_TRUE(s->enqueue_outbox({}, "handoff_checked_until_ms", "3000").ok());
  s.reset();
  auto reopened = open();
  EXPECT_EQ(*reopened->get_meta("handoff_checked_until_ms").value(), "3000");
  EXPECT_EQ(*reopened->outbox_pending(), 1);
  const auto rows = *reopened->claim_outbox(t(5'000), 30s, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].message.id, h.id);
  EXPECT_EQ(rows[0].message.incident_id, 0);
  EXPECT_EQ(rows[0].message.event, "handoff");
  EXPECT_EQ(rows[0].message.payload, R"({"x":1})") << "the first one stays";
}

}  // namespace
}  // namespace vigil::store

namespace vigil::store {
namespace {

TEST_P(StoreTest, ApplyBatchCommitsAllAndIsolatesABadChange) {
  auto s = open();
  ASSERT_TRUE(s);
  std::vector<incident::IncidentChange> batch;
  for (int i = 1; i <= 3; ++i) {
    incident::IncidentChange c;
    c.incident = make_incident(i, "key-" + std::to_string(i));
    c.new_entries.push_back({1, c.incident.detected_at, "triggered", "check:x", "down"});
    batch.push_back(c);
  }
  auto ok = s->apply_batch(batch);
  ASSERT_EQ(ok.size(), 3u);
  for (const auto& st : ok) EXPECT_TRUE(st.ok());
  EXPECT_EQ(*s->max_incident_id(), 3);

  // #4 carries a duplicate (incident, seq): the batch falls back to one change at a time.
  std::vector<incident::IncidentChange> mixed(2);
  mixed[0].incident = make_incident(4, "key-4");
  mixed[0].new_entries.push_back({1, mixed[0].incident.detected_at, "triggered", "a", "x"});
  mixed[0].new_entries.push_back({1, mixed[0].incident.detected_at, "note", "a", "dup seq"});
  mixed[1].incident = make_incident(5, "key-5");
  mixed[1].new_entries.push_back({1, mixed[1].incident.detected_at, "triggered", "a", "x"});
  auto res = s->apply_batch(mixed);
  EXPECT_FALSE(res[0].ok());
  EXPECT_TRUE(res[1].ok());
  EXPECT_FALSE(s->get_incident(4).value().has_value()) << "the bad change left nothing";
  EXPECT_TRUE(s->get_incident(5).value().has_value()) << "the good one landed";
}

}  // namespace
}  // namespace vigil::store

namespace vigil::store {
namespace {

// The server drops the store's sessions (a restart, a failover, an admin's
// pg_terminate_backend): the next calls reconnect and run, on the writer and the reader alike.
TEST(PostgresStore, ReconnectsWhenTheServerDropsItsSessions) {
  testing::PostgresSchema schema;
  auto s = sql::SqlStore::open_postgres(schema.conninfo());
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto& store = **s;
  ASSERT_TRUE(store.apply(opening(1, "a/x")).ok());
  ASSERT_TRUE(store.window_sums(t(0), t(100'000)).ok());
  testing::postgres_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" +
                          schema.name() + "'");

  Status applied = store.apply(opening(2, "b/x"));
  EXPECT_TRUE(applied.ok()) << applied.error().message;
  auto sums = store.window_sums(t(0), t(100'000));
  ASSERT_TRUE(sums.ok()) << sums.error().message;
  ASSERT_EQ(sums->services.size(), 1u);
  EXPECT_EQ(sums->services[0].incidents, 2);
  auto two = store.get_incident(2);
  ASSERT_TRUE(two.ok() && two->has_value());
  EXPECT_EQ((*two)->timeline.size(), 1u);
}

// DESIGN.md §6: two vigil nodes on one database drain one outbox, and no message is claimed
// by both within a lease. Two stores (two sessions each) claim concurrently from 8 threads.
TEST(PostgresStore, ConcurrentClaimsNeverShareAMessage) {
  testing::PostgresSchema schema;
  auto a = sql::SqlStore::open_postgres(schema.conninfo());
  auto b = sql::SqlStore::open_postgres(schema.conninfo());
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<OutboxMessage> messages;
  for (int i = 0; i < 300; ++i) messages.push_back(message("m" + std::to_string(i), 0, 1'000 + i));
  ASSERT_TRUE((*a)->enqueue_outbox(messages, "w", "1").ok());

  std::mutex mu;
  std::vector<std::string> claimed;
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    Store& store = w % 2 ? static_cast<Store&>(**a) : static_cast<Store&>(**b);
    threads.emplace_back([&] {
      for (;;) {
        auto got = store.claim_outbox(t(1'000'000), 60s, 3);
        ASSERT_TRUE(got.ok()) << got.error().message;
        if (got->empty()) return;
        std::lock_guard lock(mu);
        for (const auto& r : *got) claimed.push_back(r.message.id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(std::adjacent_find(claimed.begin(), claimed.end()), claimed.end()) << "a message claimed twice";
  EXPECT_EQ(claimed.size(), 300u);
}

// Errors name the server, never the password of the connection string.
TEST(PostgresStore, ConnectionErrorsNameTheServerWithoutThePassword) {
  auto s = sql::SqlStore::open_postgres("postgresql://vigil:s3cret-pw@127.0.0.1:1/vigil?connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("postgresql://vigil@127.0.0.1:1/vigil"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("s3cret-pw"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace vigil::store
