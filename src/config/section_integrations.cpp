// integrations: — alerts from elsewhere (PagerDuty Events API v2 senders, Alertmanager) that
// open incidents on a service.
#include <fmt/format.h>

#include <map>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

struct KeyOwner {
  std::string integration;
  int line = 0;
};

void read_integration(Context& ctx, const Field& f, const NameIndex& services, NameIndex& names,
                      std::map<std::string, KeyOwner>& keys, std::vector<IntegrationConfig>& out,
                      std::set<std::string>& fed) {
  MapView m(ctx, f, {"name", "type", "key", "key_file", "service"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  IntegrationConfig in;
  if (const Field* v = m.require("name")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_name(*s)) ctx.error(*v, *p);
      else if (names.add(ctx, *v, *s)) in.name = *s;
    }
  }
  std::optional<std::string> type;
  if (const Field* v = m.require("type")) type = read_choice(ctx, *v, {"pagerduty_events_v2", "alertmanager"});
  if (type) in.type = *type == "alertmanager" ? IntegrationType::alertmanager : IntegrationType::pagerduty_events_v2;

  // The key says which integration an event belongs to (PagerDuty's routing_key), so it is
  // required there and unique everywhere. Secrets: never repeated in messages.
  const Field* where = nullptr;
  std::optional<std::string> key = read_secret(ctx, m, "key", &where);
  if (key && type) {
    if (auto p = *type == "pagerduty_events_v2" ? check_routing_key(*key) : check_token(*key)) {
      ctx.error(*where, *p);
      key.reset();
    }
  }
  if (key) {
    auto [it, inserted] = keys.emplace(*key, KeyOwner{in.name, where->pos.line});
    if (!inserted) {
      ctx.error(*where, fmt::format("the same key as integration \"{}\" (line {}): each integration needs its own",
                                    it->second.integration, it->second.line));
    } else {
      in.key = *key;
    }
  } else if (type == "pagerduty_events_v2" && !where) {
    ctx.error(f, "missing required key \"key\" (or key_file): the routing key senders put in their events");
  }

  if (const Field* v = m.require("service")) {
    if (auto s = read_string(ctx, *v)) {
      fed.insert(*s);
      if (!services.contains(*s)) ctx.error(*v, services.unknown_message(*s));
      else in.service = *s;
    }
  }
  if (ctx.error_count() == errors_before) out.push_back(std::move(in));
}

}  // namespace

void read_integrations(Context& ctx, const Field& f, const NameIndex& services, std::vector<IntegrationConfig>& out,
                       std::set<std::string>& fed) {
  NameIndex names("integration");
  std::map<std::string, KeyOwner> keys;
  for (const Field& item : read_list(ctx, f)) read_integration(ctx, item, services, names, keys, out, fed);
}

}  // namespace vigil::config::detail
