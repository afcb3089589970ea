// Postmortem: the report of one incident, in the sections of the seed postmortem (Issue
// Summary, Timeline, Root Cause and Resolution, Corrective and Preventative Measures, Lessons
// Learned). A draft is generated from facts; a section a person edited is theirs for good.
#pragma once
#include <array>
#include <string_view>

namespace vigil::postmortem {

struct SectionName {
  std::string_view key;    // stable id used by the store and the API
  std::string_view title;  // heading in the report
};

inline constexpr std::array<SectionName, 5> kSections{{
    {"summary", "Issue Summary"},
    {"timeline", "Timeline"},
    {"root_cause", "Root Cause and Resolution"},
    {"corrective", "Corrective and Preventative Measures"},
    {"lessons", "Lessons Learned"},
}};

// The title of a section key, or "" when the key is not one of kSections.
std::string_view section_title(std::string_view key);

}  // namespace vigil::postmortem
