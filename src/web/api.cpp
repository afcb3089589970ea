#include "web/api.h"

#include <boost/json.hpp>

#include <memory>

#include "web/postmortem_routes.h"

namespace vigil::web {
namespace json = boost::json;
namespace {

json::value time_or_null(const std::optional<Time>& t) {
  if (!t) return nullptr;
  return json::string(format_rfc3339(*t));
}

json::object incident_object(const incident::Incident& inc, bool with_timeline) {
  json::object o;
  o["id"] = inc.id;
  o["title"] = inc.title;
  o["service"] = inc.service;
  o["check"] = inc.check;
  o["dedup_key"] = inc.dedup_key;
  o["severity"] = inc.severity;
  o["urgency"] = std::string(incident::to_string(inc.urgency));
  o["status"] = std::string(incident::to_string(inc.status));
  o["started_at"] = format_rfc3339(inc.started_at);
  o["detected_at"] = format_rfc3339(inc.detected_at);
  o["acknowledged_at"] = time_or_null(inc.acknowledged_at);
  o["resolved_at"] = time_or_null(inc.resolved_at);
  o["resolved_by"] = inc.resolved_by.empty() ? json::value(nullptr) : json::value(inc.resolved_by);
  json::array assignees;
  for (const auto& id : inc.assignees) assignees.push_back(json::string(id));
  o["assignees"] = std::move(assignees);
  if (with_timeline) {
    json::array tl;
    for (const auto& e : inc.timeline) {
      tl.push_back(json::object{{"seq", e.seq}, {"at", format_rfc3339(e.at)}, {"kind", e.kind},
                                {"actor", e.actor}, {"text", e.text}});
    }
    o["timeline"] = std::move(tl);
  }
  return o;
}

json::object service_object(const ServiceStatus& s) {
  json::array checks;
  bool up = true;
  for (const auto& c : s.checks) {
    up = up && c.up;
    // Durations in seconds, as Prometheus does; the condition language writes them 800ms.
    json::object figures;
    for (const auto& [name, v] : c.figures) {
      if (const auto* d = std::get_if<double>(&v)) figures[name] = *d;
      else if (const auto* t = std::get_if<Duration>(&v)) figures[name] = std::chrono::duration<double>(*t).count();
      else figures[name] = std::get<std::string>(v);
    }
    checks.push_back(json::object{
        {"figures", std::move(figures)},
        {"name", c.name}, {"type", c.type}, {"target", c.target}, {"interval", c.interval},
        {"up", c.up}, {"alerting", c.alerting}, {"last_checked_at", time_or_null(c.last_checked_at)},
        {"last_status", c.last_status}, {"last_response_seconds", c.last_response_seconds},
        {"last_error", c.last_error}, {"consecutive_failures", c.consecutive_failures}});
  }
  json::array open;
  for (auto id : s.open_incidents) open.push_back(id);
  return json::object{{"name", s.name},   {"description", s.description}, {"status", up ? "up" : "down"},
                      {"checks", checks}, {"open_incidents", open}, {"open_incident_count", s.open_incident_count},
                      {"maintenance_until", time_or_null(s.maintenance_until)},
                      {"urgency", json::object{{"now", s.urgency},
                                               {"why", s.urgency_why.empty() ? json::value(nullptr) : json::value(s.urgency_why)},
                                               {"until", time_or_null(s.urgency_until)}}}};
}

Response json_ok(const json::value& v, int status = 200) {
  Response r;
  r.status = status;
  r.body = json::serialize(v);
  r.body += '\n';
  return r;
}

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response method_not_allowed(std::string_view allow) {
  Response r = json_error(405, "method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

// Body of acknowledge/resolve/notes: optional JSON object with string fields.
struct ActionBody {
  std::string actor = "api";
  std::string note;
};
std::variant<ActionBody, Response> parse_action(const Request& req, const char* text_field, bool text_required) {
  ActionBody body;
  if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec) return json_error(400, "request body is not valid JSON: " + ec.message(), "body");
    if (!v.is_object()) return json_error(400, "request body must be a JSON object", "body");
    for (const auto& [k, val] : v.as_object()) {
      if (k != "actor" && k != text_field)
        return json_error(400, "unknown field \"" + std::string(k) + "\"", std::string(k));
      if (!val.is_string()) return json_error(400, "must be a string", std::string(k));
      if (k == "actor") body.actor = std::string(val.as_string());
      else body.note = std::string(val.as_string());
    }
  }
  // Authenticated callers act as themselves: the timeline must not say whatever a body claims.
  if (req.principal) body.actor = req.principal->user;
  if (body.actor.empty()) return json_error(400, "must not be empty", "actor");
  if (text_required && body.note.empty()) return json_error(400, "is required", text_field);
  if (body.note.size() > 16 * 1024) return json_error(400, "longer than 16384 bytes", text_field);
  return body;
}

Reply<incident::Incident> reply_incident(Respond respond, int ok_status = 200) {
  return [respond = std::move(respond), ok_status](std::variant<incident::Incident, Failure> r) {
    if (auto* f = std::get_if<Failure>(&r))
      return respond(json_error(f->status, f->message, f->field.empty() ? "id" : f->field));
    respond(json_ok(incident_object(std::get<incident::Incident>(r), true), ok_status));
  };
}

class Router {
 public:
  explicit Router(Backend& b) : b_(b) {}

