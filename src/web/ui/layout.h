// The page shell shared by every UI page (head, skip link, navigation, main landmark) and the
// small pieces pages share: status badges, times, the CSRF field, HTML and redirect responses.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "incident/incident.h"
#include "web/http_types.h"
#include "web/ui/html.h"

namespace vigil::web::ui {

// nav: which entry is current ("overview", "incidents", "oncall", "reports"; "" for none).
// A public page (the status page) has no navigation and no user box.
std::string page(const Request& req, std::string_view title, std::string_view nav, const Html& main,
                 bool public_page = false);

Response html_response(std::string body, int status = 200);
Response not_found_page(const Request& req, std::string_view what);
// A form action that failed: the message on a page with a link back.
Response error_page(const Request& req, int status, std::string_view message, std::string_view back);

// <input type=hidden name=csrf> when a session is logged in (auth checks it on every POST).
void csrf_field(Html& h, const Request& req);
// A one-button form posting to `action` (acknowledge, escalate...).
void button_form(Html& h, const Request& req, std::string_view action, std::string_view label,
                 std::string_view css_class = "");
// <time datetime=RFC3339>2024-05-01 03:12 UTC</time>; app.js shows it in the reader's zone.
void time_tag(Html& h, Time t);
std::string short_time(Time t);        // "2024-05-01 03:12 UTC"
std::string span_text(Duration d);     // "3 h 12 min", "45 s"
// <span class="badge badge-<status>">status</span>
void status_badge(Html& h, std::string_view status);
// " low urgency", after a status badge; `title` says more on hover.
void urgency_badge(Html& h, const std::string& title = {});

std::string url_encode(std::string_view text);  // for a query parameter's value

// Form body (application/x-www-form-urlencoded) field, decoded; nullopt when absent.
std::optional<std::string> form_field(const Request& req, std::string_view name);
// Every value of a field that repeats (a <select multiple>), decoded, in order.
std::vector<std::string> form_fields(const Request& req, std::string_view name);

}  // namespace vigil::web::ui
