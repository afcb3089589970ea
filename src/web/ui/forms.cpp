// The UI's form endpoints: a POST from a page becomes one Backend (or API) call, then a 303
// back to the page, so the browser's back button and reload never resubmit. The actor is the
// signed-in user ("web" when authentication is off). CSRF is checked by auth before this.
#include <boost/json.hpp>

#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace {

std::string actor_of(const Request& req) { return req.principal ? req.principal->user : "web"; }

Reply<incident::Incident> back_to(const Request& req, std::string page, Respond respond) {
  return [req, page = std::move(page), respond](std::variant<incident::Incident, Failure> r) {
    if (auto* f = std::get_if<Failure>(&r)) return respond(error_page(req, f->status, f->message, page));
    respond(see_other(page));
  };
}

// The JSON API's own answer, turned into a page: its error message, or a redirect.
std::function<void(Response)> api_back_to(const Request& req, std::string page, Respond respond) {
  return [req, page = std::move(page), respond](Response r) {
    if (r.status < 400) return respond(see_other(page));
    std::string message = r.body;
    if (auto at = message.find("\"error\":\""); at != std::string::npos) {
      message = message.substr(at + 9);
      message = message.substr(0, message.find('"'));
    }
    respond(error_page(req, r.status, message, page));
  };
}

}  // namespace

void call_api(Deps& d, const Request& from, std::string method, std::string target, std::string body,
              std::function<void(Response)> then) {
  Request r;
  r.method = std::move(method);
  r.target = target;
  const auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(target).substr(q + 1);
    while (!rest.empty()) {
      auto amp = rest.find('&');
      auto kv = rest.substr(0, amp);
      auto eq = kv.find('=');
      r.query.emplace(std::string(kv.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1)));
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    }
  }
  r.headers = {{"content-type", "application/json"}, {"accept", "application/json"}};
  r.body = std::move(body);
  r.remote = from.remote;
  r.principal = from.principal;
  d.api(std::move(r), [then = std::move(then)](Response res) { then(std::move(res)); });
}

void incident_form(Deps& d, Request req, std::int64_t id, std::string action, Respond respond) {
  const std::string page = "/incidents/" + std::to_string(id);
  const std::string actor = actor_of(req);
  auto& b = d.backend;
  if (action == "acknowledge") return b.acknowledge(id, actor, "", back_to(req, page, respond));
  if (action == "escalate") return b.escalate_now(id, actor, back_to(req, page, respond));
  if (action == "urgency") {
    const auto q = req.query.find("to");  // the button's action says which way
    auto to = incident::parse_urgency(q == req.query.end() ? "" : q->second);
    if (!to) return respond(error_page(req, 400, "Urgency is high or low.", page));
    return b.set_urgency(id, *to, actor, back_to(req, page, respond));
  }
  if (action == "reassign") return b.reassign(id, form_field(req, "user").value_or(""), actor, back_to(req, page, respond));
  if (action == "resolve") {
    // The check may have recovered (and resolved it) while the note was being typed: the note
    // is kept on the timeline rather than lost behind an error page.
    const std::string note = form_field(req, "note").value_or("");
    auto back = back_to(req, page, respond);
    return b.resolve(id, actor, note, [&b, id, actor, note, back](std::variant<incident::Incident, Failure> r) {
      const auto* f = std::get_if<Failure>(&r);
      if (f && f->status == 409 && note.find_first_not_of(" \t\r\n") != std::string::npos)
        return b.add_note(id, actor, note, back);
      back(std::move(r));
    });
  }
  if (action == "notes") {
    const std::string text = form_field(req, "text").value_or("");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
      return respond(error_page(req, 400, "A note needs some text.", page));
    return b.add_note(id, actor, text, back_to(req, page, respond));
  }
  if (action == "runbook") {
    const std::string name = form_field(req, "runbook").value_or("");
    return b.run_runbook(id, name, actor, api_back_to(req, page, respond));
  }
  // Postmortem edits go through the postmortem API, which owns their validation.
  const std::string pm = page + "/postmortem";
  if (action.rfind("postmortem/sections/", 0) == 0) {
    // An emptied section goes back to the generator (null), as the API defines.
    const std::string text = form_field(req, "markdown").value_or("");
    boost::json::object sections;
    sections[action.substr(20)] = text.find_first_not_of(" \t\r\n") == std::string::npos
                                      ? boost::json::value(nullptr) : boost::json::value(text);
    return call_api(d, req, "PUT", "/api/v1/incidents/" + std::to_string(id) + "/postmortem",
                    boost::json::serialize(boost::json::object{{"sections", std::move(sections)}}),
                    api_back_to(req, pm, respond));
  }
  if (action == "action-items") {
    boost::json::object body{{"incident_id", id}, {"text", form_field(req, "text").value_or("")}};
    for (const char* f : {"owner", "due"})
      if (auto v = form_field(req, f); v && !v->empty()) body[f] = *v;
    return call_api(d, req, "POST", "/api/v1/action-items", boost::json::serialize(body), api_back_to(req, pm, respond));
  }
  if (action.rfind("action-items/", 0) == 0) {
    boost::json::object body{{"status", form_field(req, "status").value_or("done")}};
    return call_api(d, req, "PATCH", "/api/v1/action-items/" + url_encode(action.substr(13)),
                    boost::json::serialize(body), api_back_to(req, pm, respond));
  }
  respond(not_found_page(req, "This action"));
}

