// CheckResult: what one probe observed. Produced by src/probe, read by src/rules
// (conditions), src/store (history) and src/web (/metrics). Plain data, no behaviour.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/time.h"

namespace vigil::probe {

struct Timings {
  std::chrono::microseconds dns{0};
  std::chrono::microseconds connect{0};  // TCP handshake done, from start
  std::chrono::microseconds tls{0};      // TLS handshake done, from start (0 for plain http)
  std::chrono::microseconds ttfb{0};     // first byte of the response, from start
  std::chrono::microseconds total{0};
};

// A named figure a check type exposes to conditions (busy_workers, error_rate, p95,
// path("/login").error_rate, load1, ...). Durations keep their type so `p95 < 800ms` works.
using FigureValue = std::variant<double, Duration, std::string>;

// A Prometheus sample a check type adds to /metrics (e.g. apache_workers{state="busy"}),
// named as the well-known exporter for that software names it.
struct MetricSample {
  std::string name;
  std::string type;  // gauge | counter
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;  // besides service and check
  double value = 0;
};

// A counter sample with one label: the shape the log probers report their totals in.
inline MetricSample counter_sample(std::string name, std::string help, std::string label, std::string value,
                                   double v) {
  return MetricSample{std::move(name), "counter", std::move(help), {{std::move(label), std::move(value)}}, v};
}

struct CheckResult {
  std::string check_id;  // "service/check"
  Time started_at{};
  // False when no response was obtained (refused, timeout, DNS, TLS...): `error` says why.
  bool reachable = false;
  std::string error;
  int status = 0;  // HTTP status; 0 for tcp
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;  // capped at kMaxBody
  bool body_truncated = false;
  Timings timings;
  std::optional<Time> cert_expires_at;  // https only
  std::string remote_ip;
  // Type-specific figures (apache_status, logs, host, process). Names are unique.
  std::map<std::string, FigureValue> figures;
  std::vector<MetricSample> metrics;

  static constexpr std::size_t kMaxBody = 64 * 1024;
};

}  // namespace vigil::probe
