// The configuration model of vigil.yaml (DESIGN.md §5) and its loader.
// load_config() reads YAML, expands ${ENV}, reads *_file secrets, validates every
// section, and returns either a complete Config or *every* error found, each with
// its position, so `vigil config check` prints them all at once (promtool style).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace vigil::config {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port
  std::string external_url;               // used in links inside notifications
  std::size_t max_request_bytes = 1 << 20;
  Duration request_timeout = 10s;
  // Key of the signed acknowledge/resolve links in pages (HMAC-SHA256). From `link_secret` or
  // `link_secret_file`; when empty, vigil derives one at first start and keeps it in the store.
  std::string link_secret;
  Duration link_ttl = std::chrono::hours(24);  // how long a link in a page stays valid
  // Web UI / API authentication (src/web/auth). Authentication is on as soon as one user has a
  // password_hash; without such users vigil runs open, as Prometheus does, and then refuses a
  // non-loopback `listen` unless allow_unauthenticated_remote is set.
  bool allow_unauthenticated_remote = false;
  bool public_metrics = true;               // /metrics without credentials (Prometheus scrapes)
  Duration session_ttl = std::chrono::hours(12);
  std::string tls_cert;  // PEM files; both set: the listener speaks HTTPS only
  std::string tls_key;
};

struct StoreConfig {
  std::string sqlite = "data/vigil.db";
  // A PostgreSQL connection URI or key=value string (`postgres` or `postgres_file`); when set,
  // the store is that database and `sqlite` is not used.
  std::string postgres;
  Duration results_retention = std::chrono::hours(24 * 7);
};

struct Defaults {
  Duration interval = 30s;
  Duration timeout = 10s;
  int failure_threshold = 3;
  int success_threshold = 2;
  double jitter = 0.1;  // fraction of the interval a check's phase may be spread over
};

// http|tcp probe an endpoint; apache_status scrapes mod_status (`url` is the server-status URL;
// "?auto" is added when missing); access_log and error_log follow a log file (`path`); host
// reads /proc and statvfs; process watches a named process; heartbeat waits for pings (a cron
// job, Alertmanager's Watchdog) at /ping/KEY; tls connects and completes a TLS handshake (any
// TLS port: SMTPS, IMAPS, LDAPS...: the certificate's expiry and trust, without HTTP); dns asks a
// DNS server for a name's records.
enum class CheckType { http, tcp, apache_status, access_log, error_log, host, process, heartbeat, tls, dns };

// A named RE2 pattern an error_log check counts (figure `pattern.<name>`).
struct LogPattern {
  std::string name;
  std::string regex;
};

struct CheckConfig {
  std::string name;
  CheckType type = CheckType::http;
  // http: url (http:// or https://). tcp: url "tcp://host:port" or target "host:port"; tls: url
  // "tls://host:port" or target "host:port".
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Duration interval{};  // defaults applied by the loader: never zero after load
  Duration timeout{};
  bool follow_redirects = false;
  bool tls_verify = true;
  std::string server_name;  // tls: SNI and the name the certificate must match (default: the host)
  int failure_threshold = 0;
  int success_threshold = 0;
  std::string severity = "critical";  // critical|error|warning|info (PagerDuty's levels)
  std::vector<std::string> conditions;  // validated by rules::Condition::parse at load

  // access_log / error_log
  std::string path;                         // the log file followed (rotation-safe)
  std::string log_format = "combined";      // access_log: "combined", "common" or an Apache LogFormat string
  Duration window = std::chrono::minutes(5);  // sliding window of the figures
  std::vector<std::string> path_prefixes;   // access_log: prefixes with figures of their own (path("/login").x)
  std::vector<LogPattern> patterns;         // error_log: extra patterns to count
  // process
  std::string process_name;  // matched against /proc/<pid>/comm, else argv[0]'s basename
  // host
  std::vector<std::string> mounts;  // mount points to report; empty: every real filesystem
  // heartbeat: a ping is expected every `period` and may be `grace` late; `key` (key / key_file)
  // is the secret in its ping URL, unique across heartbeat checks.
  Duration period{};
  Duration grace{};
  std::string key;
  // dns: the name asked for, its record type (A, AAAA, MX, TXT, NS) and the server asked
  // ("ip:port", "ip" or empty: the system's resolv.conf).
  std::string query;
  std::string record_type = "A";
  std::string server;
};

// One item of evidence, attached to the incident timeline when it triggers.
struct EvidenceConfig {
  enum class Kind { tail, command, http, config_diff };
  Kind kind = Kind::tail;
  std::string name;                  // shown on the timeline; defaults to a description of the item
  std::string path;                  // tail: the file; config_diff: a file or directory to watch
  int lines = 100;                   // tail
  std::vector<std::string> command;  // command: argv, no shell
  std::string url;                   // http: e.g. http://127.0.0.1/server-status?auto
  Duration timeout = 10s;            // command, http
  std::size_t max_bytes = 64 * 1024;  // output cap per item
};

