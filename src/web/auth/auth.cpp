#include "web/auth/auth.h"

#include <boost/json.hpp>

#include <algorithm>
#include <mutex>

#include "common/worker.h"
#include "store/store.h"
#include "web/auth/crypto.h"
#include "web/auth/http_bits.h"
#include "web/auth/login_page.h"
#include "web/auth/rate_limit.h"

namespace vigil::web::auth {
namespace {

// argon2id takes 64 MiB and ~0.1 s per check: beyond this many queued, answer 429 at once
// instead of letting a flood of logins queue up minutes of work.
constexpr int kMaxLoginsInFlight = 4;
// last_used_at is informational; writing it on every request would cost an fsync each.
constexpr Duration kTouchEvery = std::chrono::minutes(1);

Response html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  return r;
}

std::string host_of(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') return remote.substr(1, remote.find(']') - 1);
  return remote.substr(0, remote.rfind(':'));
}

bool wants_page(const Request& req) {
  return req.method == "GET" && req.path.rfind("/api/", 0) != 0 &&
         req.header("accept").find("text/html") != std::string::npos;
}

// The CSRF token a mutating request carries: the X-CSRF-Token header (fetch, the CLI) or the
// `csrf` field of a form post.
std::string csrf_of(const Request& req) {
  std::string h = req.header("x-csrf-token");
  if (!h.empty()) return h;
  if (req.header("content-type").rfind("application/x-www-form-urlencoded", 0) == 0)
    return form_value(req.body, "csrf").value_or("");
  return {};
}

const AuthUser* find_user(const AuthSettings& s, const std::string& id) {
  for (const auto& u : s.users)
    if (u.id == id) return &u;
  return nullptr;
}

long long ceil_seconds(Duration d) {
  return std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(d).count());
}

// What a credential resolved to, on the worker.
struct Lookup {
  bool found = false;
  bool via_token = false;
  std::string user;
  std::string csrf;
  std::string session_hash;
  std::string store_error;
};

}  // namespace

bool AuthSettings::enabled() const {
  return std::any_of(users.begin(), users.end(), [](const AuthUser& u) { return !u.password_hash.empty(); });
}

struct AuthContext::Impl : std::enable_shared_from_this<AuthContext::Impl> {
  AuthEnv env;
  mutable std::mutex mu;
  std::shared_ptr<const AuthSettings> settings;  // guarded by mu
  std::unique_ptr<BlockingWorker> worker;        // guarded by mu; null once shut down
  LoginLimiter limiter;                          // guarded by mu
  int logins_in_flight = 0;                      // guarded by mu
  std::string dummy_hash;                        // worker thread only

  std::shared_ptr<const AuthSettings> snapshot() const {
    std::lock_guard lock(mu);
    return settings;
  }

  // Runs `job` on the worker; false once the context is shutting down.
  bool post(std::function<void()> job) {
    std::lock_guard lock(mu);
    if (!worker) return false;
    worker->post(std::move(job));
    return true;
  }

  // Runs `work` on the worker, then `then(result)` on the loop; 503 if shutting down.
  template <typename T>
  void off_loop(std::function<T()> work, std::function<void(T)> then, const Respond& respond) {
    auto self = shared_from_this();
    const bool posted = post([self, work = std::move(work), then = std::move(then)]() mutable {
      T result = work();
      self->env.to_loop([then = std::move(then), result = std::move(result)]() mutable { then(std::move(result)); });
    });
    if (!posted) respond(json_error(503, "vigil is shutting down"));
  }

  // ---- identifying the caller (worker thread) ---------------------------------------------

  Lookup lookup_token(const std::string& token) {
    Lookup l;
    l.via_token = true;
    if (token.rfind(kApiTokenPrefix, 0) != 0) return l;
    auto t = env.store->find_api_token(sha256_hex(token));
    if (!t.ok()) {
      l.store_error = t.error().message;
      return l;
    }
    if (!t.value()) return l;
    const Time now = env.now();
    const auto& row = *t.value();
    if (!row.last_used_at || now - *row.last_used_at >= kTouchEvery) (void)env.store->touch_api_token(row.id, now);
    l.found = true;
    l.user = row.user;
    return l;
  }

  Lookup lookup_session(const std::string& id) {
    Lookup l;
    l.session_hash = sha256_hex(id);
    auto s = env.store->find_session(l.session_hash, env.now());
    if (!s.ok()) {
      l.store_error = s.error().message;
      return l;
    }
    if (!s.value()) return l;
    l.found = true;
    l.user = s.value()->user;
    l.csrf = s.value()->csrf_token;
    return l;
  }

  // ---- answers -------------------------------------------------------------------------------

