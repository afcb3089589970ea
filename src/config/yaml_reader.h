// Typed, position-aware reading of a yaml-cpp tree. Every reader reports what is wrong to
// the Context (with file:line:col and key path) and returns nullopt, so a section parser
// reads on and the user gets every error in one run. Private to src/config.
#pragma once
#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.h"
#include "config/config.h"
#include "config/env_expand.h"
#include "config/source_map.h"

namespace vigil::config::detail {

Pos pos_of(const YAML::Mark& m);  // yaml-cpp's 0-based mark → 1-based; null mark → {0, 0}

// One value of the document and where it is: what every reader works on.
struct Field {
  YAML::Node node;
  std::string path;  // services[0].checks[1].interval
  Pos pos;           // of the value; of the key when the value is empty (`timeout:`)
  Pos key_pos;       // of the key (of the item for list items)
};

// Where errors go, plus what readers need from outside the tree: the source text (for
// exact columns), the environment, and the directory relative *_file paths are under.
class Context {
 public:
  Context(std::string file, std::string_view text, EnvLookup env);

  void error(Pos pos, std::string key, std::string message);
  void error(const Field& f, std::string message) { error(f.pos, f.path, std::move(message)); }
  std::size_t error_count() const { return errors_.size(); }
  std::vector<ConfigError> take_errors();  // in file order

  const std::string& file() const { return file_; }
  const SourceText& source() const { return source_; }
  const EnvLookup& env() const { return env_; }
  // A relative path in the config is relative to the config file's directory, not to
  // wherever the daemon was started from.
  std::string resolve_path(const std::string& p) const;

 private:
  std::string file_;
  SourceText source_;
  EnvLookup env_;
  std::vector<ConfigError> errors_;
};

Field root_field(const YAML::Node& root);
// `timeout:` with nothing after it, or a key that is absent.
bool empty_value(const YAML::Node& n);
// "a map", "a list", "nothing", or the scalar in quotes: for "expected X, got Y".
std::string describe(const YAML::Node& n);
// The Field of `value` under `key` in `parent`, with its path and position.
Field child(const Field& parent, const YAML::Node& key, const YAML::Node& value, std::string_view name);
std::string child_path(const std::string& parent, std::string_view key);

// A scalar after ${ENV} expansion that still knows where each of its characters is.
class Scalar {
 public:
  Scalar(std::string value, std::string raw, std::vector<std::size_t> origin, Pos pos, const SourceText* src);
  const std::string& value() const { return value_; }
  Pos at(std::size_t index) const;  // file position of value()[index]

 private:
  std::string value_;
  std::string raw_;                  // as YAML decoded it, before expansion
  std::vector<std::size_t> origin_;  // value index → raw index
  Pos pos_;
  const SourceText* src_;
};

// `what` names the expected type for the message: "expected a string, got a map".
std::optional<Scalar> read_scalar(Context& ctx, const Field& f, std::string_view what = "a string");
std::optional<std::string> read_string(Context& ctx, const Field& f);
std::optional<long long> read_int(Context& ctx, const Field& f, long long min, long long max);
std::optional<double> read_number(Context& ctx, const Field& f, double min, double max);
std::optional<bool> read_bool(Context& ctx, const Field& f);
// A positive duration ("30s", "1h30m"); with `allow_zero`, "0s" too.
std::optional<Duration> read_duration(Context& ctx, const Field& f, bool allow_zero = false);
std::optional<std::string> read_choice(Context& ctx, const Field& f, std::initializer_list<std::string_view> choices);
// A map of string → string (HTTP headers), in file order. `check` returns a problem with one
// entry, reported at its key.
using EntryCheck = std::function<std::optional<std::string>(const std::string& key, const std::string& value)>;
std::optional<std::vector<std::pair<std::string, std::string>>> read_string_map(Context& ctx, const Field& f,
                                                                                const EntryCheck& check = {});
// The items of a list; an empty value (`checks:`) is an empty list.
std::vector<Field> read_list(Context& ctx, const Field& f);

// A mapping with a fixed set of keys. Reports, once: a value that is not a map, unknown keys
// (with a "did you mean" hint), duplicate keys. Supports YAML merge keys (`<<: *anchor`),
// which yaml-cpp leaves to the application. An empty value reads as an empty map.
class MapView {
 public:
  MapView(Context& ctx, const Field& self, std::initializer_list<std::string_view> known);

  bool is_map() const { return is_map_; }
  const Field* get(std::string_view key) const;  // nullptr when absent
  // Like get(), and reports `missing required key "name"` when absent.
  const Field* require(std::string_view key);
  const Field& self() const { return self_; }

 private:
  void collect(const YAML::Node& node, const std::vector<std::string_view>& known, bool merged);

  Context& ctx_;
  Field self_;
  bool is_map_ = false;
  std::vector<std::pair<std::string, Field>> fields_;
};

// Closest candidate within a small edit distance, for "did you mean" hints.
std::optional<std::string_view> closest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace vigil::config::detail
