// CheckRuntime: what a probe shard keeps per check besides the schedule: the parsed rules,
// the threshold state, and the figures /metrics and /api/v1/services show. Lives on the
// shard's thread; read by the engine through a short lock when it renders a snapshot.
#pragma once
#include <array>
#include <map>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "rules/evaluator.h"

namespace vigil::app {

// Prometheus-style cumulative histogram of probe durations.
inline constexpr std::array<double, 11> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                             0.5,   1.0,  2.5,   5.0,  10.0};

struct CheckFigures {
  bool up = true;
  std::optional<Time> last_checked_at;
  int last_status = 0;
  double last_seconds = 0;
  std::string last_error;
  std::uint64_t probes = 0;
  std::uint64_t failures = 0;
  std::array<std::uint64_t, kDurationBuckets.size()> buckets{};  // non-cumulative counts
  double seconds_sum = 0;
  std::vector<probe::MetricSample> samples;  // the check type's own series from the last result
  std::map<std::string, probe::FigureValue> values;  // the check type's figures from the last result

  void record(bool passed, int status, double seconds, Time at, const std::string& reason);
};

std::string_view type_name(config::CheckType t);

struct CheckRuntime {
  std::shared_ptr<const config::CheckConfig> config;
  rules::CheckRules rules;
  rules::CheckState state;
  CheckFigures figures;
};

// Parsed conditions by their text. A fleet repeats the same few conditions ('status == 200')
// across thousands of checks; copies of a Condition share one immutable tree.
using ConditionCache = std::unordered_map<std::string, rules::Condition>;

// Builds the runtime of a check from config. Conditions were validated at load, so a parse
// failure here is a bug; it is reported as an error rather than trusted.
Result<CheckRuntime> make_runtime(const config::ServiceConfig& service,
                                  std::shared_ptr<const config::CheckConfig> check, ConditionCache& cache);

}  // namespace vigil::app
