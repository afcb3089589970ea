// The PostgreSQL store's schema: its migrations, oldest first (sql/migrations.h). Its own list,
// not SQLite's history replayed: a PostgreSQL database starts at the schema SQLite reached in
// its version 10, and both lists grow together from there.
#pragma once
#include <span>

#include "store/sql/migrations.h"

namespace vigil::store::postgres {

std::span<const sql::Migration> migrations();

}  // namespace vigil::store::postgres
