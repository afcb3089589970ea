// The condition language of DESIGN.md §5: `status == 200`, `response_time < 800ms`,
// `body contains "Sign in"`, `header["Content-Type"] matches "json"`, `json.user.id != 0`,
// `cert_expires_in > 14d`, with and/or/not, parentheses, + - * /, and typed literals
// (numbers, durations, percentages, strings, booleans). Parsed once at config load,
// evaluated per result against a Variables lookup. RE2 makes `matches` linear-time.
//
// Precedence, loosest first: or, and, not, comparisons (== != < <= > >= contains matches;
// not chainable), + -, * /, unary -. Literals: 200, 0.5, 5% (= 0.05), 800ms / 1h30m (a
// Duration), "text" (only \" and \\ are escapes; any other backslash is kept, so regexes
// read naturally: "\d+"), true, false, null. Variables: dotted names (json.items.0.name)
// with an optional string subscript (header["Content-Type"], json["user-id"]), and the
// selectors NAME("arg").field and NAME["arg"].field, which both name "NAME:arg.field"
// (path("/login").p95 is the figure "path:/login.p95"; the field may be dotted). A call
// needs its field; header and JSON subscripts take no field after them.
// `matches` takes a string literal, compiled once at parse time (RE2 syntax, unanchored).
//
// Types are checked when evaluating: durations only meet durations (duration * number and
// duration / number are durations, duration / duration is a number), a type mismatch fails
// with a reason that says so. null (a missing header or JSON path) equals only null, is
// never ordered, never contains or matches, and counts as false where a condition is needed.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/time.h"

namespace vigil::rules {

namespace detail {
class Resolver;  // rules/resolver.h: allocation-free variable lookup used by judge()
}

// A typed value. Percentages are numbers (5% == 0.05); durations are their own type so
// `response_time < 800` is rejected instead of silently comparing milliseconds to seconds.
struct Null {
  friend bool operator==(Null, Null) { return true; }
};
using Value = std::variant<Null, bool, double, Duration, std::string>;
std::string describe(const Value& v);  // for failure reasons: 503, "text", 812ms, true, null
                                        // (long strings are cut to 64 bytes + "…")

// Resolves a variable. `name` is the dotted path ("status", "json.user.id"), or for a
// selector the figure name ("path:/login.error_rate" for path("/login").error_rate and
// path["/login"].error_rate); `key` is the subscript for header["X"] / disk["/var"] (empty
// otherwise). Returns nullopt for an unknown variable.
using Variables = std::function<std::optional<Value>(std::string_view name, std::string_view key)>;

struct ParseError {
  int column = 0;  // 1-based column inside the condition text (in characters, not bytes)
  std::string message;
};

struct EvalOutcome {
  bool passed = false;
  std::string reason;  // on failure: "status == 200 (status is 503)"; empty on pass
};

class Condition {
 public:
  // Parses `text`; on failure the error carries the 1-based column of the offending token.
  static std::variant<Condition, ParseError> parse(std::string_view text);

  // Evaluates against the variables. Type mismatches and unknown variables are failures
  // with a reason, never exceptions. Thread-safe (the compiled tree is immutable).
  EvalOutcome evaluate(const Variables& vars) const;
  // The same, through the allocation-free resolver interface (what judge() uses).
  EvalOutcome evaluate(detail::Resolver& vars) const;
  const std::string& text() const;

  // Copies share the compiled tree (and its compiled regexes).
  Condition(const Condition&);
  Condition& operator=(const Condition&);
  Condition(Condition&&) noexcept;
  Condition& operator=(Condition&&) noexcept;
  ~Condition();

  struct Node;

 private:
  Condition() = default;
  std::string text_;
  std::shared_ptr<const Node> root_;  // immutable, shared between copies of a check
};

}  // namespace vigil::rules
