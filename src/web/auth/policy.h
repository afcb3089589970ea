// Who may call which route: roles and the route policy table. Pure, so the whole table is
// tested case by case (tests/web/auth_policy_test.cpp) without a server.
//
//   open       /-/healthy, /-/ready, /status and its assets (/static/...), the signed page links
//              /a/{token}, /metrics when public, and the inbound event routes (/v2/enqueue and
//              /api/v1/integrations/{name}/alertmanager), which authenticate by their own key
//   login      GET|POST /login        logout   POST /logout
//   viewer     any other GET (HEAD arrives as GET)
//   responder  any other method (POST, PUT, PATCH, DELETE, ...)
//   admin      POST|PUT /-/reload and /api/v1/tokens (token management)
#pragma once
#include <optional>
#include <string_view>

namespace vigil::web::auth {

enum class Role { viewer = 1, responder = 2, admin = 3 };

std::optional<Role> parse_role(std::string_view s);  // "viewer" | "responder" | "admin"
std::string_view to_string(Role r);

enum class Access { open, login, logout, viewer, responder, admin };
std::string_view to_string(Access a);

struct PolicyOptions {
  bool public_metrics = true;  // server.public_metrics
};

Access route_access(std::string_view method, std::string_view path, const PolicyOptions& options);

// Whether a user with `role` may pass a route needing `need` (viewer < responder < admin).
// The open, login and logout routes admit everyone.
bool allows(Role role, Access need);

// GET, HEAD and OPTIONS change nothing; every other method is "mutating" and, when the caller
// authenticated with a session cookie, must carry the session's CSRF token.
bool is_mutating(std::string_view method);

}  // namespace vigil::web::auth
