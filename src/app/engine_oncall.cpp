// The engine's on-call half: group commit, escalation driving, page delivery results on the
// timeline, inbound events (PagerDuty Events API v2, Alertmanager) and the on-call routes.
#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/rand.h>

#include "app/engine_impl.h"
#include "incident/alertmanager.h"
#include "incident/events_v2.h"
#include "notify/contact.h"
#include "web/action_link.h"

namespace vigil::app {
namespace json = boost::json;
using incident::Incident;
using incident::IncidentChange;

web::Response json_response(int status, std::string body) {
  web::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

json::value user_json(const Paging& p, const std::optional<std::string>& id) {
  if (!id) return nullptr;
  const auto* u = p.user(*id);
  return json::object{{"id", *id}, {"name", u ? u->name : *id}, {"email", u ? u->email : ""}};
}

namespace {

bool has_entry(const IncidentChange& c, std::string_view kind) {
  for (const auto& e : c.new_entries)
    if (e.kind == kind) return true;
  return false;
}

web::Response html_response(int status, std::string body) {
  web::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.body = std::move(body);
  return r;
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) return {};
  std::string out;
  for (unsigned char b : buf) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace

// ---- group commit ------------------------------------------------------------------------

void Engine::Impl::committed(CommitBatch batch) {
  std::vector<incident::OutboxMessage> sent;
  for (std::size_t i = 0; i < batch.changes.size(); ++i) {
    if (!batch.results[i].ok()) {
      spdlog::error("store: incident #{} change not saved: {}", batch.changes[i].incident.id,
                    batch.results[i].error().message);
      continue;
    }
    publish_incident(batch.changes[i].incident);
    for (auto& m : batch.changes[i].outbox) sent.push_back(std::move(m));
  }
  for (std::size_t i = 0; i < batch.then.size(); ++i)
    if (batch.then[i]) batch.then[i](batch.results[i]);
  // Committed and claimed by us: send now rather than on the notifier's next claim.
  if (!sent.empty() && notifier) notifier->deliver_now(sent);
}

// ---- escalation --------------------------------------------------------------------------

void Engine::Impl::handle(IncidentChange change, std::function<void(Status)> then, CommitBatch::Callback answer) {
  const Time now = now_ms();
  Incident& inc = change.incident;
  const std::int64_t id = inc.id;
  const bool resolved = inc.status == incident::Status::resolved;
  bool plan_now = false;
  if (!resolved && has_entry(change, "triggered")) {
    decide_urgency(change, now);
    hold_if_in_maintenance(change, now);
  }
  if (resolved) {
    wakes.erase(id);
    ledger.forget_incident(id);
    // A remediation that made the check pass again is the resolution.
    if (auto it = remediated_by.find(id); it != remediated_by.end()) {
      if (inc.resolved_by == "auto" && !change.new_entries.empty()) {
        inc.resolved_by = "runbook:" + it->second;
        change.new_entries.back().text += fmt::format(" after runbook {} ran", it->second);
        if (!inc.timeline.empty()) inc.timeline.back().text = change.new_entries.back().text;
      }
      remediated_by.erase(it);
    }
  } else if (has_entry(change, "triggered") && inc.escalation_policy.empty()) {
    const std::string policy = policy_of(inc.service);
    if (!policy.empty() && paging && paging->policy(policy)) {
      inc.escalation_policy = policy;
      inc.escalation = escalation_to_json(oncall::start_escalation(inc.detected_at));
      book.set_escalation(id, inc.escalation_policy, inc.escalation);
      plan_now = true;
    }
  } else if (has_entry(change, "acknowledged") && !inc.escalation_policy.empty()) {
    if (auto st = escalation_from_json(inc.escalation)) {
      inc.escalation = escalation_to_json(oncall::on_acknowledged(*st, now));
      book.set_escalation(id, inc.escalation_policy, inc.escalation);
      plan_now = true;
    }
  }
  const bool triggered = has_entry(change, "triggered");
  std::string service = triggered ? inc.service : std::string();
  if (resolved && postmortems && inc.resolved_at)  // README on disk
    then = postmortems->after_commit(id, *inc.resolved_at - inc.started_at, std::move(then));
  persist(std::move(change), std::move(then), std::move(answer));
  if (resolved) held.erase(id);  // after persist: a held incident's resolution is not told either
  if (plan_now) escalate(id, now);
  if (triggered) respond_to_trigger(id, service);
  if (resolved) arm_escalation_timer();
}

void Engine::Impl::escalate(std::int64_t id, Time now) {
  wakes.erase(id);
  const Incident* inc = book.find(id);
  // A held incident escalates from its release (release()), not before.
  if (!inc || inc->escalation_policy.empty() || !paging || stopped || held.contains(id)) return arm_escalation_timer();
  const auto* policy = paging->policy(inc->escalation_policy);
  if (!policy) {
    spdlog::warn("incident #{}: escalation policy {} is no longer configured; escalation stops", id,
                 inc->escalation_policy);
    return arm_escalation_timer();
  }
  const auto state = escalation_from_json(inc->escalation).value_or(oncall::start_escalation(inc->detected_at));
  const bool acked = inc->status == incident::Status::acknowledged;
  const auto plan = inc->urgency == incident::Urgency::low
                        ? oncall::plan_low_urgency(*policy, state, acked, paging->who(), now)
                        : oncall::plan(*policy, state, acked, paging->who(), now);

  std::vector<incident::IncidentBook::Entry> entries;
  for (const auto& note : plan.notes) entries.push_back({"escalation", "vigil", note});
  for (const auto& page : plan.pages) {
    const auto* user = paging->user(page.user);
    std::string text = fmt::format("paged {} ({}): rule {} via {}{}", user ? user->name : page.user, page.user,
                                   page.rule + 1, page.target,
                                   page.round > 0 ? fmt::format(", repeat {}", page.round) : "");
    text += Paging::unreachable_note(user, inc->urgency);
    entries.push_back({"paged", "vigil", std::move(text)});
  }
  if (!plan.pages.empty()) {
    std::vector<std::string> users;
    for (const auto& p : plan.pages)
      if (std::find(users.begin(), users.end(), p.user) == users.end()) users.push_back(p.user);
    book.assign(id, std::move(users));
  }
  const std::string next = escalation_to_json(plan.state);
  if (plan.next_wake) wakes[id] = *plan.next_wake;
  if (!entries.empty() || next != inc->escalation) {
    auto rec = book.record(id, entries, next, now);
    if (rec.ok()) {
      const std::size_t first_page = rec->new_entries.size() - plan.pages.size();
      for (std::size_t i = 0; i < plan.pages.size(); ++i) {
        auto messages = paging->page_messages(rec->incident, rec->new_entries[first_page + i], plan.pages[i], now);
        rec->outbox.insert(rec->outbox.end(), messages.begin(), messages.end());
      }
      if (!plan.pages.empty())
        spdlog::info("incident #{}: paging {}", id, fmt::join([&] {
                       std::vector<std::string> who;
                       for (const auto& p : plan.pages) who.push_back(p.user);
                       return who;
                     }(), ", "));
      persist(std::move(*rec), nullptr);
    }
  }
  arm_escalation_timer();
}

void Engine::Impl::arm_escalation_timer() {
  if (stopped) return;
  if (wakes.empty()) {
    escalation_timer.cancel();
    return;
  }
  Time earliest = wakes.begin()->second;
  for (const auto& [id, t] : wakes) earliest = std::min(earliest, t);
  const auto delay = std::max(Duration{0}, earliest - now_ms());
  escalation_timer.expires_after(delay);
  escalation_timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->stopped) return;
    const Time now = now_ms();
    std::vector<std::int64_t> due;
    for (const auto& [id, t] : self->wakes)
      if (t <= now) due.push_back(id);
    for (auto id : due) self->escalate(id, now);
    self->arm_escalation_timer();
  });
}

