// The sections of a draft, each written by its own function from one shared context (the facts,
// the report's zone, the measured figures and the key events). Private to src/postmortem.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "postmortem/draft.h"
#include "postmortem/events.h"
#include "postmortem/timefmt.h"

namespace vigil::postmortem {

struct DraftContext {
  const PostmortemFacts& facts;
  Zone zone;
  Measures m;
  std::vector<KeyEvent> events;
  Time now{};  // the end of an ongoing incident's figures
};

std::string summary_section(const DraftContext& c);
std::string timeline_section(const DraftContext& c);
std::string root_cause_section(const DraftContext& c);
std::string corrective_section(const DraftContext& c);
std::string lessons_section(const DraftContext& c);

// Shared wording and figures.
std::string thousands(std::int64_t n);                 // 12,345
std::string percent(std::int64_t part, std::int64_t whole);  // "24.7%"
std::string code(std::string_view s);                  // `s`, with a fence that survives backticks in s
// Text from people or programs put inline in Markdown: one line, and `<` escaped so that it stays
// text instead of raw HTML (which GitHub strips and the HTML writer omits).
std::string md_inline(std::string_view s);
// The resolver's own words: the text of a "resolved" entry written by a person, "" otherwise.
std::string resolver_note(const incident::Incident& inc);
// "Likely cause (suggestion): ..." lines, from likely_cause entries or evidence that carries them.
std::vector<std::string> likely_causes(const incident::Incident& inc);
// Failing paths from the access log that no check looks at (http URL paths, access_log prefixes).
std::vector<std::pair<std::string, std::int64_t>> uncovered_paths(const PostmortemFacts& f);
// The path an http check requests ("/login"), "" for other types.
std::string url_path(const CheckFacts& c);
Time incident_end(const DraftContext& c);  // resolved_at, else now

}  // namespace vigil::postmortem
