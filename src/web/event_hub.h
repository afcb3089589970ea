// EventHub: the live-update fan-out behind GET /api/v1/stream (Server-Sent Events). The daemon
// publishes after an incident change is committed and when a service's status flips; every
// open stream gets the event. Bounded: at most `max_streams` streams (503 beyond), and each
// stream's backlog is bounded by the server, which drops a reader that falls behind.
// Thread-safe; no Asio here (the server's StreamWriter does the I/O).
#pragma once
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "web/http_types.h"

namespace vigil::web {

class EventHub {
 public:
  explicit EventHub(std::size_t max_streams = 256) : max_streams_(max_streams) {}

  // The response for GET /api/v1/stream: a stream that receives every later event, or 503
  // when max_streams are already open.
  Response open_stream();
  // Sends `event: <name>\ndata: <json>` to every open stream. `json` must be one line.
  void publish(std::string_view name, std::string_view json);
  // Closes every stream (daemon shutdown).
  void close_all();
  std::size_t streams();

  // One SSE frame (exposed for tests).
  static std::string frame(std::string_view name, std::string_view data);

 private:
  void prune();  // forgets streams whose client is gone; mu_ held
  std::mutex mu_;
  std::size_t max_streams_;
  std::vector<std::shared_ptr<StreamWriter>> streams_;
};

}  // namespace vigil::web
