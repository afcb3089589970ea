// Login rate limiting: after `max_failures` failed logins within `window` for one key (a
// remote address "ip:127.0.0.1" or a user name "user:alice"), further attempts for that key are
// refused until the oldest of those failures leaves the window. A success clears its keys.
// Counting both keys stops guessing one user's password from many addresses and many users'
// passwords from one address. Pure: `now` comes in; bounded memory (oldest keys are dropped).
#pragma once
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "common/time.h"

namespace vigil::web::auth {

class LoginLimiter {
 public:
  struct Options {
    int max_failures = 5;
    Duration window = std::chrono::minutes(5);
    std::size_t max_keys = 10000;
  };
  LoginLimiter() = default;
  explicit LoginLimiter(Options o) : o_(o) {}

  // How long `key` must still wait before another attempt; nullopt when it may try now.
  std::optional<Duration> blocked_for(const std::string& key, Time now);
  void record_failure(const std::string& key, Time now);
  void record_success(const std::string& key);
  std::size_t keys() const { return failures_.size(); }

 private:
  void forget_old(std::deque<Time>& f, Time now) const;
  Options o_;
  std::map<std::string, std::deque<Time>> failures_;
};

}  // namespace vigil::web::auth
