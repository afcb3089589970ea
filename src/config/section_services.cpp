// services: — what is monitored, who hears about it (notify), its checks, and what is done
// when an incident opens (evidence, runbooks).
#include <fmt/format.h>

#include <algorithm>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

void read_service(Context& ctx, const Field& f, const Defaults& defaults, const NameIndex& channels,
                  const NameIndex& policies, NameIndex& names, std::vector<ServiceConfig>& out,
                  std::vector<ChecklessService>& checkless, PingKeys& ping_keys) {
  MapView m(ctx, f, {"name", "description", "notify", "escalation_policy", "checks", "evidence", "runbooks",
                     "public", "public_name", "urgency"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  ServiceConfig s;
  if (const Field* v = m.require("name")) {
    if (auto name = read_string(ctx, *v)) {
      if (auto p = check_name(*name)) ctx.error(*v, *p);
      else if (names.add(ctx, *v, *name)) s.name = *name;
    }
  }
  if (const Field* v = m.get("description")) {
    if (auto d = read_string(ctx, *v)) s.description = *d;
  }
  // The public status page (/status): opt-in per service, under a name fit for customers.
  if (const Field* v = m.get("public")) {
    if (auto b = read_bool(ctx, *v)) s.is_public = *b;
  }
  if (const Field* v = m.get("public_name")) {
    if (auto n = read_string(ctx, *v)) {
      if (n->empty()) ctx.error(*v, "must not be empty");
      else s.public_name = *n;
    }
  }
  if (const Field* v = m.get("notify")) channels.read_list_of(ctx, *v, s.notify);
  if (const Field* v = m.get("escalation_policy")) {
    if (auto name = read_string(ctx, *v)) {
      if (!policies.contains(*name)) ctx.error(*v, policies.unknown_message(*name));
      else s.escalation_policy = *name;
    }
  }
  if (const Field* v = m.get("urgency")) read_urgency(ctx, *v, s.urgency);
  const Field* checks = m.get("checks");
  const std::vector<Field> items = checks ? read_list(ctx, *checks) : std::vector<Field>{};
  if (items.empty() && (!checks || checks->node.IsNull() || checks->node.IsSequence())) {
    // Fine when an integration feeds it (alerts from Prometheus): judged once those are read.
    checkless.push_back(ChecklessService{s.name, checks ? *checks : f, checks != nullptr});
  }
  NameIndex check_names("check");
  for (const Field& item : items) {
    CheckConfig c;
    if (read_check(ctx, item, defaults, check_names, ping_keys, c)) s.checks.push_back(std::move(c));
  }
  if (const Field* v = m.get("evidence")) read_evidence(ctx, *v, s.evidence);
  if (const Field* v = m.get("runbooks")) read_runbooks(ctx, *v, s.runbooks);
  if (ctx.error_count() == errors_before) out.push_back(std::move(s));
}

}  // namespace

void read_services(Context& ctx, const Field& f, const Defaults& defaults, const NameIndex& channels,
                   const NameIndex& policies, std::vector<ServiceConfig>& out, NameIndex& names,
                   std::vector<ChecklessService>& checkless) {
  PingKeys ping_keys;
  for (const Field& item : read_list(ctx, f)) {
    read_service(ctx, item, defaults, channels, policies, names, out, checkless, ping_keys);
  }
}

}  // namespace vigil::config::detail
