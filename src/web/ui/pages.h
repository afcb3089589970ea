// The UI's pages, one file each (page_*.cpp), all server-rendered from the Backend; `api` is
// the JSON API handler, which pages reuse for data whose representation others own (on-call,
// postmortems, reports). Each answers through `respond` exactly once.
#pragma once
#include <cstdint>
#include <string>

#include "web/api.h"

namespace vigil::web::ui {

struct Deps {
  Backend& backend;
  Handler api;
};

void overview_page(Deps& d, Request req, Respond respond);                            // GET /
void incidents_page(Deps& d, Request req, Respond respond);                           // GET /incidents
void incident_page(Deps& d, Request req, std::int64_t id, Respond respond);           // GET /incidents/{id}
void oncall_page(Deps& d, Request req, Respond respond);                              // GET /oncall
void postmortem_page(Deps& d, Request req, std::int64_t id, Respond respond);         // GET /incidents/{id}/postmortem
void reports_page(Deps& d, Request req, Respond respond);                             // GET /reports
void status_page(Deps& d, Request req, Respond respond);                              // GET /status

// POST /incidents/{id}/<action>: acknowledge, resolve, notes, escalate, reassign, runbooks/<name>,
// postmortem/sections/<key>, action-items; then 303 back to the page.
void incident_form(Deps& d, Request req, std::int64_t id, std::string action, Respond respond);

// POST /oncall/{schedule}/overrides (user, from: a datetime-local in UTC or empty for now,
// for: a duration) and /oncall/{schedule}/overrides/{id}/delete; then 303 back to /oncall.
void oncall_form(Deps& d, Request req, std::string schedule, std::string action, Respond respond);
// POST /maintenance (start a window), /maintenance/{id}/end: through the maintenance API.
void maintenance_form(Deps& d, Request req, std::string action, Respond respond);

// "Alice Responder, bob": the users' names from the config, ids for those it no longer has
// (layout.cpp).
std::string user_names(const std::vector<std::string>& ids, const std::vector<Backend::UserRef>& users);

// Calls the JSON API in-process (same principal), as the pages' data source for routes others own.
void call_api(Deps& d, const Request& from, std::string method, std::string target, std::string body,
              std::function<void(Response)> then);

}  // namespace vigil::web::ui
