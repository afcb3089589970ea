// Channel: one way of delivering a notification (webhook, log, later slack, email...).
// Extensions by kind: each type lives in its own file and is registered in make_channel(),
// so adding a channel never touches the incident code.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "incident/incident.h"

namespace vigil::net {
class HttpClient;
}

namespace vigil::notify {

class Channel {
 public:
  virtual ~Channel() = default;
  // Delivers asynchronously; `done` runs once on the client's io_context thread with ok, or
  // the error that makes the notifier retry later. A channel with nothing to wait for (log)
  // may call `done` before deliver() returns.
  virtual void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) = 0;
};

std::unique_ptr<Channel> make_channel(const config::ChannelConfig& cfg, net::HttpClient& http);

// Header names of the webhook contract (docs/webhook.md).
inline constexpr const char* kSignatureHeader = "X-Vigil-Signature";   // "sha256=<hex hmac of body>"
inline constexpr const char* kMessageIdHeader = "X-Vigil-Message-Id";  // the stable outbox id

// Hex HMAC-SHA256 of `body` with `key` (OpenSSL).
std::string hmac_sha256_hex(const std::string& key, const std::string& body);

}  // namespace vigil::notify
