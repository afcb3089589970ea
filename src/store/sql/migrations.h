// Versioned schema migrations, one ordered list per engine (sqlite::migrations(),
// postgres::migrations()): migration N moves the schema from version N-1 to N. Applied
// versions are recorded in schema_migrations(version, applied_at), each migration in its own
// transaction together with its record, so a crash leaves the schema at a whole version.
// Never edit a migration that has shipped: append a new one.
#pragma once
#include <span>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace vigil::store::sql {

class Db;

struct Migration {
  int version = 0;       // 1, 2, 3 ... in order, no gaps
  std::string_view sql;  // one or more statements
  // Rebuilds a table others reference (SQLite's "12 steps"): foreign keys are switched off for
  // it (a pragma that has no effect inside a transaction) and checked before its commit.
  bool rebuilds_table = false;
};

struct MigrationReport {
  int from_version = 0;  // schema version found on open (0: a new database)
  int to_version = 0;    // schema version after migrating
  int applied = 0;       // migrations applied by this call
};

// Brings the database up to the last migration of `migrations`. A database whose version is
// newer than the list knows is refused with an error (never touched): an older binary must
// not write into a schema it does not understand.
Result<MigrationReport> migrate(Db& db, std::span<const Migration> migrations, Time now);

}  // namespace vigil::store::sql
