#include "web/postmortem_routes.h"

#include <boost/json.hpp>

#include <charconv>
#include <chrono>

#include "postmortem/draft.h"
#include "postmortem/model.h"
#include "postmortem/render.h"

namespace vigil::web {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxSectionBytes = 64 * 1024;
constexpr std::size_t kMaxItemTextBytes = 4 * 1024;

Response body_response(int status, std::string content_type, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response json_ok(const json::value& v, int status = 200) {
  return body_response(status, "application/json", json::serialize(v) + "\n");
}

Response not_allowed(std::string_view allow) {
  Response r = json_error(405, "method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

json::value seconds_or_null(const std::optional<Duration>& d) {
  if (!d) return nullptr;
  return std::chrono::duration<double>(*d).count();
}
double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// ---- representations ---------------------------------------------------------------------

json::object item_object(const store::ActionItem& a) {
  return json::object{{"id", a.id},
                      {"incident_id", a.incident_id > 0 ? json::value(a.incident_id) : json::value(nullptr)},
                      {"text", a.text},
                      {"owner", a.owner},
                      {"due", a.due.empty() ? json::value(nullptr) : json::value(a.due)},
                      {"status", a.status},
                      {"created_at", format_rfc3339(a.created_at)},
                      {"updated_at", format_rfc3339(a.updated_at)}};
}

json::array items_array(const std::vector<store::ActionItem>& items) {
  json::array arr;
  for (const auto& a : items) arr.push_back(item_object(a));
  return arr;
}

json::object postmortem_object(const PostmortemView& v) {
  json::array sections;
  for (const auto& s : v.pm.sections) {
    sections.push_back(json::object{{"key", s.key},
                                    {"title", std::string(postmortem::section_title(s.key))},
                                    {"markdown", s.markdown},
                                    {"edited", s.edited},
                                    {"edited_by", s.edited ? json::value(s.edited_by) : json::value(nullptr)},
                                    {"updated_at", format_rfc3339(s.updated_at)}});
  }
  const postmortem::Measures m = postmortem::measure(v.facts);
  json::object measures{{"time_to_detect_seconds", seconds(m.time_to_detect)},
                        {"time_to_acknowledge_seconds", seconds_or_null(m.time_to_acknowledge)},
                        {"time_to_mitigate_seconds", seconds_or_null(m.time_to_mitigate)},
                        {"time_to_resolve_seconds", seconds_or_null(m.time_to_resolve)},
                        {"downtime_seconds", seconds_or_null(m.downtime)},
                        {"detection_budget_seconds", seconds(m.detection_budget)},
                        {"failed_checks", m.failed_checks},
                        {"pages", m.pages},
                        {"escalations", m.escalations}};
  json::value traffic = nullptr;
  if (const auto& t = v.facts.traffic) {
    json::array paths;
    for (const auto& [path, n] : t->failed_paths) paths.push_back(json::object{{"path", path}, {"failed", n}});
    traffic = json::object{{"log_path", t->log_path}, {"requests", t->requests},   {"failed", t->failed},
                           {"clients", t->clients},   {"clients_failed", t->clients_failed}, {"failed_paths", paths}};
  }
  const auto& inc = v.facts.incident;
  return json::object{{"incident_id", inc.id},
                      {"title", inc.title},
                      {"service", inc.service},
                      {"status", std::string(incident::to_string(inc.status))},
                      {"time_zone", v.facts.time_zone},
                      {"generated_at", format_rfc3339(v.pm.generated_at)},
                      {"sections", std::move(sections)},
                      {"action_items", items_array(v.facts.action_items)},
                      {"measures", std::move(measures)},
                      {"traffic", std::move(traffic)},
                      {"images", json::array{"images/system.svg", "images/metrics.svg"}}};
}

json::object service_report_object(const postmortem::ServiceReport& s) {
  return json::object{{"service", s.service},
                      {"availability", s.availability},
                      {"availability_percent", s.availability * 100},
                      {"downtime_seconds", seconds(s.downtime)},
                      {"incidents", s.incidents},
                      {"acknowledged", s.acknowledged},
                      {"resolved", s.resolved},
                      {"mtta_seconds", seconds_or_null(s.mtta)},
                      {"low_urgency", s.low_urgency},
                      {"mtta_high_urgency_seconds", seconds_or_null(s.mtta_high_urgency)},
                      {"mttr_seconds", seconds_or_null(s.mttr)},
                      {"pages", s.pages},
                      {"action_items_open", s.action_items_open}};
}

// ---- request bodies ----------------------------------------------------------------------

std::variant<json::object, Response> parse_object(const Request& req) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) return json_error(400, "request body is not valid JSON: " + ec.message(), "body");
  if (!v.is_object()) return json_error(400, "request body must be a JSON object", "body");
  return std::move(v.as_object());
}

bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [&](std::size_t at, std::size_t n, auto& out) {
    auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
    return ec == std::errc() && p == s.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return false;
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}.ok();
}

// The fields of an action item in `o` into `patch`; an error names the field.
std::optional<Response> read_item_fields(const json::object& o, ActionItemPatch& patch) {
  for (const auto& [k, v] : o) {
    const std::string key(k);
    if (key == "incident_id") {
      if (v.is_null()) patch.incident_id = 0;
      else if (v.is_int64() && v.as_int64() > 0) patch.incident_id = v.as_int64();
      else return json_error(400, "must be a positive integer or null", key);
      continue;
    }
    if (key != "text" && key != "owner" && key != "due" && key != "status")
      return json_error(400, "unknown field \"" + key + "\"", key);
    if (key == "due" && v.is_null()) {
      patch.due = "";
      continue;
    }
    if (!v.is_string()) return json_error(400, "must be a string", key);
    std::string s(v.as_string());
    if (s.size() > kMaxItemTextBytes) return json_error(400, "longer than 4096 bytes", key);
    if (key == "text") {
      if (s.find_first_not_of(" \t\r\n") == std::string::npos) return json_error(400, "must not be empty", key);
      patch.text = std::move(s);
    } else if (key == "owner") {
      patch.owner = std::move(s);
    } else if (key == "due") {
      if (!s.empty() && !valid_date(s)) return json_error(400, "must be a date YYYY-MM-DD", key);
      patch.due = std::move(s);
    } else {
      if (s != "open" && s != "done") return json_error(400, "must be open or done", key);
      patch.status = std::move(s);
    }
  }
  return std::nullopt;
}

// ---- answers -----------------------------------------------------------------------------

template <typename T, typename F>
Reply<T> answer(Respond respond, std::string field, F&& ok) {
  return [respond = std::move(respond), field = std::move(field), ok = std::forward<F>(ok)](std::variant<T, Failure> r) {
    if (auto* f = std::get_if<Failure>(&r)) return respond(json_error(f->status, f->message, f->status == 404 ? "id" : field));
    respond(ok(std::get<T>(r)));
  };
}

// GET|PUT /api/v1/incidents/{id}/postmortem[/images/{file}]
void postmortem_routes(PostmortemBackend& b, const Request& req, std::int64_t id,
                       const std::vector<std::string_view>& parts, const Respond& respond) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (parts.size() == 7 && parts[5] == "images") {
    if (!get) return respond(not_allowed("GET"));
    const std::string file(parts[6]);
    return b.postmortem(id, answer<PostmortemView>(respond, "file", [file](const PostmortemView& v) {
      for (const auto& img : postmortem::images(v.facts))
        if (img.file == file) return body_response(200, "image/svg+xml", img.svg);
      return json_error(404, "no such image (system.svg, metrics.svg)", "file");
    }));
  }
  if (parts.size() != 5) return respond(json_error(404, "no such route"));
  if (get) {
    std::string format = "json";
    if (auto it = req.query.find("format"); it != req.query.end()) format = it->second;
    if (format != "json" && format != "md" && format != "html")
      return respond(json_error(400, "must be json, md or html", "format"));
    return b.postmortem(id, answer<PostmortemView>(respond, "id", [format](const PostmortemView& v) {
      if (format == "json") return json_ok(postmortem_object(v));
      const auto imgs = postmortem::images(v.facts);
      if (format == "md") return body_response(200, "text/markdown; charset=utf-8", postmortem::markdown(v.facts, v.pm, imgs));
      return body_response(200, "text/html; charset=utf-8", postmortem::html(v.facts, v.pm, imgs));
    }));
  }
  if (req.method != "PUT") return respond(not_allowed("GET, PUT"));
  auto body = parse_object(req);
  if (auto* err = std::get_if<Response>(&body)) return respond(std::move(*err));
  const auto& o = std::get<json::object>(body);
  std::string actor = "api";
  std::map<std::string, std::optional<std::string>> edits;
  for (const auto& [k, v] : o) {
    if (k == "actor") {
      if (!v.is_string() || v.as_string().empty()) return respond(json_error(400, "must be a non-empty string", "actor"));
      actor = std::string(v.as_string());
      continue;
    }
    if (k != "sections") return respond(json_error(400, "unknown field \"" + std::string(k) + "\"", std::string(k)));
    if (!v.is_object()) return respond(json_error(400, "must be an object of section key → text or null", "sections"));
    for (const auto& [key, text] : v.as_object()) {
      const std::string field = "sections." + std::string(key);
      if (postmortem::section_title(key).empty())
        return respond(json_error(400, "unknown section (summary, timeline, root_cause, corrective, lessons)", field));
      if (text.is_null()) edits[std::string(key)] = std::nullopt;
      else if (!text.is_string()) return respond(json_error(400, "must be a string or null", field));
      else if (text.as_string().size() > kMaxSectionBytes) return respond(json_error(400, "longer than 65536 bytes", field));
      else edits[std::string(key)] = std::string(text.as_string());
    }
  }
  if (!o.contains("sections")) return respond(json_error(400, "is required", "sections"));
  // Who wrote it is who is logged in; the body's actor only speaks when nobody is.
  if (req.principal && !req.principal->user.empty()) actor = req.principal->user;
  b.edit_postmortem(id, std::move(edits), std::move(actor),
                    answer<PostmortemView>(respond, "sections", [](const PostmortemView& v) { return json_ok(postmortem_object(v)); }));
}

