// Timeline (every key event, one line each, in the report's zone) and Root Cause and Resolution
// (what the responders wrote, what the evidence showed, what was done and what it did).
#include <fmt/format.h>

#include <algorithm>

#include "postmortem/draft_parts.h"

namespace vigil::postmortem {
namespace {

constexpr std::size_t kEvidenceLines = 12;  // the tail of an evidence item quoted in the report

std::string line(const DraftContext& c, Time at, std::string_view text) {
  return fmt::format("- {} — {}\n", c.zone.clock(at), md_inline(text));
}

std::string last_lines(std::string_view body, std::size_t n) {
  std::vector<std::string_view> lines;
  while (!body.empty()) {
    const auto nl = body.find('\n');
    auto l = body.substr(0, nl);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find_first_not_of(" \t") != std::string_view::npos) lines.push_back(l);
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += std::string(lines[i]) + "\n";
  return out;
}

// A fenced block that no line of `body` can close early.
std::string fenced(std::string_view body) {
  std::size_t run = 0, longest = 0;
  for (char ch : body) {
    run = ch == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  return fence + "text\n" + std::string(body) + fence + "\n";
}

// How a runbook was started: "automatically" / "by hand by bob", from the "running ..." entry before it.
std::string how_started(const incident::Incident& inc, std::size_t upto, std::string_view name) {
  for (std::size_t i = upto; i-- > 0;) {
    const auto& e = inc.timeline[i];
    if (e.kind != "runbook" || e.text.rfind(fmt::format("running {} ", name), 0) != 0) continue;
    if (e.text.find(" by hand") != std::string::npos) return "run by hand by " + e.actor;
    return "started automatically";
  }
  return "";
}

}  // namespace

std::string timeline_section(const DraftContext& c) {
  const auto& inc = c.facts.incident;
  const Zone& z = c.zone;
  const Time last = c.events.empty() ? inc.started_at : c.events.back().at;
  const bool days = z.day(inc.started_at) != z.day(std::max(last, incident_end(c)));
  std::string out = fmt::format("Times are in {}.\n\n", z.name());
  std::string day;
  for (const auto& e : c.events) {
    if (days && z.day(e.at) != day) {
      day = z.day(e.at);
      out += fmt::format("{}**{}**\n\n", day == z.day(inc.started_at) ? "" : "\n", day);
    }
    out += line(c, e.at, e.text);
  }
  if (inc.open())
    out += line(c, c.now, fmt::format("Still {} when this draft was written", incident::to_string(inc.status)));
  return out;
}

std::string root_cause_section(const DraftContext& c) {
  const auto& inc = c.facts.incident;
  std::string out;

  const std::string note = resolver_note(inc);
  std::string resolver;
  for (const auto& e : inc.timeline)
    if (e.kind == "resolved") resolver = e.actor;
  if (!note.empty()) out += fmt::format("**Root cause** ({}'s resolution note): {}\n\n", resolver, md_inline(note));
  else out += "**Root cause:** not written down yet: replace this line with what broke and why.\n\n";
  constexpr std::string_view kMarked = "Likely cause (suggestion): ";
  for (std::string cause : likely_causes(inc)) {
    if (cause.rfind(kMarked, 0) == 0) cause.erase(0, kMarked.size());
    out += fmt::format("*Suggestion: likely cause from pattern matching on the evidence, not confirmed:* {}\n\n", md_inline(cause));
  }

  std::string notes;
  for (const auto& e : inc.timeline)
    if (e.kind == "note") notes += fmt::format("- {} {}: {}\n", c.zone.clock(e.at), md_inline(e.actor), md_inline(e.text));
  if (!notes.empty()) out += "**Notes from the responders:**\n\n" + notes + "\n";

  for (const auto& e : inc.timeline) {
    if (e.kind != "evidence") continue;
    const std::string body = last_lines(evidence_body(e.text), kEvidenceLines);
    out += fmt::format("**Evidence:** {}, gathered at {}", md_inline(evidence_title(e.text)), c.zone.clock(e.at));
    out += body.empty() ? " (empty).\n\n" : fmt::format(" — last lines:\n\n{}\n", fenced(body));
  }

  std::string steps;
  for (std::size_t i = 0; i < inc.timeline.size(); ++i) {
    const auto& e = inc.timeline[i];
    if (e.kind == "runbook_succeeded" || e.kind == "runbook_failed") {
      const std::string text = one_line(e.text);
      const std::string name = text.substr(0, text.find(' '));
      const std::string how = how_started(inc, i, name);
      steps += line(c, e.at, fmt::format("Runbook {} {}{}: {}", code(name),
                                         e.kind == "runbook_succeeded" ? "succeeded" : "failed",
                                         how.empty() ? "" : " (" + how + ")", text));
    } else if (e.kind == "runbook_skipped") {
      steps += line(c, e.at, "Runbook skipped: " + one_line(e.text));
    }
  }
  if (auto rec = recovered_at(c.facts))
    steps += line(c, *rec, fmt::format("Check `{}` passed again, {} after detection", inc.check,
                                       human_duration(*rec - inc.detected_at)));
  if (inc.resolved_at) {
    std::string how = inc.resolved_by == "auto" ? "Resolved automatically when the check recovered"
                      : inc.resolved_by.rfind("runbook:", 0) == 0
                          ? fmt::format("Resolved automatically after runbook {} fixed it", code(inc.resolved_by.substr(8)))
                          : fmt::format("Resolved by {}", inc.resolved_by);
    steps += line(c, *inc.resolved_at, fmt::format("{}, {} after detection", how,
                                                  human_duration(*inc.resolved_at - inc.detected_at)));
  } else {
    steps += line(c, c.now, "Not resolved yet");
  }
  out += "**Resolution:**\n\n" + steps;
  return out;
}

}  // namespace vigil::postmortem
