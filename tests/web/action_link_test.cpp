// Signed acknowledge/resolve links: round trip, every way a token is refused, and the page shown
// after a tap.
#include "web/action_link.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>

namespace vigil::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
const Time kNow = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}} + std::chrono::hours(10);

ActionClaim claim(std::string action = "acknowledge", std::string user = "alice") {
  return {42, std::move(action), std::move(user), kNow + std::chrono::hours(24)};
}

void expect_refused(const Result<ActionClaim>& r, std::string_view why) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, why);
  EXPECT_EQ(r.error().field, "token");
}

TEST(ActionLink, RoundTrip) {
  for (const auto& c : {claim(), claim("resolve", "bob"), claim("acknowledge", "first.last@example")}) {
    const std::string token = sign_action(c, kKey);
    SCOPED_TRACE(token);
    for (char ch : token) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')
          << "not URL-safe: " << ch;
    }
    auto r = verify_action(token, kKey, kNow);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->incident, 42);
    EXPECT_EQ(r->action, c.action);
    EXPECT_EQ(r->user, c.user);
    EXPECT_EQ(r->expires_at, c.expires_at);
  }
}

TEST(ActionLink, ExpiryIsCarriedInWholeSeconds) {
  ActionClaim c = claim();
  c.expires_at = kNow + 1500ms;
  auto r = verify_action(sign_action(c, kKey), kKey, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->expires_at, kNow + 1s);
}

TEST(ActionLink, DifferentClaimsGiveDifferentTokens) {
  EXPECT_NE(sign_action(claim("acknowledge"), kKey), sign_action(claim("resolve"), kKey));
  EXPECT_NE(sign_action(claim(), kKey), sign_action(claim(), "another key"));
}

TEST(ActionLink, TamperedPayloadIsRefused) {
  const std::string token = sign_action(claim("acknowledge"), kKey);
  // A validly signed "acknowledge" token with its payload swapped for a "resolve" one.
  const std::string other = sign_action(claim("resolve"), kKey);
  const std::string forged = other.substr(0, other.find('.')) + token.substr(token.find('.'));
  expect_refused(verify_action(forged, kKey, kNow), kLinkBadSignature);

  // One character of the payload changed (keeping it canonical base64url).
  std::string t = token;
  t[2] = t[2] == 'A' ? 'B' : 'A';
  expect_refused(verify_action(t, kKey, kNow), kLinkBadSignature);
}

TEST(ActionLink, TamperedSignatureIsRefused) {
  std::string token = sign_action(claim(), kKey);
  const std::size_t i = token.find('.') + 5;
  token[i] = token[i] == 'A' ? 'B' : 'A';
  expect_refused(verify_action(token, kKey, kNow), kLinkBadSignature);
}

TEST(ActionLink, WrongKeyIsRefused) {
  const std::string token = sign_action(claim(), kKey);
  expect_refused(verify_action(token, "another key", kNow), kLinkBadSignature);
  expect_refused(verify_action(token, "", kNow), kLinkBadSignature);
  // An empty key never verifies, even for a token made with it.
  expect_refused(verify_action(sign_action(claim(), ""), "", kNow), kLinkBadSignature);
}

TEST(ActionLink, ExpiredIsRefused) {
  const std::string token = sign_action(claim(), kKey);
  const Time expires = kNow + std::chrono::hours(24);
  EXPECT_TRUE(verify_action(token, kKey, expires - 1ms).ok());
  expect_refused(verify_action(token, kKey, expires), kLinkExpired);
  expect_refused(verify_action(token, kKey, expires + std::chrono::hours(1)), kLinkExpired);
}

TEST(ActionLink, ExpiryIsCheckedOnlyOnAuthenticTokens) {
  const std::string token = sign_action(claim(), kKey);
  expect_refused(verify_action(token, "another key", kNow + std::chrono::hours(48)), kLinkBadSignature);
}

TEST(ActionLink, MalformedTokensAreRefused) {
  const std::string good = sign_action(claim(), kKey);
  const std::string payload = good.substr(0, good.find('.'));
  const std::string sig = good.substr(good.find('.') + 1);
  std::string non_canonical = good;  // last character differs only in bits base64 ignores
  non_canonical.back() = static_cast<char>(non_canonical.back() + 1);
  const std::string cases[] = {
      "",
      ".",
      "nodot",
      payload,
      payload + ".",
      "." + sig,
      good + ".extra",
      payload + "." + sig + "=",                // padding
      payload.substr(1) + "." + sig,           // length not a base64 length
      "a+b/" + payload.substr(4) + "." + sig,  // standard alphabet, not URL-safe
      payload + "." + sig.substr(0, 20),       // short MAC
      payload + ".!!!!" + sig.substr(4),
      std::string(5000, 'A') + "." + sig,
  };
  for (const auto& t : cases) {
    SCOPED_TRACE(t);
    expect_refused(verify_action(t, kKey, kNow), kLinkMalformed);
  }
  // Changing the final character may or may not stay canonical: either way it is refused.
  EXPECT_FALSE(verify_action(non_canonical, kKey, kNow).ok());
}

TEST(ActionLink, SignedButMeaninglessClaimsAreMalformed) {
  const ActionClaim bad[] = {
      {42, "delete", "alice", kNow + 1h},
      {42, "acknowledge", "", kNow + 1h},
      {0, "acknowledge", "alice", kNow + 1h},
      {-3, "acknowledge", "alice", kNow + 1h},
  };
  for (const auto& c : bad) {
    SCOPED_TRACE(c.action + "/" + c.user);
    expect_refused(verify_action(sign_action(c, kKey), kKey, kNow), kLinkMalformed);
  }
}

TEST(ActionPage, EscapesTextAndIsSelfContained) {
  const std::string html =
      action_page_html("Incident #42 <acknowledged>", "by \"alice\" & 'bob' <script>alert(1)</script>", true);
  EXPECT_THAT(html, HasSubstr("<title>Incident #42 &lt;acknowledged&gt; · vigil</title>"));
  EXPECT_THAT(html, HasSubstr("by &quot;alice&quot; &amp; &#39;bob&#39; &lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, HasSubstr("name=\"viewport\""));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
  EXPECT_THAT(html, HasSubstr("<main class=\"ok\">"));
}

TEST(ActionPage, RefusalIsMarkedAsSuch) {
  const std::string html = action_page_html("Link expired", "Open vigil to acknowledge incident #42.", false);
  EXPECT_THAT(html, HasSubstr("<main class=\"err\">"));
  EXPECT_THAT(html, HasSubstr("<h1>Link expired</h1>"));
}

TEST(ActionPage, ConfirmationPostsToItself) {
  const std::string html = action_confirm_html("Acknowledge incident #42?", "web: login <failing>", "Acknowledge");
  EXPECT_THAT(html, HasSubstr("<form method=\"post\"><button type=\"submit\">Acknowledge</button></form>"));
  EXPECT_THAT(html, HasSubstr("web: login &lt;failing&gt;"));
  EXPECT_THAT(html, HasSubstr("form-action 'self'"));
}

}  // namespace
}  // namespace vigil::web
