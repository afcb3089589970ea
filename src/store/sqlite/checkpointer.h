// Checkpointer: copies the WAL's pages into the database file on a thread of its own, so the
// commit that fills the WAL does not pay for it. SQLite's automatic checkpoint runs inside
// that commit (about a thousand pages written and the database file fsynced while every event
// of the batch waits for its answer: the p99 of an ingest burst). Durability is unchanged: a
// commit is durable once the WAL is fsynced; a checkpoint only moves committed pages.
//
// It installs a WAL hook on the writer connection (replacing the automatic checkpoint): past
// kWakePages in the WAL it wakes its thread, which runs a PASSIVE checkpoint (never waits for
// the writer) on a connection of its own. Should that thread fall behind (a long reader pins
// the WAL), the writer checkpoints inline past kInlinePages, as SQLite would. Private to
// src/store/sqlite/.
#pragma once
#include <memory>
#include <string>

struct sqlite3;

namespace vigil::store::sqlite {

class Checkpointer {
 public:
  static constexpr int kWakePages = 1000;     // SQLite's own automatic checkpoint threshold
  static constexpr int kInlinePages = 20000;  // ~80 MB of WAL

  // `writer` must outlive the Checkpointer; `path` names the same database file. Null when
  // the second connection cannot be opened (the writer then keeps checkpointing inline).
  static std::unique_ptr<Checkpointer> start(sqlite3* writer, const std::string& path);
  ~Checkpointer();  // removes the hook, stops and joins the thread
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  struct Impl;
  explicit Checkpointer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::store::sqlite
