// analyze: the one-pass summary of a whole access log behind `vigil logs analyze` (what
// GoAccess or `awk '{print $9}' | sort | uniq -c` are used for during an incident).
// Single-threaded and allocation-free per line (tables grow by doubling; a path is copied
// once, when first seen). Text can be fed in pieces (a file mapped window by window, a pipe),
// so memory does not grow with the size of the log.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "probe/logs/access_format.h"

namespace vigil::probe::logs {

struct AnalyzeOptions {
  std::optional<sys_seconds> from;  // keep requests with time >= from
  std::optional<sys_seconds> to;    // ... and time < to
  std::size_t top = 10;             // rows in each top list
};

struct Summary {
  std::uint64_t lines = 0;      // non-empty lines
  std::uint64_t malformed = 0;  // lines the format could not parse
  std::uint64_t filtered = 0;   // parsed lines outside --from/--to
  std::uint64_t requests = 0;   // parsed lines counted below
  std::optional<sys_seconds> first, last;  // time span of the counted requests
  std::array<std::uint64_t, 6> status_class{};  // [1]=1xx .. [5]=5xx; [0] other
  std::vector<std::pair<int, std::uint64_t>> top_statuses;  // count desc, then status asc
  struct PathCount {
    std::string path;            // without the query; empty when the request had none
    std::uint64_t count = 0;     // requests (top_paths) or error responses (top_*xx_paths)
    std::uint64_t requests = 0;  // all requests to the path
  };
  std::vector<PathCount> top_paths;      // count desc, then path asc
  std::vector<PathCount> top_5xx_paths;  // by 5xx responses
  std::vector<PathCount> top_4xx_paths;  // by 4xx responses
  bool has_duration = false;              // the format has %D or %T
  std::chrono::microseconds p50{0}, p95{0}, p99{0};  // LatencyHistogram (≤ 3.2% error)
  std::uint64_t unique_clients = 0;
  std::uint64_t unique_clients_5xx = 0;  // of those, clients that got at least one 5xx
  std::optional<sys_seconds> busiest_minute;  // start of the minute with most requests
  std::uint64_t busiest_minute_requests = 0;
  std::uint64_t bytes = 0;                    // response bytes
};

// Incremental form: add() pieces of the log in order, each made of whole lines (the last
// piece may end without '\n'), then finish(). `format` must outlive the Analyzer; a piece
// need not outlive add().
class Analyzer {
 public:
  Analyzer(const AccessFormat& format, AnalyzeOptions options);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;
  void add(std::string_view lines);
  Summary finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Summarizes `text` (a whole log; lines end in '\n', an unterminated last line counts).
Summary analyze(std::string_view text, const AccessFormat& format, const AnalyzeOptions& options);

// Feeds a whole file to `analyzer` ("-": standard input): a regular file is mapped a window at a
// time, a pipe read in pieces, so memory does not grow with the log. Errors name the file.
Status analyze_file(const std::string& path, Analyzer& analyzer);

// Human report and JSON report of a Summary (JSON keys: see docs/logs.md).
std::string format_summary_text(const Summary& s, const AccessFormat& format);
std::string format_summary_json(const Summary& s, const AccessFormat& format);

}  // namespace vigil::probe::logs
