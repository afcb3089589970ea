// `secret:` / `secret_file:` pairs (webhook keys, SMTP password, integration keys, link secret).
#include <fmt/format.h>

#include "config/file_io.h"
#include "config/sections.h"

namespace vigil::config::detail {

// `*_file:` keeps the secret out of the config (and out of git). Editors and `echo` add a
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

std::optional<std::string> read_secret(Context& ctx, const MapView& m, std::string_view key, const Field** where) {
  const std::string file_key = std::string(key) + "_file";
  const Field* inline_value = m.get(key);
  const Field* file = m.get(file_key);
  if (inline_value && file) {
    ctx.error(file->key_pos, file->path, fmt::format("set either {} or {}, not both", key, file_key));
    return std::nullopt;
  }
  if (where) *where = inline_value ? inline_value : file;
  if (inline_value) return read_string(ctx, *inline_value);
  if (file) return read_secret_file(ctx, *file);
  return std::nullopt;
}

}  // namespace vigil::config::detail
