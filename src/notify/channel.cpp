#include "notify/channel.h"

#include "notify/channel_kinds.h"

namespace vigil::notify {

std::unique_ptr<Channel> make_channel(const config::ChannelConfig& cfg, net::HttpClient& http) {
  switch (cfg.type) {
    case config::ChannelType::webhook: return make_webhook_channel(cfg, http);
    case config::ChannelType::log: return make_log_channel(cfg);
  }
  return make_log_channel(cfg);
}

}  // namespace vigil::notify