std::optional<std::pair<std::string, std::string>> Engine::Impl::contact_of(const std::string& channel) const {
  // "user:<id>:<index>"
  const auto first = channel.find(':'), last = channel.rfind(':');
  if (first == std::string::npos || last == first) return std::nullopt;
  std::string user = channel.substr(first + 1, last - first - 1);
  std::string type = "contact";
  if (const auto* u = paging ? paging->user(user) : nullptr) {
    const std::size_t index = std::strtoul(channel.c_str() + last + 1, nullptr, 10);
    if (index < u->contacts.size()) type = u->contacts[index].type;
  }
  return std::make_pair(std::move(user), std::move(type));
}

std::optional<std::string> Engine::Impl::moot_page(const incident::OutboxMessage& m) {
  if (m.event != "page") return std::nullopt;
  const Incident* inc = book.find(m.incident_id);
  std::string why;
  if (!inc) why = "the incident is resolved";
  else if (inc->acknowledged_at && *inc->acknowledged_at >= m.created_at)
    why = fmt::format("acknowledged at {}", format_rfc3339(*inc->acknowledged_at));
  else return std::nullopt;
  const auto contact = contact_of(m.channel);
  if (!contact) return why;
  const auto& [user, type] = *contact;
  spdlog::info("incident #{}: page to {} via {} not sent: {}", m.incident_id, user, type, why);
  if (inc && !stopped) {
    auto rec = book.record(m.incident_id,
                           {{"notify_skipped", "vigil", fmt::format("page to {} via {} not sent: {}", user, type, why)}},
                           std::nullopt, now_ms());
    if (rec.ok()) persist(std::move(*rec), nullptr);
  }
  return why;
}

