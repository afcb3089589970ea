// GET /incidents — newest first, filtered by status and service (plain GET form, so a filter
// is a link that can be shared).
#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

void incidents_page(Deps& d, Request req, Respond respond) {
  store::IncidentFilter f;
  const std::string status = req.query.count("status") ? req.query.at("status") : "open";
  const std::string service = req.query.count("service") ? req.query.at("service") : "";
  if (status == "open") f.open = true;
  else if (status == "resolved") f.open = false;
  if (!service.empty()) f.service = service;
  f.limit = 200;
  auto services = d.backend.services();
  d.backend.list_incidents(f, [req = std::move(req), status, service, services = std::move(services),
                               users = d.backend.users(), respond](std::variant<std::vector<incident::Incident>, Failure> r) {
    if (auto* e = std::get_if<Failure>(&r)) return respond(error_page(req, 500, e->message, "/"));
    const auto& list = std::get<0>(r);
    const Time now = now_ms();
    Html h;
    h.leaf("h1", "Incidents");
    h.open("form", {{"method", "get"}, {"action", "/incidents"}, {"class", "filters"}, {"role", "search"}});
    h.leaf("label", {{"for", "f-status"}}, "Status");
    h.open("select", {{"id", "f-status"}, {"name", "status"}});
    for (const char* s : {"open", "resolved", "all"})
      h.leaf("option", {{"value", s}, {"?selected", status == s ? "selected" : ""}}, s);
    h.close("select");
    h.leaf("label", {{"for", "f-service"}}, "Service");
    h.open("select", {{"id", "f-service"}, {"name", "service"}});
    h.leaf("option", {{"value", ""}}, "all services");
    for (const auto& s : services)
      h.leaf("option", {{"value", s.name}, {"?selected", service == s.name ? "selected" : ""}}, s.name);
    h.close("select");
    h.leaf("button", {{"type", "submit"}}, "Filter");
    h.close("form");

    h.open("div", {{"id", "incidents"}, {"data-live-region", ""}});
    if (list.empty()) {
      h.leaf("p", {{"class", "empty"}}, status == "open" ? "No open incidents. All quiet." : "No incidents match.");
    } else {
      h.open("table", {{"class", "list"}});
      h.leaf("caption", {{"class", "visually-hidden"}}, "Incidents");
      h.open("thead").open("tr");
      for (const char* col : {"#", "Title", "Service", "Status", "Assigned to", "Started", "Duration"})
        h.leaf("th", {{"scope", "col"}}, col);
      h.close("tr").close("thead").open("tbody");
      for (const auto& inc : list) {
        const std::string href = "/incidents/" + std::to_string(inc.id);
        h.open("tr");
        h.leaf("td", {{"data-label", "#"}, {"class", "num"}}, std::to_string(inc.id));
        h.open("th", {{"scope", "row"}, {"data-label", "Title"}}).leaf("a", {{"href", href}}, inc.title).close("th");
        h.leaf("td", {{"data-label", "Service"}}, inc.service);
        h.open("td", {{"data-label", "Status"}});
        status_badge(h, incident::to_string(inc.status));
        if (inc.urgency == incident::Urgency::low) urgency_badge(h);
        h.close("td");
        h.leaf("td", {{"data-label", "Assigned to"}}, user_names(inc.assignees.list(), users));
        h.open("td", {{"data-label", "Started"}});
        time_tag(h, inc.started_at);
        h.close("td");
        h.leaf("td", {{"data-label", "Duration"}}, span_text(inc.resolved_at.value_or(now) - inc.started_at));
        h.close("tr");
      }
      h.close("tbody").close("table");
      if (list.size() == 200) h.leaf("p", {{"class", "muted"}}, "Showing the newest 200.");
    }
    h.close("div");
    respond(html_response(page(req, "Incidents", "incidents", h)));
  });
}

}  // namespace vigil::web::ui
