// Paging: the on-call half of the engine that is not about threads. Resolves escalation
// targets through schedules, turns a planner's pages into outbox messages for each contact
// method of each paged user (with signed acknowledge/resolve links), and (de)serialises the
// escalation state kept on the incident. Built from one config and the overrides made at run
// time; rebuilt on reload and when an override is made or removed.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "incident/incident.h"
#include "oncall/escalation.h"
#include "oncall/handoff.h"
#include "oncall/schedule.h"
#include "store/store.h"

namespace vigil::app {

// Channel name of a user's contact method in the notifier: "user:<id>:<index>". Config names
// cannot contain ':', so these never collide with team channels.
std::string contact_channel(const std::string& user, std::size_t index);

std::string escalation_to_json(const oncall::EscalationState& s);
std::optional<oncall::EscalationState> escalation_from_json(const std::string& text);
// The incident's escalation starting over from rule 1 at `now` (paused from `now` if it is
// acknowledged), as JSON: after a maintenance hold, or a raise to high urgency.
std::string escalation_over_from(const incident::Incident& inc, Time now);

class Paging {
 public:
  // Error when a schedule cannot be built (unknown time zone): the config loader checks the
  // same, so this only fails on a broken tzdata.
  // `overrides` (oldest first) stack on top of each schedule's own, newest on top; those of
  // a schedule or user the config no longer has are left out.
  static Result<std::shared_ptr<const Paging>> make(const config::Config& cfg, std::string link_key,
                                                    const std::vector<store::ScheduleOverride>& overrides = {});

  std::optional<std::string> on_call(const std::string& schedule, Time at) const;
  const oncall::Schedule* schedule(const std::string& name) const;
  const config::EscalationPolicyConfig* policy(const std::string& name) const;
  const config::UserConfig* user(const std::string& id) const;
  const config::Config& config() const { return cfg_; }
  oncall::WhoIsOnCall who() const;

  // Whether the user has a contact method for incidents of this urgency.
  static bool reachable(const config::UserConfig& u, incident::Urgency urgency);
  // "; this user has no low-urgency contact methods, nobody was reached" for the timeline when
  // a page to `u` (null: unknown) reaches nobody, else "".
  static std::string unreachable_note(const config::UserConfig* u, incident::Urgency urgency);

  // One message per contact method of the paged user that serves the incident's urgency
  // (contacts[].urgency); the payload is the incident event's
  // JSON plus "page" {user, rule, round, target} and "links" {acknowledge, resolve}.
  std::vector<incident::OutboxMessage> page_messages(const incident::Incident& inc,
                                                     const incident::TimelineEntry& page_entry,
                                                     const oncall::Page& page, Time now) const;

  // A hand-off told to its user: one message per contact method, when the user asked for
  // hand-off notifications (users[].handoff_notifications), else none. Event "handoff",
  // incident 0, id "vigil-handoff-<schedule>-<start ms>-<user>-<channel>" (stable: a restart or
  // a second look never sends it twice). Payload in docs/webhook.md.
  std::vector<incident::OutboxMessage> handoff_messages(const oncall::Handoff& handoff, Time now) const;
  // The final schedules by name, for oncall::plan_handoffs.
  std::vector<std::pair<std::string, const oncall::Schedule*>> schedules() const;

  const std::string& link_key() const { return link_key_; }

 private:
  config::Config cfg_;
  std::string link_key_;
  std::map<std::string, oncall::Schedule> schedules_;
};

}  // namespace vigil::app
