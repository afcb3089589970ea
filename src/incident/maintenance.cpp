#include "incident/maintenance.h"

#include <algorithm>

namespace vigil::incident {

namespace {

bool names(const MaintenanceWindow& w, const std::string& service) {
  return std::find(w.services.begin(), w.services.end(), service) != w.services.end();
}

}  // namespace

bool in_progress(const MaintenanceWindow& w, Time t) { return w.start <= t && t < w.end; }

bool covers(const MaintenanceWindow& w, const std::string& service, Time t) {
  return in_progress(w, t) && names(w, service);
}

std::optional<Time> maintenance_until(const std::vector<MaintenanceWindow>& windows, const std::string& service,
                                      Time t) {
  std::optional<Time> until;
  for (const auto& w : windows)
    if (covers(w, service, t)) until = std::max(until.value_or(w.end), w.end);
  if (!until) return std::nullopt;
  // Follow windows that start before (or when) the stretch ends; each pass can only extend it,
  // and there are at most windows.size() extensions.
  for (bool extended = true; extended;) {
    extended = false;
    for (const auto& w : windows)
      if (names(w, service) && w.start <= *until && w.end > *until) {
        until = w.end;
        extended = true;
      }
  }
  return until;
}

const MaintenanceWindow* covering(const std::vector<MaintenanceWindow>& windows, const std::string& service, Time t) {
  const MaintenanceWindow* best = nullptr;
  for (const auto& w : windows)
    if (covers(w, service, t) && (!best || w.end > best->end || (w.end == best->end && w.id < best->id))) best = &w;
  return best;
}

const char* window_state(const MaintenanceWindow& w, Time now) {
  if (in_progress(w, now)) return "in_progress";
  return now < w.start ? "scheduled" : "ended";
}

}  // namespace vigil::incident