  void operator()(Request req, Respond respond) {
    const auto parts = split_path(req.path);
    const bool get = req.method == "GET" || req.method == "HEAD";
    const bool post = req.method == "POST";

    if (req.path == "/-/healthy") return respond(get ? text(200, "vigil is Healthy.\n") : method_not_allowed("GET"));
    if (req.path == "/-/ready") {
      if (!get) return respond(method_not_allowed("GET"));
      return respond(b_.ready() ? text(200, "vigil is Ready.\n") : text(503, "vigil is not ready.\n"));
    }
    if (req.path == "/-/reload") {
      if (!post && req.method != "PUT") return respond(method_not_allowed("POST, PUT"));
      auto errors = b_.reload();
      if (errors.empty()) return respond(json_ok(json::object{{"status", "success"}}));
      json::array arr;
      for (auto& e : errors) arr.push_back(json::string(e));
      return respond(json_ok(json::object{{"error", "config is invalid; the running config is kept"}, {"errors", arr}}, 400));
    }
    if (req.path == "/metrics") {
      if (!get) return respond(method_not_allowed("GET"));
      Response r = text(200, b_.metrics());
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return respond(std::move(r));
    }
    if (req.path == "/v2/enqueue") {
      if (!post) return respond(method_not_allowed("POST"));
      return b_.events_v2(req, std::move(respond));
    }
    if ((parts.size() == 2 || parts.size() == 3) && parts[0] == "ping") {
      if (!get && !post) return respond(method_not_allowed("GET, POST, HEAD"));
      return b_.ping(req, std::string(parts[1]), parts.size() == 3 ? std::string(parts[2]) : std::string(), std::move(respond));
    }
    if (parts.size() == 2 && parts[0] == "a") {
      if (!get && !post) return respond(method_not_allowed("GET, POST"));
      return b_.action_link(req, std::string(parts[1]), std::move(respond));
    }
    if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1") return respond(json_error(404, "no such route"));
    if (parts[2] == "oncall" && parts.size() == 3) {
      if (!get) return respond(method_not_allowed("GET"));
      return b_.oncall(req, std::move(respond));
    }
    if (parts[2] == "schedules") {
      // Overrides are made and removed here; everything else about schedules is read-only.
      const bool overrides = parts.size() >= 5 && parts[4] == "overrides";
      if (!get && !(overrides && (post || req.method == "DELETE")))
        return respond(method_not_allowed(overrides ? "GET, POST, DELETE" : "GET"));
      return b_.schedules(req, std::vector<std::string>(parts.begin() + 3, parts.end()), std::move(respond));
    }
    if (parts[2] == "maintenance" && parts.size() <= 4) {
      const bool one = parts.size() == 4;
      if (!get && !(one ? req.method == "DELETE" : post)) return respond(method_not_allowed(one ? "GET, DELETE" : "GET, POST"));
      return b_.maintenance(req, std::vector<std::string>(parts.begin() + 3, parts.end()), std::move(respond));
    }
    if (parts[2] == "integrations" && parts.size() == 5 && parts[4] == "alertmanager") {
      if (!post) return respond(method_not_allowed("POST"));
      return b_.alertmanager(std::string(parts[3]), req, std::move(respond));
    }

    if (route_postmortems(b_.postmortems(), req, parts, respond)) return;
    if (parts[2] == "services") return services(req, parts, get, std::move(respond));
    if (parts[2] == "incidents") return incidents(req, parts, get, post, std::move(respond));
    respond(json_error(404, "no such route"));
  }

