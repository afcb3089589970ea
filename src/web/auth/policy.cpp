#include "web/auth/policy.h"

#include <string>

namespace vigil::web::auth {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// `prefix` itself or anything below it: "/status" and "/status/..." but not "/statusx".
bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || starts_with(path, std::string(prefix) + "/");
}

// /api/v1/integrations/{name}/alertmanager: exactly one segment for the name.
bool is_alertmanager_route(std::string_view path) {
  constexpr std::string_view kPrefix = "/api/v1/integrations/";
  constexpr std::string_view kSuffix = "/alertmanager";
  if (!starts_with(path, kPrefix) || path.size() <= kPrefix.size() + kSuffix.size()) return false;
  if (path.substr(path.size() - kSuffix.size()) != kSuffix) return false;
  const std::string_view name = path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  return name.find('/') == std::string_view::npos;
}

}  // namespace

std::optional<Role> parse_role(std::string_view s) {
  if (s == "viewer") return Role::viewer;
  if (s == "responder") return Role::responder;
  if (s == "admin") return Role::admin;
  return std::nullopt;
}

std::string_view to_string(Role r) {
  switch (r) {
    case Role::viewer: return "viewer";
    case Role::responder: return "responder";
    case Role::admin: return "admin";
  }
  return "viewer";
}

std::string_view to_string(Access a) {
  switch (a) {
    case Access::open: return "open";
    case Access::login: return "login";
    case Access::logout: return "logout";
    case Access::viewer: return "viewer";
    case Access::responder: return "responder";
    case Access::admin: return "admin";
  }
  return "admin";
}

bool is_mutating(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

Access route_access(std::string_view method, std::string_view path, const PolicyOptions& options) {
  if (path == "/login") return Access::login;
  if (path == "/logout") return Access::logout;
  if (path == "/-/healthy" || path == "/-/ready") return Access::open;
  // The public status page is for customers: it shows only what services mark public.
  if (under(path, "/status") || under(path, "/static") || path == "/favicon.ico") return Access::open;
  // Signed links: the HMAC in the token is the credential (web/action_link.h).
  if (starts_with(path, "/a/")) return Access::open;
  // Heartbeat pings: the key in the URL is the credential (cron jobs, Alertmanager's Watchdog).
  if (starts_with(path, "/ping/")) return Access::open;
  // Inbound events carry their integration's key (routing key, or the Alertmanager bearer key);
  // the routes check it themselves, with PagerDuty's and Alertmanager's own answers.
  if (path == "/v2/enqueue" || is_alertmanager_route(path)) return Access::open;
  if (path == "/metrics" && options.public_metrics) return Access::open;
  if (path == "/-/reload" || under(path, "/api/v1/tokens")) return Access::admin;
  return is_mutating(method) ? Access::responder : Access::viewer;
}

bool allows(Role role, Access need) {
  switch (need) {
    case Access::open:
    case Access::login:
    case Access::logout: return true;
    case Access::viewer: return role >= Role::viewer;
    case Access::responder: return role >= Role::responder;
    case Access::admin: return role >= Role::admin;
  }
  return false;
}

}  // namespace vigil::web::auth
