#include "rules/evaluator.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include "rules/resolver.h"
#include "common/ascii.h"

namespace vigil::rules {
namespace {

using detail::Val;
using detail::VarId;
using detail::VarRef;

Duration to_ms(std::chrono::microseconds us) { return std::chrono::duration_cast<Duration>(us); }

// Resolves a CheckResult's variables without copying: strings view the result itself or
// the JSON document, parsed on first use and at most once per result.
class ResultResolver final : public detail::Resolver {
 public:
  explicit ResultResolver(const probe::CheckResult& r) : r_(r) {}

  bool resolve(const VarRef& var, Val& out, detail::Scratch& scratch) override {
    switch (var.id) {
      case VarId::status: out = Val::number(r_.status); return true;
      case VarId::response_time: out = Val::duration(to_ms(r_.timings.total)); return true;
      case VarId::dns_time: out = Val::duration(to_ms(r_.timings.dns)); return true;
      case VarId::connect_time: out = Val::duration(to_ms(r_.timings.connect)); return true;
      case VarId::tls_time: out = Val::duration(to_ms(r_.timings.tls)); return true;
      case VarId::ttfb: out = Val::duration(to_ms(r_.timings.ttfb)); return true;
      case VarId::body: out = Val::string(r_.body); return true;
      case VarId::reachable: out = Val::boolean(r_.reachable); return true;
      case VarId::error: out = Val::string(r_.error); return true;
      case VarId::cert_expires_in:
        out = r_.cert_expires_at ? Val::duration(*r_.cert_expires_at - r_.started_at) : Val::null();
        return true;
      case VarId::header:
        out = Val::null();
        for (const auto& [name, value] : r_.headers) {
          if (iequals(name, var.key)) {
            out = Val::string(value);
            break;
          }
        }
        return true;
      case VarId::json:
        out = json(var, scratch);
        return true;
      case VarId::figure:
        return figure(var, out);
    }
    return false;
  }

  // "busy_wrokers: no such figure for this check; known: busy_workers, idle_workers, …"
  std::string unknown(const VarRef& var) override {
    if (var.id != VarId::figure || r_.figures.empty()) return Resolver::unknown(var);
    // Names of the same family (before the first '.' or ':') first: path("/x").p59 lists path:* figures.
    auto family = [](std::string_view name) { return name.substr(0, name.find_first_of(".:")); };
    const std::string_view wanted = family(var.figure);
    constexpr std::size_t kMaxListed = 8;
    std::vector<std::string_view> listed;
    for (int pass = 0; pass < 2 && listed.size() < kMaxListed; ++pass) {
      for (const auto& entry : r_.figures) {
        if ((family(entry.first) == wanted) != (pass == 0)) continue;
        listed.push_back(entry.first);
        if (listed.size() == kMaxListed) break;
      }
    }
    std::string out = var.text;
    out += ": no such figure";
    if (var.figure != var.text) out += fmt::format(" \"{}\"", var.figure);
    out += " for this check; known: ";
    for (std::size_t i = 0; i < listed.size(); ++i) {
      if (i > 0) out += ", ";
      out += listed[i];
    }
    if (r_.figures.size() > listed.size()) out += fmt::format(", … ({} more)", r_.figures.size() - listed.size());
    return out;
  }

 private:
  Val json(const VarRef& var, detail::Scratch& scratch) {
    if (!parsed_) {
      parsed_ = true;
      boost::system::error_code ec;
      doc_ = boost::json::parse(r_.body, ec);
      if (ec) doc_ = nullptr;  // not JSON: every json.<path> is null
    }
    const boost::json::value* cur = &doc_;
    for (const auto& seg : var.path) {
      if (const auto* obj = cur->if_object()) {
        cur = obj->if_contains(seg.key);
      } else if (const auto* arr = cur->if_array(); arr && seg.index >= 0) {
        cur = static_cast<std::size_t>(seg.index) < arr->size() ? &(*arr)[static_cast<std::size_t>(seg.index)] : nullptr;
      } else {
        cur = nullptr;
      }
      if (!cur) return Val::null();
    }
    switch (cur->kind()) {
      case boost::json::kind::null: return Val::null();
      case boost::json::kind::bool_: return Val::boolean(cur->get_bool());
      case boost::json::kind::int64: return Val::number(static_cast<double>(cur->get_int64()));
      case boost::json::kind::uint64: return Val::number(static_cast<double>(cur->get_uint64()));
      case boost::json::kind::double_: return Val::number(cur->get_double());
      case boost::json::kind::string: {
        const auto& s = cur->get_string();
        return Val::string(std::string_view(s.data(), s.size()));
      }
      case boost::json::kind::array:
      case boost::json::kind::object:
        return Val::string(scratch.keep(boost::json::serialize(*cur)));  // compact JSON text
    }
    return Val::null();
  }