void Engine::Impl::on_page_delivery(const incident::OutboxMessage& m, const Status& st, int attempt) {
  if (m.event != "page" || stopped || !paging) return;
  if (!st.ok() && attempt > 1) return;  // the first failure is news; the retries are in the outbox
  if (!book.find(m.incident_id)) return;  // resolved meanwhile: nothing more to say on it
  const auto contact = contact_of(m.channel);
  if (!contact) return;
  const auto& [user, type] = *contact;
  const std::string text = st.ok() ? fmt::format("page to {} via {} delivered", user, type)
                                   : fmt::format("page to {} via {} failed: {}; retrying with backoff", user, type,
                                                 st.error().message);
  auto rec = book.record(m.incident_id, {{st.ok() ? "notified" : "notify_failed", "vigil", text}}, std::nullopt,
                         now_ms());
  if (rec.ok()) persist(std::move(*rec), nullptr);
}

std::map<std::string, std::unique_ptr<notify::Channel>> Engine::Impl::build_channels(const config::Config& c) {
  std::map<std::string, std::unique_ptr<notify::Channel>> channels;
  for (const auto& ch : c.channels) channels[ch.name] = notify::make_channel(ch, *http);
  for (const auto& u : c.users)
    for (std::size_t i = 0; i < u.contacts.size(); ++i)
      channels[contact_channel(u.id, i)] = notify::make_contact_channel(u.contacts[i], c.smtp, *http, *contact_worker, io);
  return channels;
}

Status Engine::Impl::build_paging(const config::Config& c) {
  std::string key = c.server.link_secret;
  if (key.empty()) {
    // No configured key: one generated at first start, kept in the store so links in pages
    // already sent stay valid across restarts.
    auto stored = store->get_meta("link_key");
    if (!stored.ok()) return stored.error();
    if (stored.value()) {
      key = *stored.value();
    } else {
      auto put = store->put_meta_once("link_key", random_hex(32));
      if (!put.ok()) return put.error();
      key = *put;
    }
  }
  return install_paging(c, std::move(key));
}

