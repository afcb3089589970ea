// The report's sums and spans as SQL computes them, against figures computed by hand over one
// day (minutes 0 to 1440), and the reader connection they run on: never behind the writer.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include "store/sql/sql_store.h"
#include "store/store.h"
#include "store/store_engines.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using incident::IncidentChange;

Time m(std::int64_t minutes) { return Time{std::chrono::minutes(minutes)}; }

struct Fixture {
  std::int64_t id;
  const char* service;
  const char* severity;
  std::int64_t started, detected;
  std::optional<std::int64_t> acked, resolved;
  std::vector<std::int64_t> pages;
  incident::Urgency urgency = incident::Urgency::high;
};

IncidentChange change_of(const Fixture& f) {
  IncidentChange c;
  auto& in = c.incident;
  in.id = f.id;
  in.dedup_key = "k" + std::to_string(f.id);
  in.service = f.service;
  in.check = "login";
  in.title = "down";
  in.severity = f.severity;
  in.urgency = f.urgency;
  in.started_at = m(f.started);
  in.detected_at = m(f.detected);
  if (f.acked) in.acknowledged_at = m(*f.acked);
  if (f.resolved) {
    in.resolved_at = m(*f.resolved);
    in.status = incident::Status::resolved;
  }
  std::int64_t seq = 0;
  c.new_entries.push_back({++seq, m(f.detected), "triggered", "vigil", ""});
  for (auto p : f.pages) c.new_entries.push_back({++seq, m(p), "paged", "vigil", "alice"});
  return c;
}

const std::vector<Fixture> kDay = {
    // Began the evening before: 30 min of downtime in the window, not the window's incident;
    // its page was before the window.
    {1, "web", "critical", -30, -25, -20, 30, {-25}},
    // Acknowledged and resolved; two pages inside.
    {2, "web", "critical", 600, 602, 607, 660, {602, 612}},
    // Overlaps #2: its outage is counted once.
    {6, "web", "critical", 630, 631, {}, 645, {}},
    // A warning: an incident with a time to resolve, not downtime.
    // Low urgency: counted apart, and not in the high-urgency MTTA.
    {3, "web", "warning", 720, 721, {}, 751, {}, incident::Urgency::low},
    // Still open: down until the end of the window; one page inside, one after it.
    // Low urgency too, acknowledged: in the MTTA, not in the high-urgency MTTA.
    {4, "api", "critical", 1380, 1390, 1400, {}, {1390, 1445}, incident::Urgency::low},
    // Not configured anywhere (the report lists it after the configured ones).
    {5, "db", "error", 300, 300, {}, 310, {}},
    // Resolved exactly at the window's start: seen (it overlaps), but no time inside.
    {9, "cache", "critical", -60, -60, {}, 0, {}},
    // Outside: over before, and started after.
    {7, "web", "critical", -100, -100, {}, -50, {-99}},
    {8, "api", "critical", 1500, 1500, {}, {}, {}},
};

class ReportStoreTest : public EngineTest {
 protected:
  void TearDown() override {
    store_.reset();
  }

  void open(sql::Options options = {}) {
    auto s = db_.open_sql(options);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }

  void fill_day() {
    std::vector<IncidentChange> changes;
    for (const auto& f : kDay) changes.push_back(change_of(f));
    for (const auto& st : store_->apply_batch(changes)) ASSERT_TRUE(st.ok()) << st.error().message;
    auto item = [&](std::int64_t incident_id, const char* status) {
      ASSERT_TRUE(store_->create_action_item({0, incident_id, "fix it", "", "", status, m(0), m(0)}).ok());
    };
    item(2, "open");
    item(2, "done");
    item(4, "open");
    item(7, "open");  // its incident is outside the window: only in the total
    item(0, "open");  // tied to no incident: only in the total
  }

  std::vector<IncidentSpan> spans(Time from, Time to) {
    std::vector<IncidentSpan> out;
    Status st = store_->visit_spans(from, to, [&](const IncidentSpan& s) { out.push_back(s); });
    EXPECT_TRUE(st.ok()) << st.error().message;
    return out;
  }

  std::unique_ptr<sql::SqlStore> store_;
};
VIGIL_ON_BOTH_ENGINES(ReportStoreTest);

// How SQLite's connections share the file: the reader beside the writer, an in-memory database.
class SqliteReportStoreTest : public ReportStoreTest {
 protected:
  const std::string& path_ = db_.where();
};
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteReportStoreTest, ::testing::Values(Engine::sqlite), engine_name);

void expect_day_sums(const WindowSums& sums) {
  ASSERT_EQ(sums.services.size(), 4u);  // by name; #7 and #8 do not overlap the window
  const auto& api = sums.services[0];
  const auto& cache = sums.services[1];
  const auto& db = sums.services[2];
  const auto& web = sums.services[3];
  EXPECT_EQ(api.service, "api");
  EXPECT_EQ(cache.service, "cache");
  EXPECT_EQ(db.service, "db");
  EXPECT_EQ(web.service, "web");

  EXPECT_EQ(web.incidents, 3);  // #2, #6, #3
  EXPECT_EQ(web.acknowledged, 1);
  EXPECT_EQ(web.to_acknowledge, 5min);
  EXPECT_EQ(web.resolved, 3);
  EXPECT_EQ(web.to_resolve, 102min);  // 58 + 14 + 30
  EXPECT_EQ(web.pages, 2);
  EXPECT_EQ(web.action_items_open, 1);
  EXPECT_EQ(web.low_urgency, 1);  // #3
  EXPECT_EQ(web.high_acknowledged, 1);
  EXPECT_EQ(web.high_to_acknowledge, 5min);

  EXPECT_EQ(api.incidents, 1);
  EXPECT_EQ(api.acknowledged, 1);
  EXPECT_EQ(api.to_acknowledge, 10min);
  EXPECT_EQ(api.resolved, 0);
  EXPECT_EQ(api.to_resolve, 0min);
  EXPECT_EQ(api.pages, 1);
  EXPECT_EQ(api.action_items_open, 1);
  EXPECT_EQ(api.low_urgency, 1);
  EXPECT_EQ(api.high_acknowledged, 0);
  EXPECT_EQ(api.high_to_acknowledge, 0min);

  EXPECT_EQ(db.incidents, 1);
  EXPECT_EQ(db.acknowledged, 0);
  EXPECT_EQ(db.resolved, 1);
  EXPECT_EQ(db.to_resolve, 10min);
  EXPECT_EQ(db.pages, 0);

  EXPECT_EQ(cache.incidents, 0);
  EXPECT_EQ(cache.resolved, 0);

  EXPECT_EQ(sums.action_items_open, 4);
}

