// Password hashes, token hashing and comparison (web/auth/crypto.h).
#include "web/auth/crypto.h"

#include <gtest/gtest.h>

#include <set>

namespace vigil::web::auth {
namespace {

TEST(AuthCrypto, PasswordRoundTrip) {
  auto h = hash_password("correct horse battery staple");
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password(*h, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*h, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(*h, ""));
  // Salted: the same password hashes differently each time, and both verify.
  auto again = hash_password("correct horse battery staple");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*h, *again);
  EXPECT_TRUE(verify_password(*again, "correct horse battery staple"));
}

TEST(AuthCrypto, MalformedHashesNeverMatch) {
  for (const char* bad : {"", "secret", "$argon2id$", "$argon2id$v=19$m=65536,t=2,p=1$garbage",
                          "$2y$10$abcdefghijklmnopqrstuu", "secret\n"}) {
    EXPECT_FALSE(verify_password(bad, "secret")) << bad;
    EXPECT_FALSE(verify_password(bad, bad)) << bad;
  }
  EXPECT_FALSE(verify_password(std::string(1000, 'a'), "a"));
}

TEST(AuthCrypto, Sha256HexKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuthCrypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
}

TEST(AuthCrypto, RandomTokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string t = random_token(32);
    EXPECT_EQ(t.size(), 43u);
    for (char c : t) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(AuthCrypto, ApiTokenIsShownOnceAndStoredAsItsHash) {
  const auto t = new_api_token();
  EXPECT_EQ(t.token.rfind("vgl_", 0), 0u);
  EXPECT_EQ(t.token.size(), 4u + 43u);
  EXPECT_EQ(t.sha256_hex, sha256_hex(t.token));
  EXPECT_EQ(t.sha256_hex.size(), 64u);
  EXPECT_EQ(t.sha256_hex.find(t.token.substr(4)), std::string::npos);
  EXPECT_NE(new_api_token().token, t.token);
}

}  // namespace
}  // namespace vigil::web::auth
