// BlockingWorker: one background thread that runs posted jobs in FIFO order. The event loops
// hand it blocking work (SQLite commits, child processes) and post the result back to their
// own io_context, so a slow disk never stalls probing or the API.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>

namespace vigil {

class BlockingWorker {
 public:
  // `name`: the thread's name (common/thread_name.h).
  explicit BlockingWorker(const char* name = "vigil-worker");
  ~BlockingWorker();  // runs the jobs already posted, then joins
  BlockingWorker(const BlockingWorker&) = delete;
  BlockingWorker& operator=(const BlockingWorker&) = delete;
  void post(std::function<void()> job);
  // Forgets the jobs posted but not started yet and returns how many; the running one, if any,
  // finishes. For shutdown: a runbook queued behind another must not start after SIGTERM.
  std::size_t drop_pending();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