// Monit-style remediation: an argv run without a shell, never with incident text in it.
struct RunbookConfig {
  std::string name;
  std::vector<std::string> command;
  bool automatic = false;  // `auto: true`: run when an incident of the service triggers
  Duration timeout = 60s;
  int max_attempts = 3;    // automatic runs per incident
  Duration cooldown = std::chrono::minutes(10);  // between runs of this runbook (any incident)
  // Stop rule: after this many automatic runs within `flap_window` across incidents, automatic
  // runs stop until a person runs it or the window passes (a flapping server is not restarted forever).
  int flap_limit = 5;
  Duration flap_window = std::chrono::hours(1);
};

// Days of the week and a wall-clock time in a zone, lasting `duration` from there: support hours
// (Mon-Fri 09:00-17:00) and recurring maintenance (Sundays 02:00 for 2h).
struct WeeklyWindow {
  std::string time_zone = "UTC";
  std::vector<int> days;          // ISO 1 (Monday) ... 7 (Sunday), ascending, no repeats
  std::chrono::minutes start{0};  // after local midnight
  Duration duration{};            // of wall-clock time: 09:00 + 8h ends at 17:00 even on a DST day
};

// How urgent a service's new incidents are (PagerDuty's incident urgency rule). High: page and
// escalate until someone acknowledges; low: tell the first level through its people's
// low-urgency contact methods and do not escalate. `severity_based`: critical and error are
// high, warning and info low.
enum class UrgencyChoice { high, low, severity_based };

struct UrgencyRule {
  UrgencyChoice during = UrgencyChoice::high;  // the only choice when support_hours is unset
  std::optional<WeeklyWindow> support_hours;
  UrgencyChoice outside = UrgencyChoice::low;  // outside support hours
  // Raise the service's open low-urgency incidents to high when support hours start.
  bool raise_at_start = false;
};

struct ServiceConfig {
  std::string name;
  std::string description;
  std::vector<std::string> notify;  // channel names
  std::string escalation_policy;    // people paged per this policy; empty: nobody is paged
  std::vector<CheckConfig> checks;
  std::vector<EvidenceConfig> evidence;  // gathered when an incident of this service triggers
  std::vector<RunbookConfig> runbooks;   // remediation, automatic (auto) or on demand
  UrgencyRule urgency;                   // `urgency:`; default: every incident is high-urgency
  // Shown on the public status page (/status) under `public_name` (default: name), with its
  // state, 90-day uptime and open incidents' titles; everything else stays behind the login.
  bool is_public = false;  // `public: true`
  std::string public_name;
};

// ---- on-call (PagerDuty's model) -------------------------------------------------------

// How a user is reached. Each type is a notify channel adapter (src/notify).
struct ContactMethod {
  std::string type;                  // webhook|slack|discord|msteams|email|ntfy|pagerduty|command
  std::string url;                   // webhook, slack, discord, msteams (incoming-webhook URL), ntfy (topic URL)
  std::string address;               // email: the recipient
  std::string routing_key;           // pagerduty: Events API v2 routing key to forward to
  std::vector<std::string> command;  // command: argv, run without a shell; the JSON payload on stdin
  std::string secret;                // webhook: HMAC key (secret / secret_file)
  // PagerDuty's notification rules: this method is used this long after the page, and only if
  // the incident is still unacknowledged then (push at once, a call after 5m).
  Duration after{0};
  // PagerDuty's high- and low-urgency notification rules: which incidents use this method.
  bool high_urgency = true;
  bool low_urgency = true;
};

enum class Role { viewer, responder, admin };

struct UserConfig {
  std::string id;  // referenced as user:<id>
  std::string name;
  std::string email;
  std::string time_zone = "UTC";  // IANA name; how times are shown to this user
  std::vector<ContactMethod> contacts;
  // PagerDuty's "on-call hand-off notifications": tell this user through every contact method
  // when one of their shifts starts (a rotation hands over, an override begins).
  bool handoff_notifications = false;
  // Login to the web UI: an argon2id string from `vigil hash-password` (password_hash or
  // password_hash_file). Empty: the user is paged but cannot log in.
  std::string password_hash;
  Role role = Role::responder;
};

// Outgoing mail for `email` contacts (libcurl SMTP).
struct SmtpConfig {
  std::string url;  // smtp://host:25 or smtps://host:465; empty: email contacts are an error
  std::string from;
  std::string username;
  std::string password;  // password / password_file
  bool starttls = false;
};

// A window inside which a layer is on call, in the schedule's time zone (PagerDuty restrictions).
struct Restriction {
  enum class Kind { daily, weekly };
  Kind kind = Kind::daily;
  std::chrono::minutes start_time{0};  // "HH:MM" after midnight (daily) / after start_day's midnight (weekly)
  int start_day = 1;                   // weekly only: 1 = Monday ... 7 = Sunday (ISO)
  Duration duration{};                 // length of the window (≤ 24h daily, ≤ 7d weekly)
};

