// ${VAR} / ${VAR:-default} / $$ expansion of scalar values (DESIGN.md §5), done before a
// value is converted to its type, so `interval: ${PROBE_INTERVAL:-30s}` works. Private to
// src/config. Keeps, for every output character, the input index it came from, so an error
// found later (a bad condition) can still point at the right column of the file.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigil::config::detail {

// Returns the variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_env();  // getenv

struct Expanded {
  std::string text;
  // origin[i] is the index in the input of the character text[i] came from (a substituted
  // value maps to its `$`); origin[text.size()] == input.size().
  std::vector<std::size_t> origin;
};

struct ExpandError {
  std::size_t index = 0;  // of the offending `$` in the input
  std::string message;
};

// `$` not followed by `{` or `$` is kept as is, so regexes like "^ok$" need no escaping.
// `:-` applies the default when the variable is unset *or empty*, as in the shell.
std::variant<Expanded, ExpandError> expand_env(std::string_view input, const EnvLookup& env);

}  // namespace vigil::config::detail
