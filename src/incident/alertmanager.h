// Alertmanager webhook receiver (POST /api/v1/integrations/{name}/alertmanager): turns one
// webhook_configs notification (payload version "4") into one InboundEvent per alert, so a
// Prometheus + Alertmanager setup pages through vigil with a plain webhook receiver:
//
//   receivers:
//     - name: vigil
//       webhook_configs:
//         - url: http://vigil:8080/api/v1/integrations/prometheus/alertmanager
//           send_resolved: true
//
// Pure: no I/O, no clock.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "incident/inbound_event.h"

namespace vigil::incident {

struct AlertmanagerResult {
  std::vector<InboundEvent> events;    // one per alert, in the payload's order; empty when errors
  std::vector<std::string> errors;     // e.g. "'alerts[1].status' is invalid: ..."
  std::vector<std::string> warnings;   // accepted, but worth a log line (missing version, truncation)
};

// All or nothing: any error (bad JSON, wrong version, one malformed alert) rejects the whole
// notification, so the caller answers 400 listing `errors` and applies nothing (Alertmanager logs
// the failure; it never retries a 4xx). Mapping of one alert:
//  - action: status "firing" → trigger, "resolved" → resolve;
//  - dedup_key: "am-" + fingerprint; without a fingerprint, the same FNV-1a 64 over sorted labels
//    that Alertmanager (prometheus/common model.LabelSet.Fingerprint) computes, so the key is equal
//    either way;
//  - summary: annotations.summary, else annotations.description, else
//    alertname{label="value", ...} (other labels sorted); at most 1024 characters ("…" when cut);
//  - severity: labels.severity, case-insensitive: critical|crit|fatal|emergency|emerg|alert|page|p1
//    → critical, error|err|high|major|p2 → error, warning|warn|medium|minor|p3 → warning,
//    info|informational|notice|low|none|ok|p4|p5 → info; any other value → warning (classified
//    by the sender, but in a vocabulary we do not know: visible, not a page-everyone critical);
//    no severity label → error (what Alertmanager's own pagerduty_configs sends by default);
//  - source: labels.instance, else labels.job, else "alertmanager"; component: labels.job;
//    group: labels.alertname; class: empty;
//  - timestamp: startsAt for firing; endsAt for resolved (startsAt when endsAt is unset);
//    Go's zero time "0001-01-01T00:00:00Z" counts as unset;
//  - links: generatorURL ("Source"), externalURL ("Alertmanager");
//  - custom_details_json: {"labels": {...}, "annotations": {...}}.
// Payload rules: a JSON object; "version" must be "4" (missing: accepted with a warning);
// "alerts" an array (may be empty) of objects with status, labels (object of strings),
// optional annotations (object of strings), startsAt/endsAt (RFC 3339), generatorURL, fingerprint.
AlertmanagerResult parse_alertmanager(std::string_view body);

// Alertmanager's fingerprint of a label set, as 16 lowercase hex digits.
std::string alertmanager_fingerprint(const std::vector<std::pair<std::string, std::string>>& labels);

}  // namespace vigil::incident
