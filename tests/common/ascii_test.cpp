#include "common/ascii.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

// Protocol tokens: header names, URL schemes, format directives. Only A-Z fold; bytes outside
// ASCII stay as they are, whatever the locale.
TEST(Ascii, LowerAndCaseInsensitiveEqualityFoldOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Content-Type: SMTPS://X1"), "content-type: smtps://x1");
  EXPECT_EQ(ascii_lower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // "Été" in UTF-8: untouched
  EXPECT_EQ(ascii_lower(""), "");
  EXPECT_TRUE(iequals("X-Vigil-Message-Id", "x-vigil-message-id"));
  EXPECT_FALSE(iequals("content-type", "content-typ"));
  EXPECT_FALSE(iequals("[", "{"));  // 0x5B and 0x7B differ by the case bit but are not letters
  static_assert(iequals("TCP", "tcp"));
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST(Ascii, WithoutTrailingSlashes) {
  EXPECT_EQ(without_trailing_slashes("http://vigil.example//"), "http://vigil.example");
  EXPECT_EQ(without_trailing_slashes("http://vigil.example/x"), "http://vigil.example/x");
  EXPECT_EQ(without_trailing_slashes("///"), "");
  EXPECT_EQ(without_trailing_slashes(""), "");
}

}  // namespace
}  // namespace vigil
