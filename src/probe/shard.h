// ProbeShard: runs a set of checks on one io_context (DESIGN.md §2: one io_context per probe
// shard, shared-nothing, checks assigned by hash). Each check fires every `interval` at a
// phase spread by jitter; the cadence is kept under load (next run = previous due time +
// interval, missed slots are skipped and counted, never bunched). Results go to the sink on
// the shard's thread.
//
// Threading: like any Asio object, a ProbeShard is used from its io_context's thread (post to
// it), or while that io_context is not running. Scheduling state is a slot and a heap entry per
// check (see probe/schedule.h): ~150 bytes a check with its id, measured at 100k checks.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "probe/check_result.h"

namespace boost::asio {
class io_context;
}

namespace vigil::probe {

class HeartbeatBoard;

struct ProbeTarget {
  std::string check_id;  // "service/check"
  std::shared_ptr<const config::CheckConfig> check;
  double jitter = 0.1;  // fraction of interval used to spread first runs
};

struct ShardStats {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t skipped = 0;  // slots missed because the previous run of that check was still going
  std::uint64_t late = 0;     // runs started more than 1s after their due time
  std::uint64_t shed = 0;     // runs not started because 2048 probes of this shard were in flight
};

class ProbeShard {
 public:
  using Sink = std::function<void(CheckResult)>;
  // `heartbeats`: the pings heartbeat checks judge (outlives the shard; null: they report an error).
  ProbeShard(boost::asio::io_context& io, Sink sink, HeartbeatBoard* heartbeats = nullptr);
  ~ProbeShard();
  // Replaces the checks. A check whose id, interval and jitter are unchanged keeps its phase
  // (other config changes apply from its next run); results of removed checks are dropped.
  // Call on the shard's io_context thread (post to it), or before start().
  void set_checks(std::vector<ProbeTarget> targets);
  void start();  // first runs at now + a phase spread by the check's id (schedule.h)
  // Cancels the timer and the probes in flight; no sink calls after it returns. May be called
  // from inside the sink. The shard cannot be restarted.
  void stop();
  ShardStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Runs one check once, blocking (for `vigil check URL`): its own io_context, no scheduling.
// A url starting with tcp:// is probed as tcp whatever the type. check_id = check.name.
CheckResult run_once(const config::CheckConfig& check);

}  // namespace vigil::probe
