#include "app/group_commit.h"

#include "common/thread_name.h"
#include "store/store.h"

#include <utility>

namespace vigil::app {

GroupCommitter::GroupCommitter(store::Store& store, Done done) : store_(store), done_(std::move(done)) {
  thread_ = std::thread([this] {
    name_this_thread("vigil-commit");
    run();
  });
}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::submit(CommitBatch batch) {
  if (batch.empty()) return;
  batch.then.resize(batch.changes.size());  // one per change, as push() keeps them
  batch.answer.resize(batch.changes.size());
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (pending_.empty()) {
      pending_ = std::move(batch);
    } else {
      for (std::size_t i = 0; i < batch.changes.size(); ++i)
        pending_.push(std::move(batch.changes[i]), std::move(batch.then[i]), std::move(batch.answer[i]));
    }
  }
  wake_.notify_one();
}

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitter::run() {
  std::size_t last = 0;
  for (;;) {
    CommitBatch batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything submitted is committed
      // Under load (the last batch was not a lone event), wait a moment for as many as it had:
      // a commit's cost is mostly per transaction (the WAL pages of every index's last leaf),
      // so a storm's events are cheaper in larger batches. A lone event never waits.
      if (last >= kBusy) {
        const auto until = std::chrono::steady_clock::now() + kGather;
        wake_.wait_until(lock, until, [&] { return stopping_ || pending_.changes.size() >= last; });
      }
      batch = std::move(pending_);
      pending_ = CommitBatch{};
    }
    last = batch.changes.size();
    batch.results = store_.apply_batch(batch.changes);
    for (std::size_t i = 0; i < batch.answer.size(); ++i)
      if (batch.answer[i]) std::exchange(batch.answer[i], nullptr)(batch.results[i]);
    done_(std::move(batch));
  }
}

}  // namespace vigil::app
