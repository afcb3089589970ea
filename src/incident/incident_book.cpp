#include "incident/incident_book.h"

#include <fmt/format.h>

namespace vigil::incident {
namespace {

TimelineEntry append(Incident& inc, std::string kind, std::string actor, std::string text, Time at) {
  TimelineEntry e;
  e.seq = inc.timeline.empty() ? 1 : inc.timeline.back().seq + 1;
  e.at = at;
  e.kind = std::move(kind);
  e.actor = std::move(actor);
  e.text = std::move(text);
  inc.timeline.push_back(e);
  return e;
}

Error not_open(std::int64_t id) { return Error{fmt::format("incident #{} is not open", id), "id"}; }

}  // namespace

void IncidentBook::restore(std::vector<Incident> open_incidents) {
  for (auto& inc : open_incidents) {
    if (!inc.open()) continue;
    if (inc.id > last_id_) last_id_ = inc.id;
    add_open(std::move(inc));
  }
}

std::optional<IncidentChange> IncidentBook::apply(const rules::AlertChange& alert, Time now) {
  const std::string key = alert.service + "/" + alert.check;
  Incident* existing = const_cast<Incident*>(find_open(key));
  const std::string actor = "check:" + alert.check;

  if (alert.kind == rules::AlertChange::Kind::resolved) {
    if (!existing) return std::nullopt;
    return close(*existing, "auto_resolved", actor,
                 fmt::format("{} is passing again since {}", alert.check, format_rfc3339(alert.started_at)), now);
  }
  if (existing) return std::nullopt;  // dedup: the check is already being handled

  Incident inc;
  inc.id = ++last_id_;
  inc.dedup_key = key;
  inc.service = alert.service;
  inc.check = alert.check;
  inc.title = fmt::format("{}: {}", alert.service, alert.summary);
  inc.severity = alert.severity.empty() ? "critical" : alert.severity;
  inc.status = Status::triggered;
  inc.started_at = alert.started_at;
  inc.detected_at = now;
  IncidentChange change;
  change.new_entries.push_back(append(inc, "triggered", actor,
                                      fmt::format("{} (failing since {})", alert.summary,
                                                  format_rfc3339(alert.started_at)),
                                      now));
  change.incident = inc;
  add_open(std::move(inc));
  return change;
}

std::optional<IncidentChange> IncidentBook::apply(const InboundEvent& event, const std::string& service,
                                                 const std::string& actor, Time now) {
  Incident* existing = const_cast<Incident*>(find_open(event.dedup_key));
  switch (event.action) {
    case InboundEvent::Action::trigger: {
      if (existing) return std::nullopt;
      Incident inc;
      inc.id = ++last_id_;
      inc.dedup_key = event.dedup_key;
      inc.service = service;
      inc.title = event.summary;
      inc.severity = event.severity.empty() ? "critical" : event.severity;
      inc.status = Status::triggered;
      inc.started_at = event.timestamp.value_or(now);
      if (inc.started_at > now) inc.started_at = now;  // a sender's clock ahead of ours
      inc.detected_at = now;
      inc.origin = event.origin;
      inc.details = event.custom_details_json;
      std::string text = event.summary;
      if (!event.source.empty()) text += fmt::format(" (source {})", event.source);
      IncidentChange change;
      change.new_entries.push_back(append(inc, "triggered", actor, std::move(text), now));
      change.incident = inc;
      add_open(std::move(inc));
      return change;
    }
    case InboundEvent::Action::acknowledge: {
      if (!existing || existing->status == Status::acknowledged) return std::nullopt;
      auto r = acknowledge(existing->id, actor, "acknowledged by the sender", now);
      if (!r.ok() || !r->has_value()) return std::nullopt;
      return std::move(**r);
    }
    case InboundEvent::Action::resolve: {
      if (!existing) return std::nullopt;
      return close(*existing, "resolved", actor, "resolved by the sender", now);
    }
  }
  return std::nullopt;
}

Result<IncidentChange> IncidentBook::record(std::int64_t id, const std::vector<Entry>& entries,
                                            std::optional<std::string> escalation, Time now) {
  Incident* inc = mutable_find(id);
  if (!inc) return not_open(id);
  IncidentChange change;
  for (const auto& e : entries) change.new_entries.push_back(append(*inc, e.kind, e.actor, e.text, now));
  if (escalation) inc->escalation = std::move(*escalation);
  change.incident = *inc;
  return change;
}

void IncidentBook::set_escalation(std::int64_t id, const std::string& policy, const std::string& state) {
  if (Incident* inc = mutable_find(id)) {
    inc->escalation_policy = policy;
    inc->escalation = state;
  }
}

void IncidentBook::set_urgency(std::int64_t id, Urgency urgency) {
  Incident* inc = mutable_find(id);
  if (!inc || inc->urgency == urgency) return;
  if (urgency == Urgency::low) ++low_urgency_;
  else --low_urgency_;
  inc->urgency = urgency;
}

void IncidentBook::assign(std::int64_t id, std::vector<std::string> users) {
  if (Incident* inc = mutable_find(id)) inc->assignees = std::move(users);
}

Result<std::optional<IncidentChange>> IncidentBook::acknowledge(std::int64_t id, const std::string& actor,
                                                                const std::string& note, Time now) {
  Incident* inc = mutable_find(id);
  if (!inc) return not_open(id);
  if (inc->status == Status::acknowledged) return std::optional<IncidentChange>{};
  set_status(*inc, Status::acknowledged);
  inc->acknowledged_at = now;
  IncidentChange change;
  change.new_entries.push_back(append(*inc, "acknowledged", actor, note.empty() ? "acknowledged" : note, now));
  change.incident = *inc;
  return std::optional<IncidentChange>{std::move(change)};
}

Result<IncidentChange> IncidentBook::resolve(std::int64_t id, const std::string& actor, const std::string& note,
                                             Time now) {
  Incident* inc = mutable_find(id);
  if (!inc) return not_open(id);
  return close(*inc, "resolved", actor, note.empty() ? "resolved" : note, now);
}

Result<IncidentChange> IncidentBook::add_note(std::int64_t id, const std::string& actor, const std::string& text,
                                              Time now) {
  Incident* inc = mutable_find(id);
  if (!inc) return not_open(id);
  IncidentChange change;
  change.new_entries.push_back(append(*inc, "note", actor, text, now));
  change.incident = *inc;
  return change;
}

Result<IncidentChange> IncidentBook::reassign(std::int64_t id, const std::string& user, const std::string& actor,
                                              const std::string& text, Time now) {
  Incident* inc = mutable_find(id);
  if (!inc) return not_open(id);
  set_status(*inc, Status::triggered);
  inc->acknowledged_at.reset();
  inc->assignees = {user};
  IncidentChange change;
  change.new_entries.push_back(append(*inc, "reassigned", actor, text, now));
  change.incident = *inc;
  return change;
}

IncidentChange IncidentBook::close(Incident& inc, std::string kind, std::string actor, std::string text, Time now) {
  set_status(inc, Status::resolved);
  if (inc.urgency == Urgency::low) --low_urgency_;
  if (auto it = open_by_service_.find(inc.service); it != open_by_service_.end()) {
    it->second.remove(inc.id);
    if (it->second.empty()) open_by_service_.erase(it);
  }
  inc.resolved_at = now;
  inc.resolved_by = kind == "auto_resolved" ? "auto" : actor;
  IncidentChange change;
  change.new_entries.push_back(append(inc, std::move(kind), std::move(actor), std::move(text), now));
  change.incident = std::move(inc);
  {
    std::lock_guard lock(*keys_mu_);
    open_by_key_.erase(change.incident.dedup_key);
  }
  open_.erase(change.incident.id);
  return change;
}

const Incident* IncidentBook::find(std::int64_t id) const {
  auto it = open_.find(id);
  return it == open_.end() ? nullptr : &it->second;
}

Incident* IncidentBook::mutable_find(std::int64_t id) {
  auto it = open_.find(id);
  return it == open_.end() ? nullptr : &it->second;
}

const Incident* IncidentBook::find_open(const std::string& dedup_key) const {
  const std::int64_t* id = open_by_key_.find(dedup_key);
  return id ? find(*id) : nullptr;
}

bool IncidentBook::is_open_key(const std::string& dedup_key) const {
  std::unique_lock lock(*keys_mu_, std::try_to_lock);
  return lock.owns_lock() && open_by_key_.find(dedup_key) != nullptr;
}

void IncidentBook::add_open(Incident inc) {
  {
    std::lock_guard lock(*keys_mu_);
    open_by_key_.set(inc.dedup_key, inc.id);
  }
  const std::int64_t id = inc.id;
  open_by_service_[inc.service].add(id);
  if (inc.status == Status::acknowledged) ++acknowledged_;
  if (inc.urgency == Urgency::low) ++low_urgency_;
  open_[id] = std::move(inc);
}

void IncidentBook::set_status(Incident& inc, Status status) {
  if (inc.status == Status::acknowledged) --acknowledged_;
  if (status == Status::acknowledged) ++acknowledged_;
  inc.status = status;
}

std::size_t IncidentBook::open_count(const std::string& service) const {
  auto it = open_by_service_.find(service);
  return it == open_by_service_.end() ? 0 : it->second.size();
}

std::vector<std::int64_t> IncidentBook::newest_open(const std::string& service, std::size_t limit) const {
  auto it = open_by_service_.find(service);
  return it == open_by_service_.end() ? std::vector<std::int64_t>{} : it->second.newest(limit);
}

std::vector<const Incident*> IncidentBook::open() const {
  std::vector<const Incident*> out;
  for (const auto& [id, inc] : open_) out.push_back(&inc);
  return out;
}

IncidentChange append_to(Incident incident, const std::vector<IncidentBook::Entry>& entries, Time now) {
  IncidentChange change;
  for (const auto& e : entries) change.new_entries.push_back(append(incident, e.kind, e.actor, e.text, now));
  change.incident = std::move(incident);
  return change;
}

IncidentChange note_on(Incident incident, const std::string& actor, const std::string& text, Time now) {
  IncidentChange change;
  change.new_entries.push_back(append(incident, "note", actor, text, now));
  change.incident = std::move(incident);
  return change;
}

}  // namespace vigil::incident
