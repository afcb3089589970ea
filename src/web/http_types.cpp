#include "web/http_types.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace vigil::web {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

std::string Request::header(std::string_view name) const {
  // Names are stored lower-cased; compare case-insensitively anyway so "Content-Type" works too.
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

Response see_other(std::string location) {
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response json_error(int status, std::string_view message, std::string_view field) {
  boost::json::object o;
  o["error"] = message;
  if (!field.empty()) o["field"] = field;
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(o);
  return r;
}

}  // namespace vigil::web
