// InboundEvent: one alert event from an outside monitor, whatever its wire format. The
// PagerDuty Events API v2 parser (events_v2.h) and the Alertmanager webhook parser
// (alertmanager.h) both produce it; IncidentBook::apply(InboundEvent, ...) consumes it.
// Field meanings follow PagerDuty's Common Event Format (summary, source, severity, component,
// group, class, custom_details).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.h"

namespace vigil::incident {

struct InboundEvent {
  enum class Action { trigger, acknowledge, resolve };
  Action action = Action::trigger;
  std::string dedup_key;  // never empty once parsed (generated for a trigger sent without one)
  std::string summary;    // becomes the incident title; at most 1024 characters
  std::string source;     // the affected system: hostname, instance, ...
  std::string severity = "critical";  // critical | error | warning | info
  std::string component, group, event_class;
  std::optional<Time> timestamp;  // when the sender detected it; nullopt: use the receive time
  std::string custom_details_json;  // serialized JSON (any type); "" when the sender sent none
  std::vector<std::pair<std::string, std::string>> links;  // (href, text); text may be ""
  std::vector<std::string> images;  // image src URLs
  std::string origin;  // "events_v2" | "alertmanager"
};

inline std::string_view to_string(InboundEvent::Action a) {
  switch (a) {
    case InboundEvent::Action::trigger: return "trigger";
    case InboundEvent::Action::acknowledge: return "acknowledge";
    case InboundEvent::Action::resolve: return "resolve";
  }
  return "trigger";
}

}  // namespace vigil::incident
