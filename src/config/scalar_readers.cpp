// Typed readers: scalar → ${ENV} expansion → the value's type, reporting what is wrong.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/ascii.h"
#include "config/yaml_reader.h"

namespace vigil::config::detail {

namespace {

std::string join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (auto it : items) out += (out.empty() ? "" : ", ") + std::string(it);
  return out;
}

}  // namespace

std::optional<Scalar> read_scalar(Context& ctx, const Field& f, std::string_view what) {
  if (!f.node.IsScalar()) {
    ctx.error(f, fmt::format("expected {}, got {}", what, describe(f.node)));
    return std::nullopt;
  }
  const std::string& raw = f.node.Scalar();
  auto expanded = expand_env(raw, ctx.env());
  if (auto* e = std::get_if<ExpandError>(&expanded)) {
    ctx.error(ctx.source().locate(f.pos, raw, e->index), f.path, e->message);
    return std::nullopt;
  }
  auto& ok = std::get<Expanded>(expanded);
  return Scalar(std::move(ok.text), raw, std::move(ok.origin), f.pos, &ctx.source());
}

std::optional<std::string> read_string(Context& ctx, const Field& f) {
  auto s = read_scalar(ctx, f);
  if (!s) return std::nullopt;
  return s->value();
}

std::optional<long long> read_int(Context& ctx, const Field& f, long long min, long long max) {
  auto s = read_scalar(ctx, f, "an integer");
  if (!s) return std::nullopt;
  const std::string& v = s->value();
  long long n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc::result_out_of_range) {
    ctx.error(f, fmt::format("{} is out of range", v));
    return std::nullopt;
  }
  if (ec != std::errc() || end != v.data() + v.size()) {
    ctx.error(f, fmt::format("expected an integer, got \"{}\"", v));
    return std::nullopt;
  }
  if (n < min) {
    ctx.error(f, fmt::format("must be at least {}, got {}", min, n));
    return std::nullopt;
  }
  if (n > max) {
    ctx.error(f, fmt::format("must be at most {}, got {}", max, n));
    return std::nullopt;
  }
  return n;
}

std::optional<double> read_number(Context& ctx, const Field& f, double min, double max) {
  auto s = read_scalar(ctx, f, "a number");
  if (!s) return std::nullopt;
  const std::string& v = s->value();
  double x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x)) {
    ctx.error(f, fmt::format("expected a number, got \"{}\"", v));
    return std::nullopt;
  }
  if (x < min || x > max) {
    ctx.error(f, fmt::format("must be between {} and {}, got {}", min, max, v));
    return std::nullopt;
  }
  return x;
}

std::optional<bool> read_bool(Context& ctx, const Field& f) {
  auto s = read_scalar(ctx, f, "true or false");
  if (!s) return std::nullopt;
  // YAML 1.1 spellings too: configs written for Ansible say `yes`.
  const std::string v = ascii_lower(s->value());
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off") return false;
  ctx.error(f, fmt::format("expected true or false, got \"{}\"", s->value()));
  return std::nullopt;
}

std::optional<Duration> read_duration(Context& ctx, const Field& f, bool allow_zero) {
  auto s = read_scalar(ctx, f, "a duration (e.g. 30s)");
  if (!s) return std::nullopt;
  auto d = parse_duration(s->value());
  if (!d) {
    ctx.error(f, d.error().message);
    return std::nullopt;
  }
  if (d->count() <= 0 && !(allow_zero && d->count() == 0)) {
    ctx.error(f, fmt::format("must be greater than 0s, got \"{}\"", s->value()));
    return std::nullopt;
  }
  return *d;
}

std::optional<std::string> read_choice(Context& ctx, const Field& f, std::initializer_list<std::string_view> choices) {
  auto s = read_string(ctx, f);
  if (!s) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  std::string msg = fmt::format("invalid value \"{}\": expected one of {}", *s, join(choices));
  if (auto hint = closest(*s, std::vector<std::string_view>(choices))) msg += fmt::format(" (did you mean \"{}\"?)", *hint);
  ctx.error(f, std::move(msg));
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> read_string_map(Context& ctx, const Field& f,
                                                                                const EntryCheck& check) {
  std::vector<std::pair<std::string, std::string>> out;
  if (empty_value(f.node)) return out;
  if (!f.node.IsMap()) {
    ctx.error(f, fmt::format("expected a map of name: value, got {}", describe(f.node)));
    return std::nullopt;
  }
  const std::size_t before = ctx.error_count();
  std::vector<std::pair<std::string, Pos>> seen;
  for (const auto& kv : f.node) {
    const Pos key_pos = pos_of(kv.first.Mark());
    if (!kv.first.IsScalar()) {
      ctx.error(key_pos, f.path, "expected a name as key");
      continue;
    }
    const std::string& name = kv.first.Scalar();
    const Field value = child(f, kv.first, kv.second, name);
    auto dup = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
    if (dup != seen.end()) {
      ctx.error(key_pos, value.path, fmt::format("duplicate key \"{}\" (first at line {})", name, dup->second.line));
      continue;
    }
    seen.emplace_back(name, key_pos);
    auto v = read_string(ctx, value);
    if (!v) continue;
    if (check) {
      if (auto problem = check(name, *v)) {
        ctx.error(key_pos, value.path, *problem);
        continue;
      }
    }
    out.emplace_back(name, std::move(*v));
  }
  if (ctx.error_count() != before) return std::nullopt;
  return out;
}

std::vector<Field> read_list(Context& ctx, const Field& f) {
  std::vector<Field> items;
  if (empty_value(f.node)) return items;
  if (!f.node.IsSequence()) {
    ctx.error(f, fmt::format("expected a list, got {}", describe(f.node)));
    return items;
  }
  std::size_t i = 0;
  for (const auto& item : f.node) {
    Pos p = pos_of(item.Mark());
    if (p.line == 0) p = f.pos;
    items.push_back(Field{item, fmt::format("{}[{}]", f.path, i++), p, p});
  }
  return items;
}

}  // namespace vigil::config::detail
