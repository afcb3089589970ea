// Incident urgency (PagerDuty's): a low-urgency incident tells the first level of its policy
// through the low-urgency contact methods and does not escalate. Decided when the incident
// opens from its service's rule (oncall/urgency.h), changed by a person
// (POST /api/v1/incidents/{id}/urgency), or raised when the service's support hours start.
// The urgency is a column of the incident and every change is on its timeline, so a restart
// keeps it.
#include <fmt/format.h>

#include "app/engine_impl.h"
#include "oncall/urgency.h"
#include "oncall/weekly_window.h"

namespace vigil::app {

namespace {

constexpr auto kLow = incident::Urgency::low;
constexpr auto kHigh = incident::Urgency::high;

// Whether an "urgency" entry is at or after `since`: a person (or vigil) has decided since.
bool changed_since(const Incident& inc, Time since) {
  for (auto it = inc.timeline.rbegin(); it != inc.timeline.rend() && it->at >= since; ++it)
    if (it->kind == "urgency") return true;
  return false;
}

}  // namespace

void Engine::Impl::decide_urgency(IncidentChange& change, Time now) {
  Incident& inc = change.incident;
  const config::ServiceConfig* svc = service_config(inc.service);
  if (!svc) return;
  const auto decision = oncall::decide_urgency(svc->urgency, inc.severity, now);
  inc.urgency = decision.urgency;
  book.set_urgency(inc.id, decision.urgency);
  if (decision.why.empty()) return;  // the default rule: always high, nothing to explain
  std::string text = fmt::format("{} urgency ({})", incident::to_string(decision.urgency), decision.why);
  if (decision.urgency == kLow && !svc->escalation_policy.empty())
    text += ": the first rule of the escalation policy is told through low-urgency contact methods, "
            "and the incident does not escalate";
  const auto& rule = svc->urgency;
  if (decision.urgency == kLow && rule.raise_at_start && rule.support_hours)
    if (auto next = oncall::next_start(*rule.support_hours, now))
      text += fmt::format("; raised to high when support hours start at {} if still open", format_rfc3339(*next));
  auto rec = book.record(inc.id, {{"urgency", "vigil", std::move(text)}}, std::nullopt, now);
  if (!rec.ok()) return;
  inc = std::move(rec->incident);
  for (auto& e : rec->new_entries) change.new_entries.push_back(std::move(e));
}

Result<IncidentChange> Engine::Impl::change_urgency(std::int64_t id, incident::Urgency to, const std::string& actor,
                                                    const std::string& why, Time now) {
  const Incident* inc = book.find(id);
  if (!inc) return Error{fmt::format("incident #{} is not open", id)};
  std::optional<std::string> escalation;
  std::string effect;
  if (to == kHigh) {
    if (!inc->escalation_policy.empty()) {
      // PagerDuty re-notifies with the high-urgency rules and escalates from there.
      escalation = escalation_over_from(*inc, now);
      effect = inc->status == incident::Status::acknowledged
                   ? "; it is acknowledged, so nobody is paged now"
                   : "; its escalation starts over from rule 1 with high-urgency contact methods";
    }
  } else if (!inc->escalation_policy.empty()) {
    effect = "; it does not escalate any further";
  }
  book.set_urgency(id, to);
  return book.record(id,
                     {{"urgency", actor,
                       fmt::format("urgency {} to {}{}{}", to == kHigh ? "raised" : "lowered", incident::to_string(to),
                                   why, effect)}},
                     escalation, now);
}

void Engine::Impl::raise_at_support_start(Time now) {
  if (stopped) return;
  std::map<std::string, std::pair<Time, const config::WeeklyWindow*>> started;  // service → its period's start
  std::optional<Time> next;
  for (const auto& s : cfg->services) {
    if (!s.urgency.raise_at_start || !s.urgency.support_hours) continue;
    const auto& hours = *s.urgency.support_hours;
    if (auto t = oncall::occurrence_start(hours, now)) started[s.name] = {*t, &hours};
    if (auto n = oncall::next_start(hours, now)) next = next ? std::min(*next, *n) : *n;
  }
  // Outside every service's support hours (most starts, most of the time): no pass at all.
  std::vector<std::pair<std::int64_t, std::string>> due;
  if (!started.empty())
    for (const Incident* inc : book.open()) {
      if (inc->urgency != kLow) continue;
      auto it = started.find(inc->service);
      if (it == started.end() || inc->detected_at >= it->second.first || changed_since(*inc, it->second.first))
        continue;
      due.emplace_back(inc->id, fmt::format(": support hours of {} started ({})", inc->service,
                                            oncall::describe(*it->second.second)));
    }
  for (const auto& [id, why] : due) {
    auto rec = change_urgency(id, kHigh, "vigil", why, now);
    if (!rec.ok()) continue;
    spdlog::info("incident #{}: urgency raised to high{}", id, why);
    persist(std::move(*rec), nullptr);
    escalate(id, now);
  }
  if (!next) {
    urgency_timer.cancel();
    return;
  }
  urgency_timer.expires_after(std::max(Duration{0}, *next - now_ms()));
  urgency_timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->stopped) return;
    self->raise_at_support_start(now_ms());
  });
}

void EngineBackend::set_urgency(std::int64_t id, incident::Urgency urgency, std::string actor,
                                web::Reply<Incident> reply) {
  const Incident* inc = e_.book.find(id);
  if (!inc) return e_.explain_not_open(id, reply);
  if (inc->urgency == urgency)
    return reply(Failure{409, fmt::format("incident #{} is already {} urgency", id, incident::to_string(urgency)),
                         "urgency"});
  const Time now = now_ms();
  auto rec = e_.change_urgency(id, urgency, actor, " by " + actor, now);
  if (!rec.ok()) return reply(Failure{409, rec.error().message});
  spdlog::info("incident #{}: urgency set to {} by {}", id, incident::to_string(urgency), actor);
  e_.answer_after_commit(std::move(*rec), reply);
  e_.escalate(id, now);
}

}  // namespace vigil::app
