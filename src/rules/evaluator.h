// Evaluator: turns CheckResults into AlertChanges. Applies a check's conditions to each
// result, then its thresholds: `failure_threshold` consecutive failures fire, then
// `success_threshold` consecutive passes resolve, so one blip never pages. Pure: the
// state is a value, time comes in with the result.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "probe/check_result.h"
#include "rules/condition.h"

namespace vigil::rules {

// The check-level facts the evaluator needs (a slice of config::CheckConfig).
struct CheckRules {
  std::string service;
  std::string check;
  std::string check_type;  // "http" | "tcp": chooses the default condition and the variables
  std::vector<Condition> conditions;  // empty: reachable (and for http: status < 400)
  int failure_threshold = 3;
  int success_threshold = 2;
  std::string severity = "critical";
};

// Variables a CheckResult exposes to conditions: status, response_time, body,
// header["X"], json.<path>, cert_expires_in (relative to result time), dns_time,
// connect_time, tls_time, ttfb, reachable, error. Missing values (no such header, no such
// JSON path, body not JSON, no certificate) are null. The function refers to `r`, which
// must outlive it; the body is parsed as JSON at most once, on the first json.* lookup.
// judge() does not go through this (it resolves variables without copying strings);
// Condition::evaluate() given this function takes judge()'s path, with the same reasons.
//
// Figures: any other name is looked up in r.figures: busy_workers, scoreboard.waiting,
// p95; selectors by their figure name: path("/login").p95 and path["/login"].p95 →
// "path:/login.p95"; a subscript without field, disk["/var"] → "disk:/var". A name with a
// ':' that is absent is tried once more with that ':' as '.' ("disk./var.used_ratio",
// "pattern.oom-killer"), for check types that spell figures with dots. Numbers are
// numbers (ratios are 0..1, so `error_rate < 5%` works), Durations durations (`p95 <
// 800ms`), strings strings. Built-in names win over figures of the same name. An absent
// figure is an unknown variable, never null (a typo must not pass under `not` or `or`);
// the reason lists up to 8 figures the result has, its family first ("busy_wrokers: no
// such figure for this check; known: busy_workers, …"). Figures a window may lack (p95 of
// an empty window) are guarded with short-circuit: `requests == 0 or p95 < 800ms`.
// Figure lookups do not allocate.
Variables result_variables(const probe::CheckResult& r);
Variables result_variables(probe::CheckResult&&) = delete;  // would dangle

struct Verdict {
  bool passed = false;
  std::string reason;  // first failing condition with the observed value, or the transport error
};
// Unreachable: fails with r.error. No conditions: http passes iff status < 400 (reason
// "status 503"), other types iff reachable. Otherwise every condition must pass; the
// reason is the first failing condition's.
Verdict judge(const CheckRules& rules, const probe::CheckResult& r);

// Per-check threshold state; persisted implicitly through open incidents (see app/).
struct CheckState {
  int consecutive_failures = 0;
  int consecutive_successes = 0;
  bool alerting = false;                // an AlertChange::firing was emitted and not yet resolved
  std::optional<Time> first_failure_at;  // first failing result of the current failure streak
  std::optional<Time> first_success_at;  // first passing result of the current success streak
  std::string last_reason;              // the last verdict's reason (empty when it passed)
};

struct AlertChange {
  enum class Kind { firing, resolved };
  Kind kind = Kind::firing;
  std::string service;
  std::string check;
  std::string severity;
  std::string summary;   // firing: "login: status == 200 (status is 503)"; resolved: "login: recovered"
  Time started_at{};     // first failing result (firing) / first passing result (resolved)
  Time at{};             // the result that crossed the threshold
};

// Feeds one verdict into the state; returns an AlertChange when a threshold is crossed.
// A pass resets the failure streak, a failure the success streak. Fires once when
// consecutive failures reach failure_threshold (not again while alerting); resolves once
// when alerting and consecutive passes reach success_threshold. Thresholds below 1 count as 1.
std::optional<AlertChange> step(CheckState& state, const CheckRules& rules, const Verdict& v, Time result_time);

}  // namespace vigil::rules
