// Corrective and Preventative Measures (tracked action items, and suggestions where a measured
// fact fell short) and Lessons Learned (went well / went wrong / got lucky, from the same facts).
// Suggestions are marked as such: they come from rules of thumb, a person decides.
#include <fmt/format.h>

#include <algorithm>

#include "postmortem/draft_parts.h"

namespace vigil::postmortem {
namespace {

constexpr Duration kSlowAck = std::chrono::minutes(5);  // without a policy target: worth a look

std::string bullets(const std::vector<std::string>& items, std::string_view none) {
  std::string out;
  for (const auto& i : items) out += "- " + i + "\n";
  return out.empty() ? fmt::format("- {}\n", none) : out;
}

std::string first_paged(const PostmortemFacts& f) { return f.paged.empty() ? "" : f.paged.front().name; }

std::vector<std::string> runbook_outcomes(const incident::Incident& inc, std::string_view kind) {
  std::vector<std::string> out;
  for (const auto& e : inc.timeline)
    if (e.kind == kind) out.push_back(md_inline(e.text));
  return out;
}

int count_kind(const incident::Incident& inc, std::string_view kind) {
  return static_cast<int>(std::count_if(inc.timeline.begin(), inc.timeline.end(),
                                        [&](const auto& e) { return e.kind == kind; }));
}

std::string budget_detail(const PostmortemFacts& f, Duration budget) {
  const CheckFacts* c = failing_check(f);
  if (!c) return human_duration(budget);
  return fmt::format("{}: every {} × {} failures + {} timeout", human_duration(budget), human_duration(c->interval),
                     c->failure_threshold, human_duration(c->timeout));
}

}  // namespace

std::string url_path(const CheckFacts& c) {
  if (c.type != "http") return "";
  std::string_view u = c.target;
  const auto scheme = u.find("://");
  if (scheme != std::string_view::npos) u.remove_prefix(scheme + 3);
  const auto slash = u.find('/');
  if (slash == std::string_view::npos) return "/";
  u.remove_prefix(slash);
  return std::string(u.substr(0, u.find_first_of("?#")));
}

std::vector<std::pair<std::string, std::int64_t>> uncovered_paths(const PostmortemFacts& f) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  if (!f.traffic) return out;
  for (const auto& [path, n] : f.traffic->failed_paths) {
    const std::string bare = path.substr(0, path.find_first_of("?#"));
    bool covered = false;
    for (const auto& c : f.checks) {
      if (c.type == "http" && url_path(c) == bare) covered = true;
      for (const auto& prefix : c.path_prefixes)
        if (c.type == "access_log" && bare.rfind(prefix, 0) == 0) covered = true;
    }
    if (!covered) out.emplace_back(path, n);
  }
  return out;
}

