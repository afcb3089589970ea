#include "web/ui/layout.h"

#include <boost/url.hpp>
#include <date/date.h>

#include <algorithm>

#include "web/ui/assets.h"
#include "web/ui/pages.h"

namespace vigil::web::ui {

namespace {

struct NavItem {
  std::string_view key, href, label;
};
constexpr NavItem kNav[] = {{"overview", "/", "Overview"},
                            {"incidents", "/incidents", "Incidents"},
                            {"oncall", "/oncall", "On call"},
                            {"reports", "/reports", "Reports"},
                            {"status", "/status", "Status page"}};

}  // namespace

std::string page(const Request& req, std::string_view title, std::string_view nav, const Html& main,
                 bool public_page) {
  Html h;
  h.trusted(Trusted{"<!doctype html>"});
  h.open("html", {{"lang", "en"}}).open("head");
  h.empty("meta", {{"charset", "utf-8"}});
  h.empty("meta", {{"name", "viewport"}, {"content", "width=device-width, initial-scale=1"}});
  h.leaf("title", std::string(title) + (public_page ? "" : " · vigil"));
  h.empty("link", {{"rel", "stylesheet"}, {"href", asset_url("app.css")}});
  h.open("script", {{"src", asset_url("app.js")}, {"?defer", "defer"}}).close("script");
  h.close("head");
  h.open("body", {{"?data-live", public_page ? "" : "on"}});
  h.leaf("a", {{"class", "skip"}, {"href", "#main"}}, "Skip to content");
  h.open("header", {{"class", "top"}});
  h.leaf("a", {{"class", "brand"}, {"href", public_page ? "/status" : "/"}}, public_page ? "Status" : "vigil");
  if (!public_page) {
    h.open("nav", {{"aria-label", "Main"}}).open("ul");
    for (const auto& n : kNav) {
      h.open("li").leaf("a", {{"href", n.href}, {"?aria-current", n.key == nav ? "page" : ""}}, n.label).close("li");
    }
    h.close("ul").close("nav");
    if (req.principal) {
      h.open("form", {{"class", "who"}, {"method", "post"}, {"action", "/logout"}});
      csrf_field(h, req);
      h.leaf("span", {{"class", "user"}}, req.principal->name.empty() ? req.principal->user : req.principal->name);
      h.leaf("button", {{"type", "submit"}, {"class", "link"}}, "Sign out");
      h.close("form");
    }
    h.leaf("span", {{"class", "live"}, {"id", "live"}, {"role", "status"}, {"aria-live", "polite"}}, "");
  }
  h.close("header");
  h.open("main", {{"id", "main"}, {"tabindex", "-1"}});
  h.append(main);
  h.close("main").close("body").close("html");
  return h.take();
}

Response html_response(std::string body, int status) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  // Everything is served by vigil itself: no CDN, no inline script. Inline SVG charts carry
  // style attributes, hence 'unsafe-inline' for styles only.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                         "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                         "form-action 'self'; base-uri 'none'");
  r.body = std::move(body);
  return r;
}

Response error_page(const Request& req, int status, std::string_view message, std::string_view back) {
  Html h;
  h.leaf("h1", status == 404 ? "Not found" : "That did not work");
  h.leaf("p", {{"class", "notice notice-error"}, {"role", "alert"}}, message);
  h.open("p").leaf("a", {{"href", back}}, "Go back").close("p");
  return html_response(page(req, "Error", "", h), status);
}

Response not_found_page(const Request& req, std::string_view what) {
  return error_page(req, 404, std::string(what) + " does not exist.", "/");
}

void csrf_field(Html& h, const Request& req) {
  if (req.principal && !req.principal->csrf.empty())
    h.empty("input", {{"type", "hidden"}, {"name", "csrf"}, {"value", req.principal->csrf}});
}

void button_form(Html& h, const Request& req, std::string_view action, std::string_view label,
                 std::string_view css_class) {
  h.open("form", {{"method", "post"}, {"action", action}, {"class", "inline"}});
  csrf_field(h, req);
  h.leaf("button", {{"type", "submit"}, {"?class", css_class}}, label);
  h.close("form");
}

std::string user_names(const std::vector<std::string>& ids, const std::vector<Backend::UserRef>& users) {
  std::string out;
  for (const auto& id : ids) {
    const auto u = std::find_if(users.begin(), users.end(), [&](const Backend::UserRef& r) { return r.id == id; });
    (out.empty() ? out : out += ", ") += u == users.end() ? id : u->name;
  }
  return out;
}

std::string short_time(Time t) {
  return date::format("%Y-%m-%d %H:%M UTC", std::chrono::time_point_cast<std::chrono::minutes>(t));
}

void time_tag(Html& h, Time t) { h.leaf("time", {{"datetime", format_rfc3339(t)}}, short_time(t)); }

std::string span_text(Duration d) {
  using namespace std::chrono;
  const auto s = duration_cast<seconds>(d).count();
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min";
  if (s < 86400) return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
  return std::to_string(s / 86400) + " d " + std::to_string(s % 86400 / 3600) + " h";
}

void status_badge(Html& h, std::string_view status) {
  h.leaf("span", {{"class", "badge badge-" + std::string(status)}}, status);
}

void urgency_badge(Html& h, const std::string& title) {
  h.text(" ").leaf("span", {{"class", "badge badge-low-urgency"}, {"?title", title}}, "low urgency");
}

std::string url_encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::optional<std::string> form_field(const Request& req, std::string_view name) {
  // A form body has the shape of a query string; Boost.URL decodes it ('+' is a space).
  if (!boost::urls::parse_query(req.body)) return std::nullopt;  // the constructor below would throw
  for (const auto& p : boost::urls::params_view(req.body, boost::urls::encoding_opts(true)))
    if (p.key == name) return std::string(p.value);
  return std::nullopt;
}

std::vector<std::string> form_fields(const Request& req, std::string_view name) {
  std::vector<std::string> out;
  if (!boost::urls::parse_query(req.body)) return out;
  for (const auto& p : boost::urls::params_view(req.body, boost::urls::encoding_opts(true)))
    if (p.key == name) out.emplace_back(p.value);
  return out;
}

}  // namespace vigil::web::ui
