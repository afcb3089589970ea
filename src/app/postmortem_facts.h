// Gathering PostmortemFacts (src/postmortem/facts.h) for one incident: the incident and its
// timeline from the store, the service's checks, channels and escalation policy from the running
// config, the check results around the incident, traffic from the monitored access log, the
// people paged, and the incident's action items. The config part is pure (tests call it with
// explicit values); gather_facts does the I/O and blocks: call it on a worker.
#pragma once
#include <cstdint>
#include <optional>

#include "common/result.h"
#include "config/config.h"
#include "incident/incident.h"
#include "postmortem/facts.h"
#include "store/store.h"

namespace vigil::app {

// Everything that comes from the incident and the config alone (no results, traffic or items).
postmortem::PostmortemFacts facts_from_config(const incident::Incident& inc, const config::Config& cfg);

// The time range whose results the charts show: the incident (until `now` while open) with a
// margin either side, so the chart shows what normal looked like.
std::pair<Time, Time> results_window(const incident::Incident& inc, Time now);

// Requests, failures (5xx), clients and failed paths of an access_log check's file within
// [from, to). nullopt when the file cannot be read (rotated away, permissions).
std::optional<postmortem::TrafficImpact> traffic_impact(const config::CheckConfig& access_log, Time from, Time to);

// All the facts of incident `id`; nullopt when there is no such incident.
Result<std::optional<postmortem::PostmortemFacts>> gather_facts(store::Store& store, const config::Config& cfg,
                                                                std::int64_t id, Time now);

}  // namespace vigil::app
