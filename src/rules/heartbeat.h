// Heartbeat checks (Healthchecks.io's and Opsgenie's heartbeats, Alertmanager's Watchdog as a
// dead man's switch): a job pings vigil every `period`; a ping that is `grace` late, a ping
// that reports failure, or a run that started and did not finish within `grace` fails the
// check. Pure: the state is a value, pings and judgements take their time as an argument.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace vigil::rules {

// What a ping says: /ping/KEY (success), /ping/KEY/fail, /ping/KEY/start, /ping/KEY/<exit status>.
enum class PingKind : std::uint8_t { success, fail, start };
std::string_view to_string(PingKind k);
std::optional<PingKind> parse_ping_kind(std::string_view s);  // "success" | "fail" | "start"

struct HeartbeatState {
  Time watching_since{};             // when vigil first watched this check: the clock before any ping
  std::optional<Time> last_ping_at;  // the last success or fail ping (a start does not count)
  PingKind last_kind = PingKind::success;  // of last_ping_at
  int exit_status = 0;                     // of last_ping_at (a fail ping without one: 1)
  std::string message;                     // the start of that ping's body (a job's output), ≤ kMaxMessage
  std::optional<Time> started_at;          // a start ping not yet followed by success or fail
  std::optional<Duration> last_run_time;   // start → the success or fail ping that ended that run
  std::uint64_t pings = 0;                 // every ping, starts included

  static constexpr std::size_t kMaxMessage = 1000;
  friend bool operator==(const HeartbeatState&, const HeartbeatState&) = default;
};

struct HeartbeatRule {
  Duration period{};
  Duration grace{};
};

// The state after a ping at `at`. `exit_status` counts for success/fail (0 for success); the body
// is cut to kMaxMessage bytes at a UTF-8 boundary.
HeartbeatState record_ping(HeartbeatState s, PingKind kind, int exit_status, std::string_view body, Time at);

struct HeartbeatJudgement {
  bool passed = true;
  std::string reason;  // why it failed: "no ping for 25h3m (expected every 24h, grace 1h)"
  Time deadline{};     // when a check that passes now fails without another ping
};
HeartbeatJudgement judge_heartbeat(const HeartbeatState& s, const HeartbeatRule& rule, Time now);

}  // namespace vigil::rules
