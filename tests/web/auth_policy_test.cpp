// The route policy table: which role each method and path needs.
#include "web/auth/policy.h"

#include <gtest/gtest.h>

namespace vigil::web::auth {
namespace {

struct Case {
  const char* method;
  const char* path;
  Access need;
};

TEST(AuthPolicy, Table) {
  const Case cases[] = {
      {"GET", "/-/healthy", Access::open},
      {"GET", "/-/ready", Access::open},
      {"GET", "/status", Access::open},
      {"GET", "/status/webserver-01", Access::open},
      {"GET", "/static/app.css", Access::open},
      {"GET", "/statusx", Access::viewer},
      {"GET", "/staticky", Access::viewer},
      {"GET", "/a/abc.def", Access::open},
      {"POST", "/a/abc.def", Access::open},
      {"POST", "/v2/enqueue", Access::open},
      {"GET", "/ping/0123456789abcdef", Access::open},
      {"POST", "/ping/0123456789abcdef/fail", Access::open},
      {"GET", "/pingx", Access::viewer},
      {"POST", "/api/v1/integrations/prometheus/alertmanager", Access::open},
      {"POST", "/api/v1/integrations/a/b/alertmanager", Access::responder},
      {"POST", "/api/v1/integrations//alertmanager", Access::responder},
      {"GET", "/login", Access::login},
      {"POST", "/login", Access::login},
      {"POST", "/logout", Access::logout},
      {"GET", "/metrics", Access::open},
      {"GET", "/", Access::viewer},
      {"GET", "/incidents/4", Access::viewer},
      {"GET", "/api/v1/services", Access::viewer},
      {"GET", "/api/v1/incidents/4", Access::viewer},
      {"HEAD", "/api/v1/incidents", Access::viewer},
      {"OPTIONS", "/api/v1/incidents", Access::viewer},
      {"GET", "/api/v1/incidents/4/postmortem", Access::viewer},
      {"PUT", "/api/v1/incidents/4/postmortem", Access::responder},
      {"POST", "/api/v1/incidents/4/acknowledge", Access::responder},
      {"POST", "/api/v1/incidents/4/resolve", Access::responder},
      {"POST", "/api/v1/incidents/4/notes", Access::responder},
      {"POST", "/api/v1/incidents/4/runbooks/restart", Access::responder},
      {"POST", "/api/v1/action-items", Access::responder},
      {"PATCH", "/api/v1/action-items/3", Access::responder},
      {"DELETE", "/api/v1/action-items/3", Access::responder},
      {"POST", "/-/reload", Access::admin},
      {"PUT", "/-/reload", Access::admin},
      {"GET", "/-/reload", Access::admin},
      {"GET", "/api/v1/tokens", Access::admin},
      {"DELETE", "/api/v1/tokens/2", Access::admin},
      {"GET", "/api/v1/tokensx", Access::viewer},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_string(route_access(c.method, c.path, {})), to_string(c.need)) << c.method << " " << c.path;
  }
}

TEST(AuthPolicy, MetricsNeedAViewerWhenNotPublic) {
  EXPECT_EQ(route_access("GET", "/metrics", PolicyOptions{false}), Access::viewer);
  EXPECT_EQ(route_access("GET", "/metrics", PolicyOptions{true}), Access::open);
}

TEST(AuthPolicy, RolesAreOrdered) {
  EXPECT_TRUE(allows(Role::viewer, Access::viewer));
  EXPECT_FALSE(allows(Role::viewer, Access::responder));
  EXPECT_FALSE(allows(Role::viewer, Access::admin));
  EXPECT_TRUE(allows(Role::responder, Access::responder));
  EXPECT_FALSE(allows(Role::responder, Access::admin));
  EXPECT_TRUE(allows(Role::admin, Access::admin));
  EXPECT_TRUE(allows(Role::admin, Access::viewer));
  for (Role r : {Role::viewer, Role::responder, Role::admin}) {
    EXPECT_TRUE(allows(r, Access::open));
    EXPECT_EQ(parse_role(to_string(r)), r);
  }
  EXPECT_EQ(parse_role("root"), std::nullopt);
}

TEST(AuthPolicy, MutatingMethods) {
  for (const char* m : {"GET", "HEAD", "OPTIONS"}) EXPECT_FALSE(is_mutating(m)) << m;
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE", "PROPFIND"}) EXPECT_TRUE(is_mutating(m)) << m;
}

}  // namespace
}  // namespace vigil::web::auth
