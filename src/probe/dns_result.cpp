#include "probe/dns_result.h"

#include <fmt/format.h>

namespace vigil::probe {

CheckResult dns_result(const net::DnsAnswer& a, const config::CheckConfig& check, Time started) {
  CheckResult r;
  r.started_at = started;
  r.timings.total = a.took;
  r.remote_ip = check.server;
  if (!a.responded) {
    r.error = a.error;
    return r;
  }
  std::string joined;
  for (const auto& rec : a.records) {
    if (!joined.empty()) joined += ", ";
    joined += rec;
  }
  r.figures.emplace("answers", joined);
  r.figures.emplace("answer_count", static_cast<double>(a.records.size()));
  r.figures.emplace("rcode", a.rcode);
  if (!a.canonical_name.empty()) r.figures.emplace("canonical_name", a.canonical_name);
  r.metrics.push_back(MetricSample{"probe_dns_answer_rrs", "gauge", "Records in the answer section.", {},
                                   static_cast<double>(a.records.size())});
  if (!a.error.empty()) {
    r.error = a.error;
  } else if (a.rcode != "NOERROR") {
    r.error = fmt::format("{} {}: {}", check.query, check.record_type, a.rcode);
  } else if (a.records.empty()) {
    r.error = fmt::format("{} {}: no {} records (NOERROR)", check.query, check.record_type, check.record_type);
  } else {
    r.reachable = true;
  }
  return r;
}

}  // namespace vigil::probe
