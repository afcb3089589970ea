// CheckResult: what one probe observed. Produced by src/probe, read by src/rules
// (conditions), src/store (history) and src/web (/metrics). Plain data, no behaviour.
#pragma once
#include <optional>
#include <string>
#include <utility>
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

  static constexpr std::size_t kMaxBody = 64 * 1024;
};

}  // namespace vigil::probe
