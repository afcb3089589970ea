// Request/Response as the routes see them: plain structs, so route code and its tests never
// include Beast. src/web/server.cpp converts to and from Beast's types.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigil::web {

// Who is calling, set by the auth layer (src/web/auth) before a route sees the request. Absent
// when authentication is off (no user has a password) or the route is public.
struct Principal {
  std::string user;  // user id from the config
  std::string name;
  std::string role;  // viewer|responder|admin
  bool via_token = false;  // API token (Authorization: Bearer): no CSRF check applies
  std::string csrf;        // the session's CSRF token; pages put it in every form
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/api/v1/incidents?status=open"
  std::string path;    // "/api/v1/incidents" (percent-decoded)
  std::map<std::string, std::string> query;  // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote;  // "127.0.0.1:51234"
  std::optional<Principal> principal;

  std::string header(std::string_view name) const;  // "" when absent; name lower-case
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

Response json_error(int status, std::string_view message, std::string_view field = "");

// Handlers may answer later (after a store commit): they must call `respond` exactly once.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request, Respond)>;

}  // namespace vigil::web
