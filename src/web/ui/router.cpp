#include "web/ui/router.h"

#include <memory>

#include "web/ui/assets.h"
#include "web/ui/layout.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace {

Response method_not_allowed(std::string_view allow) {
  Response r = json_error(405, "method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

struct Ui {
  Deps deps;
  EventHub& hub;

  void operator()(Request req, Respond respond) {
    const std::string& path = req.path;
    const bool get = req.method == "GET";
    const bool post = req.method == "POST";
    if (path == "/api/v1/stream") return respond(get ? hub.open_stream() : method_not_allowed("GET"));
    if (path.rfind("/static/", 0) == 0) return respond(get ? serve_asset(req, path.substr(8)) : method_not_allowed("GET"));
    using PageFn = void (*)(Deps&, Request, Respond);
    static const std::pair<std::string_view, PageFn> kPages[] = {
        {"/", overview_page},        {"/incidents", incidents_page}, {"/oncall", oncall_page},
        {"/reports", reports_page}, {"/status", status_page}};
    for (const auto& [p, fn] : kPages) {
      if (path != p) continue;
      if (!get) return respond(method_not_allowed("GET"));
      return fn(deps, std::move(req), std::move(respond));
    }
    // /incidents/{id}[/postmortem | /<form action>...]
    constexpr std::string_view kIncidents = "/incidents/";
    if (path.rfind(kIncidents, 0) == 0) {
      std::string_view rest = std::string_view(path).substr(kIncidents.size());
      const auto slash = rest.find('/');
      auto id = parse_id(rest.substr(0, slash));
      if (!id) return respond(not_found_page(req, "This incident"));
      const std::string sub = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
      if (sub.empty() || sub == "postmortem") {
        if (!get) return respond(method_not_allowed("GET"));
        if (sub.empty()) return incident_page(deps, std::move(req), *id, std::move(respond));
        return postmortem_page(deps, std::move(req), *id, std::move(respond));
      }
      if (!post) return respond(method_not_allowed("POST"));
      return incident_form(deps, std::move(req), *id, sub, std::move(respond));
    }
    // /maintenance[/{id}/end]: the On call page's maintenance forms.
    if (path == "/maintenance" || path.rfind("/maintenance/", 0) == 0) {
      if (!post) return respond(method_not_allowed("POST"));
      return maintenance_form(deps, std::move(req), path.size() > 13 ? path.substr(13) : std::string(), std::move(respond));
    }
    // /oncall/{schedule}/overrides[/{id}/delete]: the override forms.
    constexpr std::string_view kOncall = "/oncall/";
    if (path.rfind(kOncall, 0) == 0) {
      std::string_view rest = std::string_view(path).substr(kOncall.size());
      const auto slash = rest.find('/');
      if (slash == std::string_view::npos) return respond(not_found_page(req, "This page"));
      if (!post) return respond(method_not_allowed("POST"));
      return oncall_form(deps, std::move(req), std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)),
                         std::move(respond));
    }
    deps.api(std::move(req), std::move(respond));
  }
};

}  // namespace

Handler make_ui(Backend& backend, EventHub& hub, Handler api) {
  auto ui = std::make_shared<Ui>(Ui{Deps{backend, std::move(api)}, hub});
  return [ui](Request req, Respond respond) { (*ui)(std::move(req), std::move(respond)); };
}

}  // namespace vigil::web::ui
