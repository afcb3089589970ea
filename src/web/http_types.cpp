#include "web/http_types.h"

#include <boost/json.hpp>

#include <charconv>

#include "common/ascii.h"

namespace vigil::web {

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

std::optional<std::int64_t> parse_id(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
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
