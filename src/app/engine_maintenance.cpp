// Maintenance windows (incident/maintenance.h): holding and releasing the incidents of services
// in maintenance, and the routes that make and end windows. Stored before the answer, so a
// window outlives a restart, and so does the hold of an incident (its timeline says it is held).
//   GET    /api/v1/maintenance[?all=true]  windows not ended (all: every one)
//   POST   /api/v1/maintenance             {"services", "start"?, "end" | "duration", "description"?, "actor"?} → 201
//   GET    /api/v1/maintenance/{id}
//   DELETE /api/v1/maintenance/{id}        ends one in progress now, removes a scheduled one → 204
#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "app/engine_impl.h"
#include "oncall/weekly_window.h"

namespace vigil::app {
namespace json = boost::json;

namespace {

constexpr auto kMaxLength = std::chrono::hours(24 * 366);
constexpr std::size_t kMaxDescription = 4096;

json::object window_json(const incident::MaintenanceWindow& w, Time now) {
  json::array services;
  for (const auto& s : w.services) services.push_back(json::string(s));
  return json::object{{"id", w.recurring.empty() ? json::value(w.id) : json::value(nullptr)},
                      {"recurring", w.recurring.empty() ? json::value(nullptr) : json::value(w.recurring)},
                      {"services", std::move(services)},
                      {"start", format_rfc3339(w.start)},
                      {"end", format_rfc3339(w.end)},
                      {"state", incident::window_state(w, now)},
                      {"description", w.description},
                      {"created_by", w.created_by},
                      {"created_at", w.recurring.empty() ? json::value(format_rfc3339(w.created_at)) : json::value(nullptr)}};
}

// The POST body, checked against the running config: the window to store, or the answer.
std::variant<incident::MaintenanceWindow, web::Response> parse_window(const web::Request& req,
                                                                      const config::Config& cfg, Time now) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) return web::json_error(400, "request body is not valid JSON: " + ec.message(), "body");
  if (!v.is_object()) return web::json_error(400, "request body must be a JSON object", "body");
  incident::MaintenanceWindow w;
  std::map<std::string, std::string> got;
  bool has_services = false;
  for (const auto& [k, val] : v.as_object()) {
    const std::string key(k);
    if (key == "services") {
      if (!val.is_array() || val.as_array().empty())
        return web::json_error(400, "must be a non-empty array of service names", key);
      for (const auto& s : val.as_array()) {
        if (!s.is_string()) return web::json_error(400, "must be a non-empty array of service names", key);
        std::string name(s.as_string());
        const bool known = std::any_of(cfg.services.begin(), cfg.services.end(), [&](const auto& c) { return c.name == name; });
        if (!known) return web::json_error(400, "no service \"" + name + "\" in the config", key);
        if (std::find(w.services.begin(), w.services.end(), name) == w.services.end()) w.services.push_back(name);
      }
      has_services = true;
      continue;
    }
    if (key != "start" && key != "end" && key != "duration" && key != "description" && key != "actor")
      return web::json_error(400, "unknown field \"" + key + "\"", key);
    if (!val.is_string()) return web::json_error(400, "must be a string", key);
    got[key] = std::string(val.as_string());
  }
  if (!has_services) return web::json_error(400, "is required", "services");
  w.start = now;
  if (!got["start"].empty()) {
    auto t = parse_rfc3339(got["start"]);
    if (!t.ok()) return web::json_error(400, t.error().message, "start");
    w.start = *t;
  }
  if (!got["end"].empty() && !got["duration"].empty())
    return web::json_error(400, "give end or duration, not both", "duration");
  if (!got["end"].empty()) {
    auto t = parse_rfc3339(got["end"]);
    if (!t.ok()) return web::json_error(400, t.error().message, "end");
    w.end = *t;
  } else if (!got["duration"].empty()) {
    auto d = parse_duration(got["duration"]);
    if (!d.ok()) return web::json_error(400, d.error().message, "duration");
    if (*d <= Duration{0}) return web::json_error(400, "must be positive", "duration");
    w.end = w.start + *d;
  } else {
    return web::json_error(400, "is required (or duration)", "end");
  }
  if (w.end <= w.start) return web::json_error(400, "must be after start", "end");
  if (w.end <= now) return web::json_error(400, "is in the past: the window would change nothing", "end");
  if (w.end - w.start > kMaxLength) return web::json_error(400, "the window is longer than 366 days", "end");
  w.description = got["description"];
  if (w.description.size() > kMaxDescription) return web::json_error(400, "longer than 4096 bytes", "description");
  // Authenticated callers act as themselves, as on incidents.
  w.created_by = req.principal ? req.principal->user : (got["actor"].empty() ? "api" : got["actor"]);
  return w;
}

