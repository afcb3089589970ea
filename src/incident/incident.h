// Incident: one outage of one service+check (or one inbound alert), with its lifecycle
// triggered → acknowledged → resolved and a timeline of everything that happened to it.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace vigil::incident {

enum class Status { triggered, acknowledged, resolved };
std::string_view to_string(Status s);
std::optional<Status> parse_status(std::string_view s);

// PagerDuty's urgency: high pages and escalates until acknowledged; low tells the first level
// through its low-urgency contact methods and does not escalate (oncall/urgency.h decides).
enum class Urgency : std::uint8_t { high, low };
std::string_view to_string(Urgency u);
std::optional<Urgency> parse_urgency(std::string_view s);

struct TimelineEntry {
  std::int64_t seq = 0;  // 1-based order within the incident; (incident id, seq) is unique
  Time at{};
  std::string kind;   // triggered|acknowledged|resolved|auto_resolved|note|retriggered|notified|notify_failed|notify_skipped
  std::string actor;  // "vigil", "check:login", a user name, "api"
  std::string text;
};

// User ids, copyable like the vector it holds, in 8 bytes (most incidents have none): with a
// 24-byte vector an open Incident's map node would cross jemalloc's 448-byte size class into
// the 512-byte one, 64 MB more at a million open incidents (docs/performance.md).
class UserIds {
 public:
  UserIds() = default;
  UserIds(std::vector<std::string> ids);
  UserIds(std::initializer_list<std::string> ids) : UserIds(std::vector<std::string>(ids)) {}
  UserIds(const UserIds& other) : UserIds(other.list()) {}
  UserIds(UserIds&&) noexcept = default;
  UserIds& operator=(const UserIds& other) { return *this = UserIds(other); }
  UserIds& operator=(UserIds&&) noexcept = default;

  const std::vector<std::string>& list() const;
  bool empty() const { return !ids_; }
  std::size_t size() const { return list().size(); }
  auto begin() const { return list().begin(); }
  auto end() const { return list().end(); }
  friend bool operator==(const UserIds& a, const UserIds& b) { return a.list() == b.list(); }
  friend bool operator==(const UserIds& a, const std::vector<std::string>& b) { return a.list() == b; }

 private:
  std::unique_ptr<std::vector<std::string>> ids_;  // null when empty
};

struct Incident {
  std::int64_t id = 0;  // the incident number, 1, 2, 3 ... (never reused)
  std::string dedup_key;  // "service/check" for check alerts
  std::string service;
  std::string check;
  std::string title;
  std::string severity = "critical";
  Status status = Status::triggered;
  Urgency urgency = Urgency::high;  // (in Status's padding: no bigger for it)
  Time started_at{};   // first failing result
  Time detected_at{};  // when the threshold was crossed and the incident opened
  MaybeTime acknowledged_at;  // (8 bytes: an open incident is kept by the million)
  MaybeTime resolved_at;
  std::string resolved_by;  // "auto" when the check recovered, else the actor
  std::string origin = "check";  // check | events_v2 | alertmanager
  std::string details;           // JSON object from the event (custom_details, links...); "" for checks
  std::string escalation_policy;  // policy paging people for it; "" when nobody is paged
  std::string escalation;         // persisted oncall::EscalationState (JSON); opaque to the store
  // PagerDuty's "assigned to": user ids of the last page (the escalation level that paged, or
  // the user it was reassigned to). Empty until someone is paged; kept after resolve.
  UserIds assignees;
  std::vector<TimelineEntry> timeline;

  bool open() const { return status != Status::resolved; }
};

// A notification to deliver at least once: one per (incident event, channel).
// `id` is stable across retries and restarts so receivers can deduplicate.
struct OutboxMessage {
  std::string id;       // "vigil-<incident>-<seq>-<channel>"
  std::string channel;  // channel name from config
  std::int64_t incident_id = 0;
  std::string event;    // triggered|acknowledged|resolved|note
  std::string payload;  // JSON body, rendered once when enqueued (see docs/webhook.md)
  Time created_at{};
  // Stored already claimed until this time by the process that enqueues it, which then sends it
  // straight after the commit (no claim round trip on the hot path). If that process dies
  // first, the claim expires and any poller sends it: still at least once. Unset: unclaimed.
  std::optional<Time> claimed_until;
  // Not sent before this time (a contact method's `after`); unset: at once.
  std::optional<Time> not_before;
};

// The unit of persistence: an incident's new state, the timeline entries it gained and the
// notifications it caused. A Store applies it atomically (all or nothing).
struct IncidentChange {
  Incident incident;  // full new state (timeline may be omitted: see new_entries)
  std::vector<TimelineEntry> new_entries;
  std::vector<OutboxMessage> outbox;
};

}  // namespace vigil::incident
