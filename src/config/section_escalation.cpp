// escalation_policies: — who is paged, in which order, until someone acknowledges.
#include <fmt/format.h>

#include <algorithm>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

// "user:<id>" or "schedule:<name>", naming something defined.
std::optional<std::string> read_target(Context& ctx, const Field& f, const NameIndex& users,
                                       const NameIndex& schedules) {
  auto s = read_string(ctx, f);
  if (!s) return std::nullopt;
  const std::size_t colon = s->find(':');
  const std::string kind = colon == std::string::npos ? "" : s->substr(0, colon);
  const std::string name = colon == std::string::npos ? *s : s->substr(colon + 1);
  if (kind == "user" || kind == "schedule") {
    const NameIndex& index = kind == "user" ? users : schedules;
    if (!index.contains(name)) {
      ctx.error(f, index.unknown_message(name));
      return std::nullopt;
    }
    return *s;
  }
  // A bare id or a misspelt prefix: say what was probably meant.
  std::string msg = fmt::format("invalid target \"{}\": expected user:<id> or schedule:<name>", *s);
  if (colon == std::string::npos && users.contains(name)) msg += fmt::format(" (did you mean \"user:{}\"?)", name);
  else if (colon == std::string::npos && schedules.contains(name))
    msg += fmt::format(" (did you mean \"schedule:{}\"?)", name);
  else if (auto hint = closest(kind, {"user", "schedule"}); hint && colon != std::string::npos)
    msg += fmt::format(" (did you mean \"{}:{}\"?)", *hint, name);
  ctx.error(f, std::move(msg));
  return std::nullopt;
}

void read_rule(Context& ctx, const Field& f, std::size_t index, const NameIndex& users, const NameIndex& schedules,
               std::optional<Duration>& previous_after, std::vector<EscalationRule>& out) {
  MapView m(ctx, f, {"after", "notify"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  EscalationRule r;
  // The first rule pages at once unless told otherwise; a later one without `after` is
  // usually a forgotten delay that would page everybody at the same moment.
  const Field* after = index == 0 ? m.get("after") : m.require("after");
  std::optional<Duration> at;
  if (after) at = read_duration(ctx, *after, /*allow_zero=*/true);
  else if (index == 0) at = Duration{0};
  if (at && previous_after && *at < *previous_after) {
    // `after` counts from the trigger, not from the previous rule (PagerDuty counts deltas).
    ctx.error(*after, fmt::format("must not be earlier than a previous rule's {}, got {} (after counts from the "
                                  "trigger)",
                                  format_duration(*previous_after), format_duration(*at)));
  } else if (at) {
    r.after = *at;
    previous_after = at;
  }

  const Field* notify = m.require("notify");
  const std::vector<Field> items = notify ? read_list(ctx, *notify) : std::vector<Field>{};
  if (notify && items.empty() && (notify->node.IsNull() || notify->node.IsSequence()))
    ctx.error(*notify, "a rule needs at least one target (user:<id> or schedule:<name>)");
  for (const Field& item : items) {
    auto target = read_target(ctx, item, users, schedules);
    if (!target) continue;
    if (std::find(r.targets.begin(), r.targets.end(), *target) != r.targets.end())
      ctx.error(item, fmt::format("target \"{}\" is listed twice", *target));
    else r.targets.push_back(std::move(*target));
  }
  if (ctx.error_count() == errors_before) out.push_back(std::move(r));
}

// targets: {acknowledge: 5m, resolve: 1h}: what postmortems and reports measure against.
void read_targets(Context& ctx, const Field& f, EscalationPolicyConfig& p) {
  MapView m(ctx, f, {"acknowledge", "resolve"});
  if (const Field* v = m.get("acknowledge")) {
    if (auto d = read_duration(ctx, *v)) p.target_acknowledge = *d;
  }
  if (const Field* v = m.get("resolve")) {
    if (auto d = read_duration(ctx, *v)) p.target_resolve = *d;
  }
}

void read_policy(Context& ctx, const Field& f, const NameIndex& users, const NameIndex& schedules, NameIndex& names,
                 std::vector<EscalationPolicyConfig>& out) {
  MapView m(ctx, f, {"name", "repeat", "ack_timeout", "rules", "targets"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  EscalationPolicyConfig p;
  if (const Field* v = m.require("name")) {
    if (auto name = read_string(ctx, *v)) {
      if (auto problem = check_name(*name)) ctx.error(*v, *problem);
      else if (names.add(ctx, *v, *name)) p.name = *name;
    }
  }
  if (const Field* v = m.get("repeat")) {
    if (auto n = read_int(ctx, *v, 0, 9)) p.repeat = static_cast<int>(*n);
  }
  if (const Field* v = m.get("ack_timeout")) {
    if (auto d = read_duration(ctx, *v)) p.ack_timeout = *d;
  }
  if (const Field* v = m.get("targets")) read_targets(ctx, *v, p);
  const Field* rules = m.get("rules");
  const std::vector<Field> items = rules ? read_list(ctx, *rules) : std::vector<Field>{};
  if (items.empty() && (!rules || rules->node.IsNull() || rules->node.IsSequence())) {
    if (rules) ctx.error(*rules, "an escalation policy needs at least one rule");
    else ctx.error(f, "an escalation policy needs at least one rule (missing key \"rules\")");
  }
  std::optional<Duration> previous_after;
  for (std::size_t i = 0; i < items.size(); ++i) read_rule(ctx, items[i], i, users, schedules, previous_after, p.rules);
  if (ctx.error_count() == errors_before) out.push_back(std::move(p));
}

}  // namespace

void read_escalation_policies(Context& ctx, const Field& f, const NameIndex& users, const NameIndex& schedules,
                              std::vector<EscalationPolicyConfig>& out, NameIndex& names) {
  for (const Field& item : read_list(ctx, f)) read_policy(ctx, item, users, schedules, names, out);
}

}  // namespace vigil::config::detail
