#include "common/escape.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(EscapeMarkup, EscapesTheFiveCharacters) {
  EXPECT_EQ(escape_markup(R"(<a href="x">'&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(EscapeMarkup, KeepsUtf8TabsAndNewlines) {
  EXPECT_EQ(escape_markup("plain ünïcode\tand\nlines"), "plain ünïcode\tand\nlines");
}

TEST(EscapeMarkup, DropsControlCharactersXmlForbids) {
  EXPECT_EQ(escape_markup(std::string("a\x01" "b\x1b[31mc\rd", 12)), "ab[31mcd");
}

}  // namespace
}  // namespace vigil
