// The CLI's view of a running daemon: blocking JSON calls to its API (--server, VIGIL_SERVER,
// VIGIL_TOKEN). Each command prints a clear message and returns the process exit code.
#pragma once
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace vigil::cli {

struct ServerOptions {
  std::string server;  // base URL, e.g. http://127.0.0.1:8080
  bool json = false;   // print the raw JSON answer
  std::string token;   // API token sent as Authorization: Bearer (see resolve_token); "" sends none
};

// One request to the daemon's API — the only place the CLI makes one (credentials are added
// here). `error` is set when vigil cannot be reached or answers >= 400 (then with its message).
struct RawAnswer {
  int status = 0;
  std::string body;
  std::string error;
};
RawAnswer request(const ServerOptions& s, const std::string& method, const std::string& path, const std::string& body);

// request() whose answer is a JSON object: when ok(), `body` is that object ({} for an empty
// body, a 204); else `error` says why, as request() does or "METHOD PATH: the answer is not a
// JSON object (HTTP n)".
struct JsonAnswer {
  int status = 0;
  boost::json::value body = boost::json::object{};
  std::string error;
  bool ok() const { return error.empty(); }
};
JsonAnswer request_json(const ServerOptions& s, const std::string& method, const std::string& path,
                        const std::string& body = "");
// request_json() for the commands that print what they did: the answer's object (also printed
// when --json asked for it), or the exit code after saying on stderr what went wrong.
std::variant<boost::json::object, int> call_api(const ServerOptions& s, const std::string& method,
                                                const std::string& path, const std::string& body);
// A string field of an answer, "" when absent or not a string.
std::string string_field(const boost::json::object& o, const char* key);

int list_incidents(const ServerOptions& s, bool open_only, const std::string& service);
// Who is on call (GET /api/v1/oncall): per schedule the user and their shift, then each
// escalation policy's rules resolved to people. `at` is RFC 3339 or empty for now.
int show_oncall(const ServerOptions& s, const std::string& at, const std::string& schedule);

// Runs a runbook of the incident's service now (POST /api/v1/incidents/{id}/runbooks/{name}) and
// prints its outcome; exit 0 when it succeeded.
int run_runbook(const ServerOptions& s, std::int64_t id, const std::string& name, const std::string& actor);

// POST /api/v1/incidents/{id}/{action}; `text` is the note, the note's text (notes) or the user
// (reassign).
int incident_action(const ServerOptions& s, std::int64_t id, const std::string& action,
                    const std::string& actor, const std::string& text);

}  // namespace vigil::cli