struct LayerConfig {
  std::string name;
  // Rotation virtual start, wall-clock time in the schedule's zone: the first user's turn starts
  // here and turns hand off every `rotation` (so the hand-off time is start's time of day).
  std::chrono::local_seconds start{};
  std::optional<std::chrono::local_seconds> end;
  Duration rotation = std::chrono::hours(24 * 7);  // daily = 24h, weekly = 168h, or any duration
  std::vector<std::string> users;                  // user ids in turn order
  std::vector<Restriction> restrictions;           // empty: always on call
};

struct OverrideConfig {
  std::string user;
  Time start{};  // absolute instants (RFC 3339 in the file, or local time in the schedule's zone)
  Time end{};
};

struct ScheduleConfig {
  std::string name;
  std::string time_zone = "UTC";
  std::vector<LayerConfig> layers;  // later layers win over earlier ones (PagerDuty's "higher")
  std::vector<OverrideConfig> overrides;
};

struct EscalationRule {
  Duration after{};                  // delay from the trigger (rule 1 is usually 0)
  std::vector<std::string> targets;  // "user:<id>" or "schedule:<name>"
};

struct EscalationPolicyConfig {
  std::string name;
  int repeat = 0;  // times the whole policy repeats after the last rule when nobody acknowledges
  std::vector<EscalationRule> rules;
  // Re-page an acknowledged incident that is still open after this long (0: never).
  Duration ack_timeout{};
  // Response targets the postmortem and reports measure against (`targets: {acknowledge: 5m,
  // resolve: 1h}`); 0: no target.
  Duration target_acknowledge{};
  Duration target_resolve{};
};

enum class IntegrationType { pagerduty_events_v2, alertmanager };

struct IntegrationConfig {
  std::string name;
  IntegrationType type = IntegrationType::pagerduty_events_v2;
  std::string key;  // routing key (Events API v2: 32 characters); key / key_file
  std::string service;  // the service its incidents belong to
};

enum class ChannelType { webhook, log };

struct ChannelConfig {
  std::string name;
  ChannelType type = ChannelType::log;
  std::string url;     // webhook
  std::string secret;  // webhook HMAC-SHA256 key (from `secret` or `secret_file`); empty = unsigned
  std::vector<std::pair<std::string, std::string>> headers;
  Duration timeout = 10s;
};

// Postmortem drafts (src/postmortem): where resolved incidents' reports are written.
struct PostmortemConfig {
  std::string dir = "data/postmortems";  // <dir>/<incident id>/README.md + images/
  bool write_on_resolve = true;          // write the draft when an incident resolves
  // Incidents shorter than this (started → resolved) get no README on disk: a blip, or an alert
  // storm's trigger/resolve pairs, is not worth a file each. The API and CLI still draft them.
  Duration min_duration = std::chrono::minutes(1);
  std::string time_zone = "UTC";         // times in reports, e.g. "14:05 (UTC)"
  Duration report_window = std::chrono::hours(24 * 30);  // the window of the vigil_report_* metrics
};

// A maintenance window that recurs (Alertmanager's time intervals muting a route; PagerDuty's
// maintenance windows, every week): each occurrence holds its services' new incidents as a
// window made through the API does (incident/maintenance.h).
struct RecurringMaintenance {
  std::string name;
  std::vector<std::string> services;
  WeeklyWindow window;
  std::string description;
};

struct Config {
  std::string path;  // the file it was loaded from
  ServerConfig server;
  StoreConfig store;
  Defaults defaults;
  std::vector<ChannelConfig> channels;
  std::vector<ServiceConfig> services;
  std::vector<UserConfig> users;
  SmtpConfig smtp;
  std::vector<ScheduleConfig> schedules;
  std::vector<EscalationPolicyConfig> escalation_policies;
  std::vector<IntegrationConfig> integrations;
  PostmortemConfig postmortems;
  std::vector<RecurringMaintenance> maintenance;  // `maintenance:`
};

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the error is not about one place
  int column = 0;  // 1-based
  std::string key;  // path.to.key, e.g. services[0].checks[1].interval
  std::string message;
};
// FILE:LINE:COL: key: message
std::string to_string(const ConfigError& e);

struct LoadResult {
  std::optional<Config> config;  // set only when errors is empty
  std::vector<ConfigError> errors;
};

// Reads and validates the file. Never throws.
LoadResult load_config(const std::string& path);
// Same, from text (tests, reload); `path` is only used in error messages and for relative *_file paths.
LoadResult load_config_text(const std::string& text, const std::string& path);

// Stable id of a check across reloads: "service/check".
inline std::string check_id(const ServiceConfig& s, const CheckConfig& c) { return s.name + "/" + c.name; }

}  // namespace vigil::config
