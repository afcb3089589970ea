#include "postmortem/report.h"

#include <algorithm>
#include <map>
#include <set>

namespace vigil::postmortem {
namespace {

bool is_outage(const incident::Incident& inc) { return inc.severity == "critical" || inc.severity == "error"; }

// Time covered by the union of intervals (overlapping incidents of one service are one outage).
Duration covered(std::vector<std::pair<Time, Time>> spans) {
  std::sort(spans.begin(), spans.end());
  Duration total{0};
  std::optional<std::pair<Time, Time>> run;
  for (const auto& [a, b] : spans) {
    if (run && a <= run->second) {
      run->second = std::max(run->second, b);
      continue;
    }
    if (run) total += run->second - run->first;
    run = std::pair{a, b};
  }
  if (run) total += run->second - run->first;
  return total;
}

std::optional<Duration> mean(const std::vector<Duration>& ds) {
  if (ds.empty()) return std::nullopt;
  Duration sum{0};
  for (auto d : ds) sum += d;
  return sum / static_cast<std::int64_t>(ds.size());
}

ServiceReport summarise(const std::string& service, const std::vector<const incident::Incident*>& incidents,
                        int open_items, Time from, Time to) {
  ServiceReport r;
  r.service = service;
  r.action_items_open = open_items;
  std::vector<std::pair<Time, Time>> outages;
  std::vector<Duration> ack, res;
  for (const auto* inc : incidents) {
    const Time end = inc->resolved_at.value_or(to);
    if (is_outage(*inc) && inc->started_at < to && end > from)
      outages.emplace_back(std::max(inc->started_at, from), std::min(end, to));
    for (const auto& e : inc->timeline)
      if (e.kind == "paged" && e.at >= from && e.at < to) ++r.pages;
    if (inc->started_at < from || inc->started_at >= to) continue;
    ++r.incidents;
    if (inc->acknowledged_at) {
      ++r.acknowledged;
      ack.push_back(*inc->acknowledged_at - inc->detected_at);
    }
    if (inc->resolved_at) {
      ++r.resolved;
      res.push_back(*inc->resolved_at - inc->detected_at);
    }
  }
  r.downtime = covered(std::move(outages));
  const Duration window = to - from;
  r.availability = window > Duration{0} ? 1.0 - static_cast<double>(r.downtime.count()) / window.count() : 1.0;
  r.mtta = mean(ack);
  r.mttr = mean(res);
  return r;
}

}  // namespace

Report build_report(const std::vector<std::string>& services, const std::vector<incident::Incident>& incidents,
                    const std::vector<store::ActionItem>& items, Time from, Time to) {
  Report report;
  report.from = from;
  report.to = to;
  std::vector<std::string> names = services;
  std::set<std::string> others;
  for (const auto& inc : incidents)
    if (std::find(names.begin(), names.end(), inc.service) == names.end()) others.insert(inc.service);
  names.insert(names.end(), others.begin(), others.end());

  std::map<std::int64_t, std::string> service_of;
  for (const auto& inc : incidents) service_of[inc.id] = inc.service;
  std::map<std::string, int> open_items;
  int all_open = 0;
  for (const auto& item : items) {
    if (item.status != "open") continue;
    ++all_open;
    if (auto it = service_of.find(item.incident_id); it != service_of.end()) ++open_items[it->second];
  }

  std::vector<const incident::Incident*> all;
  for (const auto& inc : incidents) all.push_back(&inc);
  for (const auto& name : names) {
    std::vector<const incident::Incident*> mine;
    for (const auto* inc : all)
      if (inc->service == name) mine.push_back(inc);
    report.services.push_back(summarise(name, mine, open_items[name], from, to));
  }
  report.total = summarise("", all, all_open, from, to);
  return report;
}

}  // namespace vigil::postmortem