// The last of the two marker kinds on the timeline: is the incident still held?
bool held_by_timeline(const Incident& inc) {
  for (auto it = inc.timeline.rbegin(); it != inc.timeline.rend(); ++it) {
    if (it->kind == "maintenance") return true;
    if (it->kind == "maintenance_over") return false;
  }
  return false;
}

}  // namespace

// ---- holding and releasing ----------------------------------------------------------------

void Engine::Impl::refresh_recurring(Time now, bool force) {
  if (!force && now < recurring_valid_until) return;
  std::erase_if(maintenance, [](const incident::MaintenanceWindow& w) { return !w.recurring.empty(); });
  for (const auto& r : cfg->maintenance)
    for (const auto& o : oncall::occurrences(r.window, now, now + std::chrono::hours(24 * 8))) {
      incident::MaintenanceWindow w;
      w.services = r.services;
      w.start = o.start;
      w.end = o.end;
      w.description = r.description;
      w.created_by = "config";
      w.recurring = r.name;
      maintenance.push_back(std::move(w));
    }
  // A day on, the next 8 days still hold every occurrence that can cover the next moment; a
  // chain of back-to-back ones is followed further when a held incident's release comes due.
  recurring_valid_until = now + std::chrono::hours(24);
}

void Engine::Impl::hold_if_in_maintenance(IncidentChange& change, Time now) {
  refresh_recurring(now);
  Incident& inc = change.incident;
  const auto until = incident::maintenance_until(maintenance, inc.service, now);
  if (!until) return;
  const auto* w = incident::covering(maintenance, inc.service, now);
  const std::string window = w->recurring.empty() ? fmt::format("window {}", w->id)
                                                  : fmt::format("recurring window {}", w->recurring);
  std::string text = fmt::format("opened during maintenance of {} ({}{}, by {}) until {}: nobody is paged, "
                                 "no team channel is told and no runbook runs automatically until then; "
                                 "escalation starts then if the incident is still open",
                                 inc.service, window, w->description.empty() ? "" : ": " + w->description,
                                 w->created_by, format_rfc3339(*until));
  auto rec = book.record(inc.id, {{"maintenance", "vigil", std::move(text)}}, std::nullopt, now);
  if (!rec.ok()) return;
  inc = std::move(rec->incident);
  for (auto& e : rec->new_entries) change.new_entries.push_back(std::move(e));
  held[inc.id] = *until;
  spdlog::info("incident #{}: {} is in maintenance until {}: held", inc.id, inc.service, format_rfc3339(*until));
  // Only an earlier wake-up re-arms the timer: an alert storm during maintenance holds each new
  // incident in constant time, not with a pass over every held one.
  if (!maintenance_wake || *until < *maintenance_wake) arm_maintenance_timer(*until);
}

void Engine::Impl::restore_held(Time now) {
  // Windows in progress are never deleted (DELETE ends them), so without any window no incident
  // can be held: no pass over every open incident's timeline at start.
  refresh_recurring(now);
  if (maintenance.empty() && cfg->maintenance.empty()) return;
  for (const Incident* inc : book.open())
    if (held_by_timeline(*inc))
      held[inc->id] = incident::maintenance_until(maintenance, inc->service, now).value_or(now);
  if (!held.empty()) spdlog::info("{} incidents held by maintenance windows", held.size());
  release_held(now);
}

void Engine::Impl::release_held(Time now) {
  if (stopped) return;
  refresh_recurring(now, /*force=*/true);  // follows back-to-back occurrences past the last 8 days
  std::vector<std::int64_t> due;
  for (auto& [id, until] : held) {
    const Incident* inc = book.find(id);
    if (!inc) {
      due.push_back(id);
      continue;
    }
    // The windows may have changed since: a new one extends the hold, an ended one shortens it.
    until = incident::maintenance_until(maintenance, inc->service, now).value_or(now);
    if (until <= now) due.push_back(id);
  }
  for (auto id : due) release(id, now);
  if (held.empty()) {
    maintenance_wake.reset();
    maintenance_timer.cancel();
    return;
  }
  Time earliest = held.begin()->second;
  for (const auto& [id, t] : held) earliest = std::min(earliest, t);
  arm_maintenance_timer(earliest);
}

void Engine::Impl::arm_maintenance_timer(Time at) {
  maintenance_wake = at;
  maintenance_timer.expires_after(std::max(Duration{0}, at - now_ms()));
  maintenance_timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->stopped) return;
    self->maintenance_wake.reset();
    self->release_held(now_ms());
  });
}

