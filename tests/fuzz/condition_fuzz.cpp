// Check conditions (`status == 200 and body contains "Sign in"`): any text either parses or is
// refused with a column inside it, and a parsed condition evaluates against values of every type
// without throwing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "check.h"
#include "incident/events_v2.h"
#include "rules/condition.h"

using namespace vigil;
using namespace std::chrono_literals;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = rules::Condition::parse(text);
  if (auto* err = std::get_if<rules::ParseError>(&parsed)) {
    FUZZ_CHECK(!err->message.empty());
    FUZZ_CHECK(err->column >= 1);
    FUZZ_CHECK(static_cast<std::size_t>(err->column) <= incident::utf8_length(text) + 1);
    return 0;
  }
  const auto& cond = std::get<rules::Condition>(parsed);
  // Every name resolves to some type, so mismatches are exercised; "missing" never resolves.
  const rules::Variables vars = [](std::string_view name, std::string_view key) -> std::optional<rules::Value> {
    if (name == "missing") return std::nullopt;
    switch (name.size() % 5) {
      case 0: return rules::Value{503.0};
      case 1: return rules::Value{std::string("<h1>Sign in</h1>")};
      case 2: return rules::Value{Duration{812ms}};
      case 3: return rules::Value{true};
      default: return rules::Value{rules::Null{}};
    }
  };
  const rules::EvalOutcome out = cond.evaluate(vars);
  FUZZ_CHECK(out.passed == out.reason.empty());
  return 0;
}
