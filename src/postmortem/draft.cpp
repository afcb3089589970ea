#include "postmortem/draft.h"

#include <fmt/format.h>

#include <algorithm>

#include "postmortem/draft_parts.h"
#include "postmortem/model.h"

namespace vigil::postmortem {

std::string thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string percent(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return "0%";
  const double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  return p >= 10 || p == 0 ? fmt::format("{:.1f}%", p) : fmt::format("{:.2f}%", p);
}

std::string code(std::string_view s) {
  std::size_t run = 0, longest = 0;
  for (char ch : s) {
    run = ch == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !s.empty() && (s.front() == '`' || s.back() == '`');
  return fence + (pad ? " " : "") + std::string(s) + (pad ? " " : "") + fence;
}

std::string md_inline(std::string_view s) {
  std::string out;
  for (char ch : one_line(s)) {
    if (ch == '<') out += '\\';
    out += ch;
  }
  return out;
}

std::string resolver_note(const incident::Incident& inc) {
  for (auto it = inc.timeline.rbegin(); it != inc.timeline.rend(); ++it)
    if (it->kind == "resolved") return it->text == "resolved" || it->text == "resolved by the sender" ? "" : it->text;
  return "";
}

std::vector<std::string> likely_causes(const incident::Incident& inc) {
  std::vector<std::string> out;
  auto add = [&](std::string line) {
    if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(std::move(line));
  };
  for (const auto& e : inc.timeline) {
    if (e.kind == "likely_cause") add(one_line(e.text));
    if (e.kind != "evidence") continue;
    for (std::size_t p = e.text.find("Likely cause (suggestion)"); p != std::string::npos;
         p = e.text.find("Likely cause (suggestion)", p + 1))
      add(one_line(std::string_view(e.text).substr(p)));
  }
  return out;
}

Time incident_end(const DraftContext& c) { return c.facts.incident.resolved_at.value_or(c.now); }

std::vector<store::PostmortemSection> draft(const PostmortemFacts& facts, Time now) {
  const DraftContext c{facts, Zone(facts.time_zone), measure(facts), key_events(facts), now};
  const std::string texts[] = {summary_section(c), timeline_section(c), root_cause_section(c),
                               corrective_section(c), lessons_section(c)};
  std::vector<store::PostmortemSection> out;
  for (std::size_t i = 0; i < kSections.size(); ++i)
    out.push_back({std::string(kSections[i].key), texts[i], false, "", now});
  return out;
}

}  // namespace vigil::postmortem
