// Request/Response as the routes see them: plain structs, so route code and its tests never
// include Beast. src/web/server.cpp converts to and from Beast's types.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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

// The writing end of a streamed response (Server-Sent Events), given by the server. Thread-safe.
// Chunks are sent in order; a client whose unsent backlog grows past the server's bound is
// dropped (its connection closed), so one slow reader never holds memory hostage.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual void write(std::string chunk) = 0;  // ignored once closed
  virtual void close() = 0;
  virtual bool closed() const = 0;  // the client went away, was dropped, or the server stopped
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set: the body is streamed. The server sends the status and headers (no Content-Length; the
  // connection closes when the stream ends), then `body`, then calls `stream` with the writer.
  // After 15 s without a write it sends `heartbeat` (SSE: a comment) so proxies keep it open.
  std::function<void(std::shared_ptr<StreamWriter>)> stream;
  std::string heartbeat;
};

Response json_error(int status, std::string_view message, std::string_view field = "");
// 303 See Other to `location`, never cached: after a form POST, or to the login page.
Response see_other(std::string location);
// A path segment that names a row by id ("12"): a positive decimal number and nothing else.
std::optional<std::int64_t> parse_id(std::string_view segment);

// Handlers may answer later (after a store commit): they must call `respond` exactly once.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request, Respond)>;

}  // namespace vigil::web
