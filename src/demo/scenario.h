// Scenario: the seed outage as a story played against the live system. Each step makes one
// thing happen for real (a config deploy, an engineer tapping Acknowledge, a runbook) or waits,
// bounded, for vigil to do its part (detect, page, escalate, gather evidence, write the
// postmortem), and narrates it:
//
//   1 all checks green        5 the second engineer acknowledges from the page's link
//   2 the bad deploy          6 she reads the evidence, notes the cause, runs rollback-config
//   3 detection, first page   7 she verifies /login and resolves with the root cause
//   4 no ack: escalation      8 the postmortem is written; the checks are green again
//
// Played on the caller's thread with blocking calls; the engine runs on its own.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace vigil::demo {

class Narrator;
class Pacer;
class Receiver;
class ApacheSite;
class Visitors;
class ApiClient;

struct Stage {
  const config::Config& config;  // as the engine runs it (scaled by --speed)
  Narrator& narrator;
  Pacer& pacer;
  Receiver& receiver;
  ApacheSite& site;
  Visitors& visitors;
  ApiClient& api;
};

struct StoryOutcome {
  std::int64_t incident = 0;
  std::filesystem::path postmortem;  // README.md; empty when it was not written in time
};

// The name of the demo's service and runbook in examples/demo.yaml.
inline constexpr const char* kService = "webserver-01";
inline constexpr const char* kRollback = "rollback-config";

// Error naming the step that did not happen in time (or was cut short by Ctrl-C).
Result<StoryOutcome> play_story(Stage& stage);

}  // namespace vigil::demo
