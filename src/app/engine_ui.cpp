// The engine's side of the web UI: live events after commits (GET /api/v1/stream), the
// probe history behind the overview's sparklines and the status page's uptime bars (computed on
// a worker and cached), results for the incident chart, "escalate now" and "reassign".
#include <boost/json.hpp>
#include <fmt/format.h>

#include "app/engine_impl.h"

namespace vigil::app {
namespace json = boost::json;
using incident::Incident;

namespace {
// Pages never wait for history: they show the last computed one, refreshed this often.
constexpr auto kHistoryMaxAge = std::chrono::minutes(2);
constexpr auto kUptimeMaxAge = std::chrono::minutes(5);
constexpr int kMaxRowsPerService = 100'000;
}  // namespace

void Engine::Impl::publish_incident(const Incident& inc) {
  if (hub.streams() == 0) return;
  json::object o{{"id", inc.id},
                 {"service", inc.service},
                 {"status", std::string(incident::to_string(inc.status))},
                 {"title", inc.title},
                 {"seq", inc.timeline.empty() ? 0 : inc.timeline.back().seq}};
  hub.publish("incident", json::serialize(o));
}

void Engine::Impl::publish_service(const std::string& service, bool up) {
  if (hub.streams() == 0) return;
  hub.publish("service", json::serialize(json::object{{"name", service}, {"status", up ? "up" : "down"}}));
}

void Engine::Impl::refresh_history() {
  if (ui.history_loading || stopped) return;
  ui.history_loading = true;
  std::vector<std::pair<std::string, std::vector<std::string>>> services;
  for (const auto& s : cfg->services) {
    std::vector<std::string> ids;
    for (const auto& c : s.checks) ids.push_back(config::check_id(s, c));
    if (!ids.empty()) services.emplace_back(s.name, std::move(ids));
  }
  ui_worker->post([self = shared_from_this(), services = std::move(services)] {
    const Time to = now_ms(), from = to - std::chrono::hours(24);
    constexpr int n = web::Backend::kHistoryBuckets;
    const Duration width = (to - from) / n;
    std::map<std::string, std::vector<web::HistoryBucket>> out;
    for (const auto& [name, ids] : services) {
      auto rows = self->store->results_between(ids, from, to, kMaxRowsPerService);
      if (!rows.ok() || rows->empty()) continue;
      std::vector<int> count(n), passed(n);
      std::vector<double> seconds(n);
      for (const auto& r : *rows) {
        const auto i = std::clamp<long>(static_cast<long>((r.at - from) / width), 0, n - 1);
        ++count[i];
        passed[i] += r.passed;
        seconds[i] += std::chrono::duration<double>(r.total).count();
      }
      auto& buckets = out[name];
      buckets.resize(n);
      for (int i = 0; i < n; ++i)
        if (count[i]) buckets[i] = {static_cast<double>(passed[i]) / count[i], seconds[i] / count[i]};
    }
    asio::post(self->io, [self, out = std::move(out)]() mutable {
      self->ui.history = std::move(out);
      self->ui.history_at = now_ms();
      self->ui.history_loading = false;
    });
  });
}

std::map<std::string, std::vector<web::HistoryBucket>> EngineBackend::recent_history() {
  if (now_ms() - e_.ui.history_at > kHistoryMaxAge) e_.refresh_history();
  return e_.ui.history;
}

void EngineBackend::daily_uptime(int days, web::Reply<std::map<std::string, std::vector<double>>> reply) {
  if (days == 90 && now_ms() - e_.ui.uptime_at < kUptimeMaxAge) return reply(e_.ui.uptime);
  std::vector<std::string> names;
  for (const auto& s : e_.cfg->services) names.push_back(s.name);
  e_.ui_worker->post([self = e_.shared_from_this(), days, names = std::move(names), reply] {
    const Time now = now_ms();
    const Time day0 = std::chrono::floor<std::chrono::days>(now) - std::chrono::days(days - 1);
    // Per service and day: the time covered by its incidents (overlaps merged by clamping to
    // what earlier incidents already covered, which is exact for the usual one-at-a-time case).
    // Spans, read on the store's reader connection: an alert storm's incidents are never held.
    std::map<std::string, std::vector<double>> out;
    for (const auto& name : names) out[name].assign(days, 1.0);
    std::map<std::string, std::vector<Duration>> down;
    const Status read = self->store->visit_spans(day0, now, [&](const store::IncidentSpan& span) {
      if (!out.count(span.service)) return;
      auto& d = down[span.service];
      d.resize(days);
      for (Time t = span.start; t < span.end;) {
        const auto day = std::chrono::floor<std::chrono::days>(t);
        const Time end = std::min(span.end, Time(day + std::chrono::days(1)));
        const auto i = static_cast<std::size_t>((day - day0) / std::chrono::days(1));
        if (i < d.size()) d[i] = std::min<Duration>(d[i] + (end - t), std::chrono::hours(24));
        t = end;
      }
    });
    if (!read.ok()) down.clear();  // a half-read history would show a half-true page: all up, not cached
    for (auto& [name, d] : down) {
      auto& u = out[name];
      for (int i = 0; i < days; ++i) {
        // Today counts only the part of the day that has passed.
        const Duration span = i == days - 1 ? std::max<Duration>(now - Time(day0 + std::chrono::days(i)), std::chrono::seconds(1))
                                            : Duration(std::chrono::hours(24));
        u[i] = std::clamp(1.0 - static_cast<double>(d[i].count()) / static_cast<double>(span.count()), 0.0, 1.0);
      }
    }
    asio::post(self->io, [self, days, out = std::move(out), ok = read.ok(), reply]() mutable {
      if (days == 90 && ok) {
        self->ui.uptime = out;
        self->ui.uptime_at = now_ms();
      }
      reply(std::move(out));
    });
  });
}

void EngineBackend::results(std::vector<std::string> check_ids, Time from, Time to,
                            web::Reply<std::vector<store::ResultRow>> reply) {
  e_.ui_worker->post([self = e_.shared_from_this(), ids = std::move(check_ids), from, to, reply] {
    auto r = self->store->results_between(ids, from, to, kMaxRowsPerService);
    asio::post(self->io, [r = std::move(r), reply] {
      if (!r.ok()) return reply(Failure{500, r.error().message});
      reply(std::move(r.value()));
    });
  });
}

void EngineBackend::escalate_now(std::int64_t id, std::string actor, web::Reply<Incident> reply) {
  const Incident* inc = e_.book.find(id);
  if (!inc) return e_.explain_not_open(id, reply);
  const std::string name = "incident #" + std::to_string(id);
  if (inc->status == incident::Status::acknowledged)
    return reply(Failure{409, name + " is acknowledged: its escalation is paused"});
  const auto* policy = e_.paging && !inc->escalation_policy.empty() ? e_.paging->policy(inc->escalation_policy) : nullptr;
  if (!policy || policy->rules.empty()) return reply(Failure{409, name + " has no escalation policy"});
  if (inc->urgency == incident::Urgency::low)  // PagerDuty: low urgency is reassigned, not escalated
    return reply(Failure{409, name + " is low-urgency: low-urgency incidents do not escalate; raise its urgency to "
                                     "high (POST .../urgency) or reassign it to someone"});
  if (auto h = e_.held.find(id); h != e_.held.end())  // escalating it here would page nobody
    return reply(Failure{409, fmt::format("{} is held: {} is in maintenance until {}; end the maintenance window "
                                          "to page now, or reassign it to someone",
                                          name, inc->service, format_rfc3339(h->second))});
  auto st = escalation_from_json(inc->escalation).value_or(oncall::start_escalation(inc->detected_at));
  const int rules = static_cast<int>(policy->rules.size());
  if (st.exhausted || (st.rule >= rules && st.round >= policy->repeat))
    return reply(Failure{409, name + ": every level of " + policy->name + " has been paged"});
  const Time now = now_ms();
  if (st.rule >= rules) {  // this round is over: the next one starts now
    ++st.round;
    st.rule = 0;
    st.round_started_at = now;
  } else {
    // Move the round's clock so the next rule is due now; later rules keep their spacing.
    st.round_started_at = now - policy->rules[st.rule].after;
  }
  auto rec = e_.book.record(id, {{"escalated", actor, fmt::format("{} escalated to rule {} now", actor, st.rule + 1)}},
                            escalation_to_json(st), now);
  if (!rec.ok()) return reply(Failure{409, rec.error().message});
  e_.answer_after_commit(std::move(*rec), reply);
  e_.escalate(id, now);  // pages the rule that is now due
}

void EngineBackend::reassign(std::int64_t id, std::string user, std::string actor, web::Reply<Incident> reply) {
  const config::UserConfig* u = e_.paging ? e_.paging->user(user) : nullptr;
  if (!u) return reply(Failure{400, "no user \"" + user + "\" in the config", "user"});
  const Incident* inc = e_.book.find(id);
  if (!inc) return e_.explain_not_open(id, reply);
  const Time now = now_ms();
  const bool was_acked = inc->status == incident::Status::acknowledged;
  // The page carries the level the escalation stands at (the last rule that paged).
  oncall::Page page{u->id, "reassign:" + actor, 0, 0};
  std::optional<std::string> escalation;
  if (auto st = escalation_from_json(inc->escalation); st && !inc->escalation_policy.empty()) {
    page.rule = std::max(0, st->rule - 1);
    page.round = st->round;
    // Escalation resumes from where the acknowledgement paused it.
    if (was_acked) escalation = escalation_to_json(oncall::on_unacknowledged(*st, now));
  }
  std::string text = fmt::format("reassigned to {} ({}) by {}", u->name, u->id, actor);
  text += Paging::unreachable_note(u, inc->urgency);
  const std::string policy = inc->escalation_policy;
  auto rec = e_.book.reassign(id, u->id, actor, text, now);
  if (!rec.ok()) return reply(Failure{409, rec.error().message});
  if (escalation) {
    e_.book.set_escalation(id, policy, *escalation);
    rec->incident.escalation = *escalation;
  }
  rec->outbox = e_.paging->page_messages(rec->incident, rec->new_entries.back(), page, now);
  spdlog::info("incident #{}: reassigned to {} by {}", id, u->id, actor);
  e_.answer_after_commit(std::move(*rec), reply);
  if (was_acked) e_.escalate(id, now);  // re-arms the policy's next level
}

std::vector<web::Backend::UserRef> EngineBackend::users() {
  std::vector<UserRef> out;
  if (e_.paging)
    for (const auto& u : e_.paging->config().users) out.push_back({u.id, u.name.empty() ? u.id : u.name});
  return out;
}

}  // namespace vigil::app
