// Reports: availability, incidents, MTTA, MTTR, pages and open action items per service over
// a window. Pure: incidents (with timelines) and action items in, rows out.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "incident/incident.h"
#include "store/store.h"

namespace vigil::postmortem {

struct ServiceReport {
  std::string service;
  double availability = 1.0;  // 1 − (time covered by critical/error incidents ∩ window) / window
  Duration downtime{};
  int incidents = 0;          // incidents that started in the window
  int acknowledged = 0;       // of those, how many were acknowledged
  int resolved = 0;
  std::optional<Duration> mtta;  // mean detected_at → acknowledged_at over acknowledged ones
  std::optional<Duration> mttr;  // mean detected_at → resolved_at over resolved ones
  int pages = 0;                 // "paged" timeline entries
  int action_items_open = 0;
};

struct Report {
  Time from{};
  Time to{};
  std::vector<ServiceReport> services;  // every service named in `services`, then any other seen
  ServiceReport total;                  // service = "" : all together
};

Report build_report(const std::vector<std::string>& services, const std::vector<incident::Incident>& incidents,
                    const std::vector<store::ActionItem>& items, Time from, Time to);

}  // namespace vigil::postmortem
