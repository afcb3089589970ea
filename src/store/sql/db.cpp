#include "store/sql/db.h"

#include <fmt/format.h>

namespace vigil::store::sql {

Error with_context(std::string_view what, const Error& e) { return Error{fmt::format("{}: {}", what, e.message), e.field}; }

Stmt::~Stmt() {
  if (!impl_) return;
  impl_->release();
  impl_->in_use = false;
  if (!impl_->cached) delete impl_;
}

Status StmtImpl::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.error();
    if (!*r) return Status::Ok();
  }
}

Result<Stmt> Db::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second->in_use) return Stmt(it->second.get());
  auto made = compile(sql);
  if (!made.ok()) return made.error();
  if (it != cache_.end()) return Stmt(made->release());  // nested use: owned by the Stmt
  auto [ins, _] = cache_.emplace(std::string(sql), std::move(*made));
  ins->second->cached = true;
  return Stmt(ins->second.get());
}

Status Txn::begin() {
  if (auto s = db_.begin_write(); !s.ok()) return s;
  active_ = true;
  return Status::Ok();
}

Status Txn::commit() {
  if (auto s = db_.commit(); !s.ok()) return s;  // still active: the destructor rolls back
  active_ = false;
  return Status::Ok();
}

Txn::~Txn() {
  // Some errors (SQLite's FULL, IOERR, NOMEM) already rolled the transaction back.
  if (active_ && db_.in_transaction()) db_.rollback();
}

Status ReadTxn::begin() {
  if (auto s = db_.begin_read(); !s.ok()) return s;
  active_ = true;
  return Status::Ok();
}

ReadTxn::~ReadTxn() {
  if (active_ && db_.in_transaction()) (void)db_.commit();  // a read: only ends the snapshot
}

}  // namespace vigil::store::sql
