// GET /oncall — per schedule: who is on call now, the next shifts, the overrides with a form to
// make one (someone takes the pager for a while) or remove one, and the final schedule (layers,
// restrictions and overrides applied) as a week view from today, in UTC. The data is the
// on-call API's own (GET /api/v1/oncall, /api/v1/schedules/{name}/shifts and /overrides); the
// forms post to /oncall/{name}/overrides (forms.cpp).
#include <boost/json.hpp>
#include <algorithm>
#include <date/date.h>

#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace json = boost::json;

namespace {

std::string str(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : std::string();
}

std::string user_name(const json::value& shift_or_entry) {
  const auto* u = shift_or_entry.is_object() ? shift_or_entry.as_object().if_contains("user") : nullptr;
  if (!u || !u->is_object()) return "nobody";
  return str(*u, "name");
}

Time time_of(const json::value& v, std::string_view key) {
  auto t = parse_rfc3339(str(v, key));
  return t.ok() ? *t : Time{};
}

// The array `key` of an API answer; empty when the answer is not one (the page still renders).
json::array array_of(const Response& r, std::string_view key) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return {};
  const auto* a = v.as_object().if_contains(key);
  return a && a->is_array() ? a->as_array() : json::array{};
}

std::string hhmm(Time t) { return date::format("%H:%M", std::chrono::time_point_cast<std::chrono::minutes>(t)); }

struct Schedule {
  json::value now;  // the /api/v1/oncall entry
  json::array shifts;
  json::array overrides;  // not ended, the config's and the API's, in the order they stack
};

// Lengths offered for a new override, as the API's durations.
constexpr std::pair<std::string_view, std::string_view> kLengths[] = {
    {"1h", "1 hour"}, {"4h", "4 hours"}, {"8h", "8 hours"}, {"12h", "12 hours"},
    {"24h", "1 day"}, {"72h", "3 days"}, {"168h", "1 week"}};

void overrides_section(Html& h, const Request& req, const std::string& name, const json::array& overrides,
                       const std::vector<Backend::UserRef>& users) {
  const std::string base = "/oncall/" + url_encode(name) + "/overrides";
  h.leaf("h3", "Overrides");
  h.open("ul", {{"class", "overrides"}});
  for (const auto& o : overrides) {
    h.open("li").leaf("strong", user_name(o)).text(" from ");
    time_tag(h, time_of(o, "start"));
    h.text(" to ");
    time_tag(h, time_of(o, "end"));
    if (str(o, "source") == "config") {
      h.leaf("span", {{"class", "muted"}}, " (in the config)");
    } else {
      h.text(" by " + str(o, "created_by") + " ");
      const auto& id = o.as_object().at("id");
      if (id.is_int64()) button_form(h, req, base + "/" + std::to_string(id.as_int64()) + "/delete", "Remove");
    }
    h.close("li");
  }
  if (overrides.empty()) h.leaf("li", {{"class", "muted"}}, "none");
  h.close("ul");
  if (users.empty()) return;
  const std::string id = "override-" + name;
  h.open("form", {{"method", "post"}, {"action", base}, {"class", "stack"}, {"aria-label", "Override " + name}});
  csrf_field(h, req);
  h.leaf("label", {{"for", id + "-user"}}, "On call instead");
  h.open("select", {{"id", id + "-user"}, {"name", "user"}});
  for (const auto& u : users) h.leaf("option", {{"value", u.id}}, u.name == u.id ? u.id : u.name + " (" + u.id + ")");
  h.close("select");
  h.leaf("label", {{"for", id + "-from"}}, "From (UTC, empty: now)");
  h.empty("input", {{"id", id + "-from"}, {"name", "from"}, {"type", "datetime-local"}});
  h.leaf("label", {{"for", id + "-for"}}, "For");
  h.open("select", {{"id", id + "-for"}, {"name", "for"}});
  for (const auto& [value, label] : kLengths)
    h.leaf("option", {{"value", std::string(value)}, {"?selected", value == "8h" ? "selected" : ""}}, std::string(label));
  h.close("select");
  h.leaf("button", {{"type", "submit"}}, "Take the pager");
  h.close("form");
}

