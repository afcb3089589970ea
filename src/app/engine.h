// Engine: the daemon's shell (DESIGN.md §2). Wires config → probe shards → evaluator →
// IncidentBook → store + notifier, and serves the API. Threads: one io_context per probe
// shard (checks assigned by hash of their id), one for the engine (incidents, notifier, API
// routes), one for HTTP (and Events API parsing, http_front.h), one BlockingWorker for the store. Every incident change is committed before it is answered
// or notified.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace boost::asio {
class io_context;
}

namespace vigil::app {

struct EngineOptions {
  std::size_t probe_shards = 0;  // 0: one per hardware thread
};

class Engine {
 public:
  Engine(boost::asio::io_context& io, config::Config config, EngineOptions options = {});
  ~Engine();
  // Opens the store, restores open incidents, binds the listener, starts probing.
  Status start();
  // Stops probing and serving, flushes buffered results. Safe to call twice.
  void stop();
  // The same, except that a runbook or evidence job already running finishes first and its
  // outcome is committed to its incident; `done` runs on the engine loop once stopped (SIGTERM).
  void stop_after_respond(std::function<void()> done);
  // Re-reads the config file. Returns the errors (empty on success; the old config stays on error).
  std::vector<std::string> reload();
  std::uint16_t port() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// `vigil run`: loads the config, runs the engine until SIGINT/SIGTERM; SIGHUP reloads.
int run_daemon(const std::string& config_path);

}  // namespace vigil::app
