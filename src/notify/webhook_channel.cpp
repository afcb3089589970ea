#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "net/http_client.h"
#include "notify/channel_kinds.h"
#include "common/ascii.h"

namespace vigil::notify {
namespace {

// Enough of a receiver's error page to say what went wrong, not enough to flood the outbox.
constexpr std::size_t kErrorSnippet = 200;

// Headers the contract owns: a custom header of the same name would break verification or framing.
bool reserved(std::string_view name) {
  return iequals(name, "content-type") || iequals(name, "content-length") || iequals(name, kMessageIdHeader) ||
         iequals(name, kSignatureHeader);
}

std::string snippet(const std::string& body) {
  std::string s = body.substr(0, kErrorSnippet);
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > kErrorSnippet) s += "...";
  return s;
}

class WebhookChannel final : public Channel {
 public:
  WebhookChannel(config::ChannelConfig cfg, net::HttpClient& http) : cfg_(std::move(cfg)), http_(http) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    net::HttpRequest req;
    req.method = "POST";
    req.url = cfg_.url;
    req.body = message.payload;
    req.timeout = cfg_.timeout;
    req.follow_redirects = false;  // a redirect would silently drop the POST body or signature
    req.fresh_connection = false;  // receivers are few and hot: reuse the connection
    req.max_body = 4096;
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back(kMessageIdHeader, message.id);
    if (!cfg_.secret.empty()) {
      req.headers.emplace_back(kSignatureHeader, "sha256=" + hmac_sha256_hex(cfg_.secret, message.payload));
    }
    for (const auto& [name, value] : cfg_.headers) {
      if (!reserved(name)) req.headers.emplace_back(name, value);
    }
    // Captures no `this`: the channel may be replaced (config reload) while a request is in flight.
    http_.fetch(std::move(req), [done = std::move(done), url = cfg_.url](probe::CheckResult r) {
      if (!r.reachable) {
        done(Error{fmt::format("webhook {} unreachable: {}", url, r.error)});
      } else if (r.status >= 200 && r.status < 300) {
        done(Status::Ok());
      } else {
        done(Error{fmt::format("webhook {} answered HTTP {}: {}", url, r.status, snippet(r.body))});
      }
    });
  }

 private:
  config::ChannelConfig cfg_;
  net::HttpClient& http_;
};

}  // namespace

std::unique_ptr<Channel> make_webhook_channel(const config::ChannelConfig& cfg, net::HttpClient& http) {
  return std::make_unique<WebhookChannel>(cfg, http);
}

}  // namespace vigil::notify
