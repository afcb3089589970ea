// One reader per top-level section of vigil.yaml. Each fills its part of Config with what
// is valid and reports the rest to the Context. Private to src/config.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace vigil::config::detail {

// Names seen so far in one namespace (services, a service's checks, channels, user ids), with
// the line of their first definition, so a duplicate can say where the original is and a
// reference to an unknown one can say what exists.
class NameIndex {
 public:
  // `kind` and `plural` word the messages ("user", "users"); `key` is what identifies one
  // ("name", or "id" for users).
  explicit NameIndex(std::string kind, std::string plural = {}, std::string key = "name")
      : kind_(std::move(kind)), plural_(plural.empty() ? kind_ + "s" : std::move(plural)), key_(std::move(key)) {}
  // Records `name`; reports a duplicate at `where` and returns false.
  bool add(Context& ctx, const Field& where, const std::string& name);
  bool contains(const std::string& name) const { return lines_.count(name) != 0; }
  std::vector<std::string_view> names() const;
  // `unknown user "bbo" (did you mean "bob"?)`, `(defined: a, b)` or `(no users are defined)`.
  std::string unknown_message(const std::string& name) const;
  const std::string& kind() const { return kind_; }
  // A list of names from this index, each at most once (services[].notify names channels,
  // maintenance[].services names services); appends the valid ones to `out`, reports the rest.
  void read_list_of(Context& ctx, const Field& f, std::vector<std::string>& out) const;

 private:
  std::string kind_;
  std::string plural_;
  std::string key_;
  std::map<std::string, int> lines_;
};

// `key` or `key_file` (exclusive; the file read as a secret, see read_secret_file). nullopt
// when neither is set or on error; `where` gets the field that gave the value.
std::optional<std::string> read_secret(Context& ctx, const MapView& m, std::string_view key,
                                       const Field** where = nullptr);
// The content of the file a `*_file` key names, trailing line breaks removed; empty is an error.
std::optional<std::string> read_secret_file(Context& ctx, const Field& f);

void read_server(Context& ctx, const Field& f, ServerConfig& out);
// After users: are read: refuses a non-loopback server.listen when no user can log in, unless
// server.allow_unauthenticated_remote. `server` is the server: section (null when absent).
void check_listen_exposure(Context& ctx, const Field* server, const Config& cfg);
void read_store(Context& ctx, const Field& f, StoreConfig& out);
void read_defaults(Context& ctx, const Field& f, Defaults& out);
void read_channels(Context& ctx, const Field& f, std::vector<ChannelConfig>& out, NameIndex& names);

// A service without checks, to be judged once integrations are known (one may feed it).
struct ChecklessService {
  std::string name;
  Field where;
  bool has_checks_key = false;
};
void read_services(Context& ctx, const Field& f, const Defaults& defaults, const NameIndex& channels,
                   const NameIndex& policies, std::vector<ServiceConfig>& out, NameIndex& names,
                   std::vector<ChecklessService>& checkless);
// Heartbeat ping keys seen so far (they are unique across the file) → "service/check" (line N).
using PingKeys = std::map<std::string, std::string>;
// One check of a service; `names` are its siblings' names. Returns false when it has errors.
bool read_check(Context& ctx, const Field& f, const Defaults& defaults, NameIndex& names, PingKeys& ping_keys,
                CheckConfig& out);
// The keys of the checks that read this machine rather than a network endpoint
// (section_checks_local.cpp); read_check has already rejected the keys of other types.
void read_access_log_check(Context& ctx, MapView& m, CheckConfig& c);
void read_error_log_check(Context& ctx, MapView& m, CheckConfig& c);
void read_host_check(Context& ctx, MapView& m, CheckConfig& c);
void read_process_check(Context& ctx, MapView& m, CheckConfig& c);
// dns: query, record_type, server (section_checks_dns.cpp).
void read_dns_check(Context& ctx, MapView& m, CheckConfig& c);
// heartbeat: period, grace, key / key_file (section_checks_heartbeat.cpp).
void read_heartbeat_check(Context& ctx, MapView& m, PingKeys& keys, CheckConfig& c);
// An access_log condition reading path("/login").error_rate needs figures for "/login": adds
// the prefixes a (valid) condition names to c.path_prefixes, reporting bad ones inside it.
void add_condition_prefixes(Context& ctx, const Scalar& condition, const std::string& key, CheckConfig& c);

// A file or directory of this machine (logs, evidence, mount points): absolute, since the
// daemon's working directory is nobody's idea of where /var/log is.
std::optional<std::string> read_absolute_path(Context& ctx, const Field& f);

// services[].evidence and services[].runbooks (section_respond.cpp).
void read_evidence(Context& ctx, const Field& f, std::vector<EvidenceConfig>& out);
void read_runbooks(Context& ctx, const Field& f, std::vector<RunbookConfig>& out);
// services[].urgency (section_urgency.cpp).
void read_urgency(Context& ctx, const Field& f, UrgencyRule& out);
// The time_zone, days, start and end (maintenance: or duration) keys of a weekly window
// (section_weekly.cpp). Support hours default to Monday-Friday and end after they start on the
// same day; a maintenance window defaults to every day, and one whose end is not after its start
// ends the next day.
enum class WeeklyKind { support_hours, maintenance };
void read_weekly_window(Context& ctx, const Field& f, MapView& m, WeeklyKind kind, WeeklyWindow& out);
// maintenance: recurring maintenance windows of the named services.
void read_recurring_maintenance(Context& ctx, const Field& f, const NameIndex& services,
                                std::vector<RecurringMaintenance>& out);

// postmortems: (section_postmortems.cpp).
void read_postmortems(Context& ctx, const Field& f, PostmortemConfig& out);

// ---- on-call ----
// Returns whether the section sets a url (valid or not), which email contacts need.
bool read_smtp(Context& ctx, const Field& f, SmtpConfig& out);
void read_users(Context& ctx, const Field& f, bool smtp_configured, std::vector<UserConfig>& out, NameIndex& ids);
void read_schedules(Context& ctx, const Field& f, const NameIndex& users, std::vector<ScheduleConfig>& out,
                    NameIndex& names);
void read_escalation_policies(Context& ctx, const Field& f, const NameIndex& users, const NameIndex& schedules,
                              std::vector<EscalationPolicyConfig>& out, NameIndex& names);
// `fed` gets the names of the services integrations feed.
void read_integrations(Context& ctx, const Field& f, const NameIndex& services, std::vector<IntegrationConfig>& out,
                       std::set<std::string>& fed);

}  // namespace vigil::config::detail
