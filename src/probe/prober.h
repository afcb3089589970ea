// Prober: one check type beyond plain http/tcp (apache_status, access_log, error_log, host,
// process, heartbeat). Extensions by kind: each type lives in its own files and is registered in
// registry.cpp; the shard keeps one prober per type and calls it on its own thread.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "probe/check_result.h"

namespace boost::asio {
class io_context;
}
namespace vigil::net {
class HttpClient;
}

namespace vigil::probe {

class HeartbeatBoard;

struct ProbeEnv {
  boost::asio::io_context& io;  // the shard's loop
  net::HttpClient& http;        // the shard's HTTP client (for apache_status)
  HeartbeatBoard* heartbeats = nullptr;  // the pings heartbeat checks judge (the daemon's)
};

class Prober {
 public:
  virtual ~Prober() = default;
  // Runs one probe of `check`; `done` is called exactly once on the shard's thread, possibly
  // before run() returns. A prober may keep state per check_id between runs (log offsets,
  // sliding windows, previous counters for rates); forget() drops it when a check goes away.
  // Work must stay short: a log tailer reads at most a bounded chunk per run.
  virtual void run(const std::string& check_id, const config::CheckConfig& check, ProbeEnv& env,
                   std::function<void(CheckResult)> done) = 0;
  virtual void forget(const std::string& check_id) {}
};

// The prober for a type; nullptr for http, tcp, tls and dns (the shard does those itself).
std::unique_ptr<Prober> make_prober(config::CheckType type);

}  // namespace vigil::probe
