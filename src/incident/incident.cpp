#include "incident/incident.h"

namespace vigil::incident {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::triggered: return "triggered";
    case Status::acknowledged: return "acknowledged";
    case Status::resolved: return "resolved";
  }
  return "triggered";
}

std::optional<Status> parse_status(std::string_view s) {
  if (s == "triggered") return Status::triggered;
  if (s == "acknowledged") return Status::acknowledged;
  if (s == "resolved") return Status::resolved;
  return std::nullopt;
}

}  // namespace vigil::incident
