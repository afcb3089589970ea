#include "config/source_map.h"

namespace vigil::config::detail {

namespace {
bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

std::size_t byte_index_of_column(std::string_view text, int column) {
  std::size_t i = 0;
  for (int c = 1; c < column && i < text.size(); ++c) {
    ++i;
    while (i < text.size() && continuation_byte(text[i])) ++i;
  }
  return i;
}

Pos SourceText::in_characters(Pos p) const {
  if (p.line <= 0 || static_cast<std::size_t>(p.line) > lines_.size()) return p;
  const std::string& line = lines_[static_cast<std::size_t>(p.line - 1)];
  const std::size_t bytes = static_cast<std::size_t>(p.column - 1);
  int column = 1;
  for (std::size_t i = 0; i < bytes; ++i) {
    if (i >= line.size() || !continuation_byte(line[i])) ++column;
  }
  return Pos{p.line, column};
}

SourceText::SourceText(std::string_view text) {
  // yaml-cpp skips a UTF-8 byte order mark and counts columns after it; so do we.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines_.emplace_back(line);
    begin = end + 1;
  }
}

// Rather than re-implementing YAML's quoting and folding rules, align the decoded value
// with the raw text: each non-blank decoded character is found at the next raw byte equal
// to it. Escapes (`\"`, `''`), indentation and folded line breaks are skipped over that way.
// A decoded byte with no raw counterpart (a \u escape) stays at the cursor; the search
// window bounds the cost.
Pos SourceText::locate(Pos start, std::string_view decoded, std::size_t index) const {
  if (start.line <= 0 || static_cast<std::size_t>(start.line) > lines_.size()) return start;
  std::size_t line = static_cast<std::size_t>(start.line - 1);
  std::size_t col = static_cast<std::size_t>(start.column - 1);
  if (col < lines_[line].size()) {
    const char first = lines_[line][col];
    if (first == '\'' || first == '"') {
      ++col;
    } else if (first == '|' || first == '>') {  // block scalar: content starts on the next line
      ++line;
      col = 0;
    }
  }
  auto at_end = [&] { return line >= lines_.size(); };
  auto raw = [&]() -> char { return col < lines_[line].size() ? lines_[line][col] : '\n'; };
  auto advance = [&] {
    if (col < lines_[line].size()) {
      ++col;
    } else {
      ++line;
      col = 0;
    }
  };

  auto blank = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; };
  constexpr int kWindow = 256;
  for (std::size_t i = 0; i < index && i < decoded.size() && !at_end(); ++i) {
    const char d = decoded[i];
    if (blank(d)) {
      if (raw() == d && d != '\n') advance();
      continue;
    }
    std::size_t l = line, c = col;
    bool found = false;
    for (int step = 0; step < kWindow && !at_end(); ++step) {
      if (raw() == d) {
        found = true;
        break;
      }
      advance();
    }
    if (found) {
      advance();
    } else {
      line = l;
      col = c;
    }
  }
  if (at_end()) return Pos{static_cast<int>(lines_.size()), 1};
  // Landing on a skipped line break or indentation: move to the next real character.
  if (index < decoded.size() && !blank(decoded[index])) {
    std::size_t l = line, c = col;
    for (int step = 0; step < kWindow && !at_end(); ++step) {
      if (raw() == decoded[index]) return Pos{static_cast<int>(line + 1), static_cast<int>(col + 1)};
      advance();
    }
    line = l;
    col = c;
  }
  return Pos{static_cast<int>(line + 1), static_cast<int>(col + 1)};
}

}  // namespace vigil::config::detail
