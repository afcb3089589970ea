// GET /status — the public status page, served without login: only services marked
// `public: true`, under their public_name, with their current state, 90 days of uptime bars and
// a public summary of each open incident. Nothing else: incident titles are not shown, since a
// check's title carries internal names, addresses and error text ("webserver-01: login: Failed
// to connect to 10.0.0.5 port 80"); the summary says only what state it is in and since when.
#include <cstdio>
#include <map>

#include <date/date.h>

#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace {

constexpr int kDays = 90;

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f%%", v * 100);
  return buf;
}

}  // namespace

void status_page(Deps& d, Request req, Respond respond) {
  std::vector<ServiceStatus> shown;
  for (auto& s : d.backend.services())
    if (s.is_public) shown.push_back(std::move(s));
  store::IncidentFilter open;
  open.open = true;
  open.limit = 10000;
  d.backend.list_incidents(open, [&d, req = std::move(req), shown = std::move(shown),
                                  respond](std::variant<std::vector<incident::Incident>, Failure> r) mutable {
    std::map<std::string, std::vector<std::pair<bool, Time>>> titles;  // acknowledged?, since
    if (auto* v = std::get_if<0>(&r))
      for (const auto& inc : *v)
        titles[inc.service].emplace_back(inc.status == incident::Status::acknowledged, inc.started_at);
    d.backend.daily_uptime(kDays, [req, shown = std::move(shown), titles = std::move(titles),
                                   respond](std::variant<std::map<std::string, std::vector<double>>, Failure> u) {
      std::map<std::string, std::vector<double>> uptime;
      if (auto* v = std::get_if<0>(&u)) uptime = std::move(*v);
      bool all_up = true;
      for (const auto& s : shown)
        all_up = all_up && !titles.count(s.name) &&
                 std::all_of(s.checks.begin(), s.checks.end(), [](const CheckStatus& c) { return c.up; });
      Html h;
      h.leaf("h1", "Service status");
      h.leaf("p", {{"class", all_up ? "banner banner-ok" : "banner banner-down"}, {"role", "status"}},
             all_up ? "All systems operational" : "Some systems are having problems");
      if (shown.empty()) h.leaf("p", {{"class", "muted"}}, "No services are published here.");
      const auto today = std::chrono::floor<date::days>(now_ms());
      for (const auto& s : shown) {
        const std::string name = s.public_name.empty() ? s.name : s.public_name;
        const bool incident = titles.count(s.name) > 0;
        const bool up = !incident && std::all_of(s.checks.begin(), s.checks.end(), [](const CheckStatus& c) { return c.up; });
        h.open("section", {{"class", "status-service"}, {"aria-label", name}});
        h.open("div", {{"class", "status-head"}});
        h.leaf("h2", name);
        h.leaf("span", {{"class", up ? "badge badge-up" : "badge badge-down"}}, up ? "Operational" : "Disrupted");
        h.close("div");
        if (incident) {
          h.open("ul", {{"class", "status-incidents"}});
          for (const auto& [acked, since] : titles.at(s.name)) {
            h.open("li").leaf("strong", acked ? "Identified" : "Investigating");
            h.text(": " + name + " is disrupted, since ");
            time_tag(h, since);
            h.close("li");
          }
          h.close("ul");
        }
        const auto it = uptime.find(s.name);
        if (it != uptime.end() && !it->second.empty()) {
          double sum = 0;
          for (double v : it->second) sum += v;
          double worst = 1;
          for (double v : it->second) worst = std::min(worst, v);
          h.open("ol", {{"class", "bars"},
                        {"aria-label", "Uptime for the last " + std::to_string(kDays) + " days: " +
                                           pct(sum / it->second.size()) + ", worst day " + pct(worst)}});
          const int n = static_cast<int>(it->second.size());
          for (int i = 0; i < n; ++i) {
            const double v = it->second[i];
            const auto day = today - date::days(n - 1 - i);
            const std::string label = date::format("%Y-%m-%d", day) + ": " + pct(v);
            const char* cls = v >= 0.999 ? "bar ok" : v >= 0.99 ? "bar warn" : "bar bad";
            h.leaf("li", {{"class", cls}, {"title", label}}, "");  // the list's label speaks for screen readers
          }
          h.close("ol");
          h.open("p", {{"class", "bars-legend muted"}});
          h.leaf("span", std::to_string(kDays) + " days ago").leaf("span", pct(sum / n) + " uptime").leaf("span", "Today");
          h.close("p");
        }
        h.close("section");
      }
      Response res = html_response(page(req, "Service status", "status", h, true));
      respond(std::move(res));
    });
  });
}

}  // namespace vigil::web::ui
