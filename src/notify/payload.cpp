#include "notify/payload.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/ascii.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;

json::value time_or_null(const std::optional<Time>& t) {
  if (!t) return nullptr;
  return json::value(format_rfc3339(*t));
}

// The event a receiver switches on. An automatic resolution is a resolution to the outside
// world (Alertmanager and PagerDuty have one "resolved"); entry.kind keeps the difference.
std::string_view event_of(const incident::TimelineEntry& e) {
  if (e.kind == "auto_resolved") return "resolved";
  return e.kind;
}

std::string incident_url(const std::string& external_url, std::int64_t id) {
  return fmt::format("{}/api/v1/incidents/{}", without_trailing_slashes(external_url), id);
}

// Key order is the documented one (docs/webhook.md): version, id, event, incident, entry.
std::string render(const incident::Incident& inc, const incident::TimelineEntry& e, const std::string& external_url,
                   const std::string& message_id) {
  json::object incident;
  incident["id"] = inc.id;
  incident["title"] = inc.title;
  incident["service"] = inc.service;
  incident["check"] = inc.check;
  incident["severity"] = inc.severity;
  incident["urgency"] = incident::to_string(inc.urgency);
  incident["status"] = incident::to_string(inc.status);
  incident["started_at"] = format_rfc3339(inc.started_at);
  incident["detected_at"] = format_rfc3339(inc.detected_at);
  incident["acknowledged_at"] = time_or_null(inc.acknowledged_at);
  incident["resolved_at"] = time_or_null(inc.resolved_at);
  if (inc.resolved_by.empty()) {
    incident["resolved_by"] = nullptr;
  } else {
    incident["resolved_by"] = inc.resolved_by;
  }
  if (external_url.empty()) {
    incident["url"] = nullptr;
  } else {
    incident["url"] = incident_url(external_url, inc.id);
  }

  json::object entry;
  entry["seq"] = e.seq;
  entry["at"] = format_rfc3339(e.at);
  entry["kind"] = e.kind;
  entry["actor"] = e.actor;
  entry["text"] = e.text;

  json::object body;
  body["version"] = "1";
  if (!message_id.empty()) body["id"] = message_id;
  body["event"] = event_of(e);
  body["incident"] = std::move(incident);
  body["entry"] = std::move(entry);
  return json::serialize(body);
}

}  // namespace

bool is_notifiable(const incident::TimelineEntry& e) {
  return e.kind == "triggered" || e.kind == "acknowledged" || e.kind == "resolved" || e.kind == "auto_resolved" ||
         e.kind == "note";
}

std::string render_payload(const incident::Incident& inc, const incident::TimelineEntry& event,
                           const std::string& external_url) {
  return render(inc, event, external_url, "");
}

std::vector<incident::OutboxMessage> outbox_for(const incident::Incident& inc,
                                                const std::vector<incident::TimelineEntry>& entries,
                                                const std::vector<std::string>& channels,
                                                const std::string& external_url, Time now) {
  std::vector<incident::OutboxMessage> out;
  for (const auto& e : entries) {
    if (!is_notifiable(e)) continue;
    for (const auto& channel : channels) {
      incident::OutboxMessage m;
      m.id = fmt::format("vigil-{}-{}-{}", inc.id, e.seq, channel);
      m.channel = channel;
      m.incident_id = inc.id;
      m.event = std::string(event_of(e));
      m.payload = render(inc, e, external_url, m.id);
      m.created_at = now;
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace vigil::notify
