#include "demo/pacer.h"

#include "demo/speed.h"

namespace vigil::demo {

bool Pacer::sleep(Duration real) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, real, [this] { return stopped_.load(); });
  return !stopped_;
}

bool Pacer::pause(Duration story) { return sleep(scaled(story, speed_)); }

bool Pacer::wait_for(const std::function<bool()>& done, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!stopped_) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    sleep(std::chrono::milliseconds(50));
  }
  return false;
}

void Pacer::wait_stopped() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stopped_.load(); });
}

void Pacer::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

}  // namespace vigil::demo
