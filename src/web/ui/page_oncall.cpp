// GET /oncall — per schedule: who is on call now, the next shifts, and the final schedule
// (layers, restrictions and overrides applied) as a week view from today, in UTC. The data is
// the on-call API's own (GET /api/v1/oncall, /api/v1/schedules/{name}/shifts).
#include <boost/json.hpp>
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

std::string hhmm(Time t) { return date::format("%H:%M", std::chrono::time_point_cast<std::chrono::minutes>(t)); }

struct Schedule {
  json::value now;  // the /api/v1/oncall entry
  json::array shifts;
};

void render(const Request& req, const std::vector<Schedule>& schedules, Time day0, Respond respond) {
  const Time now = now_ms();
  Html h;
  h.leaf("h1", "On call");
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
    // One shifts request per schedule, one after another (all answer on this thread).
    auto next = std::make_shared<std::function<void(std::size_t)>>();
    *next = [&d, req, respond, schedules, day0, next](std::size_t i) {
      if (i == schedules->size()) {
        render(req, *schedules, day0, respond);
        *next = nullptr;  // break the self-reference
        return;
      }
      const std::string name = str((*schedules)[i].now, "schedule");
      call_api(d, req, "GET",
               "/api/v1/schedules/" + url_encode(name) + "/shifts?from=" + format_rfc3339(day0) +
                   "&to=" + format_rfc3339(day0 + std::chrono::hours(24 * 7)),
               "", [schedules, i, next](Response r) {
                 boost::system::error_code ec;
                 auto v = json::parse(r.body, ec);
                 if (!ec && v.is_object())
                   if (const auto* a = v.as_object().if_contains("shifts"); a && a->is_array())
                     (*schedules)[i].shifts = a->as_array();
                 (*next)(i + 1);
               });
    };
    (*next)(0);
  });
}

}  // namespace vigil::web::ui
