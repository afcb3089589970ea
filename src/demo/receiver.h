// Receiver: the demo's stand-in for the engineers' phones and the team chat. An in-process
// webhook endpoint (web::HttpServer on 127.0.0.1, a free port) that vigil's webhook contacts
// and channel post to, as in docs/webhook.md and docs/contacts.md:
//   POST /page/<user>  a page (event "page") with "page" {user, name, rule} and "links"
//   POST /team         a team-channel message (triggered, acknowledged, resolved, note)
// Everything received is kept once per message id (thread-safe) and handed to `on_message` as
// it arrives, so the narration can say "Ama's phone buzzes" when it really did.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace boost::asio {
class io_context;
}

namespace vigil::demo {

struct ReceivedMessage {
  Time at{};
  std::string id;        // the message id: vigil delivers at least once, duplicates share it
  std::string path;      // "/page/ama", "/team"
  std::string event;     // "page", "triggered", "acknowledged", "resolved", "note", ...
  std::int64_t incident = 0;
  std::string title;     // incident.title
  std::string user;      // page.user (pages only)
  std::string name;      // page.name
  int rule = 0;          // page.rule, 1-based
  std::string ack_link;  // links.acknowledge (pages only)
  std::string text;      // entry.text
};

// Parses one POSTed body; error when it is not the JSON vigil sends.
Result<ReceivedMessage> parse_message(const std::string& path, const std::string& body, Time at);

class Receiver {
 public:
  using Listener = std::function<void(const ReceivedMessage&)>;
  // Called on the io_context's thread, after the message is recorded.
  Receiver(boost::asio::io_context& io, Listener on_message);
  ~Receiver();
  Status start();  // binds 127.0.0.1:0
  void stop();     // on the io_context's thread, or while it is idle
  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:PORT"

  std::vector<ReceivedMessage> messages() const;
  std::vector<ReceivedMessage> pages() const;  // event "page", in arrival order

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::demo
