// The human report of one probe, printed by `vigil check URL`: outcome, timing breakdown
// (DNS, connect, TLS, TTFB, total), TLS certificate expiry, remote address, error.
#pragma once
#include <string>

#include "probe/check_result.h"

namespace vigil::probe {

// Multi-line text ending in '\n'. Pure: "days left" on the certificate is counted from the
// result's own started_at, not from a clock.
std::string format_check_report(const CheckResult& result);

}  // namespace vigil::probe
