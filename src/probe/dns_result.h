// What a dns check reports from one DNS answer: reachable when the name has at least one record
// of the type (NOERROR), else the reason ("www.example.com A: NXDOMAIN"); the figures answers
// (records sorted, ", "-joined), answer_count, rcode and for A/AAAA canonical_name (where the
// CNAME chain ends); the metric probe_dns_answer_rrs
// (blackbox_exporter's name). Pure.
#pragma once
#include "config/config.h"
#include "net/dns_client.h"
#include "probe/check_result.h"

namespace vigil::probe {

CheckResult dns_result(const net::DnsAnswer& a, const config::CheckConfig& check, Time started);

}  // namespace vigil::probe