std::string corrective_section(const DraftContext& c) {
  const auto& f = c.facts;
  const auto& inc = f.incident;
  const Measures& m = c.m;
  std::string out;
  const auto open = std::count_if(f.action_items.begin(), f.action_items.end(),
                                  [](const auto& i) { return i.status != "done"; });
  if (f.action_items.empty())
    out += "No action items are tracked for this incident yet; the suggestions below are candidates.\n\n";
  else
    out += fmt::format("Action items are tracked in the table below: {} open, {} done.\n\n", open,
                       static_cast<long>(f.action_items.size()) - open);

  std::vector<std::string> s;
  for (const auto& [path, n] : uncovered_paths(f))
    s.push_back(fmt::format("No check covered {}, which failed {} requests: add an http check of it, or list it in "
                            "the access_log check's `path_prefixes`.",
                            code(path), thousands(n)));
  if (m.detection_budget > Duration{0} && m.time_to_detect > m.detection_budget)
    s.push_back(fmt::format("Detection took {}, longer than the check's budget of {}: look for probe delays or "
                            "lower the interval or the failure threshold.",
                            human_duration(m.time_to_detect), budget_detail(f, m.detection_budget)));
  if (inc.escalation_policy.empty() && f.escalation_policy.empty()) {
    s.push_back("Nobody was paged: the service has no escalation policy. Add one so that a person is reached.");
  } else if (m.pages == 0) {
    s.push_back(fmt::format("Escalation policy `{}` paged nobody: check that its schedules have someone on call.",
                            f.escalation_policy.empty() ? inc.escalation_policy : f.escalation_policy));
  } else if (!m.time_to_acknowledge) {
    s.push_back(fmt::format("None of the {} pages was acknowledged: check the engineers' contact methods and the "
                            "rotation.",
                            m.pages));
  } else if (f.target_acknowledge > Duration{0} && *m.time_to_acknowledge > f.target_acknowledge) {
    s.push_back(fmt::format("The page was acknowledged after {}, over the policy's target of {}: check that {} is "
                            "reachable and that the rotation matches who is really on call.",
                            human_duration(*m.time_to_acknowledge), human_duration(f.target_acknowledge),
                            first_paged(f).empty() ? "the first engineer" : first_paged(f)));
  } else if (f.target_acknowledge == Duration{0} && *m.time_to_acknowledge > kSlowAck) {
    s.push_back(fmt::format("The page was acknowledged after {}: set an acknowledgement target on the policy and "
                            "check that the first engineer is reachable.",
                            human_duration(*m.time_to_acknowledge)));
  }
  if (m.escalations > 0 && !f.paged.empty())
    s.push_back(fmt::format("The first page to {} went unanswered and the policy escalated ({} page{} in all): find "
                            "out why (contact method, phone settings, the wrong person on the schedule).",
                            first_paged(f), m.pages, m.pages == 1 ? "" : "s"));
  if (const int failed = count_kind(inc, "notify_failed"); failed > 0)
    s.push_back(fmt::format("{} page deliver{} failed: test the contact methods.",
                            failed, failed == 1 ? "y" : "ies"));
  for (const auto& r : runbook_outcomes(inc, "runbook_failed"))
    s.push_back(fmt::format("A runbook failed ({}): fix it and rehearse it against a test server.", r));
  if (count_kind(inc, "runbook") + count_kind(inc, "runbook_skipped") == 0)
    s.push_back("No runbook ran: write one for this failure, from the steps the fix took by hand.");
  if (inc.resolved_at && f.target_resolve > Duration{0} && m.time_to_resolve && *m.time_to_resolve > f.target_resolve)
    s.push_back(fmt::format("Resolution took {}, over the target of {}.", human_duration(*m.time_to_resolve),
                            human_duration(f.target_resolve)));
  if (inc.resolved_at && resolver_note(inc).empty())
    s.push_back("The incident was resolved without a note: record the root cause in this report.");

  out += "### Suggestions\n\n";
  std::vector<std::string> marked;
  for (auto& x : s) marked.push_back("*Suggestion:* " + x);
  out += bullets(marked, "No suggestions: the measured facts show nothing that fell short.");
  return out;
}

