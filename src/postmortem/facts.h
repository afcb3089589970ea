// PostmortemFacts: everything a draft and its pictures are made from, gathered by the shell
// (src/app) from the incident, the running config, the store and the access log. Plain data:
// the draft, writers and charts are pure functions of it (tests build it by hand).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "incident/incident.h"
#include "store/store.h"

namespace vigil::postmortem {

struct CheckFacts {
  std::string id;      // "service/check" (the dedup key of its incidents)
  std::string name;
  std::string type;    // http|tcp|apache_status|access_log|error_log|host|process
  std::string target;  // url, host:port or log path
  Duration interval{};
  Duration timeout{};
  int failure_threshold = 0;
  std::vector<std::string> conditions;
  std::vector<std::string> path_prefixes;  // access_log: paths with figures of their own
};

// Traffic during the incident window, from the monitored access log (vigil logs analyze).
struct TrafficImpact {
  std::string log_path;
  std::int64_t requests = 0;
  std::int64_t failed = 0;          // status >= 500
  std::int64_t clients = 0;         // distinct client addresses
  std::int64_t clients_failed = 0;  // distinct clients that got at least one failure
  std::vector<std::pair<std::string, std::int64_t>> failed_paths;  // top paths by failures, most first
};

struct Person {
  std::string id;
  std::string name;
};

// One escalation rule, for the diagram: "after 0m → schedule:web-primary".
struct RuleFacts {
  Duration after{};
  std::vector<std::string> targets;
};

struct PostmortemFacts {
  incident::Incident incident;  // with its full timeline
  std::string service_description;
  std::vector<CheckFacts> checks;        // the service's checks (config as it is now)
  std::vector<std::string> channels;     // team channels the service notifies
  std::vector<store::ResultRow> results;  // the service's check results around the incident, oldest first
  Time window_from{};                     // what `results` cover (charts draw this range)
  Time window_to{};
  std::optional<TrafficImpact> traffic;
  std::string escalation_policy;
  std::vector<RuleFacts> policy_rules;
  int policy_repeat = 0;
  Duration target_acknowledge{};  // 0: no target
  Duration target_resolve{};
  std::vector<Person> paged;  // engineers paged in this incident, in the order first paged
  std::vector<store::ActionItem> action_items;
  std::string time_zone = "UTC";  // IANA zone the report's times are written in
  std::string external_url;       // links back to vigil, when set
};

}  // namespace vigil::postmortem
