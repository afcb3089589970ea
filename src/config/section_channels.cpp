// channels: — where incident notifications go (a signed webhook, or the daemon's log).
#include <fmt/format.h>

#include "config/file_io.h"
#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

// `secret_file:` keeps the key out of the config (and out of git). Editors and `echo` add a
// trailing newline that is not part of the key.
std::optional<std::string> read_secret_file(Context& ctx, const Field& f) {
  auto path = read_string(ctx, f);
  if (!path) return std::nullopt;
  if (path->empty()) {
    ctx.error(f, "must not be empty");
    return std::nullopt;
  }
  const std::string resolved = ctx.resolve_path(*path);
  auto content = read_file(resolved);
  if (!content) {
    ctx.error(f, fmt::format("cannot read secret file \"{}\": {}", resolved, content.error().message));
    return std::nullopt;
  }
  std::string secret = std::move(*content);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) {
    // An empty key would silently turn into unsigned notifications.
    ctx.error(f, fmt::format("secret file \"{}\" is empty", resolved));
    return std::nullopt;
  }
  return secret;
}

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
    const Field* secret = m.get("secret");
    const Field* secret_file = m.get("secret_file");
    if (secret && secret_file) {
      ctx.error(secret_file->key_pos, secret_file->path, "set either secret or secret_file, not both");
    } else if (secret) {
      if (auto s = read_string(ctx, *secret)) c.secret = *s;
    } else if (secret_file) {
      if (auto s = read_secret_file(ctx, *secret_file)) c.secret = *s;
    }
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
