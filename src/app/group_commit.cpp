#include "app/group_commit.h"

#include "store/store.h"

namespace vigil::app {

GroupCommitter::GroupCommitter(store::Store& store, Done done) : store_(store), done_(std::move(done)) {
  thread_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::submit(CommitBatch batch) {
  if (batch.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (pending_.empty()) {
      pending_ = std::move(batch);
    } else {
      for (auto& c : batch.changes) pending_.changes.push_back(std::move(c));
      for (auto& t : batch.then) pending_.then.push_back(std::move(t));
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
  for (;;) {
    CommitBatch batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything submitted is committed
      batch = std::move(pending_);
      pending_ = CommitBatch{};
    }
    batch.results = store_.apply_batch(batch.changes);
    done_(std::move(batch));
  }
}

}  // namespace vigil::app
