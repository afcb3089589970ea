#include <string_view>

#include "postmortem/draft.h"
#include "postmortem/events.h"

namespace vigil::postmortem {
namespace {

// A page beyond the first rule's first round: "...: rule 2 via ..." or "..., repeat 1".
bool is_escalated_page(std::string_view text) {
  const auto p = text.find(": rule ");
  if (p != std::string_view::npos && text.substr(p + 7, 2) != "1 ") return true;
  return text.find(", repeat ") != std::string_view::npos;
}

}  // namespace

Measures measure(const PostmortemFacts& facts) {
  const auto& inc = facts.incident;
  Measures m;
  m.time_to_detect = inc.detected_at - inc.started_at;
  std::optional<Time> first_ack, first_fix;
  for (const auto& e : inc.timeline) {
    if (e.kind == "acknowledged" && !first_ack) first_ack = e.at;
    if (e.kind == "runbook_succeeded" && !first_fix) first_fix = e.at;
    if (e.kind == "paged") {
      ++m.pages;
      if (is_escalated_page(e.text)) ++m.escalations;
    }
  }
  if (!first_ack) first_ack = inc.acknowledged_at;
  if (first_ack) m.time_to_acknowledge = *first_ack - inc.detected_at;
  if (auto rec = recovered_at(facts); rec && (!first_fix || *rec < *first_fix)) first_fix = rec;
  if (first_fix) m.time_to_mitigate = std::max(Duration{0}, *first_fix - inc.detected_at);
  if (inc.resolved_at) {
    m.time_to_resolve = *inc.resolved_at - inc.detected_at;
    m.downtime = *inc.resolved_at - inc.started_at;
  }
  if (const CheckFacts* c = failing_check(facts)) m.detection_budget = c->interval * c->failure_threshold + c->timeout;
  const Time end = inc.resolved_at.value_or(facts.window_to > inc.started_at ? facts.window_to : inc.started_at);
  for (const auto& r : facts.results)
    if (!r.passed && r.at >= inc.started_at && r.at <= end) ++m.failed_checks;
  return m;
}

}  // namespace vigil::postmortem
