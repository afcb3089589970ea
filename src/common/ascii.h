// ASCII helpers for protocol tokens: case-insensitive comparison (HTTP header names, log format
// directives, rule keywords) and URL bases. Locale-free on purpose: these are ASCII whatever
// the locale.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// "http://vigil.example//" → "http://vigil.example": a configured base URL, ready for "/path".
constexpr std::string_view without_trailing_slashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

}  // namespace vigil
