// Issue Summary: how long, how bad (in numbers), how it was found, and the root cause as known.
#include <fmt/format.h>

#include "postmortem/draft_parts.h"

namespace vigil::postmortem {
namespace {

std::string impact(const DraftContext& c) {
  const auto& f = c.facts;
  const auto& inc = f.incident;
  const CheckFacts* check = failing_check(f);
  std::string out;
  const Duration down = c.m.downtime.value_or(incident_end(c) - inc.started_at);
  std::string what = fmt::format("{} of downtime{} of service `{}`", human_duration(down),
                                 inc.open() ? " so far" : "", inc.service);
  if (!f.service_description.empty()) what += fmt::format(" ({})", md_inline(f.service_description));
  if (!inc.check.empty()) what += fmt::format(": check `{}` failing", inc.check);
  out += "- " + what + ".\n";
  out += fmt::format("- {} failed check{} of the service during the incident.\n", thousands(c.m.failed_checks),
                     c.m.failed_checks == 1 ? "" : "s");
  if (f.traffic) {
    const auto& t = *f.traffic;
    out += fmt::format("- {} of {} requests failed ({}) according to {}.\n", thousands(t.failed), thousands(t.requests),
                       percent(t.failed, t.requests), code(t.log_path));
    out += fmt::format("- {} distinct client{} affected (of {} seen).\n", thousands(t.clients_failed),
                       t.clients_failed == 1 ? "" : "s", thousands(t.clients));
    if (!t.failed_paths.empty()) {
      std::string paths;
      for (const auto& [path, n] : t.failed_paths)
        paths += fmt::format("{}{} ({})", paths.empty() ? "" : ", ", code(path), thousands(n));
      out += "- Failing paths: " + paths + ".\n";
    }
  } else if (check && !url_path(*check).empty()) {
    out += fmt::format("- Failing path: {} (the path check `{}` requests); no access log is monitored, so failed "
                       "requests and clients affected are not known.\n",
                       code(url_path(*check)), check->name);
  }
  return out;
}

std::string detection(const DraftContext& c) {
  const auto& inc = c.facts.incident;
  std::string how = inc.origin == "check" && !inc.check.empty() ? fmt::format("Check `{}`", inc.check)
                                                                : fmt::format("An alert from {}", inc.origin);
  std::string out = fmt::format("{} opened incident #{} {} after the first failure", how, inc.id,
                                human_duration(c.m.time_to_detect));
  if (c.m.detection_budget > Duration{0})
    out += fmt::format(" (detection budget {})", human_duration(c.m.detection_budget));
  if (c.m.pages == 0) {
    out += "; nobody was paged";
  } else {
    out += fmt::format("; {} page{} sent", c.m.pages, c.m.pages == 1 ? "" : "s");
    if (c.m.time_to_acknowledge)
      out += fmt::format(", first acknowledged {} after detection", human_duration(*c.m.time_to_acknowledge));
    else
      out += ", none acknowledged";
  }
  return out + ".";
}

std::string root_cause(const DraftContext& c) {
  const auto& inc = c.facts.incident;
  if (const std::string note = resolver_note(inc); !note.empty()) {
    std::string who;
    for (const auto& e : inc.timeline)
      if (e.kind == "resolved") who = e.actor;
    return fmt::format("{} ({}'s resolution note)", md_inline(note), md_inline(who));
  }
  if (const auto causes = likely_causes(inc); !causes.empty())
    return md_inline(causes.front()) + " — found in the evidence by pattern matching, not confirmed by a person";
  return "not known yet: no resolution note and no likely cause in the evidence. Write it here.";
}

}  // namespace

std::string summary_section(const DraftContext& c) {
  const auto& inc = c.facts.incident;
  const Zone& z = c.zone;
  std::string out;
  if (inc.open())
    out += fmt::format("*Draft of an ongoing incident: still {} at {}; the figures cover the time so far.*\n\n",
                       incident::to_string(inc.status), z.date_time(c.now));
  const Time end = incident_end(c);
  out += fmt::format("**Duration:** {}{}, from {} to {}{}; times are in {} ({}, {}).\n\n",
                     human_duration(end - inc.started_at), inc.open() ? " so far" : "", z.date_time(inc.started_at),
                     z.day(end) == z.day(inc.started_at) ? z.hh_mm(end) + " " + z.abbrev(end) : z.date_time(end),
                     inc.open() ? " (still open)" : "", z.name(), z.abbrev(inc.started_at), z.utc_offset(inc.started_at));
  out += "**Impact:**\n\n" + impact(c) + "\n";
  out += "**Detection:** " + detection(c) + "\n\n";
  out += "**Root cause:** " + root_cause(c) + "\n";
  return out;
}

}  // namespace vigil::postmortem
