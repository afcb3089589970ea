// Cookies, form fields, bearer headers and redirect targets of the login flow.
#include "web/auth/http_bits.h"

#include <gtest/gtest.h>

namespace vigil::web::auth {
namespace {

TEST(AuthHttp, CookieValue) {
  EXPECT_EQ(cookie_value("vigil_session=abc", "vigil_session"), "abc");
  EXPECT_EQ(cookie_value("a=1; vigil_session=abc; b=2", "vigil_session"), "abc");
  EXPECT_EQ(cookie_value("a=1;vigil_session=\"abc\"", "vigil_session"), "abc");
  EXPECT_EQ(cookie_value("xvigil_session=abc", "vigil_session"), std::nullopt);
  EXPECT_EQ(cookie_value("", "vigil_session"), std::nullopt);
  EXPECT_EQ(cookie_value("vigil_session=", "vigil_session"), "");
}

TEST(AuthHttp, FormValue) {
  EXPECT_EQ(form_value("user=alice&password=a+b%26c&next=%2Fincidents%2F4", "password"), "a b&c");
  EXPECT_EQ(form_value("user=alice&password=x", "next"), std::nullopt);
  EXPECT_EQ(form_value("csrf=", "csrf"), "");
}

TEST(AuthHttp, BearerToken) {
  EXPECT_EQ(bearer_token("Bearer vgl_abc"), "vgl_abc");
  EXPECT_EQ(bearer_token("bearer  vgl_abc "), "vgl_abc");
  EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
}

TEST(AuthHttp, SessionCookieFlags) {
  const std::string c = session_cookie("ID", std::chrono::hours(12), false);
  EXPECT_EQ(c, "vigil_session=ID; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200");
  EXPECT_EQ(session_cookie("ID", std::chrono::hours(1), true),
            "vigil_session=ID; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure");
  EXPECT_NE(cleared_session_cookie(false).find("Max-Age=0"), std::string::npos);
}

TEST(AuthHttp, OnlyLocalRedirects) {
  EXPECT_EQ(local_path_or_root("/incidents/4?x=1"), "/incidents/4?x=1");
  EXPECT_EQ(local_path_or_root("/"), "/");
  for (const char* bad : {"", "//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "/a\r\nSet-Cookie: x",
                          "javascript:alert(1)"}) {
    EXPECT_EQ(local_path_or_root(bad), "/") << bad;
  }
  EXPECT_EQ(url_encode_component("/incidents?status=open&x=a b"), "/incidents%3Fstatus%3Dopen%26x%3Da%20b");
}

}  // namespace
}  // namespace vigil::web::auth
