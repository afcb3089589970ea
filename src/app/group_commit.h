// GroupCommitter: commits incident changes on a thread of its own. Everything submitted while a
// commit is with the store goes into the next transaction, and that commit starts as soon as
// the previous one ends: no round trip through the engine loop between commits (on two busy
// cores each hand-off waits for a CPU). Under load it gathers for up to 200 µs first. `done` gets every batch with one result per change,
// in submission order, on the committer's thread. Private to src/app.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "incident/incident.h"

namespace vigil::store {
class Store;
}

namespace vigil::app {

struct CommitBatch {
  using Callback = std::function<void(const Status&)>;
  std::vector<incident::IncidentChange> changes;
  std::vector<Callback> then;    // one per change (may be empty): for `done`'s receiver
  // One per change (may be empty): called on the committer's thread as soon as the commit
  // ends, before `done`, so a waiting client is answered without a hop through the engine.
  // Must be thread-safe (HttpFront's answers are).
  std::vector<Callback> answer;
  std::vector<Status> results;   // filled by the commit
  bool empty() const { return changes.empty(); }
  void push(incident::IncidentChange change, Callback t, Callback a) {
    changes.push_back(std::move(change));
    then.push_back(std::move(t));
    answer.push_back(std::move(a));
  }
};

class GroupCommitter {
 public:
  using Done = std::function<void(CommitBatch)>;
  GroupCommitter(store::Store& store, Done done);
  ~GroupCommitter();  // stop()
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void submit(CommitBatch batch);  // any thread; ignored once stopped
  // Commits what was submitted (its `done` still runs), then joins. Safe to call twice.
  void stop();

 private:
  void run();

  store::Store& store_;
  Done done_;
  std::mutex mu_;
  std::condition_variable wake_;
  CommitBatch pending_;
  bool stopping_ = false;
  static constexpr std::size_t kBusy = 4;
  static constexpr std::chrono::microseconds kGather{200};
  std::thread thread_;
};

}  // namespace vigil::app