// Maintenance windows in progress or scheduled, each with an End button, and a form to start
// one for one or more services. Posts to /maintenance (forms.cpp).
void maintenance_section(Html& h, const Request& req, const json::array& windows, const std::vector<ServiceStatus>& services) {
  h.open("section", {{"class", "maintenance"}, {"aria-label", "Maintenance"}});
  h.leaf("h2", "Maintenance");
  h.open("ul", {{"class", "windows"}});
  for (const auto& w : windows) {
    std::string names;
    for (const auto& s : w.as_object().at("services").as_array()) names += (names.empty() ? "" : ", ") + std::string(s.as_string());
    h.open("li").leaf("strong", names).text(str(w, "state") == "scheduled" ? " from " : " since ");
    time_tag(h, time_of(w, "start"));
    h.text(" to ");
    time_tag(h, time_of(w, "end"));
    if (!str(w, "description").empty()) h.text(": " + str(w, "description"));
    if (const auto& id = w.as_object().at("id"); id.is_int64()) {
      h.text(" by " + str(w, "created_by") + " ");
      button_form(h, req, "/maintenance/" + std::to_string(id.as_int64()) + "/end",
                  str(w, "state") == "scheduled" ? "Cancel" : "End now");
    } else {  // an occurrence of a recurring window: the config says when, the config changes it
      h.text(" (recurring: " + str(w, "recurring") + ", from the config)");
    }
    h.close("li");
  }
  if (windows.empty()) h.leaf("li", {{"class", "muted"}}, "none: every service pages as usual");
  h.close("ul");
  if (services.empty()) return h.close("section"), void();
  h.open("form", {{"method", "post"}, {"action", "/maintenance"}, {"class", "stack"}, {"aria-label", "Start maintenance"}});
  csrf_field(h, req);
  h.leaf("label", {{"for", "maintenance-service"}}, "Services (Ctrl or ⌘ to choose several)");
  h.open("select", {{"id", "maintenance-service"}, {"name", "service"}, {"multiple", "multiple"},
                    {"size", std::to_string(std::min<std::size_t>(services.size(), 6))}, {"required", "required"}});
  for (const auto& s : services) h.leaf("option", {{"value", s.name}}, s.name);
  h.close("select");
  h.leaf("label", {{"for", "maintenance-from"}}, "From (UTC, empty: now)");
  h.empty("input", {{"id", "maintenance-from"}, {"name", "from"}, {"type", "datetime-local"}});
  h.leaf("label", {{"for", "maintenance-for"}}, "For");
  h.open("select", {{"id", "maintenance-for"}, {"name", "for"}});
  for (const auto& [value, label] : kLengths)
    h.leaf("option", {{"value", std::string(value)}, {"?selected", value == "1h" ? "selected" : ""}}, std::string(label));
  h.close("select");
  h.leaf("label", {{"for", "maintenance-description"}}, "What the work is");
  h.empty("input", {{"id", "maintenance-description"}, {"name", "description"}, {"type", "text"}, {"maxlength", "4096"}});
  h.leaf("p", {{"class", "muted"}}, "Incidents opened meanwhile page nobody; those still open at the end are paged then.");
  h.leaf("button", {{"type", "submit"}}, "Start maintenance");
  h.close("form");
  h.close("section");
}