  // Looks the figure up by name (then by its dotted spelling); no allocation either way.
  bool figure(const VarRef& var, Val& out) const {
    auto it = r_.figures.find(var.figure);
    if (it == r_.figures.end() && !var.figure_alt.empty()) it = r_.figures.find(var.figure_alt);
    if (it == r_.figures.end()) return false;
    const probe::FigureValue& f = it->second;
    if (const double* n = std::get_if<double>(&f)) out = Val::number(*n);
    else if (const Duration* d = std::get_if<Duration>(&f)) out = Val::duration(*d);
    else out = Val::string(std::get<std::string>(f));  // views the result, which outlives the evaluation
    return true;
  }

  const probe::CheckResult& r_;
  bool parsed_ = false;
  boost::json::value doc_;
};

}  // namespace

Variables result_variables(const probe::CheckResult& r) {
  // Shared: std::function copies share the JSON cache. Condition::evaluate(Variables)
  // recognises ResolverVariables and evaluates through the resolver, exactly like judge().
  return detail::ResolverVariables{std::make_shared<ResultResolver>(r)};
}

Verdict judge(const CheckRules& rules, const probe::CheckResult& r) {
  if (!r.reachable) return {false, r.error.empty() ? std::string("unreachable") : r.error};
  if (rules.conditions.empty()) {
    if (rules.check_type == "http" && r.status >= 400) return {false, fmt::format("status {}", r.status)};
    return {true, {}};
  }
  ResultResolver vars(r);  // one per result: the JSON body is parsed at most once
  for (const Condition& c : rules.conditions) {
    EvalOutcome o = c.evaluate(vars);
    if (!o.passed) return {false, std::move(o.reason)};
  }
  return {true, {}};
}

std::optional<AlertChange> step(CheckState& state, const CheckRules& rules, const Verdict& v, Time result_time) {
  const int failure_threshold = std::max(1, rules.failure_threshold);
  const int success_threshold = std::max(1, rules.success_threshold);
  state.last_reason = v.reason;

  auto change = [&](AlertChange::Kind kind, Time started_at, std::string summary) {
    AlertChange c;
    c.kind = kind;
    c.service = rules.service;
    c.check = rules.check;
    c.severity = rules.severity;
    c.summary = std::move(summary);
    c.started_at = started_at;
    c.at = result_time;
    return c;
  };

  if (v.passed) {
    if (state.consecutive_successes == 0) state.first_success_at = result_time;
    if (state.consecutive_successes < std::numeric_limits<int>::max()) ++state.consecutive_successes;
    state.consecutive_failures = 0;
    state.first_failure_at.reset();
    if (state.alerting && state.consecutive_successes >= success_threshold) {
      state.alerting = false;
      return change(AlertChange::Kind::resolved, state.first_success_at.value_or(result_time),
                    fmt::format("{}: recovered", rules.check));
    }
    return std::nullopt;
  }

  if (state.consecutive_failures == 0) state.first_failure_at = result_time;
  if (state.consecutive_failures < std::numeric_limits<int>::max()) ++state.consecutive_failures;
  state.consecutive_successes = 0;
  state.first_success_at.reset();
  if (!state.alerting && state.consecutive_failures >= failure_threshold) {
    state.alerting = true;
    return change(AlertChange::Kind::firing, state.first_failure_at.value_or(result_time),
                  fmt::format("{}: {}", rules.check, v.reason));
  }
  return std::nullopt;
}

}  // namespace vigil::rules