  static Response unauthenticated(const Request& req, std::string_view why, bool had_cookie, bool secure) {
    Response r;
    if (wants_page(req)) {
      r = see_other("/login?next=" + url_encode_component(local_path_or_root(req.target)));
    } else {
      r = json_error(401, why);
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
    }
    if (had_cookie) r.headers.emplace_back("Set-Cookie", cleared_session_cookie(secure));
    return r;
  }

  void handle(const Handler& inner, Request req, Respond respond) {
    auto s = snapshot();
    const Access need = route_access(req.method, req.path, PolicyOptions{s->public_metrics});
    if (need == Access::login) return login(std::move(req), std::move(respond), s);
    if (need == Access::logout) return logout(std::move(req), std::move(respond), s);
    if (need == Access::open || !s->enabled()) return inner(std::move(req), std::move(respond));

    const std::string authorization = req.header("authorization");
    const auto cookie = cookie_value(req.header("cookie"), kSessionCookie);
    const bool had_cookie = cookie.has_value();
    std::function<Lookup()> work;
    if (!authorization.empty()) {
      auto token = bearer_token(authorization);
      if (!token) return respond(unauthenticated(req, "unsupported Authorization scheme: send Bearer <API token>", false, s->secure_cookies));
      work = [self = this, t = *token] { return self->lookup_token(t); };
    } else if (cookie && !cookie->empty()) {
      work = [self = this, c = *cookie] { return self->lookup_session(c); };
    } else {
      return respond(unauthenticated(req, "authentication required: log in, or send Authorization: Bearer <API token>",
                                     had_cookie, s->secure_cookies));
    }
    auto self = shared_from_this();
    auto shared_req = std::make_shared<Request>(std::move(req));
    off_loop<Lookup>(
        std::move(work),
        [self, inner, shared_req, respond, need, had_cookie](Lookup l) {
          Request& req = *shared_req;
          auto s = self->snapshot();
          if (!l.store_error.empty()) return respond(json_error(503, "cannot check credentials: " + l.store_error));
          const AuthUser* u = l.found ? find_user(*s, l.user) : nullptr;
          // A session needs a user who can still log in; removing a password ends their sessions.
          if (u && !l.via_token && u->password_hash.empty()) u = nullptr;
          if (!u) {
            return respond(unauthenticated(
                req, l.via_token ? "invalid or revoked API token" : "session expired or invalid: log in again",
                had_cookie && !l.via_token, s->secure_cookies));
          }
          if (!allows(u->role, need)) {
            return respond(json_error(403, "forbidden: this route needs the " + std::string(to_string(need)) +
                                               " role; " + u->id + " is " + std::string(to_string(u->role))));
          }
          if (!l.via_token && is_mutating(req.method) && !constant_time_equal(csrf_of(req), l.csrf)) {
            return respond(json_error(403, "csrf token missing or wrong"));
          }
          req.principal = Principal{u->id, u->name, std::string(to_string(u->role)), l.via_token, l.csrf};
          inner(std::move(req), respond);
        },
        respond);
  }

  // ---- /login and /logout ------------------------------------------------------------------