Status Engine::Impl::refresh_paging() { return install_paging(paging->config(), link_key); }

Status Engine::Impl::install_paging(const config::Config& c, std::string key) {
  auto p = Paging::make(c, key, overrides);  // copies `c` before the old Paging (maybe its owner) goes
  if (!p.ok()) return p.error();
  paging = std::move(p.value());
  link_key = std::move(key);
  // A reload or an override may start a shift now, or move the next hand-off.
  if (started) look_for_handoffs();
  return {};
}

// ---- inbound events ----------------------------------------------------------------------

void EngineBackend::events_v2(const web::Request& req, web::Respond respond) {
  auto parsed = incident::parse_events_v2(req.body, now_ms());
  if (!parsed.errors.empty()) return respond(json_response(400, incident::events_v2_error_body(parsed.errors)));
  e_.accept_event_v2(parsed, std::move(respond));
}

void Engine::Impl::accept_event_v2(const incident::EventsV2Result& parsed, web::Respond respond) {
  const config::IntegrationConfig* integration = nullptr;
  for (const auto& i : cfg->integrations)
    if (i.type == config::IntegrationType::pagerduty_events_v2 && i.key == parsed.routing_key) integration = &i;
  if (!integration) return respond(json_response(400, incident::events_v2_error_body({"Invalid routing key"})));
  const incident::InboundEvent& event = *parsed.event;
  web::Response accepted = json_response(202, incident::events_v2_success_body(event.dedup_key));
  auto change = book.apply(event, integration->service, "integration:" + integration->name, now_ms());
  if (!change) return respond(std::move(accepted));  // deduplicated or nothing open: nothing to commit
  if (has_entry(*change, "triggered")) ++incidents_opened;
  // 202 only once the event is durable; PagerDuty senders retry on 5xx. HttpFront's Respond
  // is thread-safe: the committer answers straight after the commit.
  handle(std::move(*change), nullptr,
         [respond = std::move(respond), accepted = std::move(accepted)](const Status& st) mutable {
           if (!st.ok()) return respond(json_response(503, incident::events_v2_error_body({"event not stored; retry"})));
           respond(std::move(accepted));
         });
}

void EngineBackend::alertmanager(const std::string& name, const web::Request& req, web::Respond respond) {
  const config::IntegrationConfig* integration = nullptr;
  for (const auto& i : e_.cfg->integrations)
    if (i.name == name && i.type == config::IntegrationType::alertmanager) integration = &i;
  if (!integration) return respond(web::json_error(404, "no alertmanager integration named \"" + name + "\"", "name"));
  if (!integration->key.empty()) {
    std::string given = req.header("authorization");
    if (given.rfind("Bearer ", 0) == 0) given = given.substr(7);
    else if (auto it = req.query.find("key"); it != req.query.end()) given = it->second;
    if (given != integration->key) return respond(web::json_error(401, "missing or wrong integration key", "key"));
  }
  auto parsed = incident::parse_alertmanager(req.body);
  if (!parsed.errors.empty()) {
    json::array errors;
    for (const auto& e : parsed.errors) errors.push_back(json::string(e));
    return respond(json_response(400, json::serialize(json::object{{"error", "invalid Alertmanager payload"}, {"errors", errors}})));
  }
  for (const auto& w : parsed.warnings) spdlog::warn("integration {}: {}", name, w);
  struct Pending {
    int left = 0;
    bool failed = false;
    web::Respond respond;
  };
  auto pending = std::make_shared<Pending>();
  pending->respond = std::move(respond);
  const std::string actor = "integration:" + integration->name;
  std::vector<IncidentChange> changes;
  for (const auto& event : parsed.events)
    if (auto c = e_.book.apply(event, integration->service, actor, now_ms())) changes.push_back(std::move(*c));
  const auto ok_body = json::serialize(json::object{{"status", "success"}, {"alerts", parsed.events.size()}});
  if (changes.empty()) return pending->respond(json_response(200, ok_body));
  pending->left = static_cast<int>(changes.size());
  for (auto& c : changes) {
    if (has_entry(c, "triggered")) ++e_.incidents_opened;
    e_.handle(std::move(c), [pending, ok_body](Status st) {
      pending->failed = pending->failed || !st.ok();
      if (--pending->left > 0) return;
      // Alertmanager retries a webhook that failed with 5xx.
      if (pending->failed) return pending->respond(web::json_error(503, "not every alert was stored; retry"));
      pending->respond(json_response(200, ok_body));
    });
  }
}