// /api/v1/action-items[/{id}]
void action_item_routes(PostmortemBackend& b, const Request& req, const std::vector<std::string_view>& parts,
                        const Respond& respond) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (parts.size() == 3) {
    if (get) {
      store::ActionItemFilter filter;
      if (auto it = req.query.find("incident"); it != req.query.end()) {
        filter.incident_id = parse_id(it->second);
        if (!filter.incident_id) return respond(json_error(400, "must be a positive integer", "incident"));
      }
      if (auto it = req.query.find("status"); it != req.query.end()) {
        if (it->second != "open" && it->second != "done") return respond(json_error(400, "must be open or done", "status"));
        filter.status = it->second;
      }
      if (auto it = req.query.find("owner"); it != req.query.end()) filter.owner = it->second;
      return b.list_action_items(filter, answer<std::vector<store::ActionItem>>(respond, "", [](const auto& items) {
        return json_ok(json::object{{"action_items", items_array(items)}});
      }));
    }
    if (req.method != "POST") return respond(not_allowed("GET, POST"));
    auto body = parse_object(req);
    if (auto* err = std::get_if<Response>(&body)) return respond(std::move(*err));
    ActionItemPatch p;
    if (auto err = read_item_fields(std::get<json::object>(body), p)) return respond(std::move(*err));
    if (!p.text) return respond(json_error(400, "is required", "text"));
    store::ActionItem item;
    item.incident_id = p.incident_id.value_or(0);
    item.text = *p.text;
    item.owner = p.owner.value_or("");
    item.due = p.due.value_or("");
    item.status = p.status.value_or("open");
    return b.create_action_item(std::move(item), answer<store::ActionItem>(respond, "incident_id", [](const auto& a) {
      return json_ok(item_object(a), 201);
    }));
  }
  if (parts.size() != 4) return respond(json_error(404, "no such route"));
  auto id = parse_id(parts[3]);
  if (!id) return respond(json_error(400, "action item id must be a positive integer", "id"));
  auto one = [](const store::ActionItem& a) { return json_ok(item_object(a)); };
  if (get) return b.get_action_item(*id, answer<store::ActionItem>(respond, "id", one));
  if (req.method == "DELETE")
    return b.delete_action_item(*id, answer<bool>(respond, "id", [](bool) { return body_response(204, "application/json", ""); }));
  if (req.method != "PATCH") return respond(not_allowed("GET, PATCH, DELETE"));
  auto body = parse_object(req);
  if (auto* err = std::get_if<Response>(&body)) return respond(std::move(*err));
  ActionItemPatch p;
  if (auto err = read_item_fields(std::get<json::object>(body), p)) return respond(std::move(*err));
  b.update_action_item(*id, std::move(p), answer<store::ActionItem>(respond, "incident_id", one));
}

