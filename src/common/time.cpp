#include "common/time.h"

#include <date/date.h>
#include <fmt/format.h>

#include <cctype>
#include <sstream>

namespace vigil {

Result<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return Error{"empty duration"};
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      return Error{fmt::format("invalid duration \"{}\": expected a number at position {}", text, i + 1)};
    std::int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000) return Error{fmt::format("invalid duration \"{}\": too large", text)};
      ++i;
    }
    std::size_t u = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit = text.substr(u, i - u);
    std::int64_t ms_per_unit = 0;
    if (unit == "ms") ms_per_unit = 1;
    else if (unit == "s") ms_per_unit = 1000;
    else if (unit == "m") ms_per_unit = 60'000;
    else if (unit == "h") ms_per_unit = 3'600'000;
    else if (unit == "d") ms_per_unit = 86'400'000;
    else if (unit == "w") ms_per_unit = 7 * 86'400'000LL;
    else if (unit.empty())
      return Error{fmt::format("invalid duration \"{}\": missing unit (ms, s, m, h, d, w)", text)};
    else
      return Error{fmt::format("invalid duration \"{}\": unknown unit \"{}\" (ms, s, m, h, d, w)", text, unit)};
    total_ms += n * ms_per_unit;
  }
  return Duration{total_ms};
}

std::string format_duration(Duration d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  struct U { std::int64_t ms; const char* name; };
  static constexpr U units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& u : units) {
    if (ms >= u.ms) {
      out += fmt::format("{}{}", ms / u.ms, u.name);
      ms %= u.ms;
    }
  }
  return out;
}

std::string format_rfc3339(Time t) { return date::format("%FT%TZ", t); }

Result<Time> parse_rfc3339(std::string_view text) {
  std::string s(text);
  // date::parse's %z wants +hhmm; RFC 3339 says +hh:mm or Z.
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
    s.back() = '+';
    s += "0000";
  } else if (s.size() > 6 && s[s.size() - 3] == ':' && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-')) {
    s.erase(s.size() - 3, 1);
  }
  std::istringstream in(s);
  date::sys_time<std::chrono::milliseconds> tp;
  in >> date::parse("%FT%T%z", tp);
  if (in.fail()) {
    return Error{fmt::format("invalid time \"{}\": expected RFC 3339 like 2024-08-18T10:15:00Z", text)};
  }
  return Time{tp};
}

}  // namespace vigil