// ---- on-call routes ----------------------------------------------------------------------

namespace {

// The shift of the final schedule that contains `at` (nullopt when nobody is on call).
std::optional<oncall::Shift> shift_at(const oncall::Schedule& s, Time at) {
  for (const auto& sh : s.shifts(at - std::chrono::hours(24 * 31), at + std::chrono::hours(24 * 31)))
    if (sh.start <= at && at < sh.end) return sh;
  return std::nullopt;
}

std::optional<Time> query_time(const web::Request& req, const char* name, Time fallback, web::Respond& respond,
                               bool& failed) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return fallback;
  auto t = parse_rfc3339(it->second);
  if (!t.ok()) {
    failed = true;
    respond(web::json_error(400, t.error().message, name));
    return std::nullopt;
  }
  return *t;
}

}  // namespace

void EngineBackend::oncall(const web::Request& req, web::Respond respond) {
  bool failed = false;
  auto at = query_time(req, "at", now_ms(), respond, failed);
  if (failed) return;
  std::string only;
  if (auto it = req.query.find("schedule"); it != req.query.end()) only = it->second;
  const Paging& p = *e_.paging;
  json::array schedules;
  bool found = only.empty();
  for (const auto& sc : p.config().schedules) {
    if (!only.empty() && sc.name != only) continue;
    found = true;
    const auto* s = p.schedule(sc.name);
    auto sh = s ? shift_at(*s, *at) : std::nullopt;
    json::object o{{"schedule", sc.name}, {"time_zone", sc.time_zone},
                   {"user", user_json(p, sh ? std::optional<std::string>(sh->user) : std::nullopt)}};
    if (sh) o["shift"] = json::object{{"start", format_rfc3339(sh->start)}, {"end", format_rfc3339(sh->end)},
                                      {"layer", sh->layer}};
    schedules.push_back(std::move(o));
  }
  if (!found) return respond(web::json_error(404, "no schedule named \"" + only + "\"", "schedule"));
  json::array policies;
  if (only.empty()) {
    for (const auto& pol : p.config().escalation_policies) {
      json::array rules;
      for (const auto& r : pol.rules) {
        json::array targets;
        for (const auto& t : r.targets) {
          std::optional<std::string> who;
          if (t.rfind("user:", 0) == 0) who = t.substr(5);
          else if (t.rfind("schedule:", 0) == 0) who = p.on_call(t.substr(9), *at);
          targets.push_back(json::object{{"target", t}, {"user", user_json(p, who)}});
        }
        rules.push_back(json::object{{"after", format_duration(r.after)}, {"targets", targets}});
      }
      policies.push_back(json::object{{"name", pol.name}, {"repeat", pol.repeat}, {"rules", rules}});
    }
  }
  respond(json_response(200, json::serialize(json::object{
                                 {"at", format_rfc3339(*at)}, {"oncall", schedules}, {"escalation_policies", policies}})));
}

