#include "web/auth/rate_limit.h"

#include <algorithm>

namespace vigil::web::auth {

void LoginLimiter::forget_old(std::deque<Time>& f, Time now) const {
  while (!f.empty() && f.front() + o_.window <= now) f.pop_front();
}

std::optional<Duration> LoginLimiter::blocked_for(const std::string& key, Time now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  forget_old(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(it->second.size()) < o_.max_failures) return std::nullopt;
  // Blocked until enough of the failures have aged out to leave room for one more attempt.
  const Time oldest_that_counts = it->second[it->second.size() - static_cast<std::size_t>(o_.max_failures)];
  return oldest_that_counts + o_.window - now;
}

void LoginLimiter::record_failure(const std::string& key, Time now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) {
    if (failures_.size() >= o_.max_keys) {
      // Full (an address scan): drop keys whose failures all aged out, else the one with the
      // oldest newest failure, so a flood cannot grow memory without bound.
      for (auto k = failures_.begin(); k != failures_.end();) {
        forget_old(k->second, now);
        k = k->second.empty() ? failures_.erase(k) : std::next(k);
      }
      if (failures_.size() >= o_.max_keys) {
        auto stalest = std::min_element(failures_.begin(), failures_.end(),
                                        [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
        failures_.erase(stalest);
      }
    }
    it = failures_.emplace(key, std::deque<Time>{}).first;
  }
  forget_old(it->second, now);
  it->second.push_back(now);
  // Only the newest max_failures matter for the decision.
  while (static_cast<int>(it->second.size()) > o_.max_failures) it->second.pop_front();
}

void LoginLimiter::record_success(const std::string& key) { failures_.erase(key); }

}  // namespace vigil::web::auth
