// channels: — where incident notifications go (a signed webhook, or the daemon's log).
#include <fmt/format.h>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

void read_channel(Context& ctx, const Field& f, NameIndex& names, std::vector<ChannelConfig>& out) {
  MapView m(ctx, f, {"name", "type", "url", "secret", "secret_file", "headers", "timeout"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  ChannelConfig c;
  if (const Field* v = m.require("name")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_name(*s)) ctx.error(*v, *p);
      else if (names.add(ctx, *v, *s)) c.name = *s;
    }
  }
  // No default type: a channel with a url but a forgotten `type:` must not become a log line.
  std::optional<std::string> type;
  if (const Field* v = m.require("type")) type = read_choice(ctx, *v, {"webhook", "log"});
  if (type) c.type = *type == "webhook" ? ChannelType::webhook : ChannelType::log;

  const bool webhook = type && *type == "webhook";
  if (type && !webhook) {
    for (const char* key : {"url", "secret", "secret_file", "headers"}) {
      if (const Field* v = m.get(key)) ctx.error(v->key_pos, v->path, fmt::format("\"{}\" applies only to webhook channels", key));
    }
  }
  if (webhook) {
    if (const Field* v = m.require("url")) {
      if (auto s = read_string(ctx, *v)) {
        if (auto p = check_http_url(*s)) ctx.error(*v, *p);
        else c.url = *s;
      }
    }
    if (auto s = read_secret(ctx, m, "secret")) c.secret = *s;
    if (const Field* v = m.get("headers")) {
      if (auto h = read_string_map(ctx, *v, check_header)) c.headers = std::move(*h);
    }
  }
  if (const Field* v = m.get("timeout")) {
    if (auto d = read_duration(ctx, *v)) c.timeout = *d;
  }
  if (ctx.error_count() == errors_before) out.push_back(std::move(c));
}

}  // namespace

void read_channels(Context& ctx, const Field& f, std::vector<ChannelConfig>& out, NameIndex& names) {
  for (const Field& item : read_list(ctx, f)) read_channel(ctx, item, names, out);
}

}  // namespace vigil::config::detail
