#include "config/source_map.h"

#include <gtest/gtest.h>

namespace vigil::config::detail {
namespace {

std::pair<int, int> at(const SourceText& s, Pos start, std::string_view decoded, std::size_t i) {
  const Pos p = s.locate(start, decoded, i);
  return {p.line, p.column};
}

TEST(SourceText, PlainScalarIsOffsetByIndex) {
  SourceText s("k: status == 200\n");
  EXPECT_EQ(at(s, {1, 4}, "status == 200", 0), std::make_pair(1, 4));
  EXPECT_EQ(at(s, {1, 4}, "status == 200", 10), std::make_pair(1, 14));
  EXPECT_EQ(at(s, {1, 4}, "status == 200", 13), std::make_pair(1, 17));  // just past the end
}

TEST(SourceText, QuotesAndEscapesAreSkipped) {
  SourceText s(R"(k: "a \"b\" c"
q: 'it''s x'
)");
  // a \"b\" c → a "b" c ; 'c' is decoded index 6, raw column 13.
  EXPECT_EQ(at(s, {1, 4}, "a \"b\" c", 0), std::make_pair(1, 5));
  EXPECT_EQ(at(s, {1, 4}, "a \"b\" c", 6), std::make_pair(1, 13));
  EXPECT_EQ(at(s, {2, 4}, "it's x", 5), std::make_pair(2, 11));
}

TEST(SourceText, BlockScalarStartsOnTheNextLine) {
  SourceText s("k: |\n  first\n  second @\n");
  EXPECT_EQ(at(s, {1, 4}, "first\nsecond @\n", 0), std::make_pair(2, 3));
  EXPECT_EQ(at(s, {1, 4}, "first\nsecond @\n", 13), std::make_pair(3, 10));
}

TEST(SourceText, FoldedPlainScalarAcrossLines) {
  SourceText s("k: one\n  two @\n");
  EXPECT_EQ(at(s, {1, 4}, "one two @", 8), std::make_pair(2, 7));
}

TEST(SourceText, ColumnsInCharacters) {
  SourceText s("k: 'é @'\n");
  EXPECT_EQ(s.in_characters(Pos{1, 8}).column, 7);  // byte 8 is '@'; 'é' is two bytes
  EXPECT_EQ(byte_index_of_column("é @", 3), 3u);
  EXPECT_EQ(byte_index_of_column("é @", 9), 4u);
}

TEST(SourceText, ByteOrderMarkIsNotAColumn) {
  SourceText s("\xEF\xBB\xBFk: v @\n");
  EXPECT_EQ(at(s, {1, 4}, "v @", 2), std::make_pair(1, 6));
}

}  // namespace
}  // namespace vigil::config::detail
