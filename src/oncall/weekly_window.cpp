#include "oncall/weekly_window.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "oncall/wall_clock.h"

namespace vigil::oncall {
namespace {

const date::time_zone* zone_of(const config::WeeklyWindow& w) {
  try {
    return date::locate_zone(w.time_zone);
  } catch (const std::exception&) {  // the loader checked the name: only a broken tzdata gets here
    return date::locate_zone("UTC");
  }
}

bool lists(const config::WeeklyWindow& w, date::local_days day) {
  const int iso = static_cast<int>(date::weekday(day).iso_encoding());
  return std::find(w.days.begin(), w.days.end(), iso) != w.days.end();
}

Occurrence on(const date::time_zone* z, const config::WeeklyWindow& w, date::local_days day) {
  const LocalMs start = LocalMs(day) + w.start;
  return {to_utc(z, start), to_utc(z, start + w.duration)};
}

// Local days whose occurrences can touch [from, to): back by the longest duration plus a day
// for any UTC offset.
std::pair<date::local_days, date::local_days> days_around(const date::time_zone* z, Time from, Time to) {
  const auto first = date::floor<date::days>(z->to_local(from)) - date::days(8);
  const auto last = date::floor<date::days>(z->to_local(to)) + date::days(1);
  return {first, last};
}

std::string hh_mm(std::chrono::minutes m) { return fmt::format("{:02}:{:02}", m.count() / 60 % 24, m.count() % 60); }

}  // namespace

std::vector<Occurrence> occurrences(const config::WeeklyWindow& w, Time from, Time to) {
  std::vector<Occurrence> out;
  if (w.days.empty() || to <= from) return out;
  const auto* z = zone_of(w);
  const auto [first, last] = days_around(z, from, to);
  for (auto day = first; day <= last; day += date::days(1)) {
    if (!lists(w, day)) continue;
    const auto o = on(z, w, day);
    if (o.end > from && o.start < to) out.push_back(o);
  }
  return out;
}

std::optional<Time> occurrence_start(const config::WeeklyWindow& w, Time at) {
  // Going back from today, the first occurrence that contains `at` is the latest one.
  const auto* z = zone_of(w);
  const auto today = date::floor<date::days>(z->to_local(at));
  const auto back = date::days(std::chrono::ceil<date::days>(w.duration).count() + 1);
  for (auto day = today; day >= today - back; day -= date::days(1)) {
    if (!lists(w, day)) continue;
    const auto o = on(z, w, day);
    if (o.start <= at && at < o.end) return o.start;
  }
  return std::nullopt;
}

std::optional<Time> next_start(const config::WeeklyWindow& w, Time after) {
  const auto* z = zone_of(w);
  const auto today = date::floor<date::days>(z->to_local(after));
  for (auto day = today - date::days(1); day <= today + date::days(8); day += date::days(1))
    if (lists(w, day))
      if (const Time start = on(z, w, day).start; start > after) return start;
  return std::nullopt;
}

std::string describe(const config::WeeklyWindow& w) {
  static constexpr std::array<const char*, 8> names{"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  std::string days;
  for (std::size_t i = 0; i < w.days.size();) {
    std::size_t j = i;
    while (j + 1 < w.days.size() && w.days[j + 1] == w.days[j] + 1) ++j;
    if (!days.empty()) days += ", ";
    days += names[static_cast<std::size_t>(w.days[i])];
    if (j > i) days += fmt::format("{}{}", j == i + 1 ? ", " : "-", names[static_cast<std::size_t>(w.days[j])]);
    i = j + 1;
  }
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(w.duration);
  const auto end = w.start + minutes;
  std::string times;
  if (minutes <= std::chrono::hours(24) && minutes == w.duration)
    times = fmt::format("{}-{}", hh_mm(w.start), end == std::chrono::hours(24) ? "24:00" : hh_mm(end));
  else
    times = fmt::format("{} for {}", hh_mm(w.start), format_duration(w.duration));
  return fmt::format("{} {} {}", days, times, w.time_zone);
}

}  // namespace vigil::oncall
