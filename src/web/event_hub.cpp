#include "web/event_hub.h"

#include <algorithm>

namespace vigil::web {

std::string EventHub::frame(std::string_view name, std::string_view data) {
  std::string out;
  out.reserve(name.size() + data.size() + 16);
  out += "event: ";
  out += name;
  out += "\ndata: ";
  // A newline inside data would end the field early; JSON from boost::json has none, but be safe.
  for (char c : data) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += "\n\n";
  return out;
}

void EventHub::prune() {
  std::erase_if(streams_, [](const auto& w) { return w->closed(); });
}

Response EventHub::open_stream() {
  {
    std::lock_guard lock(mu_);
    prune();
    if (streams_.size() >= max_streams_) {
      Response r = json_error(503, "too many live streams open; retry later");
      r.headers.emplace_back("Retry-After", "30");
      return r;
    }
  }
  Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Accel-Buffering", "no");  // nginx in front: do not buffer the stream
  // retry: how long EventSource waits before reconnecting; the first comment flushes headers
  // through proxies at once.
  r.body = "retry: 3000\n: vigil live updates\n\n";
  r.heartbeat = ": heartbeat\n\n";
  r.stream = [this](std::shared_ptr<StreamWriter> w) {
    std::lock_guard lock(mu_);
    prune();
    streams_.push_back(std::move(w));
  };
  return r;
}

void EventHub::publish(std::string_view name, std::string_view json) {
  const std::string f = frame(name, json);
  std::lock_guard lock(mu_);
  prune();
  for (const auto& w : streams_) w->write(f);
}

void EventHub::close_all() {
  std::lock_guard lock(mu_);
  for (const auto& w : streams_) w->close();
  streams_.clear();
}

std::size_t EventHub::streams() {
  std::lock_guard lock(mu_);
  prune();
  return streams_.size();
}

}  // namespace vigil::web
