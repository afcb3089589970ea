#include "postmortem/report.h"

#include <algorithm>
#include <set>

namespace vigil::postmortem {

bool is_outage(const std::string& severity) { return severity == "critical" || severity == "error"; }

void SpanUnion::add(Time start, Time end) {
  if (end <= start) return;
  if (run_ && start <= run_->second) {
    run_->second = std::max(run_->second, end);
    return;
  }
  if (run_) done_ += run_->second - run_->first;
  run_ = std::pair{start, end};
}

Duration SpanUnion::covered() const { return run_ ? done_ + (run_->second - run_->first) : done_; }

void Downtime::add(const store::IncidentSpan& span) {
  if (!is_outage(span.severity)) return;
  per_service_[span.service].add(span.start, span.end);
  all_.add(span.start, span.end);
}

Duration Downtime::of(const std::string& service) const {
  auto it = per_service_.find(service);
  return it == per_service_.end() ? Duration{0} : it->second.covered();
}

namespace {

std::optional<Duration> mean(Duration sum, int count) {
  if (count <= 0) return std::nullopt;
  return sum / static_cast<std::int64_t>(count);
}

ServiceReport summarise(const store::ServiceSums& s, Duration downtime, Time from, Time to) {
  ServiceReport r;
  r.service = s.service;
  r.downtime = downtime;
  const Duration window = to - from;
  r.availability = window > Duration{0} ? 1.0 - static_cast<double>(downtime.count()) / window.count() : 1.0;
  r.incidents = s.incidents;
  r.acknowledged = s.acknowledged;
  r.resolved = s.resolved;
  r.mtta = mean(s.to_acknowledge, s.acknowledged);
  r.low_urgency = s.low_urgency;
  r.mtta_high_urgency = mean(s.high_to_acknowledge, s.high_acknowledged);
  r.mttr = mean(s.to_resolve, s.resolved);
  r.pages = s.pages;
  r.action_items_open = s.action_items_open;
  return r;
}

}  // namespace

Report build_report(const std::vector<std::string>& services, const store::WindowSums& sums, const Downtime& downtime,
                    Time from, Time to) {
  Report report;
  report.from = from;
  report.to = to;
  std::vector<std::string> names = services;
  const std::set<std::string> configured(services.begin(), services.end());
  std::set<std::string> others;
  std::map<std::string, const store::ServiceSums*> by_name;
  store::ServiceSums all;
  for (const auto& s : sums.services) {
    by_name.emplace(s.service, &s);
    if (!configured.count(s.service)) others.insert(s.service);
    all.incidents += s.incidents;
    all.acknowledged += s.acknowledged;
    all.to_acknowledge += s.to_acknowledge;
    all.low_urgency += s.low_urgency;
    all.high_acknowledged += s.high_acknowledged;
    all.high_to_acknowledge += s.high_to_acknowledge;
    all.resolved += s.resolved;
    all.to_resolve += s.to_resolve;
    all.pages += s.pages;
  }
  all.action_items_open = sums.action_items_open;  // every open item, tied to the window or not
  names.insert(names.end(), others.begin(), others.end());

  for (const auto& name : names) {
    auto it = by_name.find(name);
    store::ServiceSums mine = it != by_name.end() ? *it->second : store::ServiceSums{};
    mine.service = name;  // a quiet configured service: zeros
    report.services.push_back(summarise(mine, downtime.of(name), from, to));
  }
  report.total = summarise(all, downtime.total(), from, to);
  return report;
}

}  // namespace vigil::postmortem