TEST_P(ReportStoreTest, SumsPerServiceOverTheWindow) {
  open();
  fill_day();
  auto sums = store_->window_sums(m(0), m(1440));
  ASSERT_TRUE(sums.ok()) << sums.error().message;
  expect_day_sums(*sums);
}

TEST_P(ReportStoreTest, SpansAreClampedToTheWindowInOrderOfStart) {
  open();
  fill_day();
  const auto got = spans(m(0), m(1440));
  struct Want {
    const char* service;
    const char* severity;
    std::int64_t start, end;
  };
  const std::vector<Want> want = {
      {"web", "critical", 0, 30},       // #1, clamped at the start
      {"db", "error", 300, 310},        // #5
      {"web", "critical", 600, 660},    // #2
      {"web", "critical", 630, 645},    // #6 (overlaps are for the caller to merge)
      {"web", "warning", 720, 751},     // #3 (severity is for the caller to judge)
      {"api", "critical", 1380, 1440},  // #4, open: until the end
  };
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].service, want[i].service);
    EXPECT_EQ(got[i].severity, want[i].severity);
    EXPECT_EQ(got[i].start, m(want[i].start));
    EXPECT_EQ(got[i].end, m(want[i].end));
  }
  EXPECT_TRUE(spans(m(10), m(10)).empty());
}

TEST_P(SqliteReportStoreTest, InMemoryStoreReadsOnItsOnlyConnection) {
  auto s = sql::SqlStore::open_sqlite(":memory:");
  ASSERT_TRUE(s.ok()) << s.error().message;
  store_ = std::move(s).value();
  fill_day();
  auto sums = store_->window_sums(m(0), m(1440));
  ASSERT_TRUE(sums.ok()) << sums.error().message;
  expect_day_sums(*sums);
  EXPECT_EQ(spans(m(0), m(1440)).size(), 6u);
}

TEST_P(ReportStoreTest, SpansOfManyIncidentsComeInOrderOfStart) {
  open();
  std::vector<IncidentChange> changes;
  // Inserted newest first, with ties: the order is the query's, not the insertion's.
  for (std::int64_t i = 2000; i >= 1; --i) changes.push_back(change_of({i, "web", "critical", i / 3, i / 3, {}, i / 3 + 1, {}}));
  for (const auto& st : store_->apply_batch(changes)) ASSERT_TRUE(st.ok()) << st.error().message;
  const auto got = spans(m(0), m(100'000));
  ASSERT_EQ(got.size(), 2000u);
  for (std::size_t i = 1; i < got.size(); ++i) ASSERT_LE(got[i - 1].start, got[i].start) << "at " << i;
}

// What the reader connection is for: another connection holds the write lock (as the daemon's
// writer does while a group commit is under way), and the report still reads, at once, what was
// committed before.
TEST_P(SqliteReportStoreTest, ReadsWhileAWriteTransactionIsOpen) {
  open();
  fill_day();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other,
                         "BEGIN IMMEDIATE; INSERT INTO incidents (id, dedup_key, service, check_name, title, severity, "
                         "status, started_at_ms, detected_at_ms) VALUES (100, 'x', 'web', 'c', 't', 'critical', "
                         "'triggered', 60000, 60000)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(other);
  auto sums = store_->window_sums(m(0), m(1440));
  ASSERT_TRUE(sums.ok()) << sums.error().message;
  expect_day_sums(*sums);  // not the uncommitted #100
  EXPECT_EQ(spans(m(0), m(1440)).size(), 6u);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
}

// And the writer's mutex: a commit of the store's own waits for that lock while holding the
// writer's mutex; a report must not wait behind it (on the writer's connection it would, until
// the commit gave up after busy_timeout).
TEST_P(SqliteReportStoreTest, ReportDoesNotWaitForTheWritersMutex) {
  open(sql::Options{.busy_timeout_ms = 3000});
  fill_day();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  std::promise<void> started;
  auto commit = std::async(std::launch::async, [&] {
    started.set_value();
    return store_->apply(change_of({200, "web", "critical", 900, 900, {}, {}, {}}));
  });
  started.get_future().wait();
  std::this_thread::sleep_for(200ms);  // let it take the mutex and start waiting for the lock

  const auto t0 = std::chrono::steady_clock::now();
  auto sums = store_->window_sums(m(0), m(1440));
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(sums.ok()) << sums.error().message;
  EXPECT_LT(took, 1s);
  EXPECT_EQ(commit.wait_for(0s), std::future_status::timeout);  // still waiting for the lock

  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  Status st = commit.get();
  EXPECT_TRUE(st.ok()) << st.error().message;
  auto after = store_->window_sums(m(0), m(1440));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->services[3].incidents, 4);  // the reader sees the new commit
}

}  // namespace
}  // namespace vigil::store
