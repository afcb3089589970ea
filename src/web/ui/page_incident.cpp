// GET /incidents/{id} — the incident as a responder needs it at 3 a.m.: state and actions at
// the top (acknowledge, escalate, resolve with a note, add a note, run a runbook, reassign), then the
// metrics chart, then the live timeline with evidence folded open on demand.
#include "postmortem/chart.h"
#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace {

// Probes bucketed into at most 60 points per panel: availability (%) and mean latency (ms).
postmortem::ChartSpec chart_spec(const incident::Incident& inc, const std::vector<store::ResultRow>& rows, Time from,
                                 Time to) {
  postmortem::ChartSpec spec;
  spec.title = "Probes of " + inc.service;
  spec.from = from;
  spec.to = to;
  spec.shaded = std::make_pair(inc.started_at, inc.resolved_at.value_or(to));
  postmortem::Series avail{"availability", "%", {}}, latency{"latency", "ms", {}};
  constexpr int kBuckets = 60;
  const Duration width = std::max(Duration(std::chrono::seconds(1)), (to - from) / kBuckets);
  struct Acc {
    int n = 0, passed = 0;
    double ms = 0;
  };
  std::vector<Acc> acc(kBuckets + 1);
  for (const auto& r : rows) {
    const auto i = std::clamp<long>(static_cast<long>((r.at - from) / width), 0, kBuckets);
    acc[i].n++;
    acc[i].passed += r.passed;
    acc[i].ms += std::chrono::duration<double, std::milli>(r.total).count();
  }
  for (int i = 0; i <= kBuckets; ++i) {
    if (!acc[i].n) continue;
    const Time at = from + width * i + width / 2;
    avail.points.push_back({at, 100.0 * acc[i].passed / acc[i].n});
    latency.points.push_back({at, acc[i].ms / acc[i].n});
  }
  spec.panels = {std::move(avail), std::move(latency)};
  for (const auto& e : inc.timeline)
    if (e.kind == "acknowledged" || e.kind == "resolved" || e.kind == "runbook" || e.kind == "paged" ||
        e.kind == "reassigned")
      spec.markers.push_back({e.at, e.kind});
  return spec;
}

void timeline(Html& h, const incident::Incident& inc) {
  h.open("section", {{"aria-labelledby", "tl-h"}});
  h.leaf("h2", {{"id", "tl-h"}}, "Timeline");
  h.open("ol", {{"class", "timeline"}, {"id", "timeline"}, {"data-live-region", ""}});
  for (auto it = inc.timeline.rbegin(); it != inc.timeline.rend(); ++it) {
    const auto& e = *it;
    h.open("li", {{"class", "tl tl-" + e.kind}});
    h.open("div", {{"class", "tl-head"}});
    time_tag(h, e.at);
    h.leaf("span", {{"class", "tl-kind"}}, e.kind);
    h.leaf("span", {{"class", "tl-actor"}}, e.actor);
    h.close("div");
    const bool long_text = e.text.find('\n') != std::string::npos || e.text.size() > 240;
    if (long_text) {
      const auto first = e.text.substr(0, std::min(e.text.find('\n'), std::size_t{120}));
      h.open("details").leaf("summary", first).leaf("pre", e.text).close("details");
    } else {
      h.leaf("p", e.text);
    }
    h.close("li");
  }
  h.close("ol").close("section");
}

void actions(Html& h, const Request& req, const incident::Incident& inc, const ServiceStatus* svc,
             const std::vector<Backend::UserRef>& users) {
  const std::string base = "/incidents/" + std::to_string(inc.id);
  h.open("section", {{"class", "actions"}, {"aria-labelledby", "act-h"}});
  h.leaf("h2", {{"id", "act-h"}, {"class", "visually-hidden"}}, "Actions");
  if (inc.open()) {
    h.open("div", {{"class", "button-row"}});
    if (inc.status == incident::Status::triggered) {
      button_form(h, req, base + "/acknowledge", "Acknowledge", "primary");
      // PagerDuty: a low-urgency incident is not escalated; raising its urgency pages again.
      if (!inc.escalation_policy.empty() && inc.urgency == incident::Urgency::high)
        button_form(h, req, base + "/escalate", "Escalate now");
    }
    const bool low = inc.urgency == incident::Urgency::low;
    button_form(h, req, base + (low ? "/urgency?to=high" : "/urgency?to=low"),
                low ? "Raise to high urgency" : "Lower to low urgency");
    h.close("div");
    h.open("form", {{"method", "post"}, {"action", base + "/resolve"}, {"class", "stack"}});
    csrf_field(h, req);
    h.leaf("label", {{"for", "resolve-note"}}, "Resolution note");
    h.leaf("textarea", {{"id", "resolve-note"}, {"name", "note"}, {"rows", "2"},
                        {"placeholder", "What fixed it?"}}, "");
    h.leaf("button", {{"type", "submit"}}, "Resolve");
    h.close("form");
    if (svc && !svc->runbooks.empty()) {
      h.open("form", {{"method", "post"}, {"action", base + "/runbook"}, {"class", "stack"}});
      csrf_field(h, req);
      h.leaf("label", {{"for", "runbook"}}, "Runbook");
      h.open("select", {{"id", "runbook"}, {"name", "runbook"}});
      for (const auto& rb : svc->runbooks) h.leaf("option", {{"value", rb}}, rb);
      h.close("select");
      h.leaf("button", {{"type", "submit"}}, "Run runbook");
      h.close("form");
    }
    if (!users.empty()) {
      h.open("form", {{"method", "post"}, {"action", base + "/reassign"}, {"class", "stack"}});
      csrf_field(h, req);
      h.leaf("label", {{"for", "reassign-user"}}, "Reassign to");
      h.open("select", {{"id", "reassign-user"}, {"name", "user"}});
      for (const auto& u : users) h.leaf("option", {{"value", u.id}}, u.name == u.id ? u.id : u.name + " (" + u.id + ")");
      h.close("select");
      h.leaf("button", {{"type", "submit"}}, "Reassign");
      h.close("form");
    }
  }
  h.open("form", {{"method", "post"}, {"action", base + "/notes"}, {"class", "stack"}});
  csrf_field(h, req);
  h.leaf("label", {{"for", "note-text"}}, "Add a note");
  h.leaf("textarea", {{"id", "note-text"}, {"name", "text"}, {"rows", "2"}, {"?required", "required"}}, "");
  h.leaf("button", {{"type", "submit"}}, "Add note");
  h.close("form");
  h.close("section");
}

