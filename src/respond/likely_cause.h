// Likely cause: known error signatures (probe/logs/signatures.h: AH00161 workers exhausted,
// a child segfault, the disk full...) found in the evidence of an incident, phrased as
// suggestions for the person on call. They are hints from pattern matching, never a verdict:
// the text says "suggestion" and names the evidence and line it came from, so it can be checked.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "respond/evidence.h"

namespace vigil::respond {

struct LikelyCause {
  std::string evidence;   // the name of the evidence item it was seen in
  std::string key;        // the signature's stable key ("max_workers")
  std::string code;       // its Apache code ("AH00161"); empty when it has none
  std::string meaning;    // one line for people
  std::string line;       // the last line that matched
  std::size_t count = 0;  // lines that matched in that item
  // "Likely cause (suggestion): AH00161 — MaxRequestWorkers reached: every worker is busy and new
  // connections queue; seen 3 times in error.log tail (last: [...] AH00161: server reached ...)"
  std::string text;
};

// Signatures that point at a cause (informational ones, like a start or a reload, are left out),
// per evidence item in the items' order, in the signature table's order (most specific first)
// within an item. Pure: no I/O.
std::vector<LikelyCause> likely_causes(const std::vector<EvidenceItem>& evidence);

}  // namespace vigil::respond