 private:
  void services(const Request& req, const std::vector<std::string_view>& parts, bool get, Respond respond) {
    if (!get) return respond(method_not_allowed("GET"));
    auto all = b_.services();
    if (parts.size() == 3) {
      json::array arr;
      for (const auto& s : all) arr.push_back(service_object(s));
      return respond(json_ok(json::object{{"services", arr}}));
    }
    if (parts.size() == 4) {
      for (const auto& s : all)
        if (s.name == parts[3]) return respond(json_ok(service_object(s)));
      return respond(json_error(404, "no such service", "name"));
    }
    respond(json_error(404, "no such route"));
  }

  void incidents(const Request& req, const std::vector<std::string_view>& parts, bool get, bool post,
                 Respond respond) {
    if (parts.size() == 3) {
      if (!get) return respond(method_not_allowed("GET"));
      store::IncidentFilter filter;
      if (auto it = req.query.find("status"); it != req.query.end()) {
        if (it->second == "open") filter.open = true;
        else if (it->second == "resolved") filter.open = false;
        else if (it->second != "all") return respond(json_error(400, "must be open, resolved or all", "status"));
      }
      if (auto it = req.query.find("service"); it != req.query.end()) filter.service = it->second;
      if (auto it = req.query.find("limit"); it != req.query.end()) {
        auto n = parse_id(it->second);
        if (!n || *n > 10000) return respond(json_error(400, "must be an integer from 1 to 10000", "limit"));
        filter.limit = static_cast<int>(*n);
      }
      return b_.list_incidents(filter, [respond](std::variant<std::vector<incident::Incident>, Failure> r) {
        if (auto* f = std::get_if<Failure>(&r)) return respond(json_error(f->status, f->message));
        json::array arr;
        for (const auto& inc : std::get<0>(r)) arr.push_back(incident_object(inc, false));
        respond(json_ok(json::object{{"incidents", arr}}));
      });
    }
    auto id = parse_id(parts[3]);
    if (!id) return respond(json_error(400, "incident id must be a positive integer", "id"));
    if (parts.size() == 4) {
      if (!get) return respond(method_not_allowed("GET"));
      return b_.get_incident(*id, reply_incident(std::move(respond)));
    }
    if (parts.size() == 6 && parts[4] == "runbooks") {
      if (!post) return respond(method_not_allowed("POST"));
      auto body = parse_action(req, "note", false);
      if (auto* err = std::get_if<Response>(&body)) return respond(std::move(*err));
      return b_.run_runbook(*id, std::string(parts[5]), std::get<ActionBody>(body).actor, std::move(respond));
    }
    if (parts.size() != 5) return respond(json_error(404, "no such route"));
    const std::string_view action = parts[4];
    if (action != "acknowledge" && action != "resolve" && action != "notes" && action != "escalate" &&
        action != "reassign" && action != "urgency")
      return respond(json_error(404, "no such route"));
    if (!post) return respond(method_not_allowed("POST"));
    const bool is_note = action == "notes", is_reassign = action == "reassign", is_urgency = action == "urgency";
    auto body = parse_action(req, is_note ? "text" : is_reassign ? "user" : is_urgency ? "urgency" : "note",
                             is_note || is_reassign || is_urgency);
    if (auto* err = std::get_if<Response>(&body)) return respond(std::move(*err));
    auto& b = std::get<ActionBody>(body);
    if (is_urgency) {
      auto urgency = incident::parse_urgency(b.note);
      if (!urgency) return respond(json_error(400, "must be \"high\" or \"low\"", "urgency"));
      return b_.set_urgency(*id, *urgency, b.actor, reply_incident(std::move(respond)));
    }
    if (action == "acknowledge") return b_.acknowledge(*id, b.actor, b.note, reply_incident(std::move(respond)));
    if (action == "resolve") return b_.resolve(*id, b.actor, b.note, reply_incident(std::move(respond)));
    if (action == "escalate") return b_.escalate_now(*id, b.actor, reply_incident(std::move(respond)));
    if (is_reassign) return b_.reassign(*id, b.note, b.actor, reply_incident(std::move(respond)));
    b_.add_note(*id, b.actor, b.note, reply_incident(std::move(respond), 201));
  }

  Backend& b_;
};

}  // namespace

Handler make_api(Backend& backend) {
  auto router = std::make_shared<Router>(backend);
  return [router](Request req, Respond respond) { (*router)(std::move(req), std::move(respond)); };
}

std::string incident_json(const incident::Incident& inc, bool with_timeline) {
  return json::serialize(incident_object(inc, with_timeline));
}

}  // namespace vigil::web
