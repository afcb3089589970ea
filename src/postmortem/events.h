// Key events of an incident, read from its timeline and its check results: what the Timeline
// section lists and what the metrics chart marks. Noise is folded in (page deliveries join the
// page they belong to), every page, acknowledgement and escalation stays its own event.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "postmortem/facts.h"

namespace vigil::postmortem {

struct KeyEvent {
  Time at{};
  std::string kind;   // first_failure|triggered|paged|notify_failed|acknowledged|escalation|note|evidence|
                      // likely_cause|runbook|runbook_succeeded|runbook_failed|runbook_skipped|recovered|
                      // resolved|auto_resolved|retriggered|<other timeline kinds>
  std::string text;   // one line, for the Timeline section
  std::string label;  // a few words, for chart markers ("paged Alice", "ack bob")
};

std::vector<KeyEvent> key_events(const PostmortemFacts& facts);

// The failing check's config (its id is the incident's dedup key), when the facts have it.
const CheckFacts* failing_check(const PostmortemFacts& facts);

// Results of the incident's own check, oldest first.
std::vector<const store::ResultRow*> incident_results(const PostmortemFacts& facts);

// The first failing result at or after the incident started, when results cover it.
const store::ResultRow* first_failure(const PostmortemFacts& facts);

// When the failing check passed again for good: the first passing result after its last failure
// (up to resolution). Empty when it never passed again within the results.
std::optional<Time> recovered_at(const PostmortemFacts& facts);

// The text before the first newline, with runs of whitespace collapsed: timeline lines are one line.
std::string one_line(std::string_view text);

// The first line of an evidence entry: "error.log tail (took 12ms)".
std::string evidence_title(std::string_view text);

// The body of an evidence entry (after its first line).
std::string evidence_body(std::string_view text);

}  // namespace vigil::postmortem
