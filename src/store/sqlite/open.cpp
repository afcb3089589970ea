// Opening the store on SQLite: the file (and its folder), its migrations, the checkpointer and
// the reader connection beside the writer (sql/sql_store.h).
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "store/sql/sql_store.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"

namespace vigil::store {

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path) {
  auto s = sql::SqlStore::open_sqlite(path);
  if (!s.ok()) return s.error();
  return std::unique_ptr<Store>(std::move(s).value());
}

}  // namespace vigil::store

namespace vigil::store::sql {

Result<std::unique_ptr<SqlStore>> SqlStore::open_sqlite(const std::string& path, const Options& given) {
  Options options = given;
  if (options.migrations.empty()) options.migrations = sqlite::migrations();
  const bool file = path != ":memory:" && !path.empty() && path.rfind("file:", 0) != 0;
  // Create the parent folder (config says e.g. `sqlite: data/vigil.db`).
  if (file) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec)
        return Error{fmt::format("cannot create directory {} for the database: {}", parent.string(), ec.message()),
                     path};
    }
  }
  auto db = sqlite::SqliteDb::open(path, options.busy_timeout_ms);
  if (!db.ok()) return db.error();
  auto report = migrate(**db, options.migrations, now_ms());
  if (!report.ok()) return report.error();
  sqlite3* writer = (*db)->handle();
  std::unique_ptr<SqlStore> store(new SqlStore(std::move(*db), *report, options));
  // A file database (not ":memory:" nor a "file:" URI) checkpoints off the commit path and
  // reads long windows on a connection of its own. Without one (it could not be opened) the
  // writer's connection serves both, as before.
  if (file) {
    store->background_ = sqlite::Checkpointer::start(writer, path);
    if (auto reader = sqlite::SqliteDb::open_reader(path, options.busy_timeout_ms); reader.ok())
      store->reader_ = std::move(*reader);
  }
  return store;
}

}  // namespace vigil::store::sql
