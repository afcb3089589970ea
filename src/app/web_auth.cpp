#include "app/web_auth.h"

#include <spdlog/spdlog.h>

namespace vigil::app {

namespace {
web::auth::Role role_of(config::Role r) {
  switch (r) {
    case config::Role::viewer: return web::auth::Role::viewer;
    case config::Role::responder: return web::auth::Role::responder;
    case config::Role::admin: return web::auth::Role::admin;
  }
  return web::auth::Role::viewer;
}
}  // namespace

web::auth::AuthSettings auth_settings(const config::Config& c) {
  web::auth::AuthSettings s;
  for (const auto& u : c.users) s.users.push_back({u.id, u.name, role_of(u.role), u.password_hash});
  s.public_metrics = c.server.public_metrics;
  s.session_ttl = c.server.session_ttl;
  s.secure_cookies = !c.server.tls_cert.empty();
  return s;
}

void log_auth_mode(const config::Config& c) {
  const auto s = auth_settings(c);
  if (s.enabled()) {
    std::size_t n = 0;
    for (const auto& u : s.users) n += u.password_hash.empty() ? 0 : 1;
    spdlog::info("authentication is on: {} user(s) can log in; API tokens via `vigil token create`", n);
    return;
  }
  spdlog::warn("**************************************************************************");
  spdlog::warn("AUTHENTICATION IS OFF: no user has a password_hash, so anyone who can reach");
  spdlog::warn("{} can read, acknowledge and resolve everything.", c.server.listen);
  spdlog::warn("Add password_hash (from `vigil hash-password`) to a user to turn it on.");
  spdlog::warn("**************************************************************************");
}

}  // namespace vigil::app
