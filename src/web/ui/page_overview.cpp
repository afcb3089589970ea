// GET / — every service: status, its current incident, 24 h availability and a latency
// sparkline. Problems first; 100 services a page so a 1,000-service fleet stays light.
#include <algorithm>
#include <cstdio>
#include <map>

#include "postmortem/chart.h"
#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace {

constexpr std::size_t kPerPage = 100;

bool service_up(const ServiceStatus& s) {
  return std::all_of(s.checks.begin(), s.checks.end(), [](const CheckStatus& c) { return c.up; });
}

void sparkline(Html& h, const std::vector<HistoryBucket>& buckets, Time now) {
  const Time from = now - std::chrono::hours(24);
  const auto width = std::chrono::hours(24) / Backend::kHistoryBuckets;
  std::vector<postmortem::Point> points;
  for (std::size_t i = 0; i < buckets.size(); ++i)
    if (buckets[i].latency_seconds >= 0)
      points.push_back({from + width * i + width / 2, buckets[i].latency_seconds * 1000});
  if (points.empty()) {
    h.leaf("span", {{"class", "muted"}}, "no data yet");
    return;
  }
  h.open("span", {{"class", "spark"}, {"role", "img"}, {"aria-label", "latency over the last 24 hours"}});
  h.trusted(Trusted{postmortem::sparkline_svg(points, from, now, 120, 24)});
  h.close("span");
}

std::string availability_text(const std::vector<HistoryBucket>& buckets) {
  double sum = 0;
  int n = 0;
  for (const auto& b : buckets)
    if (b.availability >= 0) sum += b.availability, ++n;
  if (n == 0) return "–";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * sum / n);
  return buf;
}

}  // namespace

void overview_page(Deps& d, Request req, Respond respond) {
  auto services = d.backend.services();
  store::IncidentFilter open;
  open.open = true;
  open.limit = 10000;
  d.backend.list_incidents(open, [&d, req = std::move(req), services = std::move(services),
                                  respond](std::variant<std::vector<incident::Incident>, Failure> r) mutable {
    std::map<std::string, const incident::Incident*> current;  // newest open incident per service
    std::vector<incident::Incident> incidents;
    if (auto* v = std::get_if<0>(&r)) incidents = std::move(*v);
    for (const auto& inc : incidents) current.try_emplace(inc.service, &inc);
    const std::string q = req.query.count("q") ? req.query.at("q") : "";
    std::vector<const ServiceStatus*> shown;
    std::size_t down = 0;
    for (const auto& s : services) {
      if (!service_up(s)) ++down;
      if (q.empty() || s.name.find(q) != std::string::npos) shown.push_back(&s);
    }
    std::stable_sort(shown.begin(), shown.end(), [&](const ServiceStatus* a, const ServiceStatus* b) {
      auto rank = [&](const ServiceStatus* s) { return (service_up(*s) ? 2 : 0) + (current.count(s->name) ? 0 : 1); };
      return rank(a) < rank(b);
    });
    std::size_t pageno = 1;
    if (auto it = req.query.find("page"); it != req.query.end()) pageno = std::max(1, std::atoi(it->second.c_str()));
    const std::size_t pages = std::max<std::size_t>(1, (shown.size() + kPerPage - 1) / kPerPage);
    pageno = std::min(pageno, pages);
    const auto history = d.backend.recent_history();
    const Time now = now_ms();

    Html h;
    h.leaf("h1", "Overview");
    h.open("section", {{"class", "summary"}, {"id", "summary"}, {"data-live-region", ""}, {"aria-label", "Summary"}});
    h.open("p");
    h.leaf("strong", std::to_string(services.size())).text(" services · ");
    h.leaf("strong", {{"?class", down ? "text-down" : ""}}, std::to_string(down)).text(" down · ");
    h.leaf("strong", std::to_string(incidents.size())).text(" open incidents");
    h.close("p").close("section");

    h.open("form", {{"method", "get"}, {"action", "/"}, {"class", "filters"}, {"role", "search"}});
    h.leaf("label", {{"for", "q"}}, "Find a service");
    h.empty("input", {{"id", "q"}, {"name", "q"}, {"type", "search"}, {"value", q}});
    h.leaf("button", {{"type", "submit"}}, "Find");
    h.close("form");

    h.open("div", {{"id", "services"}, {"data-live-region", ""}});
    h.open("table", {{"class", "list"}});
    h.leaf("caption", {{"class", "visually-hidden"}}, "Services");
    h.open("thead").open("tr");
    for (const char* col : {"Service", "Status", "Current incident", "24 h availability", "Latency, 24 h"})
      h.leaf("th", {{"scope", "col"}}, col);
    h.close("tr").close("thead").open("tbody");
    const std::size_t first = (pageno - 1) * kPerPage;
    for (std::size_t i = first; i < std::min(shown.size(), first + kPerPage); ++i) {
      const ServiceStatus& s = *shown[i];
      const bool up = service_up(s);
      h.open("tr", {{"?class", up ? "" : "row-down"}});
      h.open("th", {{"scope", "row"}, {"data-label", "Service"}});
      h.leaf("a", {{"href", "/incidents?service=" + url_encode(s.name)}}, s.name);
      if (!s.description.empty()) h.leaf("span", {{"class", "muted block"}}, s.description);
      h.close("th");
      h.open("td", {{"data-label", "Status"}});
      status_badge(h, up ? "up" : "down");
      if (s.maintenance_until) {  // its new incidents page nobody until then
        h.text(" ");
        h.leaf("span", {{"class", "badge badge-maintenance"}, {"title", "until " + format_rfc3339(*s.maintenance_until)}},
               "maintenance");
      }
      if (s.urgency == "low")  // its new incidents tell the first level quietly and do not escalate
        urgency_badge(h, s.urgency_why.empty() ? "new incidents are low urgency"
                                               : s.urgency_why + (s.urgency_until ? ", until " + format_rfc3339(*s.urgency_until) : ""));
      h.close("td");
      h.open("td", {{"data-label", "Current incident"}});
      if (auto it = current.find(s.name); it != current.end()) {
        const auto& inc = *it->second;
        h.leaf("a", {{"href", "/incidents/" + std::to_string(inc.id)}}, "#" + std::to_string(inc.id) + " " + inc.title);
        h.text(" ");
        status_badge(h, incident::to_string(inc.status));
      } else {
        h.leaf("span", {{"class", "muted"}}, "none");
      }
      h.close("td");
      const auto hist = history.find(s.name);
      const std::vector<HistoryBucket> none;
      const auto& buckets = hist == history.end() ? none : hist->second;
      h.leaf("td", {{"data-label", "24 h availability"}, {"class", "num"}}, availability_text(buckets));
      h.open("td", {{"data-label", "Latency, 24 h"}});
      sparkline(h, buckets, now);
      h.close("td");
      h.close("tr");
    }
    if (shown.empty()) h.open("tr").leaf("td", {{"colspan", "5"}}, "No service matches.").close("tr");
    h.close("tbody").close("table");
    if (pages > 1) {
      h.open("nav", {{"class", "pager"}, {"aria-label", "Pages"}});
      for (std::size_t p = 1; p <= pages; ++p) {
        std::string href = "/?page=" + std::to_string(p) + (q.empty() ? "" : "&q=" + url_encode(q));
        h.leaf("a", {{"href", href}, {"?aria-current", p == pageno ? "page" : ""}}, std::to_string(p));
      }
      h.close("nav");
    }
    h.close("div");
    respond(html_response(page(req, "Overview", "overview", h)));
  });
}

}  // namespace vigil::web::ui
