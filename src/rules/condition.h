// The condition language of DESIGN.md §5: `status == 200`, `response_time < 800ms`,
// `body contains "Sign in"`, `header["Content-Type"] matches "json"`, `json.user.id != 0`,
// `cert_expires_in > 14d`, with and/or/not, parentheses, + - * /, and typed literals
// (numbers, durations, percentages, strings, booleans). Parsed once at config load,
// evaluated per result against a Variables lookup. RE2 makes `matches` linear-time.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/time.h"

namespace vigil::rules {

// A typed value. Percentages are numbers (5% == 0.05); durations are their own type so
// `response_time < 800` is rejected instead of silently comparing milliseconds to seconds.
struct Null {};
using Value = std::variant<Null, bool, double, Duration, std::string>;
std::string describe(const Value& v);  // for failure reasons: 503, "text", 812ms, true

// Resolves a variable. `name` is the dotted path ("status", "json.user.id"); `key` is the
// subscript for header["X"] (empty otherwise). Returns nullopt for an unknown variable.
using Variables = std::function<std::optional<Value>(std::string_view name, std::string_view key)>;

struct ParseError {
  int column = 0;  // 1-based column inside the condition text
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
  // with a reason, never exceptions.
  EvalOutcome evaluate(const Variables& vars) const;
  const std::string& text() const;

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
