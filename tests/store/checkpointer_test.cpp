#include "store/sqlite/checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sql/sql_store.h"
#include "support/test_dir.h"

namespace vigil::store::sqlite {
namespace {

namespace fs = std::filesystem;

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (dir_ / "vigil.db").string();
  }
  // Commits `n` transactions of one ~1 KiB row each on `db`.
  static void commit_rows(sqlite3* db, int n) {
    const std::string blob(1000, 'x');
    for (int i = 0; i < n; ++i) {
      const std::string sql = "INSERT INTO t (v) VALUES ('" + blob + "')";
      ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    }
  }

  // The database file's size once it stops changing for a moment, waiting at most 5 s for it
  // to reach `at_least` bytes.
  std::uintmax_t db_size_reaching(std::uintmax_t at_least) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::uintmax_t size = fs::file_size(path_);
    while (size < at_least && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      size = fs::file_size(path_);
    }
    return size;
  }

  testing::TestDir dir_;
  std::string path_;
};

// A WAL writer without fsyncs (thousands of commits in a test): durability is not what is tested.
sqlite3* open_wal(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; "
                             "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  return db;
}

TEST_F(CheckpointerTest, MovesCommittedPagesIntoTheDatabaseFileOffTheWritersThread) {
  sqlite3* writer = open_wal(path_);
  auto ckpt = Checkpointer::start(writer, path_);
  ASSERT_NE(ckpt, nullptr);
  const auto before = fs::file_size(path_);
  // ~4 rows a page: 6000 commits are far past the wake-up threshold, far below the inline one.
  commit_rows(writer, 6000);
  // The writer's hook never checkpoints below kInlinePages, so only the thread can have
  // written the pages into the database file.
  EXPECT_GT(db_size_reaching(before + 1'000'000), before + 1'000'000);
  ckpt.reset();
  sqlite3_close(writer);
}

TEST_F(CheckpointerTest, WithoutItTheWritersOwnHookWouldHaveToDoIt) {
  // The control: the same writes with SQLite's automatic checkpoint turned off leave the
  // database file as it was (everything stays in the WAL), so the test above can fail.
  sqlite3* writer = open_wal(path_);
  sqlite3_wal_autocheckpoint(writer, 0);
  const auto before = fs::file_size(path_);
  commit_rows(writer, 2000);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(fs::file_size(path_), before);
  sqlite3_close(writer);
}

TEST_F(CheckpointerTest, StoreStillReadsWhatItWroteAfterReopening) {
  {
    auto s = sql::SqlStore::open_sqlite(path_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    for (int i = 1; i <= 300; ++i) {
      incident::IncidentChange c;
      c.incident.id = i;
      c.incident.dedup_key = "k" + std::to_string(i);
      c.incident.service = "web";
      c.incident.title = std::string(2000, 't');
      c.new_entries.push_back({1, Time{}, "triggered", "test", "opened"});
      ASSERT_TRUE((*s)->apply(c).ok());
    }
  }
  auto s = sql::SqlStore::open_sqlite(path_);
  ASSERT_TRUE(s.ok());
  auto open = (*s)->open_incidents();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 300u);
  EXPECT_EQ(open->back().timeline.size(), 1u);
}

}  // namespace
}  // namespace vigil::store::sqlite
