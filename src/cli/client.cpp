#include "cli/client.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include <fmt/ranges.h>

#include "net/http_client.h"

namespace vigil::cli {
namespace json = boost::json;

RawAnswer request(const ServerOptions& s, const std::string& method, const std::string& path, const std::string& body) {
  net::HttpRequest req;
  req.method = method;
  req.url = s.server + path;
  req.body = body;
  req.timeout = 30s;
  req.fresh_connection = true;
  req.max_body = 64 << 20;
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  if (!s.token.empty()) req.headers.emplace_back("Authorization", fmt::format("Bearer {}", s.token));
  auto r = net::fetch_blocking(req);
  RawAnswer a;
  if (!r.reachable) {
    a.error = fmt::format("cannot reach vigil at {}: {}", s.server, r.error);
    return a;
  }
  a.status = r.status;
  a.body = std::move(r.body);
  if (a.status >= 400) {
    boost::system::error_code ec;
    const json::value v = json::parse(a.body, ec);
    const auto* err = !ec && v.is_object() ? v.as_object().if_contains("error") : nullptr;
    a.error = fmt::format("HTTP {}: {}", a.status, err && err->is_string() ? std::string(err->as_string()) : a.body);
    if (const auto* field = !ec && v.is_object() ? v.as_object().if_contains("field") : nullptr;
        field && field->is_string() && !field->as_string().empty())
      a.error += fmt::format(" ({})", std::string(field->as_string()));
  }
  return a;
}

JsonAnswer request_json(const ServerOptions& s, const std::string& method, const std::string& path,
                        const std::string& body) {
  const RawAnswer r = request(s, method, path, body);
  JsonAnswer a;
  a.status = r.status;
  if (!r.error.empty()) {
    a.error = r.error;
    return a;
  }
  if (r.body.empty()) return a;
  boost::system::error_code ec;
  a.body = json::parse(r.body, ec);
  if (ec || !a.body.is_object()) {
    a.body = json::object{};
    a.error = fmt::format("{} {}: the answer is not a JSON object (HTTP {})", method, path, r.status);
  }
  return a;
}

std::variant<json::object, int> call_api(const ServerOptions& s, const std::string& method, const std::string& path,
                                         const std::string& body) {
  JsonAnswer a = request_json(s, method, path, body);
  if (!a.ok()) {
    fmt::print(stderr, "vigil: {}\n", a.error);
    return 1;
  }
  if (s.json && !a.body.as_object().empty()) fmt::print("{}\n", json::serialize(a.body));
  return std::move(a.body.as_object());
}

std::string string_field(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

namespace {

std::string url_encode(const std::string& v) {
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// "alice,bob" from an array of strings ("-" when empty or absent): the incident's assignees.
std::string joined(const json::object& o, const char* key) {
  std::vector<std::string> items;
  if (const auto* a = o.if_contains(key); a && a->is_array())
    for (const auto& v : a->as_array())
      if (v.is_string()) items.emplace_back(v.as_string());
  return items.empty() ? "-" : fmt::format("{}", fmt::join(items, ","));
}

void print_incident(const json::object& inc) {
  fmt::print("Incident #{}  {}\n", inc.at("id").as_int64(), str(inc, "title"));
  fmt::print("  status      {}\n  severity    {}  urgency {}\n  service     {}  check {}\n", str(inc, "status"),
             str(inc, "severity"), str(inc, "urgency"), str(inc, "service"), str(inc, "check"));
  fmt::print("  started     {}\n  detected    {}\n", str(inc, "started_at"), str(inc, "detected_at"));
  if (auto a = str(inc, "acknowledged_at"); !a.empty()) fmt::print("  acknowledged {}\n", a);
  if (auto r = str(inc, "resolved_at"); !r.empty()) fmt::print("  resolved    {} by {}\n", r, str(inc, "resolved_by"));
  if (auto a = joined(inc, "assignees"); a != "-") fmt::print("  assigned to {}\n", a);
  if (const auto* tl = inc.if_contains("timeline"); tl && tl->is_array()) {
    fmt::print("  timeline:\n");
    for (const auto& e : tl->as_array()) {
      const auto& o = e.as_object();
      fmt::print("    {}  {:<14} {:<14} {}\n", str(o, "at"), str(o, "kind"), str(o, "actor"), str(o, "text"));
    }
  }
}

}  // namespace

int list_incidents(const ServerOptions& s, bool open_only, const std::string& service) {
  std::string path = "/api/v1/incidents";
  if (open_only) path += "?status=open";
  if (!service.empty()) path += (open_only ? "&" : "?") + std::string("service=") + service;
  auto a = request_json(s, "GET", path, "");
  if (!a.ok()) {
    fmt::print(stderr, "vigil: {}\n", a.error);
    return 1;
  }
  if (s.json) {
    fmt::print("{}\n", json::serialize(a.body));
    return 0;
  }
  const auto& list = a.body.as_object().at("incidents").as_array();
  if (list.empty()) {
    fmt::print("no {}incidents\n", open_only ? "open " : "");
    return 0;
  }
  fmt::print("{:>5}  {:<12}  {:<8}  {:<24}  {:<24}  {:<12}  {}\n", "ID", "STATUS", "SEVERITY", "STARTED", "SERVICE",
             "ASSIGNED", "TITLE");
  for (const auto& v : list) {
    const auto& o = v.as_object();
    fmt::print("{:>5}  {:<12}  {:<8}  {:<24}  {:<24}  {:<12}  {}\n", o.at("id").as_int64(), str(o, "status"),
               str(o, "severity"), str(o, "started_at"), str(o, "service"), joined(o, "assignees"), str(o, "title"));
  }
  return 0;
}

int show_oncall(const ServerOptions& s, const std::string& at, const std::string& schedule) {
  std::string path = "/api/v1/oncall";
  std::string sep = "?";
  if (!at.empty()) {
    path += sep + "at=" + url_encode(at);
    sep = "&";
  }
  if (!schedule.empty()) path += sep + "schedule=" + url_encode(schedule);
  auto a = request_json(s, "GET", path, "");
  if (!a.ok()) {
    fmt::print(stderr, "vigil: {}\n", a.error);
    return 1;
  }
  if (s.json) {
    fmt::print("{}\n", json::serialize(a.body));
    return 0;
  }
  const auto& o = a.body.as_object();
  fmt::print("On call at {}\n", str(o, "at"));
  const auto& list = o.at("oncall").as_array();
  if (list.empty()) fmt::print("  no schedules configured\n");
  for (const auto& v : list) {
    const auto& e = v.as_object();
    const auto& user = e.at("user");
    if (user.is_null()) {
      fmt::print("  {:<24} nobody\n", str(e, "schedule"));
      continue;
    }
    std::string until;
    if (const auto* sh = e.if_contains("shift"); sh && sh->is_object()) until = " until " + str(sh->as_object(), "end");
    fmt::print("  {:<24} {} ({}){}\n", str(e, "schedule"), str(user.as_object(), "name"), str(user.as_object(), "id"), until);
  }
  if (const auto* pols = o.if_contains("escalation_policies"); pols && pols->is_array() && !pols->as_array().empty()) {
    fmt::print("Escalation policies\n");
    for (const auto& pv : pols->as_array()) {
      const auto& p = pv.as_object();
      fmt::print("  {}\n", str(p, "name"));
      for (const auto& rv : p.at("rules").as_array()) {
        const auto& r = rv.as_object();
        std::vector<std::string> who;
        for (const auto& tv : r.at("targets").as_array()) {
          const auto& t = tv.as_object();
          const auto& u = t.at("user");
          who.push_back(str(t, "target") + " → " + (u.is_null() ? std::string("nobody") : str(u.as_object(), "name")));
        }
        fmt::print("    after {:<6} {}\n", str(r, "after"), fmt::join(who, ", "));
      }
    }
  }
  return 0;
}

int run_runbook(const ServerOptions& s, std::int64_t id, const std::string& name, const std::string& actor) {
  auto a = request_json(s, "POST", fmt::format("/api/v1/incidents/{}/runbooks/{}", id, url_encode(name)),
                json::serialize(json::object{{"actor", actor}}));
  if (!a.ok()) {
    fmt::print(stderr, "vigil: {}\n", a.error);
    return 1;
  }
  if (s.json) {
    fmt::print("{}\n", json::serialize(a.body));
  } else {
    const auto& o = a.body.as_object();
    fmt::print("{}\n", str(o, "description"));
    if (auto out = str(o, "output"); !out.empty()) fmt::print("--- output ---\n{}{}", out, out.back() == '\n' ? "" : "\n");
  }
  const auto* ok = a.body.as_object().if_contains("succeeded");
  return ok && ok->is_bool() && ok->as_bool() ? 0 : 1;
}

int incident_action(const ServerOptions& s, std::int64_t id, const std::string& action, const std::string& actor,
                    const std::string& text) {
  json::object body{{"actor", actor}};
  if (!text.empty())
    body[action == "notes" ? "text" : action == "reassign" ? "user" : action == "urgency" ? "urgency" : "note"] = text;
  auto a = request_json(s, "POST", fmt::format("/api/v1/incidents/{}/{}", id, action), json::serialize(body));
  if (!a.ok()) {
    fmt::print(stderr, "vigil: {}\n", a.error);
    return 1;
  }
  if (s.json) fmt::print("{}\n", json::serialize(a.body));
  else print_incident(a.body.as_object());
  return 0;
}

}  // namespace vigil::cli
