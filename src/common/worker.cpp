#include "common/worker.h"

#include "common/thread_name.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace vigil {

struct BlockingWorker::Impl {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> jobs;
  bool stopping = false;
  std::thread thread;

  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      job();
    }
  }
};

BlockingWorker::BlockingWorker(const char* name) : impl_(std::make_unique<Impl>()) {
  impl_->thread = std::thread([this, name] {
    name_this_thread(name);
    impl_->run();
  });
}

BlockingWorker::~BlockingWorker() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_one();
  impl_->thread.join();
}

void BlockingWorker::post(std::function<void()> job) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->jobs.push_back(std::move(job));
  }
  impl_->cv.notify_one();
}

std::size_t BlockingWorker::drop_pending() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(impl_->mu);
    dropped.swap(impl_->jobs);
  }
  return dropped.size();  // destroyed here, outside the lock: a job may own what takes it
}

}  // namespace vigil