void render(const Request& req, const std::vector<Schedule>& schedules, const std::vector<Backend::UserRef>& users,
            const json::array& windows, const std::vector<ServiceStatus>& services, Time day0, Respond respond) {
  const Time now = now_ms();
  Html h;
  h.leaf("h1", "On call");
  maintenance_section(h, req, windows, services);
  if (schedules.empty()) h.leaf("p", {{"class", "empty"}}, "No schedules are configured.");
  for (const auto& s : schedules) {
    const std::string name = str(s.now, "schedule");
    h.open("section", {{"class", "schedule"}, {"aria-label", "Schedule " + name}});
    h.leaf("h2", name);
    h.open("p", {{"class", "oncall-now"}}).text("On call now: ").leaf("strong", user_name(s.now));
    if (const auto* sh = s.now.as_object().if_contains("shift")) {
      h.text(" until ");
      time_tag(h, time_of(*sh, "end"));
    }
    h.close("p");
    h.leaf("h3", "Next shifts");
    h.open("ol", {{"class", "shifts"}});
    int shown = 0;
    for (const auto& sh : s.shifts) {
      if (time_of(sh, "start") <= now || shown >= 5) continue;
      ++shown;
      h.open("li").leaf("strong", user_name(sh)).text(" from ");
      time_tag(h, time_of(sh, "start"));
      h.text(" to ");
      time_tag(h, time_of(sh, "end"));
      h.close("li");
    }
    if (!shown) h.leaf("li", {{"class", "muted"}}, "none in the next 7 days");
    h.close("ol");
    overrides_section(h, req, name, s.overrides, users);
    h.leaf("h3", "This week (UTC)");
    h.open("ol", {{"class", "week"}});
    for (int d = 0; d < 7; ++d) {
      const Time from = day0 + std::chrono::hours(24 * d), to = from + std::chrono::hours(24);
      h.open("li", {{"class", "day"}});
      h.leaf("span", {{"class", "day-name"}},
             date::format("%a %d %b", std::chrono::time_point_cast<date::days>(from)));
      h.open("ul");
      bool any = false;
      for (const auto& sh : s.shifts) {
        const Time a = std::max(from, time_of(sh, "start")), b = std::min(to, time_of(sh, "end"));
        if (a >= b) continue;
        any = true;
        h.open("li", {{"?class", a <= now && now < b ? "current" : ""}});
        h.leaf("span", {{"class", "hours"}}, hhmm(a) + "–" + (b == to ? std::string("24:00") : hhmm(b)));
        h.text(" " + user_name(sh));
        h.close("li");
      }
      if (!any) h.leaf("li", {{"class", "muted"}}, "nobody");
      h.close("ul").close("li");
    }
    h.close("ol");
    h.close("section");
  }
  respond(html_response(page(req, "On call", "oncall", h)));
}

}  // namespace

void oncall_page(Deps& d, Request req, Respond respond) {
  call_api(d, req, "GET", "/api/v1/oncall", "", [&d, req, respond](Response r) {
    if (r.status != 200) return respond(error_page(req, r.status, "on-call data is not available", "/"));
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("oncall")) return respond(error_page(req, 500, "bad on-call data", "/"));
    auto schedules = std::make_shared<std::vector<Schedule>>();
    for (const auto& e : v.at("oncall").as_array()) schedules->push_back({e, {}});
    const Time day0 = std::chrono::floor<date::days>(now_ms());
    // Shifts and overrides of one schedule after another (all answer on this thread).
    auto next = std::make_shared<std::function<void(std::size_t)>>();
    *next = [&d, req, respond, schedules, day0, next](std::size_t i) {
      if (i == schedules->size()) {
        call_api(d, req, "GET", "/api/v1/maintenance", "", [&d, req, respond, schedules, day0](Response r) {
          render(req, *schedules, d.backend.users(), array_of(r, "windows"), d.backend.services(), day0, respond);
        });
        *next = nullptr;  // break the self-reference
        return;
      }
      const std::string name = str((*schedules)[i].now, "schedule");
      call_api(d, req, "GET",
               "/api/v1/schedules/" + url_encode(name) + "/shifts?from=" + format_rfc3339(day0) +
                   "&to=" + format_rfc3339(day0 + std::chrono::hours(24 * 7)),
               "", [&d, req, name, schedules, i, next](Response r) {
                 (*schedules)[i].shifts = array_of(r, "shifts");
                 call_api(d, req, "GET", "/api/v1/schedules/" + url_encode(name) + "/overrides", "",
                          [schedules, i, next](Response r) {
                            (*schedules)[i].overrides = array_of(r, "overrides");
                            (*next)(i + 1);
                          });
               });
    };
    (*next)(0);
  });
}

}  // namespace vigil::web::ui
