// The store's tests run on both engines: each parameterised test gets a TestDatabase of its
// engine (a SQLite file in a temporary directory, or a schema of its own on the run's real
// PostgreSQL server) and opens, closes and reopens the store on it as a daemon would.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "store/sql/sql_store.h"
#include "store/store.h"
#include "support/postgres.h"
#include "support/test_dir.h"

namespace vigil::store {

enum class Engine { sqlite, postgres };

inline std::string engine_name(const ::testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::sqlite ? "sqlite" : "postgres";
}

class TestDatabase {
 public:
  explicit TestDatabase(Engine engine) : engine_(engine) {
    if (engine == Engine::sqlite) {
      dir_.emplace();
      path_ = (dir_->path() / "vigil.db").string();
    } else {
      schema_.emplace();
      path_ = schema_->conninfo();
    }
  }

  Engine engine() const { return engine_; }
  // The SQLite file, or the PostgreSQL connection string.
  const std::string& where() const { return path_; }

  Result<std::unique_ptr<sql::SqlStore>> open_sql(const sql::Options& options = {}) const {
    return engine_ == Engine::sqlite ? sql::SqlStore::open_sqlite(path_, options)
                                     : sql::SqlStore::open_postgres(path_, options);
  }
  // As the daemon opens it (store.h); a failure fails the test and returns null.
  std::unique_ptr<Store> open() const {
    auto s = open_sql();
    EXPECT_TRUE(s.ok()) << s.error().message;
    if (!s.ok()) return nullptr;
    return std::unique_ptr<Store>(std::move(s).value());
  }

 private:
  Engine engine_;
  std::optional<testing::TestDir> dir_;
  std::optional<testing::PostgresSchema> schema_;
  std::string path_;
};

// A test fixture with one TestDatabase of the parameter's engine.
class EngineTest : public ::testing::TestWithParam<Engine> {
 protected:
  TestDatabase db_{GetParam()};
};

#define VIGIL_ON_BOTH_ENGINES(Suite) \
  INSTANTIATE_TEST_SUITE_P(Engines, Suite, ::testing::Values(Engine::sqlite, Engine::postgres), engine_name)

}  // namespace vigil::store
