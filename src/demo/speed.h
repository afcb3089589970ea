// Speed: `vigil demo --speed N` compresses the demo's time. Every interval, timeout, log window,
// escalation delay, response target and runbook cooldown of the loaded Config is divided by N,
// so the same story (detect, page, escalate, remediate, resolve) plays N times faster. Counts
// (failure/success thresholds, max_attempts) are not time and stay as configured. Pure.
#pragma once
#include "common/result.h"
#include "common/time.h"
#include "config/config.h"

namespace vigil::demo {

// --speed accepts [kMinSpeed, kMaxSpeed]: below, the story takes hours; above, probe intervals
// fall under the engine's own 1 s housekeeping ticks and the order of events blurs.
inline constexpr double kMinSpeed = 0.1;
inline constexpr double kMaxSpeed = 50;

// Error naming the flag when `speed` is out of range (or not a number).
Status check_speed(double speed);

// `d` divided by `speed`, never below `floor` (unless `d` itself is smaller), rounded to ms.
// 0 stays 0 (it means "off" for ack_timeout and targets).
Duration scaled(Duration d, double speed, Duration floor = Duration{0});

// The floors: a probe still needs time to connect and answer on loopback, also on a busy
// machine and through an Apache in the middle of a graceful reload.
inline constexpr Duration kMinInterval = std::chrono::milliseconds(100);
inline constexpr Duration kMinTimeout = std::chrono::milliseconds(500);

// Divides the config's durations by `speed` (see above). speed 1 leaves it unchanged.
void scale_config(config::Config& cfg, double speed);

}  // namespace vigil::demo
