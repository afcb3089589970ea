#include "demo/visitors.h"

#include <fmt/format.h>

#include "demo/loopback.h"

namespace vigil::demo {

Visitors::~Visitors() { stop(); }

void Visitors::start(std::uint16_t port, Duration period) {
  stop();
  stop_ = false;
  thread_ = std::thread([this, port, period] { run(port, period); });
}

void Visitors::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void Visitors::run(std::uint16_t port, Duration period) {
  constexpr int kUsers = 8;
  for (std::uint64_t n = 0; !stop_; ++n) {
    const std::string from = fmt::format("127.0.0.{}", 11 + n % kUsers);
    const bool sign_in = n % 3 == 2;
    const auto reply = loopback_get(port, sign_in ? "/login" : "/", from,
                                    "Mozilla/5.0 (demo visitor)", std::chrono::seconds(2));
    ++requests_;
    if (sign_in && (reply.status == 0 || reply.status >= 500)) ++failed_sign_ins_;
    for (auto slept = Duration{0}; slept < period && !stop_; slept += std::chrono::milliseconds(10))
      std::this_thread::sleep_for(std::min<Duration>(std::chrono::milliseconds(10), period - slept));
  }
}

}  // namespace vigil::demo
