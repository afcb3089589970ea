// Schedule overrides made at run time, as PagerDuty's "create an override": someone takes the
// pager for a while without a config change. Stored before the answer (and so kept across
// restarts), then stacked on the schedule's own overrides, newest on top.
//   GET    /api/v1/schedules/{name}/overrides[?all=true]  config's and API's, not ended (all: every one)
//   POST   /api/v1/schedules/{name}/overrides             {"user", "start", "end", "actor"?} → 201
//   GET    /api/v1/schedules/{name}/overrides/{id}
//   DELETE /api/v1/schedules/{name}/overrides/{id}        → 204
#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "app/engine_impl.h"

namespace vigil::app {
namespace json = boost::json;

namespace {

constexpr auto kMaxLength = std::chrono::hours(24 * 366);

// One from the config: no id, nobody who made it.
json::object config_override_json(const Paging& p, const std::string& schedule, const config::OverrideConfig& o) {
  return json::object{{"id", nullptr},
                      {"source", "config"},
                      {"schedule", schedule},
                      {"user", user_json(p, o.user)},
                      {"start", format_rfc3339(o.start)},
                      {"end", format_rfc3339(o.end)}};
}

json::object override_json(const Paging& p, const store::ScheduleOverride& o) {
  json::object j = config_override_json(p, o.schedule, {o.user, o.start, o.end});
  j["id"] = o.id;
  j["source"] = "api";
  j["created_by"] = o.created_by;
  j["created_at"] = format_rfc3339(o.created_at);
  return j;
}

// The POST body, checked against the running config: the override to store, or the answer.
std::variant<store::ScheduleOverride, web::Response> parse_override(const web::Request& req, const Paging& p,
                                                                    const std::string& schedule, Time now) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) return web::json_error(400, "request body is not valid JSON: " + ec.message(), "body");
  if (!v.is_object()) return web::json_error(400, "request body must be a JSON object", "body");
  std::map<std::string, std::string> got;
  for (const auto& [k, val] : v.as_object()) {
    const std::string key(k);
    if (key != "user" && key != "start" && key != "end" && key != "actor")
      return web::json_error(400, "unknown field \"" + key + "\"", key);
    if (!val.is_string()) return web::json_error(400, "must be a string", key);
    got[key] = std::string(val.as_string());
  }
  store::ScheduleOverride o;
  o.schedule = schedule;
  for (const char* key : {"user", "start", "end"})
    if (got[key].empty()) return web::json_error(400, "is required", key);
  if (!p.user(got["user"])) return web::json_error(400, "no user \"" + got["user"] + "\" in the config", "user");
  o.user = got["user"];
  for (const char* key : {"start", "end"}) {
    auto t = parse_rfc3339(got[key]);
    if (!t.ok()) return web::json_error(400, t.error().message, key);
    (std::string_view(key) == "start" ? o.start : o.end) = *t;
  }
  if (o.end <= o.start) return web::json_error(400, "must be after start", "end");
  if (o.end <= now) return web::json_error(400, "is in the past: the override would change nothing", "end");
  if (o.end - o.start > kMaxLength) return web::json_error(400, "the override is longer than 366 days", "end");
  // Authenticated callers act as themselves, as on incidents.
  o.created_by = req.principal ? req.principal->user : (got["actor"].empty() ? "api" : got["actor"]);
  return o;
}

}  // namespace

void EngineBackend::schedule_overrides(const web::Request& req, const std::string& schedule,
                                       const std::vector<std::string>& rest, web::Respond respond) {
  const Paging& p = *e_.paging;
  const auto* s = p.schedule(schedule);
  if (!s) return respond(web::json_error(404, "no schedule named \"" + schedule + "\"", "name"));
  const bool get = req.method == "GET" || req.method == "HEAD";
  const Time now = now_ms();

  if (rest.empty()) {
    if (get) {
      const bool all = asks_for_all(req);
      json::array list;
      // The config's own (the Schedule's config has the stored ones stacked on them).
      for (const auto& sc : p.config().schedules)
        if (sc.name == schedule)
          for (const auto& o : sc.overrides)
            if (all || o.end > now) list.push_back(config_override_json(p, schedule, o));
      for (const auto& o : e_.overrides)
        if (o.schedule == schedule && (all || o.end > now)) list.push_back(override_json(p, o));
      return respond(json_response(200, json::serialize(json::object{
                                            {"schedule", schedule}, {"time_zone", s->config().time_zone},
                                            {"overrides", std::move(list)}})));
    }
    if (req.method != "POST") return respond(web::json_error(405, "use GET or POST here"));
    auto parsed = parse_override(req, p, schedule, now);
    if (auto* r = std::get_if<web::Response>(&parsed)) return respond(std::move(*r));
    e_.worker->post([self = e_.shared_from_this(), o = std::get<store::ScheduleOverride>(parsed), respond] {
      auto made = self->store->create_schedule_override(o);
      asio::post(self->io, [self, made = std::move(made), respond] {
        if (!made.ok()) return respond(web::json_error(500, made.error().message));
        const auto& o = *made;
        auto& list = self->overrides;
        list.insert(std::upper_bound(list.begin(), list.end(), o.id, [](std::int64_t id, const auto& x) { return id < x.id; }),
                    o);
        if (Status st = self->refresh_paging(); !st.ok()) return respond(web::json_error(500, st.error().message));
        spdlog::info("override {}: {} on call in {} from {} to {} (by {})", o.id, o.user, o.schedule,
                     format_rfc3339(o.start), format_rfc3339(o.end), o.created_by);
        respond(json_response(201, json::serialize(override_json(*self->paging, o))));
      });
    });
    return;
  }

  const auto id = rest.size() == 1 ? web::parse_id(rest[0]) : std::nullopt;
  auto it = std::find_if(e_.overrides.begin(), e_.overrides.end(),
                         [&](const auto& o) { return id && o.id == *id && o.schedule == schedule; });
  if (it == e_.overrides.end())
    return respond(web::json_error(404, fmt::format("no override {} in schedule \"{}\"", rest[0], schedule), "id"));
  if (get) return respond(json_response(200, json::serialize(override_json(p, *it))));
  if (req.method != "DELETE") return respond(web::json_error(405, "use GET or DELETE here"));
  e_.worker->post([self = e_.shared_from_this(), id = *id, respond] {
    Status gone = self->store->delete_schedule_override(id);
    asio::post(self->io, [self, id, gone, respond] {
      // "No such id" from the store: another DELETE of it was first; it is gone either way.
      const bool missing = !gone.ok() && gone.error().field == "id";
      if (!gone.ok() && !missing) return respond(web::json_error(500, gone.error().message));
      auto& list = self->overrides;
      const auto at = std::find_if(list.begin(), list.end(), [&](const auto& o) { return o.id == id; });
      if (at == list.end()) return respond(web::json_error(404, fmt::format("no override {}", id), "id"));
      list.erase(at);
      if (Status st = self->refresh_paging(); !st.ok()) return respond(web::json_error(500, st.error().message));
      spdlog::info("override {} removed", id);
      web::Response r;
      r.status = 204;
      respond(std::move(r));
    });
  });
}

}  // namespace vigil::app
