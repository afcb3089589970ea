// IncidentBook: the open incidents and the rules of their lifecycle. Pure: every call takes
// `now` and returns the IncidentChange to persist (or nothing when nothing changed); the
// caller persists it before telling anyone. One open incident per dedup key ("service/check"),
// numbers are never reused.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "incident/inbound_event.h"
#include "incident/incident.h"
#include "incident/key_index.h"
#include "incident/open_ids.h"
#include "rules/evaluator.h"

namespace vigil::incident {

class IncidentBook {
 public:
  explicit IncidentBook(std::int64_t last_id = 0) : last_id_(last_id) {}

  // Start-up: the open incidents as the store has them.
  void restore(std::vector<Incident> open_incidents);

  // A check crossed a threshold. Firing opens an incident unless one is open for the same
  // check (dedup: nothing changes); resolved auto-resolves the open one, if any.
  std::optional<IncidentChange> apply(const rules::AlertChange& alert, Time now);

  // An event from an integration (PagerDuty Events API v2, Alertmanager) for `service`:
  // trigger opens an incident unless one is open for its dedup key (then nothing changes: a
  // repeated trigger is the same problem); acknowledge and resolve act on the open one, and
  // change nothing when there is none (PagerDuty answers 202 all the same). `actor` names the
  // integration, e.g. "integration:prometheus".
  std::optional<IncidentChange> apply(const InboundEvent& event, const std::string& service,
                                      const std::string& actor, Time now);

  // Entries the engine adds on its own (pages, escalations, delivery results), with the
  // escalation state to persist alongside when it changed.
  struct Entry {
    std::string kind;
    std::string actor;
    std::string text;
  };
  Result<IncidentChange> record(std::int64_t id, const std::vector<Entry>& entries,
                                std::optional<std::string> escalation, Time now);
  // Sets the escalation policy and state of an open incident (no timeline entry).
  void set_escalation(std::int64_t id, const std::string& policy, const std::string& state);
  void set_urgency(std::int64_t id, Urgency urgency);
  // Assigns an open incident to these users (those a page is going to), for the next change.
  void assign(std::int64_t id, std::vector<std::string> users);

  // Human actions on an open incident. Error when the id is not open here. Acknowledging an
  // acknowledged incident changes nothing (nullopt), as in PagerDuty.
  Result<std::optional<IncidentChange>> acknowledge(std::int64_t id, const std::string& actor,
                                                    const std::string& note, Time now);
  Result<IncidentChange> resolve(std::int64_t id, const std::string& actor, const std::string& note, Time now);
  Result<IncidentChange> add_note(std::int64_t id, const std::string& actor, const std::string& text, Time now);
  // Hands the open incident to `user` alone ("reassigned" entry with `text`): as in PagerDuty it
  // goes back to triggered (an acknowledgement is withdrawn) so the new assignee's ack counts.
  Result<IncidentChange> reassign(std::int64_t id, const std::string& user, const std::string& actor,
                                  const std::string& text, Time now);

  const Incident* find(std::int64_t id) const;
  const Incident* find_open(const std::string& dedup_key) const;
  // Whether an incident is known to be open for the key: the one call that is safe from another
  // thread while the book's owner works (it answers repeated triggers off the engine thread, see
  // src/app/http_front.h). Whatever the owner changed before it answered anyone is seen. Never
  // waits: false while the owner is changing the key index, so the caller hands the event to the
  // owner, who decides.
  bool is_open_key(const std::string& dedup_key) const;
  std::vector<const Incident*> open() const;  // a pass over all of them: not for hot paths
  std::int64_t last_id() const { return last_id_; }

  // What the status overview and /metrics show, in time that does not grow with the number of
  // open incidents (a storm leaves a million, and the engine thread that reads these is the one
  // ingestion waits for).
  std::size_t open_count() const { return open_.size(); }
  std::size_t acknowledged_count() const { return acknowledged_; }
  std::size_t low_urgency_count() const { return low_urgency_; }
  std::size_t open_count(const std::string& service) const;
  // The service's newest `limit` open incident ids, in ascending order.
  std::vector<std::int64_t> newest_open(const std::string& service, std::size_t limit) const;

 private:
  Incident* mutable_find(std::int64_t id);
  IncidentChange close(Incident& inc, std::string kind, std::string actor, std::string text, Time now);

  std::int64_t last_id_;
  void add_open(Incident inc);
  void set_status(Incident& inc, Status status);  // keeps acknowledged_

  std::map<std::int64_t, Incident> open_;  // id → incident (with timeline)
  // dedup key → id of its open incident: every alert and event looks here first, so it must not
  // cost a scan of tens of thousands of open incidents (an alert storm).
  KeyIndex open_by_key_;
  // Held while open_by_key_ changes and by is_open_key; the owner's own reads need no lock.
  std::unique_ptr<std::mutex> keys_mu_ = std::make_unique<std::mutex>();
  std::unordered_map<std::string, OpenIds> open_by_service_;
  std::size_t acknowledged_ = 0;
  std::size_t low_urgency_ = 0;  // open ones; kept by add_open, set_urgency and close
};

// A note on any incident, open or resolved (postmortem remarks land on resolved ones).
IncidentChange note_on(Incident incident, const std::string& actor, const std::string& text, Time now);
// Entries appended to any incident, open or resolved (evidence or a runbook's outcome that
// arrives after the incident resolved still belongs on its timeline).
IncidentChange append_to(Incident incident, const std::vector<IncidentBook::Entry>& entries, Time now);

}  // namespace vigil::incident
