// HttpFront: the API's HTTP server on an io thread of its own, so that reading, parsing and
// writing HTTP (and the Events API JSON) does not take turns with the IncidentBook on the
// engine thread. Every route still runs on the engine thread (posted there as it was), except
// POST /v2/enqueue: its body is parsed and validated here (pure, incident::parse_events_v2;
// invalid events are answered 400 from here) and the parsed events are queued; the engine
// thread takes all queued events in one turn (one group commit for them). A repeated trigger
// (its dedup key already has an open incident: the engine would change nothing) is answered
// 202 right here when answer_repeats() says how to tell. Private to src/app.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "incident/events_v2.h"
#include "web/server.h"

namespace boost::asio {
class io_context;
}

namespace vigil::app {

// A parsed Events API v2 event waiting for the engine thread, with its answer.
struct QueuedEvent {
  incident::EventsV2Result parsed;
  web::Respond respond;
};

class HttpFront {
 public:
  // `api` and `events` are called on `engine_io`'s thread; `events` gets every event queued
  // since its last call (never empty).
  using EventsSink = std::function<void(std::vector<QueuedEvent>&)>;
  HttpFront(boost::asio::io_context& engine_io, web::ServerOptions options, web::Handler api, EventsSink events);
  ~HttpFront();  // stops (if not yet) and joins its thread
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Before start(): `is_open(dedup_key)` is called on the HTTP thread (IncidentBook::is_open_key).
  void answer_repeats(std::function<bool(const std::string&)> is_open);
  // The integrations of the running config (any thread; the engine calls it at start and
  // after a reload): only repeated triggers with an Events API v2 routing key are answered here.
  void set_integrations(const std::vector<config::IntegrationConfig>& integrations);

  Status start();  // binds, then starts the io thread
  // Stops accepting and closes connections, then joins the io thread. Answers that arrive
  // afterwards are dropped. Safe to call twice.
  void stop();
  std::uint16_t port() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace vigil::app
