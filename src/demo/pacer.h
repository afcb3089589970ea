// Pacer: the demo's sense of time. Story pauses are divided by --speed; waits for something to
// happen (a page, a check turning green) are bounded in real time; and Ctrl-C (stop()) cuts
// every pause and wait short at once, so the demo can shut Apache and vigil down promptly.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "common/time.h"

namespace vigil::demo {

class Pacer {
 public:
  explicit Pacer(double speed) : speed_(speed) {}
  double speed() const { return speed_; }
  // A story pause: `story` / speed. False when stopped meanwhile.
  bool pause(Duration story);
  // Polls `done` every 50 ms until it holds (true), `timeout` (real time) passes, or stop() (false).
  bool wait_for(const std::function<bool()>& done, Duration timeout);
  // Blocks until stop().
  void wait_stopped();
  void stop();
  bool stopped() const { return stopped_; }

 private:
  bool sleep(Duration real);
  double speed_;
  std::atomic<bool> stopped_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace vigil::demo
