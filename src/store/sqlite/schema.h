// The SQLite store's schema: its migrations, oldest first (sql/migrations.h).
#pragma once
#include <span>

#include "store/sql/migrations.h"

namespace vigil::store::sqlite {

std::span<const sql::Migration> migrations();

}  // namespace vigil::store::sqlite
