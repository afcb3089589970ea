#include "config/env_expand.h"

#include <cctype>
#include <cstdlib>

namespace vigil::config::detail {

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

namespace {

bool valid_name(std::string_view n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::variant<Expanded, ExpandError> expand_env(std::string_view in, const EnvLookup& env) {
  Expanded out;
  auto emit = [&](std::string_view s, std::size_t from) {
    out.text += s;
    out.origin.insert(out.origin.end(), s.size(), from);
  };
  std::size_t i = 0;
  while (i < in.size()) {
    if (in[i] != '$' || i + 1 == in.size() || (in[i + 1] != '$' && in[i + 1] != '{')) {
      emit(in.substr(i, 1), i);
      ++i;
      continue;
    }
    if (in[i + 1] == '$') {  // `$$` → `$`
      emit("$", i);
      i += 2;
      continue;
    }
    const std::size_t close = in.find('}', i + 2);
    if (close == std::string_view::npos) return ExpandError{i, "unterminated \"${\": expected \"}\""};
    const std::string_view inner = in.substr(i + 2, close - i - 2);
    const std::size_t sep = inner.find(":-");
    const std::string_view name = inner.substr(0, sep);
    if (!valid_name(name)) {
      return ExpandError{i, "invalid environment variable name \"" + std::string(name) +
                                "\" (letters, digits and _, not starting with a digit)"};
    }
    std::optional<std::string> value = env(name);
    if (sep != std::string_view::npos && (!value || value->empty())) {
      value = std::string(inner.substr(sep + 2));
    }
    if (!value) return ExpandError{i, "environment variable " + std::string(name) + " is not set"};
    emit(*value, i);
    i = close + 1;
  }
  out.origin.push_back(in.size());
  return out;
}

}  // namespace vigil::config::detail