void EngineBackend::schedules(const web::Request& req, const std::vector<std::string>& parts, web::Respond respond) {
  const Paging& p = *e_.paging;
  const Time now = now_ms();
  if (parts.empty()) {
    json::array list;
    for (const auto& sc : p.config().schedules)
      list.push_back(json::object{{"name", sc.name}, {"time_zone", sc.time_zone}, {"layers", sc.layers.size()},
                                  {"user", user_json(p, p.on_call(sc.name, now))}});
    return respond(json_response(200, json::serialize(json::object{{"schedules", list}})));
  }
  std::string name = parts[0];
  if (parts.size() >= 2 && parts[1] == "overrides")
    return schedule_overrides(req, name, std::vector<std::string>(parts.begin() + 2, parts.end()), std::move(respond));
  const bool ics = parts.size() == 1 && name.size() > 4 && name.ends_with(".ics");
  if (ics) name.resize(name.size() - 4);
  if (!ics && !(parts.size() == 2 && parts[1] == "shifts")) return respond(web::json_error(404, "no such route"));
  const auto* s = p.schedule(name);
  if (!s) return respond(web::json_error(404, "no schedule named \"" + name + "\"", "name"));
  bool failed = false;
  auto from = query_time(req, "from", ics ? now - std::chrono::hours(24 * 7) : now, respond, failed);
  if (failed) return;
  auto to = query_time(req, "to", *from + std::chrono::hours(24 * (ics ? 90 : 7)), respond, failed);
  if (failed) return;
  if (*to <= *from) return respond(web::json_error(400, "must be after from", "to"));
  if (*to - *from > std::chrono::hours(24 * 366)) return respond(web::json_error(400, "range is longer than 366 days", "to"));
  const auto shifts = s->shifts(*from, *to);
  if (ics) {
    web::Response r;
    r.content_type = "text/calendar; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + name + ".ics\"");
    r.body = oncall::to_ical(*s, shifts, p.config().users, now);
    return respond(std::move(r));
  }
  json::array arr;
  for (const auto& sh : shifts)
    arr.push_back(json::object{{"user", user_json(p, sh.user)}, {"start", format_rfc3339(sh.start)},
                               {"end", format_rfc3339(sh.end)}, {"layer", sh.layer}});
  respond(json_response(200, json::serialize(json::object{{"schedule", name}, {"time_zone", s->config().time_zone},
                                                          {"from", format_rfc3339(*from)}, {"to", format_rfc3339(*to)},
                                                          {"shifts", arr}})));
}

void EngineBackend::action_link(const web::Request& req, const std::string& token, web::Respond respond) {
  auto claim = web::verify_action(token, e_.link_key, now_ms());
  if (!claim.ok()) {
    const bool expired = claim.error().message == web::kLinkExpired;
    return respond(html_response(expired ? 410 : 403,
                                 web::action_page_html(expired ? "Link expired" : "Link refused",
                                                       expired ? "This link has expired. Open vigil to act on the incident."
                                                               : "This link is not valid: " + claim.error().message,
                                                       false)));
  }
  const auto& c = *claim;
  const std::string verb = c.action == "acknowledge" ? "Acknowledge" : "Resolve";
  if (req.method != "POST") {
    // Link scanners fetch every URL in a message: a GET only shows what a tap would do.
    return respond(html_response(200, web::action_confirm_html(fmt::format("{} incident #{}", verb, c.incident),
                                                               fmt::format("As {}.", c.user), verb)));
  }
  auto done = [respond, c, verb](std::variant<Incident, web::Failure> r) {
    if (auto* f = std::get_if<web::Failure>(&r))
      return respond(html_response(f->status == 409 ? 409 : f->status,
                                   web::action_page_html(fmt::format("Incident #{}", c.incident), f->message, false)));
    const auto& inc = std::get<Incident>(r);
    respond(html_response(200, web::action_page_html(
                                   fmt::format("Incident #{} {}", c.incident, incident::to_string(inc.status)),
                                   fmt::format("{}: done, as {}.", inc.title, c.user), true)));
  };
  if (c.action == "acknowledge") return acknowledge(c.incident, c.user, "acknowledged from the page", done);
  resolve(c.incident, c.user, "resolved from the page", done);
}

}  // namespace vigil::app
