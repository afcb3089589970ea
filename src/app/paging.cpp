#include "app/paging.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "common/ascii.h"
#include "notify/payload.h"
#include "postmortem/timefmt.h"
#include "web/action_link.h"

namespace vigil::app {
namespace json = boost::json;

std::string contact_channel(const std::string& user, std::size_t index) {
  return fmt::format("user:{}:{}", user, index);
}

std::string escalation_to_json(const oncall::EscalationState& s) {
  json::object o{{"rule", s.rule},
                 {"round", s.round},
                 {"round_started_at_ms", s.round_started_at.time_since_epoch().count()},
                 {"exhausted", s.exhausted}};
  if (s.acked_at) o["acked_at_ms"] = s.acked_at->time_since_epoch().count();
  return json::serialize(o);
}

std::string escalation_over_from(const incident::Incident& inc, Time now) {
  auto st = oncall::start_escalation(now);
  if (inc.status == incident::Status::acknowledged) st = oncall::on_acknowledged(st, now);
  return escalation_to_json(st);
}

std::optional<oncall::EscalationState> escalation_from_json(const std::string& text) {
  if (text.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto num = [&](const char* k) -> std::optional<std::int64_t> {
    const auto* x = o.if_contains(k);
    if (!x || !x->is_int64()) return std::nullopt;
    return x->as_int64();
  };
  oncall::EscalationState s;
  auto rule = num("rule"), round = num("round"), started = num("round_started_at_ms");
  if (!rule || !round || !started) return std::nullopt;
  s.rule = static_cast<int>(*rule);
  s.round = static_cast<int>(*round);
  s.round_started_at = Time{Duration{*started}};
  if (auto a = num("acked_at_ms")) s.acked_at = Time{Duration{*a}};
  if (const auto* e = o.if_contains("exhausted"); e && e->is_bool()) s.exhausted = e->as_bool();
  return s;
}

Result<std::shared_ptr<const Paging>> Paging::make(const config::Config& cfg, std::string link_key,
                                                  const std::vector<store::ScheduleOverride>& overrides) {
  auto p = std::make_shared<Paging>();
  p->cfg_ = cfg;
  p->link_key_ = std::move(link_key);
  for (auto sc : cfg.schedules) {
    for (const auto& o : overrides)
      if (o.schedule == sc.name && p->user(o.user)) sc.overrides.push_back({o.user, o.start, o.end});
    auto s = oncall::Schedule::make(sc);
    if (!s.ok()) return Error{fmt::format("schedule {}: {}", sc.name, s.error().message), "schedules"};
    p->schedules_.emplace(sc.name, std::move(s.value()));
  }
  return std::shared_ptr<const Paging>(std::move(p));
}

std::optional<std::string> Paging::on_call(const std::string& schedule, Time at) const {
  auto it = schedules_.find(schedule);
  if (it == schedules_.end()) return std::nullopt;
  return it->second.on_call(at);
}

const oncall::Schedule* Paging::schedule(const std::string& name) const {
  auto it = schedules_.find(name);
  return it == schedules_.end() ? nullptr : &it->second;
}

const config::EscalationPolicyConfig* Paging::policy(const std::string& name) const {
  for (const auto& p : cfg_.escalation_policies)
    if (p.name == name) return &p;
  return nullptr;
}

const config::UserConfig* Paging::user(const std::string& id) const {
  for (const auto& u : cfg_.users)
    if (u.id == id) return &u;
  return nullptr;
}

oncall::WhoIsOnCall Paging::who() const {
  return [this](const std::string& schedule, Time at) { return on_call(schedule, at); };
}

std::vector<std::pair<std::string, const oncall::Schedule*>> Paging::schedules() const {
  std::vector<std::pair<std::string, const oncall::Schedule*>> out;
  for (const auto& [name, s] : schedules_) out.emplace_back(name, &s);
  return out;
}

std::vector<incident::OutboxMessage> Paging::handoff_messages(const oncall::Handoff& h, Time now) const {
  std::vector<incident::OutboxMessage> out;
  const config::UserConfig* u = user(h.shift.user);
  if (!u || !u->handoff_notifications) return out;
  const postmortem::Zone zone(u->time_zone);
  json::object handoff{{"schedule", h.schedule},
                       {"user", u->id},
                       {"name", u->name},
                       {"start", format_rfc3339(h.shift.start)},
                       {"end", h.open_ended ? json::value(nullptr) : json::value(format_rfc3339(h.shift.end))},
                       {"time_zone", u->time_zone},
                       {"start_local", zone.date_time(h.shift.start)},
                       {"end_local", h.open_ended ? json::value(nullptr) : json::value(zone.date_time(h.shift.end))},
                       {"layer", h.shift.layer}};
  const std::string_view base = without_trailing_slashes(cfg_.server.external_url);
  for (std::size_t i = 0; i < u->contacts.size(); ++i) {
    incident::OutboxMessage m;
    m.channel = contact_channel(u->id, i);
    m.id = fmt::format("vigil-handoff-{}-{}-{}-{}", h.schedule, h.shift.start.time_since_epoch().count(), u->id,
                       m.channel);
    m.incident_id = 0;
    m.event = "handoff";
    m.created_at = now;
    json::object o{{"version", "1"}, {"id", m.id}, {"event", "handoff"}, {"handoff", handoff}};
    o["url"] = base.empty() ? json::value(nullptr) : json::value(std::string(base) + "/oncall");
    m.payload = json::serialize(o);
    out.push_back(std::move(m));
  }
  return out;
}

namespace {

// PagerDuty's high- and low-urgency notification rules: contacts[].urgency.
bool serves(const config::ContactMethod& c, incident::Urgency urgency) {
  return urgency == incident::Urgency::low ? c.low_urgency : c.high_urgency;
}

}  // namespace

bool Paging::reachable(const config::UserConfig& u, incident::Urgency urgency) {
  return std::any_of(u.contacts.begin(), u.contacts.end(),
                     [&](const config::ContactMethod& c) { return serves(c, urgency); });
}

std::string Paging::unreachable_note(const config::UserConfig* u, incident::Urgency urgency) {
  if (!u || u->contacts.empty()) return "; this user has no contact methods, nobody was reached";
  if (reachable(*u, urgency)) return {};
  return fmt::format("; this user has no {}-urgency contact methods, nobody was reached", incident::to_string(urgency));
}

std::vector<incident::OutboxMessage> Paging::page_messages(const incident::Incident& inc,
                                                           const incident::TimelineEntry& page_entry,
                                                           const oncall::Page& page, Time now) const {
  std::vector<incident::OutboxMessage> out;
  const config::UserConfig* u = user(page.user);
  if (!u) return out;
  std::string base(without_trailing_slashes(cfg_.server.external_url));
  if (base.empty()) base = "http://" + cfg_.server.listen;
  auto link = [&](const char* action) {
    web::ActionClaim claim{inc.id, action, u->id, now + cfg_.server.link_ttl};
    return fmt::format("{}/a/{}", base, web::sign_action(claim, link_key_));
  };
  const std::string rendered = notify::render_payload(inc, page_entry, cfg_.server.external_url);
  for (std::size_t i = 0; i < u->contacts.size(); ++i) {
    if (!serves(u->contacts[i], inc.urgency)) continue;
    boost::system::error_code ec;
    json::value v = json::parse(rendered, ec);
    if (ec || !v.is_object()) break;
    incident::OutboxMessage m;
    m.channel = contact_channel(u->id, i);
    m.id = fmt::format("vigil-{}-{}-{}", inc.id, page_entry.seq, m.channel);
    m.incident_id = inc.id;
    m.event = "page";
    m.created_at = now;
    if (u->contacts[i].after > Duration{0}) m.not_before = now + u->contacts[i].after;
    // Same shape as a team notification (docs/webhook.md) plus who is paged and the links.
    json::object o;
    o["version"] = "1";
    o["id"] = m.id;
    for (auto& [k, val] : v.as_object())
      if (k != "version" && k != "id") o[k] = val;
    o["event"] = "page";
    o["page"] = json::object{{"user", u->id}, {"name", u->name}, {"rule", page.rule + 1}, {"round", page.round},
                             {"target", page.target}};
    o["links"] = json::object{{"acknowledge", link("acknowledge")}, {"resolve", link("resolve")}};
    m.payload = json::serialize(o);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace vigil::app
