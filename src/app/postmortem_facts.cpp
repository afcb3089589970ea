#include "app/postmortem_facts.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/check_runtime.h"
#include "probe/logs/access_format.h"
#include "probe/logs/analyze.h"

namespace vigil::app {
namespace {

constexpr int kMaxResults = 20000;  // a day of 5-second probes of a few checks

std::string target_of(const config::CheckConfig& c) {
  if (!c.url.empty()) return c.url;
  return c.path.empty() ? c.process_name : c.path;
}

// "paged Alice (alice): rule 1 via schedule:web" → "alice" (engine_oncall.cpp writes these).
std::optional<std::string> paged_user(const incident::TimelineEntry& e) {
  if (e.kind != "paged") return std::nullopt;
  const auto colon = e.text.find("): ");
  const auto open = e.text.rfind(" (", colon);
  if (colon == std::string::npos || open == std::string::npos) return std::nullopt;
  return e.text.substr(open + 2, colon - open - 2);
}

}  // namespace

postmortem::PostmortemFacts facts_from_config(const incident::Incident& inc, const config::Config& cfg) {
  postmortem::PostmortemFacts f;
  f.incident = inc;
  f.time_zone = cfg.postmortems.time_zone;
  f.external_url = cfg.server.external_url;
  const auto svc = std::find_if(cfg.services.begin(), cfg.services.end(),
                                [&](const config::ServiceConfig& s) { return s.name == inc.service; });
  std::string policy_name = inc.escalation_policy;
  if (svc != cfg.services.end()) {
    f.service_description = svc->description;
    f.channels = svc->notify;
    if (policy_name.empty()) policy_name = svc->escalation_policy;
    for (const auto& c : svc->checks) {
      f.checks.push_back(postmortem::CheckFacts{config::check_id(*svc, c), c.name, std::string(type_name(c.type)),
                                                target_of(c), c.interval, c.timeout, c.failure_threshold,
                                                c.conditions, c.path_prefixes});
    }
  }
  for (const auto& p : cfg.escalation_policies) {
    if (p.name != policy_name) continue;
    f.escalation_policy = p.name;
    f.policy_repeat = p.repeat;
    f.target_acknowledge = p.target_acknowledge;
    f.target_resolve = p.target_resolve;
    for (const auto& r : p.rules) f.policy_rules.push_back(postmortem::RuleFacts{r.after, r.targets});
  }
  for (const auto& e : inc.timeline) {
    auto id = paged_user(e);
    if (!id || std::any_of(f.paged.begin(), f.paged.end(), [&](const auto& p) { return p.id == *id; })) continue;
    std::string name = *id;
    for (const auto& u : cfg.users)
      if (u.id == *id && !u.name.empty()) name = u.name;
    f.paged.push_back(postmortem::Person{*id, name});
  }
  return f;
}

std::pair<Time, Time> results_window(const incident::Incident& inc, Time now) {
  const Time end = inc.resolved_at.value_or(now);
  const Duration length = std::max(Duration{0}, end - inc.started_at);
  const Duration margin = std::clamp<Duration>(length / 4, std::chrono::minutes(2), std::chrono::hours(1));
  return {inc.started_at - margin, std::min(end + margin, std::max(now, end))};
}

std::optional<postmortem::TrafficImpact> traffic_impact(const config::CheckConfig& c, Time from, Time to) {
  auto format = probe::logs::AccessFormat::compile(c.log_format);
  if (!format) return std::nullopt;  // the loader compiled it already; a broken one has no impact to tell
  probe::logs::AnalyzeOptions options;
  options.from = std::chrono::floor<std::chrono::seconds>(from);
  options.to = std::chrono::ceil<std::chrono::seconds>(to);
  options.top = 5;
  probe::logs::Analyzer analyzer(*format, options);
  if (Status st = probe::logs::analyze_file(c.path, analyzer); !st.ok()) {
    spdlog::warn("postmortem: traffic impact from {}: {}", c.path, st.error().message);
    return std::nullopt;
  }
  const auto s = analyzer.finish();
  postmortem::TrafficImpact t;
  t.log_path = c.path;
  t.requests = static_cast<std::int64_t>(s.requests);
  t.failed = static_cast<std::int64_t>(s.status_class[5]);
  t.clients = static_cast<std::int64_t>(s.unique_clients);
  t.clients_failed = static_cast<std::int64_t>(s.unique_clients_5xx);
  for (const auto& p : s.top_5xx_paths) t.failed_paths.emplace_back(p.path, static_cast<std::int64_t>(p.count));
  return t;
}

Result<std::optional<postmortem::PostmortemFacts>> gather_facts(store::Store& store, const config::Config& cfg,
                                                                std::int64_t id, Time now) {
  auto inc = store.get_incident(id);
  if (!inc.ok()) return inc.error();
  if (!inc.value()) return std::optional<postmortem::PostmortemFacts>{};
  postmortem::PostmortemFacts f = facts_from_config(**inc, cfg);
  std::tie(f.window_from, f.window_to) = results_window(f.incident, now);
  std::vector<std::string> ids;
  for (const auto& c : f.checks) ids.push_back(c.id);
  auto results = store.results_between(ids, f.window_from, f.window_to, kMaxResults);
  if (!results.ok()) return results.error();
  f.results = std::move(*results);
  auto items = store.list_action_items({id, std::nullopt, std::nullopt});
  if (!items.ok()) return items.error();
  f.action_items = std::move(*items);
  for (const auto& s : cfg.services) {
    if (s.name != f.incident.service) continue;
    for (const auto& c : s.checks) {
      if (c.type != config::CheckType::access_log) continue;
      f.traffic = traffic_impact(c, f.incident.started_at, f.incident.resolved_at.value_or(now));
      break;  // one log tells the story; the first access_log check is the service's front door
    }
  }
  return std::optional<postmortem::PostmortemFacts>(std::move(f));
}

}  // namespace vigil::app
