// services[].checks[] of type heartbeat: nothing is probed; a job pings /ping/KEY every `period`
// and vigil fails the check when a ping is more than `grace` late (probe/heartbeat.h).
#include <fmt/format.h>

#include <algorithm>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {
// Anyone who knows the key can report the job healthy, so it must not be guessable.
constexpr std::size_t kMinKeyLength = 16;
constexpr Duration kMaxDefaultGrace = std::chrono::hours(1);
}  // namespace

void read_heartbeat_check(Context& ctx, MapView& m, PingKeys& keys, CheckConfig& c) {
  if (const Field* v = m.require("period")) {
    if (auto d = read_duration(ctx, *v)) {
      if (*d < std::chrono::seconds(1)) ctx.error(*v, "must be at least 1s");
      else c.period = *d;
    }
  }
  // Healthchecks.io's default grace is 1h; a ping every minute should not wait that long.
  c.grace = std::min(c.period, kMaxDefaultGrace);
  if (const Field* v = m.get("grace")) {
    if (auto d = read_duration(ctx, *v, /*allow_zero=*/true)) c.grace = *d;
  }
  const Field* where = nullptr;
  std::optional<std::string> key = read_secret(ctx, m, "key", &where);
  if (!where) {
    ctx.error(m.self(), "missing required key \"key\" (or key_file): the secret in the ping URL /ping/KEY "
                        "(make one with: openssl rand -hex 16)");
    return;
  }
  if (!key) return;
  if (auto p = check_token(*key)) {
    ctx.error(*where, *p);
  } else if (key->size() < kMinKeyLength) {
    // Secrets are never repeated in messages.
    ctx.error(*where, fmt::format("must be at least {} characters: anyone who knows it can report the job healthy "
                                  "(make one with: openssl rand -hex 16)",
                                  kMinKeyLength));
  } else if (auto [it, inserted] = keys.emplace(*key, fmt::format("check \"{}\" (line {})", c.name, where->pos.line));
             !inserted) {
    ctx.error(*where, fmt::format("the same key as {}: each heartbeat check needs its own", it->second));
  } else {
    c.key = *key;
  }
}

}  // namespace vigil::config::detail