std::string lessons_section(const DraftContext& c) {
  const auto& f = c.facts;
  const auto& inc = f.incident;
  const Measures& m = c.m;
  std::string out = "**Measured:**\n\n";
  out += fmt::format("- Time to detect: {}{}.\n", human_duration(m.time_to_detect),
                     m.detection_budget > Duration{0} ? fmt::format(" (budget {})", budget_detail(f, m.detection_budget))
                                                      : "");
  auto target = [](Duration t) { return t > Duration{0} ? fmt::format(" (target {})", human_duration(t)) : ""; };
  out += fmt::format("- Time to acknowledge: {}{}.\n",
                     m.time_to_acknowledge ? human_duration(*m.time_to_acknowledge) : "not acknowledged",
                     target(f.target_acknowledge));
  out += fmt::format("- Time to mitigate: {}.\n", m.time_to_mitigate ? human_duration(*m.time_to_mitigate) : "not mitigated");
  out += fmt::format("- Time to resolve: {}{}.\n\n", m.time_to_resolve ? human_duration(*m.time_to_resolve) : "not resolved",
                     target(f.target_resolve));

  std::vector<std::string> well, wrong, lucky;
  if (m.detection_budget > Duration{0}) {
    if (m.time_to_detect <= m.detection_budget)
      well.push_back(fmt::format("Detection took {}, within the check's budget of {}.", human_duration(m.time_to_detect),
                                 human_duration(m.detection_budget)));
    else
      wrong.push_back(fmt::format("Detection took {}, over the check's budget of {}.", human_duration(m.time_to_detect),
                                  human_duration(m.detection_budget)));
  }
  if (m.time_to_acknowledge) {
    const std::string ack = fmt::format("The page was acknowledged {} after detection", human_duration(*m.time_to_acknowledge));
    if (f.target_acknowledge > Duration{0} && *m.time_to_acknowledge > f.target_acknowledge)
      wrong.push_back(fmt::format("{}, over the target of {}.", ack, human_duration(f.target_acknowledge)));
    else if (f.target_acknowledge > Duration{0})
      well.push_back(fmt::format("{}, within the target of {}.", ack, human_duration(f.target_acknowledge)));
  } else if (m.pages > 0) {
    wrong.push_back(fmt::format("Nobody acknowledged any of the {} pages.", m.pages));
  }
  if (m.escalations > 0 && m.time_to_acknowledge)
    well.push_back("When the first page went unanswered, the escalation policy reached the next engineer, who answered.");
  if (m.pages == 0) wrong.push_back("Nobody was paged.");
  if (const int failed = count_kind(inc, "notify_failed"); failed > 0)
    wrong.push_back(fmt::format("{} page deliver{} failed.", failed, failed == 1 ? "y" : "ies"));
  if (count_kind(inc, "evidence") > 0)
    well.push_back("Evidence was gathered automatically when the incident opened, before anyone logged in.");
  const auto ok = runbook_outcomes(inc, "runbook_succeeded");
  const auto bad = runbook_outcomes(inc, "runbook_failed");
  for (const auto& r : ok) well.push_back(fmt::format("A runbook worked: {}.", r));
  for (const auto& r : bad) wrong.push_back(fmt::format("A runbook failed: {}.", r));
  if (!bad.empty() && ok.empty() && inc.resolved_at)
    lucky.push_back("The fix was found by hand after the runbook failed.");
  if (m.time_to_mitigate)
    well.push_back(fmt::format("Service was restored {} after detection.", human_duration(*m.time_to_mitigate)));
  if (m.time_to_resolve && f.target_resolve > Duration{0} && *m.time_to_resolve > f.target_resolve)
    wrong.push_back(fmt::format("Resolution took {}, over the target of {}.", human_duration(*m.time_to_resolve),
                                human_duration(f.target_resolve)));
  if (const auto gaps = uncovered_paths(f); !gaps.empty())
    wrong.push_back(fmt::format("No check covered {}, where requests failed.", code(gaps.front().first)));
  if (f.traffic && f.traffic->requests > 0 && f.traffic->failed * 2 < f.traffic->requests) {
    std::string where = f.traffic->failed_paths.size() == 1 ? fmt::format(" (only {})", code(f.traffic->failed_paths[0].first)) : "";
    lucky.push_back(fmt::format("Only {} of requests failed{}: the rest of the site kept serving.",
                                percent(f.traffic->failed, f.traffic->requests), where));
  }
  if (m.escalations > 0 && m.time_to_acknowledge && f.paged.size() > 1)
    lucky.push_back(fmt::format("{} was available to take the escalation.", f.paged.back().name));

  out += "### What went well\n\n" + bullets(well, "Nothing measured stands out; add what you know.") + "\n";
  out += "### What went wrong\n\n" + bullets(wrong, "Nothing measured fell short; add what you know.") + "\n";
  out += "### Where we got lucky\n\n" + bullets(lucky, "Nothing in the recorded facts; add what you know.");
  return out;
}

}  // namespace vigil::postmortem
