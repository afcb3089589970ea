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

UrgencyDecision decide_urgency(const config::UrgencyRule& rule, std::string_view severity, Time at) {
  UrgencyChoice choice = rule.during;
  std::string hours;
  if (rule.support_hours) {
    const bool inside = occurrence_start(*rule.support_hours, at).has_value();
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
