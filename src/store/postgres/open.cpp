// Opening the store on PostgreSQL: a writing connection, its migrations, and a second
// connection for the long reads (sql/sql_store.h).
#include "store/postgres/pg_db.h"
#include "store/postgres/schema.h"
#include "store/sql/sql_store.h"

namespace vigil::store {

Result<std::unique_ptr<Store>> open_postgres(const std::string& conninfo) {
  auto s = sql::SqlStore::open_postgres(conninfo);
  if (!s.ok()) return s.error();
  return std::unique_ptr<Store>(std::move(s).value());
}

}  // namespace vigil::store

namespace vigil::store::sql {

Result<std::unique_ptr<SqlStore>> SqlStore::open_postgres(const std::string& conninfo, const Options& given) {
  Options options = given;
  if (options.migrations.empty()) options.migrations = postgres::migrations();
  auto db = postgres::PgDb::connect(conninfo);
  if (!db.ok()) return db.error();
  auto report = migrate(**db, options.migrations, now_ms());
  if (!report.ok()) return report.error();
  auto reader = postgres::PgDb::connect(conninfo);
  if (!reader.ok()) return reader.error();
  std::unique_ptr<SqlStore> store(new SqlStore(std::move(*db), *report, options));
  store->reader_ = std::move(*reader);
  return store;
}

}  // namespace vigil::store::sql
