#include "rules/heartbeat.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::rules {
namespace {

// Whole seconds read better than "25h3m12s417ms" in a reason.
std::string seconds_of(Duration d) { return format_duration(std::chrono::floor<std::chrono::seconds>(d)); }

std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  // Back off continuation bytes (10xxxxxx) so a multi-byte character is never cut in half.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string expectation(const HeartbeatRule& rule) {
  return fmt::format("expected every {}, grace {}", format_duration(rule.period), format_duration(rule.grace));
}

}  // namespace

std::string_view to_string(PingKind k) {
  switch (k) {
    case PingKind::success: return "success";
    case PingKind::fail: return "fail";
    case PingKind::start: return "start";
  }
  return "success";
}

std::optional<PingKind> parse_ping_kind(std::string_view s) {
  if (s == "success") return PingKind::success;
  if (s == "fail") return PingKind::fail;
  if (s == "start") return PingKind::start;
  return std::nullopt;
}

HeartbeatState record_ping(HeartbeatState s, PingKind kind, int exit_status, std::string_view body, Time at) {
  ++s.pings;
  if (kind == PingKind::start) {
    s.started_at = at;
    return s;
  }
  if (s.started_at && *s.started_at <= at) s.last_run_time = at - *s.started_at;
  s.started_at.reset();
  s.last_ping_at = at;
  s.last_kind = kind;
  s.exit_status = kind == PingKind::success ? 0 : (exit_status != 0 ? exit_status : 1);
  s.message = std::string(utf8_prefix(body, HeartbeatState::kMaxMessage));
  return s;
}

HeartbeatJudgement judge_heartbeat(const HeartbeatState& s, const HeartbeatRule& rule, Time now) {
  HeartbeatJudgement j;
  const Time since = s.last_ping_at.value_or(s.watching_since);
  j.deadline = since + rule.period + rule.grace;
  // A reported failure stands until a success: the job said so, no clock needed.
  if (s.last_ping_at && s.last_kind == PingKind::fail) {
    j.passed = false;
    j.reason = fmt::format("the job reported failure{} at {}", s.exit_status != 1 ? fmt::format(" (exit status {})", s.exit_status) : "",
                           format_rfc3339(*s.last_ping_at));
    if (!s.message.empty()) {
      std::string_view first = s.message;
      first = first.substr(0, std::min(first.find('\n'), std::size_t{200}));
      j.reason += fmt::format(": {}", first);
    }
    return j;
  }
  if (s.started_at && now >= *s.started_at + rule.grace) {
    j.passed = false;
    j.reason = fmt::format("started {} ago and not finished within the grace of {}", seconds_of(now - *s.started_at),
                           format_duration(rule.grace));
    return j;
  }
  if (now >= j.deadline) {
    j.passed = false;
    j.reason = s.last_ping_at
                   ? fmt::format("no ping for {} ({})", seconds_of(now - since), expectation(rule))
                   : fmt::format("no ping yet, {} after vigil began watching ({})", seconds_of(now - since),
                                 expectation(rule));
    return j;
  }
  if (s.started_at) j.deadline = std::min(j.deadline, *s.started_at + rule.grace);
  return j;
}

}  // namespace vigil::rules
