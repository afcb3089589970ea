#include "app/check_runtime.h"

#include <fmt/format.h>

namespace vigil::app {

void CheckFigures::record(bool passed, int status, double seconds, Time at, const std::string& reason) {
  up = passed;
  last_checked_at = at;
  last_status = status;
  last_seconds = seconds;
  if (passed) last_error.clear();
  else last_error = reason;
  ++probes;
  if (!passed) ++failures;
  seconds_sum += seconds;
  for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
    if (seconds <= kDurationBuckets[i]) {
      ++buckets[i];
      break;
    }
  }
}

std::string_view type_name(config::CheckType t) {
  switch (t) {
    case config::CheckType::http: return "http";
    case config::CheckType::tcp: return "tcp";
    case config::CheckType::apache_status: return "apache_status";
    case config::CheckType::access_log: return "access_log";
    case config::CheckType::error_log: return "error_log";
    case config::CheckType::host: return "host";
    case config::CheckType::process: return "process";
    case config::CheckType::heartbeat: return "heartbeat";
    case config::CheckType::tls: return "tls";
    case config::CheckType::dns: return "dns";
  }
  return "http";
}

Result<CheckRuntime> make_runtime(const config::ServiceConfig& service,
                                  std::shared_ptr<const config::CheckConfig> check, ConditionCache& cache) {
  CheckRuntime rt;
  rt.rules.service = service.name;
  rt.rules.check = check->name;
  rt.rules.check_type = std::string(type_name(check->type));
  rt.rules.failure_threshold = check->failure_threshold;
  rt.rules.success_threshold = check->success_threshold;
  rt.rules.severity = check->severity;
  for (const auto& text : check->conditions) {
    if (auto hit = cache.find(text); hit != cache.end()) {
      rt.rules.conditions.push_back(hit->second);
      continue;
    }
    auto parsed = rules::Condition::parse(text);
    if (auto* err = std::get_if<rules::ParseError>(&parsed)) {
      return Error{fmt::format("condition \"{}\": column {}: {}", text, err->column, err->message),
                   config::check_id(service, *check)};
    }
    auto& cond = std::get<rules::Condition>(parsed);
    cache.emplace(text, cond);
    rt.rules.conditions.push_back(std::move(cond));
  }
  rt.config = std::move(check);
  return rt;
}

}  // namespace vigil::app
