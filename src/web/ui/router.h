// The web UI mounted in front of the JSON API: server-rendered pages (/, /incidents,
// /incidents/{id}, /incidents/{id}/postmortem, /oncall, /reports, /status), their form
// endpoints, the embedded assets (/static/*) and the live-update stream (/api/v1/stream).
// Everything else goes to `api`. Authentication wraps the handler this returns.
#pragma once
#include "web/api.h"
#include "web/event_hub.h"

namespace vigil::web::ui {

Handler make_ui(Backend& backend, EventHub& hub, Handler api);

}  // namespace vigil::web::ui
