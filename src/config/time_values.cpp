#include "config/time_values.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "common/ascii.h"
#include "config/yaml_reader.h"

namespace vigil::config::detail {

namespace {

using std::chrono::minutes;

// Exactly `n` digits at `i`; advances `i`.
std::optional<int> digits(std::string_view s, std::size_t& i, std::size_t n) {
  if (i + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  i += n;
  return v;
}

bool eat(std::string_view s, std::size_t& i, char c) {
  if (i < s.size() && s[i] == c) {
    ++i;
    return true;
  }
  return false;
}

std::string format_offset(std::chrono::seconds off) {
  const auto m = std::chrono::duration_cast<minutes>(off).count();
  const auto a = m < 0 ? -m : m;
  return fmt::format("{}{:02}:{:02}", m < 0 ? '-' : '+', a / 60, a % 60);
}

std::string hh_mm(date::local_seconds t) { return date::format("%H:%M", t); }

}  // namespace

Result<DateTime> parse_datetime(std::string_view text) {
  const Error syntax{"expected a date and time like 2024-08-12T09:00:00 (or a date like 2024-08-12)"};
  std::size_t i = 0;
  const auto y = digits(text, i, 4);
  if (!y || !eat(text, i, '-')) return syntax;
  const auto mo = digits(text, i, 2);
  if (!mo || !eat(text, i, '-')) return syntax;
  const auto d = digits(text, i, 2);
  if (!d) return syntax;
  const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*mo)},
                                 date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return Error{fmt::format("{:04}-{:02}-{:02} is not a date", *y, *mo, *d)};
  DateTime out;
  out.local = LocalMs{std::chrono::local_days{std::chrono::year{*y} / *mo / *d}.time_since_epoch()};
  if (i == text.size()) return out;

  if (!eat(text, i, 'T') && !eat(text, i, 't') && !eat(text, i, ' ')) return syntax;
  const auto h = digits(text, i, 2);
  if (!h || !eat(text, i, ':')) return syntax;
  const auto mi = digits(text, i, 2);
  if (!mi) return syntax;
  int sec = 0;
  int ms = 0;
  if (eat(text, i, ':')) {
    const auto s = digits(text, i, 2);
    if (!s) return syntax;
    sec = *s;
    if (eat(text, i, '.')) {
      // Fractions finer than milliseconds are dropped (vigil's clock counts milliseconds).
      int n = 0;
      for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++n) {
        if (n < 3) ms = ms * 10 + (text[i] - '0');
      }
      if (n == 0) return syntax;
      for (; n < 3; ++n) ms *= 10;
    }
  }
  if (*h > 23 || *mi > 59 || sec > 59) {
    return Error{fmt::format("{:02}:{:02}:{:02} is not a time of day (00:00:00 to 23:59:59)", *h, *mi, sec)};
  }
  out.has_time = true;
  out.local += std::chrono::hours(*h) + minutes(*mi) + std::chrono::seconds(sec) + std::chrono::milliseconds(ms);
  if (i == text.size()) return out;

  if (eat(text, i, 'Z') || eat(text, i, 'z')) {
    out.offset = minutes(0);
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    const bool negative = text[i++] == '-';
    const auto oh = digits(text, i, 2);
    if (!oh || !eat(text, i, ':')) return syntax;
    const auto om = digits(text, i, 2);
    if (!om || *oh > 23 || *om > 59) return syntax;
    out.offset = minutes(*oh * 60 + *om) * (negative ? -1 : 1);
  } else {
    return syntax;
  }
  if (i != text.size()) return syntax;
  return out;
}

std::string format_local(LocalMs t) {
  const auto s = std::chrono::floor<std::chrono::seconds>(t);
  std::string out = date::format("%FT%T", date::local_seconds{s.time_since_epoch()});
  if (const auto ms = (t - s).count(); ms != 0) out += fmt::format(".{:03}", ms);
  return out;
}

Result<minutes> parse_time_of_day(std::string_view text) {
  const Error syntax{"expected a time of day HH:MM, e.g. 09:00"};
  std::size_t i = 0;
  auto h = digits(text, i, 2);
  if (!h) {
    i = 0;
    h = digits(text, i, 1);
  }
  if (!h || !eat(text, i, ':')) return syntax;
  const auto m = digits(text, i, 2);
  if (!m || i != text.size()) return syntax;
  if (*h > 23 || *m > 59) return Error{fmt::format("{} is not a time of day (00:00 to 23:59)", text)};
  return minutes(*h * 60 + *m);
}

Result<int> parse_weekday(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kDays = {"monday", "tuesday", "wednesday", "thursday",
                                                            "friday", "saturday", "sunday"};
  const std::string t = ascii_lower(text);
  if (t.size() == 1 && t[0] >= '1' && t[0] <= '7') return t[0] - '0';
  for (std::size_t i = 0; i < kDays.size(); ++i) {
    if (t == kDays[i] || t == kDays[i].substr(0, 3)) return static_cast<int>(i) + 1;
  }
  return Error{"expected a day of the week: monday ... sunday, mon ... sun, or 1 (Monday) ... 7 (Sunday)"};
}

Result<const date::time_zone*> find_time_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    // Not found (locate_zone throws runtime_error); the hint needs the list of names.
  }
  try {
    const auto& db = date::get_tzdb();
    std::vector<std::string_view> names;
    names.reserve(db.zones.size());
    for (const auto& z : db.zones) names.push_back(z.name());
    if (names.empty()) return Error{fmt::format("unknown time zone \"{}\": the system time zone database is empty "
                                                "(install tzdata)", name)};
    if (auto hint = closest(name, names)) {
      return Error{fmt::format("unknown time zone \"{}\" (did you mean \"{}\"?)", name, *hint)};
    }
  } catch (const std::exception& e) {
    return Error{fmt::format("unknown time zone \"{}\": cannot read the time zone database: {}", name, e.what())};
  }
  return Error{fmt::format("unknown time zone \"{}\": use an IANA name like Europe/Berlin, America/New_York or UTC",
                           name)};
}

Result<Time> local_to_sys(const date::time_zone* zone, LocalMs local) {
  const date::local_time<std::chrono::milliseconds> l{local.time_since_epoch()};
  const date::local_info info = zone->get_info(date::floor<std::chrono::seconds>(l));
  switch (info.result) {
    case date::local_info::unique:
      return Time{(l - info.first.offset).time_since_epoch()};
    case date::local_info::nonexistent: {
      // The transition instant, as the clocks showed it just before and just after.
      const auto at = info.second.begin;
      const date::local_seconds from{(at + info.first.offset).time_since_epoch()};
      const date::local_seconds to{(at + info.second.offset).time_since_epoch()};
      return Error{fmt::format("{} does not exist in {}: the clocks skip from {} to {} that day", format_local(local),
                               zone->name(), hh_mm(from), hh_mm(to))};
    }
    case date::local_info::ambiguous:
      return Error{fmt::format("{} happens twice in {} (the clocks go back that night): add the offset, {} or {}",
                               format_local(local), zone->name(), format_offset(info.first.offset),
                               format_offset(info.second.offset))};
  }
  return Error{"internal error: unexpected local_info"};
}

}  // namespace vigil::config::detail
