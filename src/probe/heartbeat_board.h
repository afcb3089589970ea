// HeartbeatBoard: the last ping of every heartbeat check, shared by the thread that records
// pings (after the store has them) and the probe shards that judge them. A short lock per call.
#pragma once
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "config/config.h"
#include "probe/check_result.h"
#include "rules/heartbeat.h"

namespace vigil::probe {

using rules::HeartbeatState;

class HeartbeatBoard {
 public:
  std::optional<HeartbeatState> get(const std::string& check_id) const {
    std::lock_guard lock(mu_);
    auto it = states_.find(check_id);
    if (it == states_.end()) return std::nullopt;
    return it->second;
  }
  void put(const std::string& check_id, HeartbeatState s) {
    std::lock_guard lock(mu_);
    states_.insert_or_assign(check_id, std::move(s));
  }
  // The check's state, watched from `now` if it had none.
  HeartbeatState watch(const std::string& check_id, Time now) {
    std::lock_guard lock(mu_);
    return states_.try_emplace(check_id, HeartbeatState{.watching_since = now}).first->second;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, HeartbeatState> states_;
};

// What a heartbeat check's probe reports at `now` (watching it from `now` if the board had no
// state): reachable iff rules::judge_heartbeat passes, its reason as the error, the figures
// last_ping_age, last_ping, exit_status, pings, running, run_time (0s until a run is timed), and
// two /metrics series.
// The prober calls it on schedule; the daemon right after a ping, so a ping acts at once.
CheckResult heartbeat_result(const std::string& check_id, const config::CheckConfig& check, HeartbeatBoard& board,
                             Time now);

}  // namespace vigil::probe
