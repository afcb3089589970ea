#include "oncall/urgency.h"

#include <fmt/format.h>

#include "oncall/weekly_window.h"

namespace vigil::oncall {
namespace {

using config::UrgencyChoice;

bool is_high(UrgencyChoice c, std::string_view severity) {
  if (c == UrgencyChoice::high) return true;
  if (c == UrgencyChoice::low) return false;
  return severity == "critical" || severity == "error" || severity.empty();
}

}  // namespace

std::string_view to_string(UrgencyChoice c) {
  if (c == UrgencyChoice::low) return "low";
  if (c == UrgencyChoice::severity_based) return "severity_based";
  return "high";
}

UrgencyNow urgency_now(const config::UrgencyRule& rule, Time at) {
  UrgencyNow n;
  n.choice = rule.during;
  if (!rule.support_hours) return n;
  const auto& hours = *rule.support_hours;
  const auto current = occurrences(hours, at, at + std::chrono::milliseconds(1));
  const bool inside = !current.empty();  // each contains `at`; the last started last
  if (inside) {
    n.until = current.back().end;
  } else {
    n.choice = rule.outside;
    n.until = next_start(hours, at);
  }
  n.why = fmt::format("{} support hours ({})", inside ? "during" : "outside", describe(hours));
  return n;
}

UrgencyDecision decide_urgency(const config::UrgencyRule& rule, std::string_view severity, Time at) {
  const auto now = urgency_now(rule, at);
  UrgencyDecision d;
  d.urgency = is_high(now.choice, severity) ? incident::Urgency::high : incident::Urgency::low;
  if (now.choice == UrgencyChoice::severity_based) d.why = fmt::format("severity {}", severity);
  if (!now.why.empty()) d.why += (d.why.empty() ? "" : ", ") + now.why;
  if (!rule.support_hours && now.choice != UrgencyChoice::severity_based && d.urgency == incident::Urgency::low)
    d.why = "the service's urgency is low";
  return d;
}

}  // namespace vigil::oncall
