// Known error-log signatures: lines whose cause an SRE recognises on sight (workers
// exhausted, a child crashed, the port is taken, PHP-FPM is down, the disk is full...), each
// with a one-line meaning. The error_log check counts them (figure signature.<key>); the
// incident responder runs find_signatures() over evidence text to suggest a likely cause.
//
// A signature matches a line by its Apache AH code or by a fixed phrase (one linear RE2::Set
// pass over the line for all phrases together; a few confirm the hit with a regex). The
// table is ordered most specific first: "AH00052: child pid 7 exit signal Segmentation
// fault (11)" is both child_crash and segfault, and child_crash comes first.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probe/logs/error_log.h"

namespace vigil::probe::logs {

struct Signature {
  std::string_view key;      // stable name, used in figures: signature.<key>
  std::string_view code;     // its main Apache code ("AH00161"); empty when it has none
  std::string_view meaning;  // one line for people
  bool cause = true;         // points at a likely cause; false: informational (a start, a reload)
};

// Every known signature, in table order.
std::span<const Signature> signatures();
// By key; nullptr when unknown.
const Signature* find_signature(std::string_view key);
// Every code the table knows (the main and the alternative ones), e.g. for ah.<code> figures.
std::span<const std::string_view> signature_codes();

// All signatures one line matches, in table order (appended to `out`, which is cleared first).
void match_signatures(std::string_view line, std::vector<const Signature*>& out);
// The most specific signature of a parsed line; nullptr when none.
const Signature* match_signature(const ErrorLine& line);

struct SignatureMatch {
  const Signature* signature = nullptr;
  std::string line;       // the last line that matched (cut to 2 KB)
  std::size_t count = 0;  // lines that matched
};
// Scans multi-line text (an evidence tail, a log excerpt). One entry per signature found:
// likely causes first, then informational ones, each group in table order.
std::vector<SignatureMatch> find_signatures(std::string_view text);

}  // namespace vigil::probe::logs
