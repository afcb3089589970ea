// GET /reports[?days=7|30|90] — availability, incidents, MTTA, MTTR, pages and open action
// items per service, from the reports API (GET /api/v1/reports?from=&to=).
#include <boost/json.hpp>

#include <cstdio>

#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace json = boost::json;

namespace {

std::optional<double> number(const json::value& v, std::initializer_list<std::string_view> keys) {
  if (!v.is_object()) return std::nullopt;
  for (auto k : keys) {
    const auto* p = v.as_object().if_contains(k);
    if (!p) continue;
    if (p->is_double()) return p->as_double();
    if (p->is_int64()) return static_cast<double>(p->as_int64());
    if (p->is_uint64()) return static_cast<double>(p->as_uint64());
  }
  return std::nullopt;
}

std::string percent(std::optional<double> a) {
  if (!a) return "–";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f%%", *a <= 1.0 ? *a * 100 : *a);
  return buf;
}

std::string count(std::optional<double> n) { return n ? std::to_string(static_cast<long long>(*n)) : "–"; }

std::string seconds(std::optional<double> s) {
  if (!s) return "–";
  return span_text(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*s)));
}

void row(Html& h, const json::value& s, std::string_view name, bool total) {
  h.open("tr", {{"?class", total ? "total" : ""}});
  h.leaf("th", {{"scope", "row"}, {"data-label", "Service"}}, name);
  h.leaf("td", {{"data-label", "Availability"}, {"class", "num"}}, percent(number(s, {"availability"})));
  h.leaf("td", {{"data-label", "Downtime"}, {"class", "num"}}, seconds(number(s, {"downtime_seconds", "downtime"})));
  const auto low = number(s, {"low_urgency"});
  h.leaf("td", {{"data-label", "Incidents"}, {"class", "num"}},
         count(number(s, {"incidents"})) + (low && *low > 0 ? " (" + count(low) + " low urgency)" : ""));
  h.leaf("td", {{"data-label", "MTTA"}, {"class", "num"}}, seconds(number(s, {"mtta_seconds", "mtta"})));
  h.leaf("td", {{"data-label", "MTTA, high urgency"}, {"class", "num"}}, seconds(number(s, {"mtta_high_urgency_seconds"})));
  h.leaf("td", {{"data-label", "MTTR"}, {"class", "num"}}, seconds(number(s, {"mttr_seconds", "mttr"})));
  h.leaf("td", {{"data-label", "Pages"}, {"class", "num"}}, count(number(s, {"pages"})));
  h.leaf("td", {{"data-label", "Open action items"}, {"class", "num"}}, count(number(s, {"action_items_open"})));
  h.close("tr");
}

}  // namespace

void reports_page(Deps& d, Request req, Respond respond) {
  int days = 30;
  if (auto it = req.query.find("days"); it != req.query.end()) days = std::clamp(std::atoi(it->second.c_str()), 1, 366);
  const Time to = now_ms(), from = to - std::chrono::hours(24 * days);
  call_api(d, req, "GET", "/api/v1/reports?from=" + format_rfc3339(from) + "&to=" + format_rfc3339(to), "",
           [req, days, respond](Response r) {
             Html h;
             h.leaf("h1", "Reports");
             h.open("nav", {{"class", "filters"}, {"aria-label", "Period"}});
             for (int n : {7, 30, 90})
               h.leaf("a", {{"href", "/reports?days=" + std::to_string(n)}, {"?aria-current", n == days ? "page" : ""}},
                      "Last " + std::to_string(n) + " days");
             h.close("nav");
             boost::system::error_code ec;
             auto v = r.status == 200 ? json::parse(r.body, ec) : json::value();
             const auto* services = v.is_object() ? v.as_object().if_contains("services") : nullptr;
             if (!services || !services->is_array()) {
               h.leaf("p", {{"class", "notice"}}, "Reports are not available (" + std::to_string(r.status) + ").");
             } else {
               h.open("table", {{"class", "list"}});
               h.leaf("caption", "Last " + std::to_string(days) + " days");
               h.open("thead").open("tr");
               for (const char* c : {"Service", "Availability", "Downtime", "Incidents", "MTTA", "MTTA, high urgency", "MTTR", "Pages",
                                   "Open action items"})
                 h.leaf("th", {{"scope", "col"}}, c);
               h.close("tr").close("thead").open("tbody");
               for (const auto& s : services->as_array()) {
                 const auto* name = s.is_object() ? s.as_object().if_contains("service") : nullptr;
                 row(h, s, name && name->is_string() ? std::string_view(name->as_string()) : "?", false);
               }
               if (const auto* t = v.as_object().if_contains("total")) row(h, *t, "All services", true);
               h.close("tbody").close("table");
             }
             respond(html_response(page(req, "Reports", "reports", h)));
           });
}

}  // namespace vigil::web::ui
