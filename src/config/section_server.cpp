// server:, store: and defaults: — the flat sections.
#include <fmt/format.h>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

void read_server(Context& ctx, const Field& f, ServerConfig& out) {
  MapView m(ctx, f,
            {"listen", "external_url", "max_request_bytes", "request_timeout", "link_secret", "link_secret_file",
             "link_ttl"});
  if (const Field* v = m.get("listen")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_listen(*s)) ctx.error(*v, *p);
      else out.listen = *s;
    }
  }
  if (const Field* v = m.get("external_url")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_http_url(*s)) ctx.error(*v, *p);
      else out.external_url = *s;
    }
  }
  if (const Field* v = m.get("max_request_bytes")) {
    if (auto n = read_int(ctx, *v, 1, 1LL << 40)) out.max_request_bytes = static_cast<std::size_t>(*n);
  }
  if (const Field* v = m.get("request_timeout")) {
    if (auto d = read_duration(ctx, *v)) out.request_timeout = *d;
  }
  // Anyone holding a signed link can acknowledge or resolve: a short key could be guessed
  // offline from one link in a mailbox. Not repeated in the message: it is a secret.
  const Field* where = nullptr;
  if (auto s = read_secret(ctx, m, "link_secret", &where)) {
    constexpr std::size_t kMinSecret = 16;
    if (s->size() < kMinSecret) {
      ctx.error(*where, fmt::format("must be at least {} characters, got {} (e.g. openssl rand -hex 32)", kMinSecret,
                                    s->size()));
    } else {
      out.link_secret = std::move(*s);
    }
  }
  if (const Field* v = m.get("link_ttl")) {
    if (auto d = read_duration(ctx, *v)) out.link_ttl = *d;
  }
}

void read_store(Context& ctx, const Field& f, StoreConfig& out) {
  MapView m(ctx, f, {"sqlite", "results_retention"});
  if (const Field* v = m.get("sqlite")) {
    if (auto s = read_string(ctx, *v)) {
      if (s->empty()) ctx.error(*v, "must not be empty");
      else out.sqlite = *s;  // relative to the working directory, like the daemon's data dir
    }
  }
  if (const Field* v = m.get("results_retention")) {
    if (auto d = read_duration(ctx, *v)) out.results_retention = *d;
  }
}

void read_defaults(Context& ctx, const Field& f, Defaults& out) {
  MapView m(ctx, f, {"interval", "timeout", "failure_threshold", "success_threshold", "jitter"});
  const Field* interval = m.get("interval");
  const Field* timeout = m.get("timeout");
  std::optional<Duration> i, t;
  if (interval && (i = read_duration(ctx, *interval))) out.interval = *i;
  if (timeout && (t = read_duration(ctx, *timeout))) out.timeout = *t;
  if (const Field* v = m.get("failure_threshold")) {
    if (auto n = read_int(ctx, *v, 1, 1000)) out.failure_threshold = static_cast<int>(*n);
  }
  if (const Field* v = m.get("success_threshold")) {
    if (auto n = read_int(ctx, *v, 1, 1000)) out.success_threshold = static_cast<int>(*n);
  }
  if (const Field* v = m.get("jitter")) {
    if (auto x = read_number(ctx, *v, 0.0, 1.0)) out.jitter = *x;
  }
  // Only when one of them was written here (and both read), so a bad value is not reported twice.
  const bool both_valid = (!interval || i) && (!timeout || t);
  if ((interval || timeout) && both_valid && out.timeout > out.interval) {
    ctx.error(timeout ? *timeout : *interval,
              fmt::format("timeout {} must not exceed interval {}", format_duration(out.timeout),
                          format_duration(out.interval)));
  }
}

}  // namespace vigil::config::detail