// GET /api/v1/reports?since=30d | ?from=RFC3339&to=RFC3339
void report_route(PostmortemBackend& b, const Request& req, const Respond& respond) {
  if (req.method != "GET" && req.method != "HEAD") return respond(not_allowed("GET"));
  const Time now = now_ms();
  Time from = now - std::chrono::hours(24 * 30), to = now;
  const auto since = req.query.find("since");
  const auto qfrom = req.query.find("from"), qto = req.query.find("to");
  if (since != req.query.end()) {
    if (qfrom != req.query.end()) return respond(json_error(400, "give either since or from/to, not both", "since"));
    auto d = parse_duration(since->second);
    if (!d.ok() || *d <= Duration{0}) return respond(json_error(400, "must be a positive duration, e.g. 30d", "since"));
    from = now - *d;
  }
  if (qfrom != req.query.end()) {
    auto t = parse_rfc3339(qfrom->second);
    if (!t.ok()) return respond(json_error(400, "must be an RFC 3339 time: " + t.error().message, "from"));
    from = *t;
  }
  if (qto != req.query.end()) {
    auto t = parse_rfc3339(qto->second);
    if (!t.ok()) return respond(json_error(400, "must be an RFC 3339 time: " + t.error().message, "to"));
    to = *t;
  }
  if (to <= from) return respond(json_error(400, "must be after from", "to"));
  b.report(from, to, answer<postmortem::Report>(respond, "", [](const postmortem::Report& r) {
    return body_response(200, "application/json", report_json(r));
  }));
}

}  // namespace

