// Time and duration vocabulary shared by every domain. Pure code takes `Time now`
// as an argument; only the shell (src/app, src/probe, src/net) reads the clock.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace vigil {

using Clock = std::chrono::system_clock;
using Time = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

inline Time now_ms() { return std::chrono::time_point_cast<Duration>(Clock::now()); }

// Parses "250ms", "10s", "5m", "2h", "14d", "1h30m" (Prometheus style). Errors name the problem.
Result<Duration> parse_duration(std::string_view text);
// "1h30m", "250ms", "0s": the shortest form parse_duration reads back.
std::string format_duration(Duration d);
// RFC 3339 in UTC with milliseconds: 2024-08-18T10:15:00.000Z
std::string format_rfc3339(Time t);
// Accepts RFC 3339 with 'Z' or a numeric offset, with or without fractional seconds.
Result<Time> parse_rfc3339(std::string_view text);

}  // namespace vigil
