// Maps a character of a scalar's *decoded* value back to its line:column in the file.
// yaml-cpp only gives the position where a scalar starts; quoting, escapes and line folding
// shift everything after it. A bad condition must be reported at its offending character,
// so we re-read the raw text from the scalar's start. Private to src/config.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::config::detail {

struct Pos {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based, in bytes (as yaml-cpp counts) until SourceText::in_characters
};

// Byte index in `text` of the character at 1-based `column` (code points, as
// rules::ParseError counts); text.size() when past the end.
std::size_t byte_index_of_column(std::string_view text, int column);

class SourceText {
 public:
  explicit SourceText(std::string_view text);

  // `start` is where the scalar begins (its opening quote or block indicator, as yaml-cpp
  // marks it); `decoded` its value; returns where decoded[index] came from.
  // index == decoded.size() gives the position just after the last character.
  Pos locate(Pos start, std::string_view decoded, std::size_t index) const;
  // yaml-cpp counts columns in bytes; people (and rules::ParseError) count characters.
  Pos in_characters(Pos byte_pos) const;

 private:
  std::vector<std::string> lines_;
};

}  // namespace vigil::config::detail