bool route_postmortems(PostmortemBackend* backend, const Request& req, const std::vector<std::string_view>& parts,
                       const Respond& respond) {
  if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1") return false;
  const bool items = parts[2] == "action-items", reports = parts[2] == "reports" && parts.size() == 3;
  const bool pm = parts[2] == "incidents" && parts.size() >= 5 && parts[4] == "postmortem";
  if (!items && !reports && !pm) return false;
  if (!backend) {
    respond(json_error(501, "postmortems are not available"));
    return true;
  }
  if (items) action_item_routes(*backend, req, parts, respond);
  else if (reports) report_route(*backend, req, respond);
  else if (auto id = parse_id(parts[3])) postmortem_routes(*backend, req, *id, parts, respond);
  else respond(json_error(400, "incident id must be a positive integer", "id"));
  return true;
}

std::string report_json(const postmortem::Report& r) {
  json::array services;
  for (const auto& s : r.services) services.push_back(service_report_object(s));
  json::object total = service_report_object(r.total);
  total.erase("service");
  return json::serialize(json::object{{"from", format_rfc3339(r.from)},
                                      {"to", format_rfc3339(r.to)},
                                      {"services", std::move(services)},
                                      {"total", std::move(total)}}) +
         "\n";
}

}  // namespace vigil::web
