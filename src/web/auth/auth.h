// Authentication and authorisation in front of every route: with_auth(inner, auth) returns a
// Handler that admits a request only if the route policy (web/auth/policy.h) lets its caller
// through, sets Request::principal, and answers /login and /logout itself.
//
// Credentials: a session cookie (`vigil_session`, from POST /login; mutating requests must also
// carry the session's CSRF token as `X-CSRF-Token` or form field `csrf`), or an API token
// (`Authorization: Bearer vgl_...`, no CSRF: a script cannot be tricked into sending it). The
// store keeps only SHA-256 of both. Roles come from the user's config, so a reload that demotes
// or removes a user takes effect on their next request.
//
// Authentication is on when at least one user has a password hash; otherwise every request
// passes unchanged (no principal), as Prometheus runs.
//
// Answers: 401 JSON with WWW-Authenticate for API calls without valid credentials, 303 to
// /login?next=... for page requests (GET with Accept: text/html outside /api/), 403 JSON for a
// role too low or a missing/wrong CSRF token, 429 with Retry-After for rate-limited logins.
//
// Store lookups and password checks (about 0.1 s of argon2id each) run on a worker thread of
// this context; the inner handler is always called on the loop through AuthEnv::to_loop.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/time.h"
#include "web/auth/policy.h"
#include "web/http_types.h"

namespace vigil::store {
class Store;
}

namespace vigil::web::auth {

struct AuthUser {
  std::string id;
  std::string name;
  Role role = Role::responder;
  std::string password_hash;  // empty: cannot log in (API tokens still act as this user)
};

struct AuthSettings {
  std::vector<AuthUser> users;
  bool public_metrics = true;
  Duration session_ttl = std::chrono::hours(12);
  bool secure_cookies = false;  // the listener speaks TLS
  // On when any user has a password hash.
  bool enabled() const;
};

struct AuthEnv {
  store::Store* store = nullptr;                        // must outlive the AuthContext
  std::function<void(std::function<void()>)> to_loop;  // runs a job on the server's event loop
  std::function<Time()> now = now_ms;
};

class AuthContext {
 public:
  AuthContext(AuthEnv env, AuthSettings settings);
  // Waits for the worker's jobs to finish; requests still arriving afterwards get 503.
  ~AuthContext();
  AuthContext(const AuthContext&) = delete;
  AuthContext& operator=(const AuthContext&) = delete;

  // New users, roles or keys (config reload). Thread-safe.
  void update(AuthSettings settings);
  bool enabled() const;

  struct Impl;

 private:
  friend Handler with_auth(Handler inner, AuthContext& auth);
  std::shared_ptr<Impl> impl_;
};

Handler with_auth(Handler inner, AuthContext& auth);

}  // namespace vigil::web::auth
