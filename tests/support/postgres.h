// A real PostgreSQL for tests (tests/support/postgres.sh). Under ctest one server serves the
// whole run (a fixture started before the store tests and stopped by PID after them, in the
// directory the build names in VIGIL_TEST_POSTGRES); a test binary run by hand, with no such
// server up, starts its own on first use and stops it at exit. Each test gets a schema of its own (PostgresSchema), so tests share the
// server without seeing each other's tables, and dropping the schema cleans up.
#pragma once
#include <libpq-fe.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace vigil::testing {

class PostgresServer {
 public:
  static PostgresServer& shared() {
    static PostgresServer server;
    return server;
  }
  ~PostgresServer() {
    if (own_) (void)std::system(("bash " + script() + " stop " + dir_).c_str());
  }
  // libpq key=value connection string to database `vigil` as its superuser, with `extra`.
  std::string conninfo(const std::string& extra = {}) const {
    return "host=127.0.0.1 port=" + port_ + " user=vigil dbname=vigil" + (extra.empty() ? "" : " " + extra);
  }
  const std::string& port() const { return port_; }

 private:
  PostgresServer() {
#ifdef VIGIL_TEST_POSTGRES
    dir_ = VIGIL_TEST_POSTGRES;
#endif
    if (dir_.empty() || !std::filesystem::exists(dir_ + "/port")) {
      dir_ = "/tmp/vigil-pg-" + std::to_string(::getpid());
      own_ = true;
      if (std::system(("bash " + script() + " start " + dir_).c_str()) != 0)
        throw std::runtime_error("cannot start PostgreSQL (tests/support/postgres.sh start " + dir_ + ")");
    }
    std::ifstream in(dir_ + "/port");
    if (!(in >> port_)) throw std::runtime_error("no PostgreSQL test server: " + dir_ + "/port is missing");
  }
  static std::string script() {
    const char* src = std::getenv("VIGIL_SOURCE_DIR");
#ifdef VIGIL_TEST_SOURCE_DIR
    if (!src || !*src) src = VIGIL_TEST_SOURCE_DIR;
#endif
    return std::string(src && *src ? src : ".") + "/tests/support/postgres.sh";
  }

  std::string dir_;
  std::string port_;
  bool own_ = false;
};

// Runs one statement as the superuser; throws on failure (a broken fixture, not a test result).
inline void postgres_admin(const std::string& sql) {
  PGconn* c = PQconnectdb(PostgresServer::shared().conninfo().c_str());
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // "drop cascades to ..."
  std::string err;
  if (PQstatus(c) != CONNECTION_OK) {
    err = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) err = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  if (!err.empty()) throw std::runtime_error("postgres: " + sql + ": " + err);
}

// A fresh, empty schema for one test; conninfo() puts it first on the search path, so the
// store creates its tables there. Dropped with everything in it by the destructor.
class PostgresSchema {
 public:
  PostgresSchema() {
    static std::atomic<int> n{0};
    name_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(++n);
    postgres_admin("CREATE SCHEMA " + name_);
  }
  ~PostgresSchema() {
    try {
      postgres_admin("DROP SCHEMA " + name_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;

  // application_name is the schema's name too, to find this test's sessions in pg_stat_activity.
  std::string conninfo() const {
    return PostgresServer::shared().conninfo("application_name=" + name_ + " options='-c search_path=" + name_ + "'");
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace vigil::testing
