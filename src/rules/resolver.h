// Internal to src/rules: the allocation-free side of condition evaluation. A Condition's
// variables are classified once at parse time (VarRef); a Resolver maps them to Vals
// that may point into storage the resolver owns (the CheckResult's body, its cached
// JSON document) instead of copying strings into a Value per lookup.
#pragma once
#include <cstdint>
#include <forward_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "rules/condition.h"

namespace vigil::rules::detail {

// Variables a CheckResult knows, recognised at parse time so lookup is a switch.
enum class VarId : std::uint8_t {
  figure,  // anything else: a type-specific figure (CheckResult::figures), or a Variables function's own
  status,
  response_time,
  dns_time,
  connect_time,
  tls_time,
  ttfb,
  body,
  header,  // header["X"]
  json,    // json.a.b.0, json["a-b"]
  cert_expires_in,
  reachable,
  error,
};

struct PathSegment {
  std::string key;
  std::int64_t index = -1;  // >= 0 when the segment is all digits (an array index)
};

struct VarRef {
  VarId id = VarId::figure;
  std::string name;   // dotted path as written: "json.user.id"
  std::string key;    // subscript: header["Content-Type"] → "Content-Type"; empty otherwise
  bool has_key = false;
  std::vector<PathSegment> path;  // json only: segments after "json." (+ the subscript)
  std::string figure;      // figure only: the CheckResult::figures key ("busy_workers", "path:/login.p95")
  std::string figure_alt;  // figure only: tried when `figure` is absent: its first ':' as '.' ("disk./var")
  std::string text;   // as written in the condition, for reasons: header["Content-Type"]
};

// A value during evaluation; strings are views into storage that outlives the evaluation.
struct Val {
  enum class Type : std::uint8_t { null, boolean, number, duration, string };
  Type type = Type::null;
  bool b = false;
  double n = 0;
  Duration d{0};
  std::string_view s;

  static Val null() { return {}; }
  static Val boolean(bool v) { Val x; x.type = Type::boolean; x.b = v; return x; }
  static Val number(double v) { Val x; x.type = Type::number; x.n = v; return x; }
  static Val duration(Duration v) { Val x; x.type = Type::duration; x.d = v; return x; }
  static Val string(std::string_view v) { Val x; x.type = Type::string; x.s = v; return x; }
};

Val to_val(const Value& v);  // strings view into v
Value to_value(const Val& v);
std::string describe(const Val& v);
const char* type_name(Val::Type t);  // "a number", "a duration", ...

// Builds the VarRef a condition would for `name` / `key` (key empty: no subscript).
VarRef make_var_ref(std::string_view name, std::string_view key);

// Owns strings produced during one evaluation. forward_list: stable element addresses and
// no allocation until something is kept (the common case keeps nothing).
class Scratch {
 public:
  std::string_view keep(std::string s) { return strings_.emplace_front(std::move(s)); }
  const Value& keep(Value v) { return values_.emplace_front(std::move(v)); }

 private:
  std::forward_list<std::string> strings_;
  std::forward_list<Value> values_;
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // Sets `out` and returns true, or returns false for an unknown variable. Strings put in
  // `out` must stay valid for the resolver's lifetime (or live in `scratch`).
  virtual bool resolve(const VarRef& var, Val& out, Scratch& scratch) = 0;
  // The failure reason for a variable resolve() did not know (off the hot path).
  virtual std::string unknown(const VarRef& var);
};

// A Variables function backed by a Resolver (what result_variables returns).
// Condition::evaluate(const Variables&) recognises it and evaluates through the resolver
// directly, so both paths give the same results and the same failure reasons.
struct ResolverVariables {
  std::shared_ptr<Resolver> resolver;
  std::optional<Value> operator()(std::string_view name, std::string_view key) const;
};

// Adapts a Variables function (the public, std::function interface).
class FunctionResolver final : public Resolver {
 public:
  explicit FunctionResolver(const Variables& vars) : vars_(vars) {}
  bool resolve(const VarRef& var, Val& out, Scratch& scratch) override;

 private:
  const Variables& vars_;
};

}  // namespace vigil::rules::detail
