// with_auth over a real SQLite store: login, sessions, CSRF, roles, API tokens, logout and the
// login rate limit, with a clock the test moves.
#include "web/auth/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>

#include "store/store.h"
#include "web/auth/crypto.h"
#include "web/auth/http_bits.h"
#include "support/test_dir.h"

namespace vigil::web::auth {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const Time t0 = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}};

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

class AuthHandler : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_sqlite((dir_ / "vigil.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s.value());
    static const std::string hash = *hash_password("pw");  // computed once: argon2id is slow on purpose
    settings_.users = {{"vera", "Vera", Role::viewer, hash},
                       {"rob", "Rob", Role::responder, hash},
                       {"ada", "Ada", Role::admin, hash},
                       {"bot", "Bot", Role::responder, ""}};
    AuthEnv env;
    env.store = store_.get();
    env.to_loop = [](std::function<void()> f) { f(); };  // the test is its own loop
    env.now = [this] { return now_.load(); };
    auth_ = std::make_unique<AuthContext>(env, settings_);
    handler_ = with_auth(
        [this](Request req, Respond respond) {
          seen_ = req.principal;
          Response r;
          r.body = "inner";
          respond(r);
        },
        *auth_);
  }
  void TearDown() override {
    auth_.reset();
    store_.reset();
  }

  Response call(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers = {},
                std::string body = "") {
    Request req;
    req.method = std::move(method);
    req.path = path;
    req.target = std::move(path);
    req.headers = std::move(headers);
    req.body = std::move(body);
    req.remote = "192.0.2.7:40000";
    seen_.reset();
    std::promise<Response> p;
    auto f = p.get_future();
    handler_(std::move(req), [&p](Response r) { p.set_value(std::move(r)); });
    return f.get();
  }

  // Logs in; returns the session cookie value.
  std::string login(const std::string& user, const std::string& password = "pw") {
    Response r = call("POST", "/login", {{"content-type", "application/x-www-form-urlencoded"}},
                      "user=" + user + "&password=" + password + "&next=%2Fincidents");
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(header(r, "Location"), "/incidents");
    const std::string set = header(r, "Set-Cookie");
    EXPECT_THAT(set, HasSubstr("HttpOnly; SameSite=Strict"));
    auto v = cookie_value(set.substr(0, set.find(';')), kSessionCookie);
    return v.value_or("");
  }
  // The CSRF token of a session, as the pages get it (Principal::csrf).
  std::string csrf_of(const std::string& cookie) {
    EXPECT_EQ(call("GET", "/api/v1/services", {{"cookie", "vigil_session=" + cookie}}).status, 200);
    return seen_ ? seen_->csrf : "";
  }

  testing::TestDir dir_;
  std::unique_ptr<store::Store> store_;
  AuthSettings settings_;
  std::atomic<Time> now_{t0};
  std::unique_ptr<AuthContext> auth_;
  Handler handler_;
  std::optional<Principal> seen_;
};

TEST_F(AuthHandler, OpenRoutesPassWithoutCredentials) {
  for (const char* p : {"/-/healthy", "/status", "/metrics", "/v2/enqueue", "/a/x.y"}) {
    EXPECT_EQ(call("GET", p).body, "inner") << p;
    EXPECT_FALSE(seen_) << p;
  }
  // The alertmanager route keeps its own bearer key: the auth layer does not read it as a token.
  EXPECT_EQ(call("POST", "/api/v1/integrations/am/alertmanager", {{"authorization", "Bearer am-key"}}).body, "inner");
}

TEST_F(AuthHandler, NoCredentials401ForApiAndLoginRedirectForPages) {
  Response api = call("GET", "/api/v1/incidents");
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(header(api, "WWW-Authenticate"), "Bearer realm=\"vigil\"");
  Response page = call("GET", "/incidents/4?x=1", {{"accept", "text/html,application/xhtml+xml"}});
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(header(page, "Location"), "/login?next=/incidents/4%3Fx%3D1");
}

TEST_F(AuthHandler, SessionLoginRolesAndCsrf) {
  const std::string cookie = login("rob");
  const std::string csrf = csrf_of(cookie);
  ASSERT_TRUE(seen_);
  EXPECT_EQ(seen_->user, "rob");
  EXPECT_EQ(seen_->role, "responder");
  EXPECT_FALSE(seen_->via_token);
  EXPECT_EQ(csrf.size(), 43u);
  const std::pair<std::string, std::string> c{"cookie", "vigil_session=" + cookie};

  Response no_csrf = call("POST", "/api/v1/incidents/1/acknowledge", {c});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(no_csrf.body, HasSubstr("csrf token missing or wrong"));
  EXPECT_EQ(call("POST", "/api/v1/incidents/1/acknowledge", {c, {"x-csrf-token", csrf + "x"}}).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/incidents/1/acknowledge", {c, {"x-csrf-token", csrf}}).body, "inner");
  EXPECT_EQ(call("POST", "/incidents/1/acknowledge", {c, {"content-type", "application/x-www-form-urlencoded"}},
                 "note=x&csrf=" + csrf)
                .body,
            "inner");
  // Responders may not reload.
  EXPECT_EQ(call("POST", "/-/reload", {c, {"x-csrf-token", csrf}}).status, 403);
}

TEST_F(AuthHandler, ViewerReadsButCannotChange) {
  const std::string cookie = login("vera");
  const std::string csrf = csrf_of(cookie);
  Response r = call("POST", "/api/v1/incidents/1/resolve", {{"cookie", "vigil_session=" + cookie}, {"x-csrf-token", csrf}});
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("needs the responder role"));
}

