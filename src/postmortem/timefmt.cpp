#include "postmortem/timefmt.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <stdexcept>

namespace vigil::postmortem {
namespace {

date::sys_seconds secs(Time t) { return date::floor<std::chrono::seconds>(t); }

}  // namespace

Zone::Zone(const std::string& name) : name_(name.empty() ? "UTC" : name) {
  if (name_ == "UTC") return;
  try {
    zone_ = date::locate_zone(name_);
  } catch (const std::exception&) {  // date/tz reports an unknown zone by throwing
    name_ = "UTC";
  }
}

std::string Zone::abbrev(Time t) const { return zone_ ? zone_->get_info(secs(t)).abbrev : "UTC"; }

Duration Zone::offset(Time t) const {
  return zone_ ? std::chrono::duration_cast<Duration>(zone_->get_info(secs(t)).offset) : Duration{0};
}

std::string Zone::hh_mm(Time t) const {
  return date::format("%H:%M", date::local_seconds{secs(t).time_since_epoch() + date::floor<std::chrono::seconds>(offset(t))});
}

std::string Zone::clock(Time t) const { return fmt::format("{} ({})", hh_mm(t), abbrev(t)); }

std::string Zone::day(Time t) const {
  return date::format("%F", date::local_seconds{secs(t).time_since_epoch() + date::floor<std::chrono::seconds>(offset(t))});
}

std::string Zone::date_time(Time t) const { return fmt::format("{} {} {}", day(t), hh_mm(t), abbrev(t)); }

std::string Zone::utc_offset(Time t) const {
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset(t)).count();
  const long long a = minutes < 0 ? -minutes : minutes;
  return fmt::format("UTC{}{:02}:{:02}", minutes < 0 ? '-' : '+', a / 60, a % 60);
}

std::string human_duration(Duration d) {
  if (d < Duration{0}) d = Duration{0};
  const long long s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s == 0) return d.count() == 0 ? "0 s" : fmt::format("{} ms", d.count());
  const long long days = s / 86400, hours = s % 86400 / 3600, minutes = s % 3600 / 60, seconds = s % 60;
  auto two = [](long long a, const char* ua, long long b, const char* ub) {
    return b ? fmt::format("{} {} {} {}", a, ua, b, ub) : fmt::format("{} {}", a, ua);
  };
  if (days) return two(days, "d", hours, "h");
  if (hours) return two(hours, "h", minutes, "min");
  if (minutes) return two(minutes, "min", seconds, "s");
  return fmt::format("{} s", seconds);
}

}  // namespace vigil::postmortem
