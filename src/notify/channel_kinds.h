// Private to src/notify: one factory per channel kind, each defined in its own file and
// registered in make_channel() (channel.cpp).
#pragma once
#include <memory>

#include "notify/channel.h"

namespace vigil::notify {

// POSTs the payload as JSON to cfg.url, signed when cfg.secret is set (docs/webhook.md).
std::unique_ptr<Channel> make_webhook_channel(const config::ChannelConfig& cfg, net::HttpClient& http);
// Writes one line per message to stdout: for demos and for running without receivers.
std::unique_ptr<Channel> make_log_channel(const config::ChannelConfig& cfg);

}  // namespace vigil::notify
