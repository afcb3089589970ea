// AccessFormat: an Apache LogFormat compiled once into a line parser, for the access_log
// check and `vigil logs analyze`. parse() is the hot path of both: no allocation, no regex,
// no iostreams; fields are string_views into the line (copy what you keep past the line).
//
//   auto fmt = AccessFormat::compile("combined");       // or "common", or a LogFormat string
//   AccessRecord rec;                                    // reuse it: it caches the last %t
//   for (line : lines) if (fmt->parse(line, rec)) use(rec); else ++malformed;
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace vigil::probe::logs {

using sys_seconds = std::chrono::sys_seconds;

// One parsed line. Views point into the line passed to parse() and, for header names, into the
// AccessFormat: both must outlive the record's use. A field the format lacks is empty / zero /
// has_* false. "-" (Apache's "no value") becomes empty for strings and 0 for numbers.
struct AccessRecord {
  std::string_view client;      // %a if the format has it, else %h (remote host or IP)
  std::string_view ident;       // %l
  std::string_view user;        // %u
  std::string_view method;      // %m, or from %r
  std::string_view path;        // %U, or %r's target without the query
  std::string_view query;       // %q without its '?', or %r's query
  std::string_view protocol;    // %H, or from %r ("HTTP/1.1")
  std::string_view request;     // %r as logged (empty when the format has no %r)
  std::string_view vhost;       // %v or %V
  std::string_view local_ip;    // %A
  std::string_view referer;     // %{Referer}i
  std::string_view user_agent;  // %{User-Agent}i
  sys_seconds time{};           // %t (request start, UTC), %{sec|msec|usec}t or %{strftime}t
  bool has_time = false;
  int status = 0;               // %>s or %s (100..999)
  int port = 0;                 // %p
  std::int64_t bytes = 0;       // response bytes: %b, %B or %O (the last one in the format)
  std::int64_t bytes_in = 0;    // %I
  std::chrono::microseconds duration{0};  // %D (µs), %T (s) or %{ms|us|s}T; %D wins over %T
  bool has_duration = false;

  // %{X}i / %{X}o values by name (ASCII case-insensitive); empty when absent or "-".
  std::string_view header(std::string_view name) const;           // request header
  std::string_view response_header(std::string_view name) const;  // response header

  struct Header {
    std::string_view name;  // as written in the format
    std::string_view value;
    bool response = false;  // %{X}o
  };
  static constexpr std::size_t kMaxHeaders = 16;
  std::array<Header, kMaxHeaders> headers{};
  std::size_t header_count = 0;

  // Parser scratch: the last %t text parsed (seconds masked) and its value; consecutive lines
  // share their minute, so most lines skip the date arithmetic.
  struct TimeCache {
    char text[32] = {};
    std::size_t size = 0;
    sys_seconds minute{};  // value of the cached "dd/Mon/yyyy:hh:mm ±zzzz" without seconds
    std::int64_t local_hour = INT64_MIN;  // %{...}t without %z: the local zone's offset
    std::int32_t local_offset = 0;        // (seconds east of UTC) in that local hour
  } time_cache;
};

class AccessFormat {
 public:
  // "common", "combined", or an Apache LogFormat string (outer quotes and \" as in apache2.conf
  // are accepted). Supported: %h %a %l %u %t %{sec|msec|usec}t %{strftime}t %r %m %U %q %H %s
  // %>s %<s %b %B %O %I %D %T %{ms|us|s}T %{X}i %{X}o %v %V %p %A %% and literal text; other
  // known Apache directives (%e %f %k %L %P %R %S %X %n %C %x %c %^ti %^FB ...) are skipped.
  // Errors name the directive: "unknown directive %Z at 12 in log format ...",
  // "%D and %T must be separated by literal text". Error::field is "log_format".
  static Result<AccessFormat> compile(std::string_view format);

  // Parses one line (without its trailing '\n'; a trailing '\r' is ignored). False for a
  // malformed line: literal text that does not match, bad %t, a status not 3 digits, a
  // non-numeric size/duration, missing fields. `out` is overwritten (its cache kept).
  bool parse(std::string_view line, AccessRecord& out) const;

  const std::string& text() const { return text_; }  // the expanded LogFormat
  bool has_time() const { return has_time_; }
  bool has_status() const { return has_status_; }
  bool has_duration() const { return has_duration_; }
  bool has_request() const { return has_request_; }  // %r, or %U (path)
  bool has_bytes() const { return has_bytes_; }

  // A compiled step; public only so the implementation file can build them.
  enum class Field : std::uint8_t;
  struct Step {
    Field field{};
    std::string literal;      // Field::literal: the text to match
    std::string name;         // %{name}x argument
    std::string directive;    // as written ("%{Referer}i"), for error messages
    char stop = 0;            // the first byte of the literal after this field; 0 = end of line
    bool quoted = false;      // stop is '"': honour Apache's \" escapes
    bool stop_optional = false;  // last field, a number: ends at a space or the end of line
    std::uint8_t header = 0;  // slot in AccessRecord::headers
  };

 private:
  std::string text_;
  std::vector<Step> steps_;
  std::vector<std::string> header_names_;
  bool has_client_ip_ = false;  // %a present: it wins over %h
  bool has_time_ = false, has_status_ = false, has_duration_ = false, has_request_ = false,
       has_bytes_ = false;
  bool has_micro_duration_ = false;  // %D present: it wins over %T
};

// Expands the names "common" and "combined"; other text is returned unchanged.
std::string_view expand_format_name(std::string_view format);

}  // namespace vigil::probe::logs
