// The HTTP API of DESIGN.md §5 (/api/v1, /metrics, /-/healthy, /-/ready, /-/reload) as a
// router over a Backend. The Backend is implemented by the daemon (src/app); the router owns
// URL shapes, JSON representations and status codes, so both can be tested apart.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "incident/incident.h"
#include "probe/check_result.h"
#include "store/store.h"
#include "web/http_types.h"

namespace vigil::web {

class PostmortemBackend;  // web/postmortem_routes.h

struct CheckStatus {
  std::string name;
  std::string type;    // http|tcp
  std::string target;  // url
  std::string interval;
  bool up = true;            // last verdict (true before the first result)
  bool alerting = false;     // threshold crossed, incident expected open
  std::optional<Time> last_checked_at;
  int last_status = 0;
  double last_response_seconds = 0;
  std::string last_error;
  int consecutive_failures = 0;
  std::map<std::string, probe::FigureValue> figures;  // the check type's figures in its last result
};

struct ServiceStatus {
  std::string name;
  std::string description;
  std::vector<CheckStatus> checks;
  static constexpr std::size_t kListedOpen = 100;  // a storm leaves a million open
  std::vector<std::int64_t> open_incidents;  // the newest kListedOpen, ascending
  std::size_t open_incident_count = 0;       // all of them
  bool is_public = false;        // shown on /status
  std::string public_name;       // its name there (the service name when empty)
  std::vector<std::string> runbooks;  // runbook names, for "run runbook" in the UI
  std::optional<Time> maintenance_until;  // in maintenance now: until when (incident/maintenance.h)
  // What an incident opening now would be (oncall/urgency.h): high, low or severity_based; why
  // (support hours) and until when (their next start or end); both empty without support hours.
  std::string urgency = "high";
  std::string urgency_why;
  std::optional<Time> urgency_until;
};

// A slice of a service's probe history (sparklines): the share of passed probes and their mean
// response time; both negative when no probe ran in it.
struct HistoryBucket {
  double availability = -1;  // 0..1
  double latency_seconds = -1;
};

// Outcome of a state-changing call: the incident as persisted, or an error with its HTTP status.
struct Failure {
  int status = 400;
  std::string message;
  std::string field;  // the request field at fault; "" means the incident id
};
template <typename T>
using Reply = std::function<void(std::variant<T, Failure>)>;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::vector<ServiceStatus> services() = 0;
  virtual void list_incidents(const store::IncidentFilter& filter, Reply<std::vector<incident::Incident>> reply) = 0;
  virtual void get_incident(std::int64_t id, Reply<incident::Incident> reply) = 0;
  // Each answers only after the change is durable.
  virtual void acknowledge(std::int64_t id, std::string actor, std::string note, Reply<incident::Incident> reply) = 0;
  virtual void resolve(std::int64_t id, std::string actor, std::string note, Reply<incident::Incident> reply) = 0;
  virtual void add_note(std::int64_t id, std::string actor, std::string text, Reply<incident::Incident> reply) = 0;
  virtual std::string metrics() = 0;  // Prometheus text exposition
  virtual bool ready() = 0;
  // Re-reads the config file; on error the running config stays and the errors are returned.
  virtual std::vector<std::string> reload() = 0;

  // On-call and inbound routes whose wire formats belong to others (PagerDuty, Alertmanager,
  // iCalendar) or that answer HTML (signed page links): the backend answers them whole.
  virtual void events_v2(const Request& req, Respond respond) = 0;                    // POST /v2/enqueue
  virtual void alertmanager(const std::string& integration, const Request& req, Respond respond) = 0;
  virtual void oncall(const Request& req, Respond respond) = 0;                       // GET /api/v1/oncall
  // GET /api/v1/schedules, /api/v1/schedules/{name}/shifts, /api/v1/schedules/{name}.ics
  virtual void schedules(const Request& req, const std::vector<std::string>& parts, Respond respond) = 0;
  virtual void action_link(const Request& req, const std::string& token, Respond respond) = 0;  // GET|POST /a/{token}
  // GET|POST|HEAD /ping/{key}[/start|/fail|/{exit status}]: a heartbeat check's ping, answered
  // once it is durable (Healthchecks.io's URLs). `action` is "" for a plain ping.
  virtual void ping(const Request& req, const std::string& key, const std::string& action, Respond respond) {
    respond(json_error(501, "heartbeat checks are not available"));
  }
  // GET|POST /api/v1/maintenance, GET|DELETE /api/v1/maintenance/{id}; `rest` follows "maintenance".
  virtual void maintenance(const Request& req, const std::vector<std::string>& rest, Respond respond) {
    respond(json_error(501, "maintenance windows are not available"));
  }
  // POST /api/v1/incidents/{id}/runbooks/{name}: runs it now (guardrails apply), answers when done.
  virtual void run_runbook(std::int64_t id, const std::string& name, const std::string& actor, Respond respond) = 0;
  // Postmortems, action items and reports (web/postmortem_routes.h); nullptr: answered 501.
  virtual PostmortemBackend* postmortems() { return nullptr; }

  // ---- for the web UI (src/web/ui); the defaults suit back-ends without history ----------
  // Last 24 h per service in kHistoryBuckets equal slices, oldest first; from a cache the
  // daemon refreshes in the background (missing services: not computed yet).
  static constexpr int kHistoryBuckets = 48;
  virtual std::map<std::string, std::vector<HistoryBucket>> recent_history() { return {}; }
  // Per service, the share of each of the last `days` UTC days (oldest first, today last) not
  // covered by one of its incidents; what the status page's uptime bars show.
  virtual void daily_uptime(int days, Reply<std::map<std::string, std::vector<double>>> reply) { reply(std::map<std::string, std::vector<double>>{}); }
  // Probe results of these checks ("service/check") with from <= at < to, oldest first.
  virtual void results(std::vector<std::string> check_ids, Time from, Time to,
                       Reply<std::vector<store::ResultRow>> reply) { reply(std::vector<store::ResultRow>{}); }
  // Pages the next level of the incident's escalation policy now, instead of waiting for its
  // delay (409 when acknowledged, resolved, without a policy or with no level left).
  virtual void escalate_now(std::int64_t id, std::string actor, Reply<incident::Incident> reply) {
    reply(Failure{501, "escalation is not available"});
  }
  // Hands the open incident to `user` (a config user id) and pages them now through their contact
  // methods; it goes back to triggered so their acknowledgement counts, and an escalation policy
  // carries on from its current level (404 unknown incident, 409 resolved, 400 unknown user).
  virtual void reassign(std::int64_t id, std::string user, std::string actor, Reply<incident::Incident> reply) {
    reply(Failure{501, "reassigning is not available"});
  }
  // Changes the open incident's urgency (PagerDuty): raised to high, its escalation starts over
  // from now with high-urgency contact methods; lowered to low, no further rule is paged
  // (404 unknown, 409 resolved or already that urgency).
  virtual void set_urgency(std::int64_t id, incident::Urgency urgency, std::string actor,
                           Reply<incident::Incident> reply) {
    reply(Failure{501, "urgency is not available"});
  }
  // The configured users (id, display name), for the UI's reassign form.
  struct UserRef {
    std::string id;
    std::string name;
  };
  virtual std::vector<UserRef> users() { return {}; }
};

Handler make_api(Backend& backend);

// JSON representations (also used by the CLI's --json output and tests).
std::string incident_json(const incident::Incident& inc, bool with_timeline);

}  // namespace vigil::web
