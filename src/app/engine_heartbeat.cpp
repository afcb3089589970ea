// Heartbeat checks on the engine: pings at /ping/{key}[/start|/fail|/{exit status}] (the URLs of
// Healthchecks.io, so a cron line moves by changing its host) are stored before they are
// answered, the pings that arrive while a batch is stored in one transaction, and put on the
// board the probers judge. A ping that turns the verdict (a fail, a ping after silence) is
// judged at once on the check's shard: its incident opens or resolves without waiting a probe.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>

#include "app/engine_impl.h"

namespace vigil::app {
namespace json = boost::json;

namespace {

struct PingAction {
  rules::PingKind kind = rules::PingKind::success;
  int exit_status = 0;
};

// "" (a plain ping), "start", "fail", or an exit status 0-255 (0 is success), as Healthchecks.io.
std::optional<PingAction> parse_action(std::string_view a) {
  if (a.empty()) return PingAction{};
  if (a == "start") return PingAction{rules::PingKind::start};
  if (a == "fail") return PingAction{rules::PingKind::fail, 1};
  int code = -1;
  auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), code);
  if (ec != std::errc{} || end != a.data() + a.size() || code < 0 || code > 255) return std::nullopt;
  return PingAction{code == 0 ? rules::PingKind::success : rules::PingKind::fail, code};
}

rules::HeartbeatRule rule_of(const config::CheckConfig& c) { return {c.period, c.grace}; }

}  // namespace

Status Engine::Impl::watch_heartbeats(const std::shared_ptr<const config::Config>& c, Time now) {
  if (heartbeat_rows.empty()) {
    auto stored = store->heartbeats();
    if (!stored.ok()) return Error{"read heartbeats: " + stored.error().message};
    for (auto& [id, state] : *stored) {
      heartbeat_rows.insert(id);
      heartbeats.put(id, std::move(state));
    }
  }
  std::unordered_map<std::string, PingTarget> targets;
  std::map<std::string, rules::HeartbeatState> fresh;
  for (const auto& s : c->services) {
    for (const auto& chk : s.checks) {
      if (chk.type != config::CheckType::heartbeat) continue;
      const std::string id = config::check_id(s, chk);
      targets.emplace(chk.key, PingTarget{id, std::shared_ptr<const config::CheckConfig>(c, &chk)});
      if (heartbeat_rows.contains(id)) continue;
      // A check nobody has pinged yet is late `period + grace` after vigil began watching it,
      // across restarts: a cron line with a typo in its URL is noticed, not waited for forever.
      fresh.emplace(id, heartbeats.watch(id, now));
    }
  }
  if (Status st = store->put_heartbeats(fresh); !st.ok()) return st;
  for (const auto& [id, state] : fresh) heartbeat_rows.insert(id);
  ping_targets = std::move(targets);
  return Status::Ok();
}

void Engine::Impl::judge_heartbeat_now(const PingTarget& t) {
  Shard& sh = *shards[shard_of(t.check_id, shards.size())];
  asio::post(sh.io, [self = shared_from_this(), &sh, t] {
    self->on_result(sh, probe::heartbeat_result(t.check_id, *t.check, self->heartbeats, now_ms()));
  });
}

void Engine::Impl::store_pings() {
  if (pings_in_flight || pending_pings.empty()) return;
  pings_in_flight = true;
  worker->post([self = shared_from_this(), batch = std::exchange(pending_pings, {})]() mutable {
    const Time now = now_ms();
    // In arrival order, each ping on top of the one before it for the same check.
    std::map<std::string, rules::HeartbeatState> next;
    std::map<std::string, bool> passed_before;
    for (const PendingPing& p : batch) {
      auto it = next.find(p.target.check_id);
      if (it == next.end()) {
        it = next.emplace(p.target.check_id, self->heartbeats.watch(p.target.check_id, now)).first;
        passed_before[p.target.check_id] = rules::judge_heartbeat(it->second, rule_of(*p.target.check), now).passed;
      }
      it->second = rules::record_ping(std::move(it->second), p.kind, p.exit_status, p.body, now);
    }
    Status st = self->store->put_heartbeats(next);
    // Judged at once only where the verdict turns (a fail ping, a ping after silence): a steady
    // stream of pings must not become a stream of probe results in the history.
    std::set<std::string> turned;
    for (const PendingPing& p : batch) {
      const std::string& id = p.target.check_id;
      if (st.ok() && rules::judge_heartbeat(next.at(id), rule_of(*p.target.check), now).passed != passed_before.at(id))
        turned.insert(id);
    }
    if (st.ok())
      for (auto& [id, state] : next) self->heartbeats.put(id, std::move(state));
    asio::post(self->io, [self, batch = std::move(batch), st, turned = std::move(turned)]() mutable {
      self->pings_in_flight = false;
      if (!st.ok()) spdlog::error("heartbeats: {} pings not stored: {}", batch.size(), st.error().message);
      for (PendingPing& p : batch) {
        if (!st.ok()) {
          p.respond(web::json_error(503, "the ping could not be stored; try again"));
          continue;
        }
        if (turned.erase(p.target.check_id)) self->judge_heartbeat_now(p.target);
        p.respond(json_response(200, json::serialize(json::object{
                                         {"status", "ok"},
                                         {"check", p.target.check_id},
                                         {"ping", rules::to_string(p.kind)},
                                         {"exit_status", p.exit_status},
                                     })));
      }
      self->store_pings();  // those that came meanwhile
    });
  });
}

void EngineBackend::ping(const web::Request& req, const std::string& key, const std::string& action,
                         web::Respond respond) {
  auto it = e_.ping_targets.find(key);
  // The key is a secret: the answer never says how close a guess came.
  if (it == e_.ping_targets.end()) return respond(web::json_error(404, "no heartbeat check has this key", "key"));
  const auto parsed = parse_action(action);
  if (!parsed) {
    return respond(web::json_error(404, fmt::format("no such ping \"{}\": /ping/KEY, /ping/KEY/start, /ping/KEY/fail "
                                                    "or /ping/KEY/<exit status 0-255>",
                                                    action.substr(0, 40)),
                                   "action"));
  }
  // HEAD has no body; a GET's is ignored by everyone else, so it is here too.
  e_.pending_pings.push_back(Engine::Impl::PendingPing{it->second, parsed->kind, parsed->exit_status,
                                                       req.method == "POST" ? req.body : std::string(),
                                                       std::move(respond)});
  e_.store_pings();
}

}  // namespace vigil::app
