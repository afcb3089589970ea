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
// Unix time in seconds, as Prometheus samples of a moment are (..._timestamp_seconds).
inline double epoch_seconds(Time t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

// Parses "250ms", "10s", "5m", "2h", "14d", "1h30m" (Prometheus style). Errors name the problem.
Result<Duration> parse_duration(std::string_view text);
// "1h30m", "250ms", "0s": the shortest form parse_duration reads back.
std::string format_duration(Duration d);
// RFC 3339 in UTC with milliseconds: 2024-08-18T10:15:00.000Z
std::string format_rfc3339(Time t);
// Accepts RFC 3339 with 'Z' or a numeric offset, with or without fractional seconds.
Result<Time> parse_rfc3339(std::string_view text);

// std::optional<Time> in 8 bytes instead of 16 (Time::min() stands for "none"), for structs
// kept by the million (an open Incident); used as the optional it converts to and from.
class MaybeTime {
 public:
  constexpr MaybeTime() = default;
  constexpr MaybeTime(std::nullopt_t) {}
  constexpr MaybeTime(Time t) : t_(t) {}
  constexpr MaybeTime(const std::optional<Time>& o) : t_(o ? *o : kNone) {}
  constexpr operator std::optional<Time>() const { return has_value() ? std::optional<Time>(t_) : std::nullopt; }
  constexpr bool has_value() const { return t_ != kNone; }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr const Time& operator*() const { return t_; }
  constexpr const Time* operator->() const { return &t_; }
  constexpr Time value_or(Time other) const { return has_value() ? t_ : other; }
  constexpr void reset() { t_ = kNone; }
  friend constexpr bool operator==(const MaybeTime&, const MaybeTime&) = default;
  friend constexpr bool operator==(const MaybeTime& a, const Time& b) { return a.has_value() && a.t_ == b; }
  friend constexpr bool operator==(const MaybeTime& a, std::nullopt_t) { return !a.has_value(); }

 private:
  static constexpr Time kNone = Time::min();
  Time t_ = kNone;
};

}  // namespace vigil
