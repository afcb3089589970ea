#include "incident/incident.h"

namespace vigil::incident {

UserIds::UserIds(std::vector<std::string> ids)
    : ids_(ids.empty() ? nullptr : std::make_unique<std::vector<std::string>>(std::move(ids))) {}

const std::vector<std::string>& UserIds::list() const {
  static const std::vector<std::string> kNone;
  return ids_ ? *ids_ : kNone;
}

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

std::string_view to_string(Urgency u) { return u == Urgency::low ? "low" : "high"; }

std::optional<Urgency> parse_urgency(std::string_view s) {
  if (s == "high") return Urgency::high;
  if (s == "low") return Urgency::low;
  return std::nullopt;
}

}  // namespace vigil::incident
