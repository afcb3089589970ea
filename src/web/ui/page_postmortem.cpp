// GET /incidents/{id}/postmortem — the report as the postmortem API renders it (HTML), a form
// per section to edit its Markdown (a person's text is never overwritten by the generator),
// and the incident's action items with a form to add one and a button to close each.
#include <boost/json.hpp>

#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace json = boost::json;

namespace {

const json::value* field(const json::value& v, std::string_view key) {
  return v.is_object() ? v.as_object().if_contains(key) : nullptr;
}

std::string str(const json::value& v, std::string_view key) {
  const auto* p = field(v, key);
  if (!p) return {};
  if (p->is_string()) return std::string(p->as_string());
  if (p->is_int64()) return std::to_string(p->as_int64());
  return {};
}

// The rendered report's body: the API may answer a whole document; the page keeps what is
// inside <body> (or everything when there is none). Its text is escaped by the renderer.
std::string report_body(const std::string& html) {
  const auto open = html.find("<body");
  if (open == std::string::npos) return html;
  const auto start = html.find('>', open);
  const auto end = html.rfind("</body>");
  if (start == std::string::npos || end == std::string::npos || end < start) return html;
  return html.substr(start + 1, end - start - 1);
}

struct Section {
  std::string key, title, markdown;
  bool edited = false;
};

std::vector<Section> sections_of(const json::value& pm) {
  std::vector<Section> out;
  const auto* s = field(pm, "sections");
  if (!s || !s->is_array()) return out;
  for (const auto& v : s->as_array()) {
    Section sec{str(v, "key"), str(v, "title"), str(v, "markdown"), false};
    if (const auto* e = field(v, "edited"); e && e->is_bool()) sec.edited = e->as_bool();
    if (sec.title.empty()) sec.title = sec.key;
    out.push_back(std::move(sec));
  }
  return out;
}

struct Loaded {
  std::string html;
  json::value pm;
  json::array items;
};

void render(const Request& req, std::int64_t id, const Loaded& l, Respond respond) {
  const std::string base = "/incidents/" + std::to_string(id);
  Html h;
  h.open("nav", {{"class", "crumbs"}, {"aria-label", "Breadcrumb"}})
      .leaf("a", {{"href", "/incidents"}}, "Incidents").text(" › ")
      .leaf("a", {{"href", base}}, "#" + std::to_string(id)).close("nav");
  h.leaf("h1", "Postmortem of incident #" + std::to_string(id));
  h.open("article", {{"class", "report"}, {"aria-label", "Report"}});
  if (l.html.empty()) h.leaf("p", {{"class", "muted"}}, "The report is not available.");
  else h.trusted(Trusted{report_body(l.html)});
  h.close("article");

  const auto sections = sections_of(l.pm);
  if (!sections.empty()) {
    h.open("section", {{"aria-labelledby", "edit-h"}});
    h.leaf("h2", {{"id", "edit-h"}}, "Edit sections");
    for (const auto& s : sections) {
      h.open("details", {{"class", "edit"}});
      h.leaf("summary", s.title + (s.edited ? " (edited)" : " (generated)"));
      h.open("form", {{"method", "post"}, {"action", base + "/postmortem/sections/" + url_encode(s.key)}, {"class", "stack"}});
      csrf_field(h, req);
      const std::string fid = "sec-" + s.key;
      h.leaf("label", {{"for", fid}}, s.title + " (Markdown)");
      h.leaf("textarea", {{"id", fid}, {"name", "markdown"}, {"rows", "8"}}, s.markdown);
      h.leaf("button", {{"type", "submit"}}, "Save " + s.title);
      h.close("form").close("details");
    }
    h.close("section");
  }

  h.open("section", {{"aria-labelledby", "ai-h"}});
  h.leaf("h2", {{"id", "ai-h"}}, "Action items");
  if (l.items.empty()) h.leaf("p", {{"class", "muted"}}, "None yet.");
  h.open("ul", {{"class", "items"}});
  for (const auto& it : l.items) {
    const bool done = str(it, "status") == "done";
    h.open("li", {{"?class", done ? "done" : ""}});
    h.leaf("span", {{"class", "item-text"}}, str(it, "text"));
    if (const auto owner = str(it, "owner"); !owner.empty()) h.leaf("span", {{"class", "muted"}}, " · " + owner);
    if (const auto due = str(it, "due"); !due.empty()) h.leaf("span", {{"class", "muted"}}, " · due " + due);
    h.open("form", {{"method", "post"}, {"action", base + "/action-items/" + str(it, "id")}, {"class", "inline"}});
    csrf_field(h, req);
    h.empty("input", {{"type", "hidden"}, {"name", "status"}, {"value", done ? "open" : "done"}});
    h.leaf("button", {{"type", "submit"}, {"class", "small"}}, done ? "Reopen" : "Mark done");
    h.close("form").close("li");
  }
  h.close("ul");
  h.open("form", {{"method", "post"}, {"action", base + "/action-items"}, {"class", "stack"}});
  csrf_field(h, req);
  h.leaf("label", {{"for", "ai-text"}}, "New action item");
  h.empty("input", {{"id", "ai-text"}, {"name", "text"}, {"type", "text"}, {"?required", "required"}});
  h.leaf("label", {{"for", "ai-owner"}}, "Owner");
  h.empty("input", {{"id", "ai-owner"}, {"name", "owner"}, {"type", "text"}});
  h.leaf("label", {{"for", "ai-due"}}, "Due");
  h.empty("input", {{"id", "ai-due"}, {"name", "due"}, {"type", "date"}});
  h.leaf("button", {{"type", "submit"}}, "Add action item");
  h.close("form");
  h.close("section");
  respond(html_response(page(req, "Postmortem #" + std::to_string(id), "incidents", h)));
}

}  // namespace

void postmortem_page(Deps& d, Request req, std::int64_t id, Respond respond) {
  const std::string api = "/api/v1/incidents/" + std::to_string(id) + "/postmortem";
  auto l = std::make_shared<Loaded>();
  call_api(d, req, "GET", api + "?format=html", "", [&d, req, id, api, l, respond](Response r) {
    if (r.status == 404) return respond(not_found_page(req, "This incident"));
    if (r.status == 200) l->html = std::move(r.body);
    // The JSON form carries the sections' Markdown and the incident's action items.
    call_api(d, req, "GET", api, "", [req, id, l, respond](Response r) {
      boost::system::error_code ec;
      if (r.status == 200) l->pm = json::parse(r.body, ec);
      if (const auto* a = field(l->pm, "action_items"); a && a->is_array()) l->items = a->as_array();
      render(req, id, *l, respond);
    });
  });
}

}  // namespace vigil::web::ui
