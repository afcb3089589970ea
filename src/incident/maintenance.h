// Maintenance windows (PagerDuty's maintenance windows, Alertmanager's silences for a whole
// service): planned work on a service should not wake anyone. While a window covers a service,
// an incident opened for it is still opened and recorded (nothing is lost), but it is *held*:
// nobody is paged, no team channel is told and no automatic runbook runs. If it is still open
// when the service leaves maintenance, it is released: its escalation starts then and the
// messages it held are sent (with their usual ids). Incidents opened before a window began keep
// escalating, as in PagerDuty. Pure: times are arguments.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace vigil::incident {

struct MaintenanceWindow {
  std::int64_t id = 0;                // assigned by the store
  std::vector<std::string> services;  // service names, at least one
  Time start{};
  Time end{};  // after start
  std::string description;
  std::string created_by;  // who made it ("api" when nobody said; "config" for a recurring one)
  Time created_at{};
  // The config's recurring window (maintenance:) this is an occurrence of; id is then 0 and the
  // window is never stored. Empty for a window made at run time.
  std::string recurring;
};

// start <= t < end.
bool in_progress(const MaintenanceWindow& w, Time t);

// in_progress at `t`, and the window names the service.
bool covers(const MaintenanceWindow& w, const std::string& service, Time t);

// When `service` leaves maintenance, if it is in maintenance at `t`: the end of the window
// covering it, followed through windows that overlap or touch it (back-to-back windows are one
// stretch of maintenance). nullopt when no window covers the service at `t`.
std::optional<Time> maintenance_until(const std::vector<MaintenanceWindow>& windows, const std::string& service,
                                      Time t);

// The window to name on a held incident's timeline: of those covering the service at `t`, the
// one that ends last (the lowest id on a tie). nullptr when none covers it.
const MaintenanceWindow* covering(const std::vector<MaintenanceWindow>& windows, const std::string& service, Time t);

// "scheduled", "in_progress" or "ended" at `now`.
const char* window_state(const MaintenanceWindow& w, Time now);

}  // namespace vigil::incident
