#include "store/sqlite/checkpointer.h"

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/thread_name.h"

namespace vigil::store::sqlite {

struct Checkpointer::Impl {
  sqlite3* writer = nullptr;
  sqlite3* own = nullptr;  // used by `thread` only
  std::mutex mu;
  std::condition_variable cv;
  bool wanted = false;
  bool stopping = false;
  std::thread thread;

  // Called by SQLite on the writer's thread after each commit, with the WAL's size in pages.
  static int on_commit(void* arg, sqlite3* db, const char* name, int pages) {
    auto* self = static_cast<Impl*>(arg);
    if (pages >= kInlinePages) {
      (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kWakePages) {
      {
        std::lock_guard lock(self->mu);
        self->wanted = true;
      }
      self->cv.notify_one();
    }
    return SQLITE_OK;
  }

  void run() {
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return wanted || stopping; });
      if (stopping) return;
      wanted = false;
      lock.unlock();
      // Errors (SQLITE_BUSY while another process checkpoints, I/O errors) leave the pages in
      // the WAL: the next wake-up, or the writer's inline checkpoint, tries again.
      (void)sqlite3_wal_checkpoint_v2(own, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }
};

std::unique_ptr<Checkpointer> Checkpointer::start(sqlite3* writer, const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->writer = writer;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->own, flags, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(impl->own);
    return nullptr;
  }
  sqlite3_busy_timeout(impl->own, 1000);
  // The checkpoint fsyncs the database file before the WAL may be reused, as the writer's would.
  if (sqlite3_exec(impl->own, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(impl->own);
    return nullptr;
  }
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] {
    name_this_thread("vigil-checkpt");
    raw->run();
  });
  sqlite3_wal_hook(writer, &Impl::on_commit, raw);
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(impl)));
}

Checkpointer::Checkpointer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Checkpointer::~Checkpointer() {
  // Back to SQLite's automatic checkpoint for whatever the writer still commits.
  sqlite3_wal_autocheckpoint(impl_->writer, kWakePages);
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_one();
  impl_->thread.join();
  sqlite3_close_v2(impl_->own);
}

}  // namespace vigil::store::sqlite
