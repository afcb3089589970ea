#include "oncall/urgency.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "oncall/wall_clock.h"

namespace vigil::oncall {
namespace {

using config::UrgencyChoice;

const date::time_zone* zone_of(const config::SupportHours& h) {
  try {
    return date::locate_zone(h.time_zone);
  } catch (const std::exception&) {  // the loader checked the name: only a broken tzdata gets here
    return date::locate_zone("UTC");
  }
}

bool lists(const config::SupportHours& h, date::local_days day) {
  const int iso = static_cast<int>(date::weekday(day).iso_encoding());
  return std::find(h.days.begin(), h.days.end(), iso) != h.days.end();
}

bool is_high(UrgencyChoice c, std::string_view severity) {
  if (c == UrgencyChoice::high) return true;
  if (c == UrgencyChoice::low) return false;
  return severity == "critical" || severity == "error" || severity.empty();
}

std::string hh_mm(std::chrono::minutes m) { return fmt::format("{:02}:{:02}", m.count() / 60, m.count() % 60); }

}  // namespace

std::optional<Time> support_period_start(const config::SupportHours& h, Time at) {
  const auto* z = zone_of(h);
  const auto today = date::floor<date::days>(z->to_local(at));
  for (auto day : {today, today - date::days(1)}) {
    if (!lists(h, day)) continue;
    const Time start = to_utc(z, LocalMs(day) + h.start), end = to_utc(z, LocalMs(day) + h.end);
    if (start <= at && at < end) return start;
  }
  return std::nullopt;
}

std::optional<Time> next_support_start(const config::SupportHours& h, Time after) {
  const auto* z = zone_of(h);
  const auto today = date::floor<date::days>(z->to_local(after));
  for (int k = 0; k <= 8; ++k) {
    const auto day = today + date::days(k);
    if (!lists(h, day)) continue;
    const Time start = to_utc(z, LocalMs(day) + h.start);
    if (start > after) return start;
  }
  return std::nullopt;
}

std::string describe(const config::SupportHours& h) {
  static constexpr std::array<const char*, 8> names{"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  std::string days;
  for (std::size_t i = 0; i < h.days.size();) {
    std::size_t j = i;
    while (j + 1 < h.days.size() && h.days[j + 1] == h.days[j] + 1) ++j;
    if (!days.empty()) days += ", ";
    days += names[static_cast<std::size_t>(h.days[i])];
    if (j > i) days += fmt::format("{}{}", j == i + 1 ? ", " : "-", names[static_cast<std::size_t>(h.days[j])]);
    i = j + 1;
  }
  return fmt::format("{} {}-{} {}", days, hh_mm(h.start), hh_mm(h.end), h.time_zone);
}

UrgencyDecision decide_urgency(const config::UrgencyRule& rule, std::string_view severity, Time at) {
  UrgencyChoice choice = rule.during;
  std::string hours;
  if (rule.support_hours) {
    const bool inside = support_period_start(*rule.support_hours, at).has_value();
    if (!inside) choice = rule.outside;
    hours = fmt::format("{} support hours ({})", inside ? "during" : "outside", describe(*rule.support_hours));
  }
  UrgencyDecision d;
  d.urgency = is_high(choice, severity) ? incident::Urgency::high : incident::Urgency::low;
  if (choice == UrgencyChoice::severity_based) d.why = fmt::format("severity {}", severity);
  if (!hours.empty()) d.why += (d.why.empty() ? "" : ", ") + hours;
  if (!rule.support_hours && choice != UrgencyChoice::severity_based && d.urgency == incident::Urgency::low)
    d.why = "the service's urgency is low";
  return d;
}

}  // namespace vigil::oncall
