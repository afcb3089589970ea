// Draft generation: the five sections written from facts alone, and the merge that keeps what
// a person wrote. Pure: `now` is an argument, nothing is read from a clock or a file.
#pragma once
#include <optional>
#include <vector>

#include "postmortem/facts.h"
#include "store/store.h"

namespace vigil::postmortem {

// Figures the summary and the lessons are built from (also shown by reports and the UI).
struct Measures {
  Duration time_to_detect{};                  // started_at → detected_at
  std::optional<Duration> time_to_acknowledge;  // detected_at → first acknowledgement
  std::optional<Duration> time_to_mitigate;     // detected_at → first successful runbook or recovery
  std::optional<Duration> time_to_resolve;      // detected_at → resolved_at
  std::optional<Duration> downtime;             // started_at → resolved_at
  Duration detection_budget{};  // the failing check's interval × failure_threshold + timeout
  int failed_checks = 0;        // failing results of the service within the incident
  int pages = 0;                // "paged" timeline entries
  int escalations = 0;          // pages beyond the first rule
};

Measures measure(const PostmortemFacts& facts);

// The five sections in kSections order, generated (edited = false), updated_at = now.
std::vector<store::PostmortemSection> draft(const PostmortemFacts& facts, Time now);

// The stored postmortem with every section that no person edited replaced by `fresh`; edited
// sections stay word for word. `stored` may be absent (first draft).
store::StoredPostmortem merge(std::int64_t incident_id, const std::optional<store::StoredPostmortem>& stored,
                              std::vector<store::PostmortemSection> fresh, Time now);

}  // namespace vigil::postmortem
