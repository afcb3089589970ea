// Visitors: the people using WebServer-01 during the demo. A background thread where eight
// simulated users, each from an address of their own (127.0.0.11 … 127.0.0.18), browse the
// home page and now and then sign in, so Apache's access log holds real traffic: the
// postmortem's impact figures (failed requests, share, distinct clients, paths) count them.
#pragma once
#include <atomic>
#include <cstdint>
#include <thread>

#include "common/time.h"

namespace vigil::demo {

class Visitors {
 public:
  Visitors() = default;
  ~Visitors();  // stops the thread
  // One request every `period` (real time), two home-page views per sign-in attempt.
  void start(std::uint16_t port, Duration period);
  void stop();
  std::int64_t requests() const { return requests_; }
  std::int64_t failed_sign_ins() const { return failed_sign_ins_; }  // /login answered 5xx or nothing

 private:
  void run(std::uint16_t port, Duration period);
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> requests_{0};
  std::atomic<std::int64_t> failed_sign_ins_{0};
};

}  // namespace vigil::demo