  void login(Request req, Respond respond, const std::shared_ptr<const AuthSettings>& s) {
    if (!s->enabled()) {
      if (req.method == "GET") return respond(see_other("/"));
      return respond(json_error(404, "authentication is off: no user has a password_hash"));
    }
    if (req.method == "GET") {
      auto it = req.query.find("next");
      return respond(html(200, login_page_html(local_path_or_root(it == req.query.end() ? "/" : it->second), "")));
    }
    if (req.method != "POST") {
      Response r = json_error(405, "method not allowed");
      r.headers.emplace_back("Allow", "GET, POST");
      return respond(r);
    }
    const std::string user = form_value(req.body, "user").value_or("");
    const std::string password = form_value(req.body, "password").value_or("");
    const std::string next = local_path_or_root(form_value(req.body, "next").value_or("/"));
    const std::string ip_key = "ip:" + host_of(req.remote);
    const std::string user_key = "user:" + user;
    {
      std::lock_guard lock(mu);
      const Time now = env.now();
      auto wait = std::max(limiter.blocked_for(ip_key, now).value_or(Duration{}),
                           limiter.blocked_for(user_key, now).value_or(Duration{}));
      if (wait == Duration{} && logins_in_flight >= kMaxLoginsInFlight) wait = std::chrono::seconds(1);
      if (wait > Duration{}) {
        Response r = html(429, login_page_html(next, "Too many sign-in attempts. Try again in " +
                                                         std::to_string(ceil_seconds(wait)) + " seconds.", user));
        r.headers.emplace_back("Retry-After", std::to_string(ceil_seconds(wait)));
        return respond(r);
      }
      ++logins_in_flight;
    }
    struct Outcome {
      bool ok = false;
      std::string session_id;
      std::string error;
    };
    const AuthUser* u = find_user(*s, user);
    std::string hash = u ? u->password_hash : std::string();
    const Duration ttl = s->session_ttl;
    const bool secure = s->secure_cookies;
    auto self = shared_from_this();
    off_loop<Outcome>(
        [self, hash, user, password, ttl]() {
          Outcome o;
          if (hash.empty()) {
            // Same work for an unknown user as for a wrong password: timing says nothing.
            if (self->dummy_hash.empty()) {
              auto h = hash_password("vigil-dummy");
              if (h.ok()) self->dummy_hash = *h;
            }
            (void)verify_password(self->dummy_hash, password);
            return o;
          }
          if (!verify_password(hash, password)) return o;
          const Time now = self->env.now();
          store::SessionRow row;
          o.session_id = random_token(32);
          row.sha256_hex = sha256_hex(o.session_id);
          row.user = user;
          row.csrf_token = random_token(32);
          row.created_at = now;
          row.expires_at = now + ttl;
          if (Status st = self->env.store->put_session(row); !st.ok()) {
            o.error = st.error().message;
            return o;
          }
          (void)self->env.store->prune_sessions(now);
          o.ok = true;
          return o;
        },
        [self, respond, next, user, ip_key, user_key, ttl, secure](Outcome o) {
          {
            std::lock_guard lock(self->mu);
            --self->logins_in_flight;
            if (o.ok) {
              self->limiter.record_success(user_key);
              self->limiter.record_success(ip_key);
            } else if (o.error.empty()) {
              const Time now = self->env.now();
              self->limiter.record_failure(ip_key, now);
              self->limiter.record_failure(user_key, now);
            }
          }
          if (!o.error.empty()) return respond(html(503, login_page_html(next, "Cannot sign in now: " + o.error, user)));
          if (!o.ok) return respond(html(401, login_page_html(next, "Wrong user or password.", user)));
          Response r = see_other(next);
          r.headers.emplace_back("Set-Cookie", session_cookie(o.session_id, ttl, secure));
          respond(r);
        },
        respond);
  }

  void logout(Request req, Respond respond, const std::shared_ptr<const AuthSettings>& s) {
    if (req.method != "POST") {
      Response r = json_error(405, "method not allowed");
      r.headers.emplace_back("Allow", "POST");
      return respond(r);
    }
    const bool secure = s->secure_cookies;
    auto done = [secure] {
      Response r = see_other("/login");
      r.headers.emplace_back("Set-Cookie", cleared_session_cookie(secure));
      return r;
    };
    const auto cookie = cookie_value(req.header("cookie"), kSessionCookie);
    if (!s->enabled() || !cookie || cookie->empty()) return respond(done());
    const std::string given = csrf_of(req);
    auto self = shared_from_this();
    off_loop<std::string>(
        [self, id = *cookie, given]() -> std::string {
          Lookup l = self->lookup_session(id);
          if (!l.store_error.empty()) return "store: " + l.store_error;
          if (!l.found) return {};
          // Logging someone out is a state change too: a forged form must not do it.
          if (!constant_time_equal(given, l.csrf)) return "csrf";
          if (Status st = self->env.store->delete_session(l.session_hash); !st.ok()) return "store: " + st.error().message;
          return {};
        },
        [respond, done](std::string error) {
          if (error == "csrf") return respond(json_error(403, "csrf token missing or wrong"));
          if (!error.empty()) return respond(json_error(503, "cannot log out: " + error));
          respond(done());
        },
        respond);
  }
};

AuthContext::AuthContext(AuthEnv env, AuthSettings settings) : impl_(std::make_shared<Impl>()) {
  impl_->env = std::move(env);
  impl_->settings = std::make_shared<const AuthSettings>(std::move(settings));
  impl_->worker = std::make_unique<BlockingWorker>("vigil-auth");
}

AuthContext::~AuthContext() {
  std::unique_ptr<BlockingWorker> w;
  {
    std::lock_guard lock(impl_->mu);
    w = std::move(impl_->worker);
  }
  w.reset();  // runs what is queued (the store is still open), then joins
}

void AuthContext::update(AuthSettings settings) {
  auto next = std::make_shared<const AuthSettings>(std::move(settings));
  std::lock_guard lock(impl_->mu);
  impl_->settings = std::move(next);
}

bool AuthContext::enabled() const { return impl_->snapshot()->enabled(); }

Handler with_auth(Handler inner, AuthContext& auth) {
  return [impl = auth.impl_, inner = std::move(inner)](Request req, Respond respond) {
    impl->handle(inner, std::move(req), std::move(respond));
  };
}

}  // namespace vigil::web::auth
