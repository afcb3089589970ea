// Web server error logs: one line parsed (Apache 2.4, Apache 2.2, nginx), and the sliding
// window of counts that an error_log check exposes as figures.
//
//   [Sun Aug 18 10:15:00.123456 2024] [mpm_event:error] [pid 1234:tid 5678] [client 10.0.0.1:51234] AH00161: server reached MaxRequestWorkers setting, ...
//   [Sun Aug 18 10:15:00 2024] [error] [client 10.0.0.1] File does not exist: /var/www/favicon.ico     (2.2)
//   2024/08/18 10:15:00 [error] 1234#1234: *5 connect() failed (111: Connection refused) ...          (nginx)
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"
#include "probe/check_result.h"

namespace vigil::probe::logs {

// Syslog-style levels as Apache and nginx name them, most severe first. trace1..trace8 → trace.
enum class Level { emerg, alert, crit, error, warn, notice, info, debug, trace };
inline constexpr int kLevelCount = 9;

std::string_view level_name(Level l);  // "emerg" ... "trace"
// "error", "warn", "warning", "crit", "trace6" ...; false for anything else.
bool parse_level(std::string_view text, Level& out);
// error and worse: error, crit, alert, emerg.
inline bool is_error(Level l) { return l <= Level::error; }

// One parsed line. The views point into the text given to parse_error_line, which must
// outlive them.
struct ErrorLine {
  std::string_view raw;  // the whole line
  // The time as written: the server's local wall-clock time (error logs carry no zone).
  std::chrono::local_time<std::chrono::microseconds> time{};
  std::string_view module;      // "mpm_event", "core", "proxy_fcgi"; empty in the 2.2 and nginx forms
  Level level = Level::error;
  std::string_view level_text;  // as written: "error", "trace3", "warn"
  long pid = 0;                 // 0 when absent
  long tid = 0;                 // 0 when absent
  std::string_view os_error;    // "(13)Permission denied" (Apache's %E), empty when absent
  std::string_view client;      // "10.0.0.1:51234" (2.4) or "10.0.0.1" (2.2, nginx); empty when absent
  std::string_view ah_code;     // "AH00161"; empty when absent
  std::string_view message;     // after the code (and without the ", referer: ..." suffix)
  std::string_view referer;     // empty when absent
};

// Parses one line (no trailing newline). Accepts Apache 2.4's default ErrorLogFormat (with or
// without tid, client, %E and AH code; ctime or ISO %{cu}t time, with or without
// microseconds), the 2.2 form `[time] [level] [client ip] message`, and nginx's
// `YYYY/MM/DD HH:MM:SS [level] pid#tid: *cid message`. Anything else (a PHP or CGI stderr
// line, a truncated line) → false.
bool parse_error_line(std::string_view line, ErrorLine& out);

// The figures of an error_log check over a sliding window of the lines read. Lines count at
// the time they are read (`now` of add()), not at their own timestamp: error logs carry local
// time without a zone, and a line read late is still news. Figures, all numbers:
//   lines, errors (error and worse), warnings, malformed (lines that do not parse),
//   count.<level> for every level, signature.<key> for every known signature (signatures.h),
//   ah.<code> for every code of a known signature and for any other code seen,
//   module.<module> for the modules seen, pattern.<name> for every configured pattern.
// Figures that conditions may name are present even when zero (an absent figure fails a
// condition); module.* and other ah.* only appear when seen. At most kMaxOpenKeys distinct
// module.* / unknown ah.* names are kept (a garbage log must not grow the map forever).
class ErrorLogWindow {
 public:
  static constexpr std::size_t kMaxOpenKeys = 256;
  static constexpr std::size_t kMaxRecentLine = 1024;

  // Fails when a pattern is not a valid RE2 ("pattern oom: missing ): ...").
  static Result<ErrorLogWindow> create(Duration window, const std::vector<config::LogPattern>& patterns);
  ErrorLogWindow(ErrorLogWindow&&) noexcept;
  ErrorLogWindow& operator=(ErrorLogWindow&&) noexcept;
  ~ErrorLogWindow();

  // Counts one line read at `now` (times must not go backwards).
  void add(std::string_view line, Time now);
  // Drops what is older than the window and returns the figures.
  std::map<std::string, FigureValue> figures(Time now);
  // The latest notable lines still in the window (errors and worse, known signatures of a
  // likely cause, configured patterns), oldest first, one per line, each cut to
  // kMaxRecentLine; only the newest that fit in `max_bytes`.
  std::string recent(Time now, std::size_t max_bytes = 4096);

  // Since creation, never decreasing (Prometheus counters).
  struct Totals {
    std::uint64_t lines = 0, errors = 0, warnings = 0, malformed = 0;
  };
  const Totals& totals() const;

 private:
  struct Impl;
  explicit ErrorLogWindow(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::probe::logs