void Engine::Impl::release(std::int64_t id, Time now) {
  held.erase(id);
  const Incident* inc = book.find(id);
  if (!inc) return;  // resolved while held: nobody ever hears of it
  const std::string service = inc->service;
  const std::vector<incident::TimelineEntry> so_far = inc->timeline;
  std::optional<std::string> escalation;
  std::string next = "no escalation policy pages for it";
  if (!inc->escalation_policy.empty()) {
    // The escalation starts over from now, as if the incident had been opened now.
    escalation = escalation_over_from(*inc, now);
    next = "escalation starts now";
  }
  auto rec = book.record(
      id, {{"maintenance_over", "vigil", fmt::format("maintenance of {} is over and the incident is still open: {}", service, next)}},
      escalation, now);
  if (!rec.ok()) return;
  // What the hold kept from the team channels, with the ids it would have had.
  auto team = notify::outbox_for(rec->incident, so_far, channels_of(service), cfg->server.external_url, now);
  rec->outbox.insert(rec->outbox.end(), std::make_move_iterator(team.begin()), std::make_move_iterator(team.end()));
  spdlog::info("incident #{}: maintenance of {} is over: released", id, service);
  persist(std::move(*rec), nullptr);
  escalate(id, now);
  respond_to_trigger(id, service);
}

// ---- routes -------------------------------------------------------------------------------

void EngineBackend::maintenance(const web::Request& req, const std::vector<std::string>& rest, web::Respond respond) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const Time now = now_ms();
  if (rest.empty()) {
    if (get) {
      const bool all = asks_for_all(req);
      e_.refresh_recurring(now);
      json::array list;
      std::set<std::string> next_listed;  // a recurring window shows its current and next occurrence
      for (const auto& w : e_.maintenance) {
        if (!w.recurring.empty() && w.start > now && !next_listed.insert(w.recurring).second) continue;
        if (all || w.end > now) list.push_back(window_json(w, now));
      }
      return respond(json_response(200, json::serialize(json::object{{"windows", std::move(list)}})));
    }
    auto parsed = parse_window(req, *e_.cfg, now);
    if (auto* r = std::get_if<web::Response>(&parsed)) return respond(std::move(*r));
    e_.worker->post([self = e_.shared_from_this(), w = std::get<incident::MaintenanceWindow>(parsed), respond] {
      auto made = self->store->create_maintenance_window(w);
      asio::post(self->io, [self, made = std::move(made), respond] {
        if (!made.ok()) return respond(web::json_error(500, made.error().message));
        const auto& w = *made;
        self->maintenance.push_back(w);
        spdlog::info("maintenance window {}: {} from {} to {} (by {})", w.id, fmt::join(w.services, ", "),
                     format_rfc3339(w.start), format_rfc3339(w.end), w.created_by);
        const Time now = now_ms();
        self->release_held(now);  // a held incident's hold may now last longer
        respond(json_response(201, json::serialize(window_json(w, now))));
      });
    });
    return;
  }
  const auto id = rest.size() == 1 ? web::parse_id(rest[0]) : std::nullopt;
  auto it = std::find_if(e_.maintenance.begin(), e_.maintenance.end(), [&](const auto& w) { return id && w.id == *id; });
  if (it == e_.maintenance.end())
    return respond(web::json_error(404, fmt::format("no maintenance window {}", rest[0]), "id"));
  if (get) return respond(json_response(200, json::serialize(window_json(*it, now))));
  if (now >= it->end) return respond(web::json_error(409, fmt::format("maintenance window {} has already ended", *id), "id"));
  // One in progress ends now and stays on the record; one that has not started is removed.
  const bool started = now >= it->start;
  e_.worker->post([self = e_.shared_from_this(), id = *id, started, now, respond] {
    Status st = started ? self->store->set_maintenance_end(id, now) : self->store->delete_maintenance_window(id);
    asio::post(self->io, [self, id, started, now, st, respond] {
      const bool missing = !st.ok() && st.error().field == "id";  // another DELETE was first
      if (!st.ok() && !missing) return respond(web::json_error(500, st.error().message));
      auto& list = self->maintenance;
      const auto at = std::find_if(list.begin(), list.end(), [&](const auto& w) { return w.id == id; });
      if (missing || at == list.end()) return respond(web::json_error(404, fmt::format("no maintenance window {}", id), "id"));
      if (started) at->end = now;
      else list.erase(at);
      spdlog::info("maintenance window {} {}", id, started ? "ended" : "removed");
      self->release_held(now_ms());  // what it held is released now, unless another window covers it
      web::Response r;
      r.status = 204;
      respond(std::move(r));
    });
  });
}

}  // namespace vigil::app