void render(const Request& req, const incident::Incident& inc, const ServiceStatus* svc,
            const std::vector<Backend::UserRef>& users, const std::vector<store::ResultRow>& rows, Time from,
            Time to, Respond respond) {
  Html h;
  h.open("nav", {{"class", "crumbs"}, {"aria-label", "Breadcrumb"}}).leaf("a", {{"href", "/incidents"}}, "Incidents").close("nav");
  h.open("div", {{"id", "incident-head"}, {"data-live-region", ""}});
  h.open("h1").text("#" + std::to_string(inc.id) + " " + inc.title).close("h1");
  h.open("p", {{"class", "meta"}});
  status_badge(h, incident::to_string(inc.status));
  if (inc.urgency == incident::Urgency::low) urgency_badge(h);
  h.text(" " + inc.service + (inc.check.empty() ? "" : " / " + inc.check) + " · " + inc.severity);
  h.close("p");
  h.open("dl", {{"class", "facts"}});
  h.leaf("dt", "Started").open("dd");
  time_tag(h, inc.started_at);
  h.close("dd");
  if (inc.acknowledged_at) {
    h.leaf("dt", "Acknowledged").open("dd");
    time_tag(h, *inc.acknowledged_at);
    h.close("dd");
  }
  if (inc.resolved_at) {
    h.leaf("dt", "Resolved").open("dd");
    time_tag(h, *inc.resolved_at);
    h.text(" by " + inc.resolved_by).close("dd");
  }
  h.leaf("dt", "Duration").leaf("dd", span_text(inc.resolved_at.value_or(now_ms()) - inc.started_at));
  if (!inc.escalation_policy.empty()) h.leaf("dt", "Escalation policy").leaf("dd", inc.escalation_policy);
  if (!inc.assignees.empty())
    h.leaf("dt", "Assigned to").leaf("dd", {{"id", "assignees"}}, user_names(inc.assignees.list(), users));
  h.close("dl");
  h.close("div");
  h.open("div", {{"id", "incident-actions"}, {"data-live-region", ""}});
  actions(h, req, inc, svc, users);
  h.close("div");
  h.open("p").leaf("a", {{"href", "/incidents/" + std::to_string(inc.id) + "/postmortem"}}, "Postmortem").close("p");
  h.open("section", {{"class", "chart"}, {"aria-labelledby", "chart-h"}});
  h.leaf("h2", {{"id", "chart-h"}}, "Metrics");
  if (rows.empty()) {
    h.leaf("p", {{"class", "muted"}}, "No probe results in this window.");
  } else {
    h.open("figure", {{"role", "img"}, {"aria-label", "availability and latency of " + inc.service}});
    h.trusted(Trusted{postmortem::line_chart_svg(chart_spec(inc, rows, from, to))});
    h.close("figure");
  }
  h.close("section");
  timeline(h, inc);
  respond(html_response(page(req, "#" + std::to_string(inc.id) + " " + inc.title, "incidents", h)));
}

}  // namespace

void incident_page(Deps& d, Request req, std::int64_t id, Respond respond) {
  d.backend.get_incident(id, [&d, req = std::move(req), respond](std::variant<incident::Incident, Failure> r) {
    if (auto* f = std::get_if<Failure>(&r))
      return respond(f->status == 404 ? not_found_page(req, "This incident") : error_page(req, f->status, f->message, "/incidents"));
    auto inc = std::make_shared<incident::Incident>(std::move(std::get<0>(r)));
    auto svc = std::make_shared<std::optional<ServiceStatus>>();
    std::vector<std::string> checks;
    for (auto& s : d.backend.services()) {
      if (s.name != inc->service) continue;
      for (const auto& c : s.checks) checks.push_back(s.name + "/" + c.name);
      *svc = std::move(s);
    }
    auto users = std::make_shared<std::vector<Backend::UserRef>>(d.backend.users());
    const Time to = std::min(now_ms(), inc->resolved_at.value_or(now_ms()) + std::chrono::minutes(15));
    const Time from = inc->started_at - std::chrono::minutes(30);
    d.backend.results(std::move(checks), from, to,
                      [req, inc, svc, users, from, to, respond](std::variant<std::vector<store::ResultRow>, Failure> rr) {
                        std::vector<store::ResultRow> rows;
                        if (auto* v = std::get_if<0>(&rr)) rows = std::move(*v);
                        render(req, *inc, svc->has_value() ? &**svc : nullptr, *users, rows, from, to, respond);
                      });
  });
}

}  // namespace vigil::web::ui
