// PagerDuty Events API v2 (POST /v2/enqueue): parse and validate one alert event as PagerDuty
// does, and render PagerDuty's response bodies, so any tool that pages PagerDuty (Alertmanager's
// pagerduty_configs, Grafana, scripts using pdpyras or go-pagerduty) can page vigil instead.
// Pure: no I/O, no clock (`now` is passed in); the route checks routing_key against the
// configured integrations and hands the event to IncidentBook.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "incident/inbound_event.h"

namespace vigil::incident {

inline constexpr std::size_t kEventsV2MaxBodyBytes = 512 * 1024;  // "payloads are limited to 512 KB"
inline constexpr std::size_t kMaxSummaryChars = 1024;             // payload.summary
inline constexpr std::size_t kMaxDedupKeyChars = 255;             // dedup_key
inline constexpr std::size_t kRoutingKeyChars = 32;               // routing_key

struct EventsV2Result {
  std::optional<InboundEvent> event;  // set only when errors is empty
  std::string routing_key;            // as sent (also on errors, when it was a string)
  std::vector<std::string> errors;    // PagerDuty-style messages, e.g. "'payload.summary' is missing or blank"
};

// Validates like PagerDuty: every problem is reported, not just the first. Rules:
//  - body ≤ 512 KB, a JSON object; unknown fields are ignored; JSON null counts as absent;
//  - routing_key: 32 alphanumeric characters (matching it to an integration is the caller's job);
//  - event_action: trigger | acknowledge | resolve;
//  - dedup_key: ≤ 255 characters; required for acknowledge/resolve; a trigger without one gets a
//    generated key (32 lowercase hex digits from std::random_device, like PagerDuty's random
//    UUID: every keyless trigger is a new alert), which the caller returns in the 202 body;
//  - trigger: payload object with summary (≤ 1024 characters, counted as UTF-8 code points),
//    source, severity (critical|error|warning|info); optional timestamp (ISO 8601, see
//    parse_event_time), component, group, class (strings), custom_details (any JSON, kept
//    serialized); acknowledge/resolve: payload is optional and read best-effort (never an error);
//  - links[] {href required, text}; images[] {src required, href, alt} (src kept);
//  - client / client_url (as Alertmanager sends them): client_url becomes a link "View in <client>".
EventsV2Result parse_events_v2(std::string_view body, Time now);

// 202 body: {"status":"success","message":"Event processed","dedup_key":"..."}
std::string events_v2_success_body(const std::string& dedup_key);
// 400 body: {"status":"invalid event","message":"Event object is invalid","errors":[...]}
std::string events_v2_error_body(const std::vector<std::string>& errors);

// Helpers shared by the inbound parsers (events_v2.cpp, alertmanager.cpp).
// ISO 8601 / RFC 3339 date-time as monitors write it: 2015-07-17T08:42:58.315+0000,
// 2024-08-18T10:15:00Z, 2018-08-03T09:52:26.739266876+02:00 (any number of fraction digits,
// truncated to milliseconds; offset Z, ±hh:mm, ±hhmm or ±hh; 'T', 't' or ' ' between date and time).
Result<Time> parse_event_time(std::string_view text);
// Length in Unicode code points of UTF-8 text.
std::size_t utf8_length(std::string_view text);
// At most `max_chars` code points; when cut, the last one is "…" (as Alertmanager truncates).
std::string truncate_utf8(std::string text, std::size_t max_chars);

}  // namespace vigil::incident
