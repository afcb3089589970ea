// server:, store: and defaults: — the flat sections.
#include <fmt/format.h>

#include "config/file_io.h"
#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

// Authentication and TLS keys of server: (src/web/auth, the HTTPS listener).
void read_server_auth(Context& ctx, const MapView& m, ServerConfig& out) {
  if (const Field* v = m.get("allow_unauthenticated_remote")) {
    if (auto b = read_bool(ctx, *v)) out.allow_unauthenticated_remote = *b;
  }
  if (const Field* v = m.get("public_metrics")) {
    if (auto b = read_bool(ctx, *v)) out.public_metrics = *b;
  }
  if (const Field* v = m.get("session_ttl")) {
    if (auto d = read_duration(ctx, *v)) out.session_ttl = *d;
  }
  const Field* cert = m.get("tls_cert");
  const Field* key = m.get("tls_key");
  // Read now, so a missing or unreadable file is a config error and not a failed start.
  auto readable = [&](const Field& f, std::string& out_path) {
    auto p = read_string(ctx, f);
    if (!p) return;
    if (p->empty()) return ctx.error(f, "must not be empty");
    const std::string resolved = ctx.resolve_path(*p);
    if (auto content = read_file(resolved); !content.ok()) {
      ctx.error(f, fmt::format("cannot read \"{}\": {}", resolved, content.error().message));
    } else if (content->find("-----BEGIN ") == std::string::npos) {
      ctx.error(f, fmt::format("\"{}\" is not a PEM file", resolved));
    } else {
      out_path = resolved;
    }
  };
  if (cert) readable(*cert, out.tls_cert);
  if (key) readable(*key, out.tls_key);
  if (cert && !key) ctx.error(cert->key_pos, cert->path, "tls_cert needs tls_key (the certificate's private key)");
  if (key && !cert) ctx.error(key->key_pos, key->path, "tls_key needs tls_cert (the certificate chain)");
}

}  // namespace

void read_server(Context& ctx, const Field& f, ServerConfig& out) {
  MapView m(ctx, f,
            {"listen", "external_url", "max_request_bytes", "request_timeout", "link_secret", "link_secret_file",
             "link_ttl", "allow_unauthenticated_remote", "public_metrics", "session_ttl", "tls_cert", "tls_key"});
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
  read_server_auth(ctx, m, out);
}

// True for 127.0.0.0/8, ::1 and localhost: the addresses only this machine reaches.
bool is_loopback_listen(std::string_view listen) {
  std::string_view host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

void check_listen_exposure(Context& ctx, const Field* server, const Config& cfg) {
  if (cfg.server.allow_unauthenticated_remote || is_loopback_listen(cfg.server.listen)) return;
  for (const auto& u : cfg.users)
    if (!u.password_hash.empty()) return;
  // Not a MapView: read_server already reported unknown keys; this only needs the position.
  std::optional<Field> listen;
  if (server && server->node.IsMap()) {
    for (const auto& kv : server->node)
      if (kv.first.IsScalar() && kv.first.Scalar() == "listen") listen = child(*server, kv.first, kv.second, "listen");
  }
  const std::string msg = fmt::format(
      "\"{}\" is reachable from other machines but no user has a password_hash, so anyone could acknowledge, "
      "resolve and read everything: add users with password_hash (vigil hash-password), listen on 127.0.0.1, or set "
      "server.allow_unauthenticated_remote: true",
      cfg.server.listen);
  if (listen) ctx.error(*listen, msg);
  else ctx.error(Pos{}, "server.listen", msg);
}

void read_store(Context& ctx, const Field& f, StoreConfig& out) {
  MapView m(ctx, f, {"sqlite", "postgres", "postgres_file", "results_retention"});
  const Field* pg = nullptr;
  if (auto conninfo = read_secret(ctx, m, "postgres", &pg)) {
    // libpq reads either form; anything else is a typo that would only fail at start.
    const std::string_view c = *conninfo;
    if (c.starts_with("postgresql://") || c.starts_with("postgres://") || c.find('=') != std::string_view::npos)
      out.postgres = *conninfo;
    else
      ctx.error(*pg, "must be a PostgreSQL URI (postgresql://user@host:5432/dbname) or a key=value connection string");
  }
  if (const Field* v = m.get("sqlite"); v && pg) {
    ctx.error(v->key_pos, v->path, "set either sqlite or postgres, not both");
  } else if (v) {
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
