#include <boost/json.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "notify/channel_kinds.h"

namespace vigil::notify {
namespace {

// The title lives in the rendered payload (the outbox row keeps only what delivery needs).
std::string title_of(const std::string& payload) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(payload, ec);
  if (ec || !v.is_object()) return {};
  const auto* inc = v.as_object().if_contains("incident");
  if (!inc || !inc->is_object()) return {};
  const auto* title = inc->as_object().if_contains("title");
  if (!title || !title->is_string()) return {};
  std::string t(title->as_string());
  for (char& c : t) {
    if (c == '\n' || c == '\r') c = ' ';  // one message, one line
  }
  return t;
}

class LogChannel final : public Channel {
 public:
  explicit LogChannel(std::string name) : name_(std::move(name)) {}

  void deliver(const incident::OutboxMessage& m, std::function<void(Status)> done) override {
    fmt::print(stdout, "vigil notify {} {} {} incident=#{} {}\n", name_, m.id, m.event, m.incident_id,
               title_of(m.payload));
    std::fflush(stdout);
    done(Status::Ok());
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<Channel> make_log_channel(const config::ChannelConfig& cfg) {
  return std::make_unique<LogChannel>(cfg.name);
}

}  // namespace vigil::notify