TEST_F(AuthHandler, ForgedAndExpiredSessions) {
  EXPECT_EQ(call("GET", "/api/v1/incidents", {{"cookie", "vigil_session=" + random_token()}}).status, 401);
  const std::string cookie = login("rob");
  now_ = t0 + settings_.session_ttl;  // sessions end at created + session_ttl
  Response r = call("GET", "/api/v1/incidents", {{"cookie", "vigil_session=" + cookie}});
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(header(r, "Set-Cookie"), HasSubstr("Max-Age=0"));
}

TEST_F(AuthHandler, SessionsSurviveARestart) {
  const std::string cookie = login("ada");
  auth_ = std::make_unique<AuthContext>(AuthEnv{store_.get(), [](std::function<void()> f) { f(); }, [this] { return now_.load(); }},
                                        settings_);
  handler_ = with_auth([this](Request req, Respond respond) { seen_ = req.principal; respond(Response{}); }, *auth_);
  EXPECT_EQ(call("GET", "/api/v1/incidents", {{"cookie", "vigil_session=" + cookie}}).status, 200);
  ASSERT_TRUE(seen_);
  EXPECT_EQ(seen_->role, "admin");
}

TEST_F(AuthHandler, WrongPasswordUnknownUserAndRateLimit) {
  Response wrong = call("POST", "/login", {}, "user=rob&password=nope&next=/");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_THAT(wrong.body, HasSubstr("Wrong user or password"));
  EXPECT_EQ(call("POST", "/login", {}, "user=nobody&password=pw").status, 401);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(call("POST", "/login", {}, "user=rob&password=nope").status, 401);
  // Five failures from this address: even the right password waits now.
  Response limited = call("POST", "/login", {}, "user=rob&password=pw");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(header(limited, "Retry-After"), "300");
  now_ = t0 + std::chrono::minutes(5);
  login("rob");
}

TEST_F(AuthHandler, ApiTokensActAsTheirUserWithoutCsrf) {
  const auto t = new_api_token();
  ASSERT_TRUE(store_->create_api_token({0, "bot", "ci", t.sha256_hex, t0, std::nullopt}).ok());
  const std::pair<std::string, std::string> auth{"authorization", "Bearer " + t.token};
  EXPECT_EQ(call("POST", "/api/v1/incidents/1/acknowledge", {auth}).body, "inner");
  ASSERT_TRUE(seen_);
  EXPECT_EQ(seen_->user, "bot");
  EXPECT_TRUE(seen_->via_token);
  EXPECT_EQ(call("POST", "/-/reload", {auth}).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/incidents", {{"authorization", "Bearer vgl_" + random_token()}}).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/incidents", {{"authorization", "Basic cm9iOnB3"}}).status, 401);
  auto listed = store_->list_api_tokens();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().last_used_at, t0);
  ASSERT_TRUE(store_->delete_api_token(listed->front().id).ok());
  EXPECT_EQ(call("GET", "/api/v1/incidents", {auth}).status, 401);
}

TEST_F(AuthHandler, ReloadDemotesAtOnce) {
  const std::string cookie = login("ada");
  const std::string csrf = csrf_of(cookie);
  settings_.users[2].role = Role::viewer;
  auth_->update(settings_);
  EXPECT_EQ(call("POST", "/api/v1/incidents/1/notes", {{"cookie", "vigil_session=" + cookie}, {"x-csrf-token", csrf}}).status,
            403);
}

TEST_F(AuthHandler, LogoutNeedsCsrfAndEndsTheSession) {
  const std::string cookie = login("rob");
  const std::string csrf = csrf_of(cookie);
  const std::pair<std::string, std::string> c{"cookie", "vigil_session=" + cookie};
  EXPECT_EQ(call("POST", "/logout", {c}).status, 403);
  Response out = call("POST", "/logout", {c, {"content-type", "application/x-www-form-urlencoded"}}, "csrf=" + csrf);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(header(out, "Location"), "/login");
  EXPECT_EQ(call("GET", "/api/v1/incidents", {c}).status, 401);
}

TEST_F(AuthHandler, NoPasswordsMeansNoAuthentication) {
  for (auto& u : settings_.users) u.password_hash.clear();
  auth_->update(settings_);
  EXPECT_FALSE(auth_->enabled());
  EXPECT_EQ(call("POST", "/-/reload").body, "inner");
  EXPECT_FALSE(seen_);
}

}  // namespace
}  // namespace vigil::web::auth
