// Context (error collection, positions) and the Field plumbing shared by all readers.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "config/yaml_reader.h"

namespace vigil::config::detail {

Pos pos_of(const YAML::Mark& m) {
  if (m.line < 0 || m.column < 0) return {};
  return Pos{m.line + 1, m.column + 1};
}

Context::Context(std::string file, std::string_view text, EnvLookup env)
    : file_(std::move(file)), source_(text), env_(std::move(env)) {}

void Context::error(Pos pos, std::string key, std::string message) {
  pos = source_.in_characters(pos);
  errors_.push_back(ConfigError{file_, pos.line, pos.column, std::move(key), std::move(message)});
}

std::vector<ConfigError> Context::take_errors() {
  // Sections are read in dependency order (channels before services' notify), not file
  // order; the user reads the list top to bottom like the file.
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return std::move(errors_);
}

std::string Context::resolve_path(const std::string& p) const {
  const std::filesystem::path path(p);
  if (path.is_absolute()) return p;
  return (std::filesystem::path(file_).parent_path() / path).string();
}

Field root_field(const YAML::Node& root) {
  const Pos p = pos_of(root.Mark());
  return Field{root, "", p, p};
}

Scalar::Scalar(std::string value, std::string raw, std::vector<std::size_t> origin, Pos pos, const SourceText* src)
    : value_(std::move(value)), raw_(std::move(raw)), origin_(std::move(origin)), pos_(pos), src_(src) {}

Pos Scalar::at(std::size_t index) const {
  const std::size_t raw_index = origin_.empty() ? 0 : origin_[std::min(index, origin_.size() - 1)];
  return src_->locate(pos_, raw_, raw_index);
}

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return fmt::format("\"{}\"", n.Scalar());
    default: return "nothing";
  }
}

bool empty_value(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

Field child(const Field& parent, const YAML::Node& key, const YAML::Node& value, std::string_view name) {
  const Pos key_pos = pos_of(key.Mark());
  // yaml-cpp marks an empty value (`timeout:`) at the *next* token; the key is the honest spot.
  const Pos value_pos = empty_value(value) ? key_pos : pos_of(value.Mark());
  return Field{value, child_path(parent.path, name), value_pos.line > 0 ? value_pos : key_pos, key_pos};
}

}  // namespace vigil::config::detail
