// GroupCommitter against a real SQLite store: every change lands, answers come first and in
// order, a bad change fails alone, and stop() commits what was submitted.
#include "app/group_commit.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "store/store.h"
#include "support/test_dir.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;
using incident::Incident;
using incident::IncidentChange;

const Time t0 = Time{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}};

IncidentChange opening(std::int64_t id, std::string dedup) {
  IncidentChange c;
  Incident& in = c.incident;
  in.id = id;
  in.dedup_key = std::move(dedup);
  in.service = "web";
  in.title = "event " + std::to_string(id);
  in.severity = "critical";
  in.status = incident::Status::triggered;
  in.started_at = in.detected_at = t0;
  c.new_entries.push_back({1, t0, "triggered", "integration:bench", "event"});
  return c;
}

class GroupCommit : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_sqlite((dir_ / "vigil.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s.value());
  }
  void TearDown() override {
    store_.reset();
  }

  // Records, under one mutex, the order in which answers and `done` calls happened.
  struct Log {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::string> events;
    std::size_t done_changes = 0;
    void add(std::string e) {
      std::lock_guard lock(mu);
      events.push_back(std::move(e));
    }
    void wait_done(std::size_t n) {
      std::unique_lock lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done_changes >= n; }));
    }
  };

  // The engine's part of `done`: each change's `then`, in order.
  static GroupCommitter::Done runs_thens(Log& log) {
    return [&log](CommitBatch b) {
      for (std::size_t i = 0; i < b.then.size(); ++i) b.then[i](b.results[i]);
      std::lock_guard lock(log.mu);
      log.done_changes += b.changes.size();
      log.cv.notify_all();
    };
  }

  CommitBatch batch(Log& log, std::int64_t first, int n) {
    CommitBatch b;
    for (std::int64_t id = first; id < first + n; ++id)
      b.push(opening(id, "key-" + std::to_string(id)), [&log, id](const Status& st) {
               log.add("then " + std::to_string(id) + (st.ok() ? " ok" : " failed"));
             },
             [&log, id](const Status& st) { log.add("answer " + std::to_string(id) + (st.ok() ? " ok" : " failed")); });
    return b;
  }

  testing::TestDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(GroupCommit, EveryChangeLandsAnswersFirstThenDoneInOrder) {
  Log log;
  GroupCommitter committer(*store_, runs_thens(log));
  committer.submit(batch(log, 1, 3));
  committer.submit(batch(log, 4, 2));
  log.wait_done(5);
  auto open = store_->open_incidents();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 5u);
  // Each change: its answer (committer thread, straight after the commit) before its `then`;
  // changes keep their submission order in both.
  std::vector<std::string> answers, thens;
  for (const auto& e : log.events) (e.rfind("answer", 0) == 0 ? answers : thens).push_back(e);
  EXPECT_EQ(answers, (std::vector<std::string>{"answer 1 ok", "answer 2 ok", "answer 3 ok", "answer 4 ok", "answer 5 ok"}));
  EXPECT_EQ(thens, (std::vector<std::string>{"then 1 ok", "then 2 ok", "then 3 ok", "then 4 ok", "then 5 ok"}));
  for (int id = 1; id <= 5; ++id) {
    const auto a = std::find(log.events.begin(), log.events.end(), "answer " + std::to_string(id) + " ok");
    const auto t = std::find(log.events.begin(), log.events.end(), "then " + std::to_string(id) + " ok");
    EXPECT_LT(a, t) << id;
  }
}

TEST_F(GroupCommit, ABadChangeFailsAloneTheOthersLand) {
  Log log;
  GroupCommitter committer(*store_, runs_thens(log));
  CommitBatch b = batch(log, 1, 3);
  b.changes[1].incident.dedup_key = b.changes[0].incident.dedup_key;  // two open incidents, one key: refused
  committer.submit(std::move(b));
  log.wait_done(3);
  EXPECT_NE(std::find(log.events.begin(), log.events.end(), "answer 1 ok"), log.events.end());
  EXPECT_NE(std::find(log.events.begin(), log.events.end(), "answer 2 failed"), log.events.end());
  EXPECT_NE(std::find(log.events.begin(), log.events.end(), "answer 3 ok"), log.events.end());
  auto open = store_->open_incidents();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 2u);
}

TEST_F(GroupCommit, StopCommitsWhatWasSubmittedAndIgnoresLaterSubmissions) {
  Log log;
  std::size_t done = 0;
  {
    GroupCommitter committer(*store_, [&done](CommitBatch b) { done += b.changes.size(); });
    for (int i = 0; i < 20; ++i) committer.submit(batch(log, 1 + i * 10, 10));
    committer.stop();
    EXPECT_EQ(done, 200u);
    committer.submit(batch(log, 1000, 1));  // after stop: dropped, not committed
  }
  auto open = store_->open_incidents();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 200u);
}

}  // namespace
}  // namespace vigil::app