namespace {

// The On call page's "From (UTC, empty: now)": <input type=datetime-local> sends
// "2024-08-18T09:00" (seconds only when set).
Result<Time> form_start(const Request& req) {
  auto from = form_field(req, "from");
  if (!from || from->empty()) return now_ms();
  return parse_rfc3339(*from + (from->size() == 16 ? ":00Z" : "Z"));
}

}  // namespace

void oncall_form(Deps& d, Request req, std::string schedule, std::string action, Respond respond) {
  const std::string path = "/api/v1/schedules/" + url_encode(schedule) + "/overrides";
  if (action == "overrides") {
    auto start = form_start(req);
    if (!start.ok()) return respond(error_page(req, 400, "From: " + start.error().message, "/oncall"));
    auto length = parse_duration(form_field(req, "for").value_or(""));
    if (!length.ok()) return respond(error_page(req, 400, "For: " + length.error().message, "/oncall"));
    boost::json::object body{{"user", form_field(req, "user").value_or("")},
                             {"start", format_rfc3339(*start)},
                             {"end", format_rfc3339(*start + *length)},
                             {"actor", actor_of(req)}};
    return call_api(d, req, "POST", path, boost::json::serialize(body), api_back_to(req, "/oncall", respond));
  }
  constexpr std::string_view kDelete = "/delete";
  if (action.rfind("overrides/", 0) == 0 && action.ends_with(kDelete)) {
    const std::string id = action.substr(10, action.size() - 10 - kDelete.size());
    return call_api(d, req, "DELETE", path + "/" + url_encode(id), "", api_back_to(req, "/oncall", respond));
  }
  respond(not_found_page(req, "This action"));
}

void maintenance_form(Deps& d, Request req, std::string action, Respond respond) {
  if (action.empty()) {
    auto start = form_start(req);
    if (!start.ok()) return respond(error_page(req, 400, "From: " + start.error().message, "/oncall"));
    boost::json::array services;
    for (auto& s : form_fields(req, "service")) services.emplace_back(boost::json::string(s));
    // None chosen: the API says so ("at least one service is required", field services).
    boost::json::object body{{"services", std::move(services)},
                             {"start", format_rfc3339(*start)},
                             {"duration", form_field(req, "for").value_or("")},
                             {"description", form_field(req, "description").value_or("")},
                             {"actor", actor_of(req)}};
    return call_api(d, req, "POST", "/api/v1/maintenance", boost::json::serialize(body), api_back_to(req, "/oncall", respond));
  }
  constexpr std::string_view kEnd = "/end";
  if (action.ends_with(kEnd)) {
    const std::string id = action.substr(0, action.size() - kEnd.size());
    return call_api(d, req, "DELETE", "/api/v1/maintenance/" + url_encode(id), "", api_back_to(req, "/oncall", respond));
  }
  respond(not_found_page(req, "This action"));
}

}  // namespace vigil::web::ui
