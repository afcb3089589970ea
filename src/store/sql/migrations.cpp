#include "store/sql/migrations.h"

#include <fmt/format.h>

#include "store/sql/db.h"

namespace vigil::store::sql {
namespace {

Result<int> current_version(Db& db) {
  auto st = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!st.ok()) return st.error();
  auto row = st->step();
  if (!row.ok()) return row.error();
  return *row ? static_cast<int>(st->col_int(0)) : 0;
}

Error too_new(const Db& db, int found, int known) {
  return Error{fmt::format("database {} has schema version {}, newer than this vigil knows ({}): "
                           "it was written by a newer vigil; run that version (or restore a "
                           "backup) instead of downgrading",
                           db.path(), found, known),
               db.path()};
}

}  // namespace

Result<MigrationReport> migrate(Db& db, std::span<const Migration> migrations, Time now) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1)
      return Error{fmt::format("migration list out of order: entry {} has version {}", i + 1,
                               migrations[i].version)};
  }
  const int latest = static_cast<int>(migrations.size());
  if (auto s = db.lock_schema(); !s.ok())
    return Error{fmt::format("{}: lock the schema: {}", db.path(), s.error().message), db.path()};
  struct Unlock {
    Db& db;
    ~Unlock() { db.unlock_schema(); }
  } unlock{db};

  if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version    INTEGER PRIMARY KEY,"
                       " applied_at BIGINT NOT NULL"  // Unix ms
                       ")");
      !s.ok())
    return Error{fmt::format("{}: create schema_migrations: {}", db.path(), s.error().message), db.path()};

  auto found = current_version(db);
  if (!found.ok()) return Error{fmt::format("{}: read schema version: {}", db.path(), found.error().message)};
  MigrationReport report{*found, *found, 0};
  if (*found > latest) return too_new(db, *found, latest);

  for (const Migration& m : migrations) {
    if (m.version <= report.to_version) continue;
    // Back on whichever way this migration ends (the connection keeps enforcing them).
    struct ForeignKeysBack {
      Db* db = nullptr;
      ~ForeignKeysBack() {
        if (db) (void)db->exec("PRAGMA foreign_keys=ON");
      }
    } keys_back;
    if (m.rebuilds_table) {  // SQLite's migrations only
      if (auto s = db.exec("PRAGMA foreign_keys=OFF"); !s.ok())
        return Error{fmt::format("{}: migration {}: {}", db.path(), m.version, s.error().message)};
      keys_back.db = &db;
    }
    Txn txn(db);
    if (auto s = txn.begin(); !s.ok())
      return Error{fmt::format("{}: migration {}: {}", db.path(), m.version, s.error().message)};
    // Re-read under the write lock: another process may have migrated meanwhile.
    auto now_version = current_version(db);
    if (!now_version.ok()) return now_version.error();
    if (*now_version > latest) return too_new(db, *now_version, latest);
    if (*now_version >= m.version) {
      report.to_version = *now_version;
      continue;  // txn rolls back: nothing was written
    }
    if (auto s = db.exec(std::string(m.sql)); !s.ok())
      return Error{fmt::format("{}: migration {}: {}", db.path(), m.version, s.error().message)};
    if (m.rebuilds_table) {
      auto check = db.prepare("PRAGMA foreign_key_check");
      if (!check.ok()) return check.error();
      auto row = check->step();
      if (!row.ok()) return row.error();
      if (*row)
        return Error{fmt::format("{}: migration {}: a foreign key of table {} no longer matches", db.path(),
                                 m.version, check->col_text(0)),
                     db.path()};
    }
    auto rec = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)");
    if (!rec.ok()) return rec.error();
    rec->bind_int(1, m.version).bind_int(2, now.time_since_epoch().count());
    if (auto s = rec->run(); !s.ok()) return s.error();
    if (auto s = txn.commit(); !s.ok())
      return Error{fmt::format("{}: migration {}: commit: {}", db.path(), m.version, s.error().message)};
    report.to_version = m.version;
    ++report.applied;
  }
  return report;
}

}  // namespace vigil::store::sql
