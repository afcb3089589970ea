// The engine's responder: when an incident triggers, gather the service's evidence (the state of
// the server at the failure, before anyone touches it), name known signatures in it as likely
// causes, then run its automatic runbooks behind their guardrails; run runbooks on demand; keep
// healthy snapshots of watched config for config_diff evidence.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "app/engine_impl.h"
#include "respond/likely_cause.h"

namespace vigil::app {
namespace json = boost::json;
using incident::Incident;
using Entry = incident::IncidentBook::Entry;

namespace {

// Evidence text on the timeline is capped: the item's max_bytes bounds it already; this keeps
// one entry readable in the API and the postmortem.
constexpr std::size_t kEvidenceEntryMax = 16 * 1024;

std::string evidence_text(const respond::EvidenceItem& item) {
  std::string text = fmt::format("{} (took {})", item.name, format_duration(item.took));
  if (!item.error.empty()) text += fmt::format(" — could not be fully gathered: {}", item.error);
  if (item.truncated) text += " — truncated";
  text += ":\n";
  text += item.text.size() > kEvidenceEntryMax ? item.text.substr(item.text.size() - kEvidenceEntryMax) : item.text;
  return text;
}

}  // namespace

void Engine::Impl::append_entries(std::int64_t id, std::vector<Entry> entries) {
  if (entries.empty()) return;
  if (book.find(id)) {
    auto rec = book.record(id, entries, std::nullopt, now_ms());
    if (rec.ok()) persist(std::move(*rec), nullptr);
    return;
  }
  load(id, [w = weak_from_this(), id, entries = std::move(entries)](Result<std::optional<Incident>> r) {
    auto self = w.lock();
    if (!self) return;
    if (!r.ok() || !r.value()) return spdlog::warn("incident #{}: entries lost: incident not found", id);
    if (self->book.find(id)) {  // reopened meanwhile? it is open again: append there
      auto rec = self->book.record(id, entries, std::nullopt, now_ms());
      if (rec.ok()) self->persist(std::move(*rec), nullptr);
      return;
    }
    self->persist(incident::append_to(std::move(*r.value()), entries, now_ms()), nullptr);
  });
}

void Engine::Impl::respond_to_trigger(std::int64_t id, const std::string& service) {
  const config::ServiceConfig* svc = service_config(service);
  if (!svc || stopped) return;
  if (!svc->evidence.empty()) {
    respond_worker->post([w = weak_from_this(), id, items = svc->evidence] {
      auto self = w.lock();
      if (!self) return;
      auto evidence = respond::gather(items, self->config_watch, now_ms());
      auto causes = respond::likely_causes(evidence);
      std::vector<Entry> entries;
      for (const auto& item : evidence) entries.push_back({"evidence", "vigil", evidence_text(item)});
      for (const auto& cause : causes) entries.push_back({"likely_cause", "vigil", cause.text});
      asio::post(self->io, [self, id, entries = std::move(entries)]() mutable {
        self->append_entries(id, std::move(entries));
      });
    });
  }
  // Queued after the evidence on the same worker, so evidence shows the server as it failed.
  for (const auto& rb : svc->runbooks) {
    if (!rb.automatic) continue;
    if (auto h = held.find(id); h != held.end()) {  // planned work on it: the runbook would fight it
      append_entries(id, {{"runbook_skipped", "vigil",
                           fmt::format("{} not run automatically: {} is in maintenance until {}; it runs then if "
                                       "the incident is still open",
                                       rb.name, svc->name, format_rfc3339(h->second))}});
      continue;
    }
    auto decision = ledger.decide(rb, svc->name, id, true, now_ms());
    if (!decision) {
      append_entries(id, {{"runbook_skipped", "vigil", fmt::format("{} not run automatically: {}", rb.name, decision.reason)}});
      continue;
    }
    start_runbook(id, svc->name, rb, true, "vigil", nullptr);
  }
}

void Engine::Impl::start_runbook(std::int64_t id, const std::string& service, const config::RunbookConfig& rb,
                                 bool automatic, const std::string& actor,
                                 std::function<void(const respond::RunbookOutcome&)> then) {
  const Time now = now_ms();
  ledger.record(rb, service, id, automatic, now);
  append_entries(id, {{"runbook", actor,
                       fmt::format("running {} {}: {}", rb.name, automatic ? "automatically" : "by hand",
                                   fmt::join(rb.command, " "))}});
  const std::uint64_t ticket = ++next_runbook_ticket;
  {
    std::lock_guard lock(queued_runbooks_mu);
    queued_runbooks.emplace(ticket, QueuedRunbook{id, rb.name});
  }
  respond_worker->post([w = weak_from_this(), ticket, id, rb, then = std::move(then), actor] {
    auto self = w.lock();
    if (!self) return;
    {
      std::lock_guard lock(self->queued_runbooks_mu);
      if (self->queued_runbooks.erase(ticket) == 0) return;  // shutting down: not started
    }
    auto outcome = respond::run_runbook(rb);
    // Logged too: after a second SIGTERM the timeline entry below is never written.
    spdlog::info("incident #{}: runbook {}", id, respond::describe(outcome));
    asio::post(self->io, [self, id, rb, outcome = std::move(outcome), then, actor] {
      if (outcome.succeeded()) self->remediated_by[id] = rb.name;
      self->append_entries(id, {{outcome.succeeded() ? "runbook_succeeded" : "runbook_failed", actor,
                                 respond::describe(outcome)}});
      if (then) then(outcome);
    });
  });
}

void Engine::Impl::skip_queued_runbooks() {
  std::map<std::uint64_t, QueuedRunbook> skipped;
  {
    std::lock_guard lock(queued_runbooks_mu);
    skipped.swap(queued_runbooks);
  }
  for (const auto& [ticket, q] : skipped)
    append_entries(q.incident, {{"runbook_skipped", "vigil", fmt::format("{} not run: vigil shut down before it started", q.runbook)}});
  if (!skipped.empty()) spdlog::info("shutdown: {} queued runbooks not started", skipped.size());
}

void Engine::Impl::snapshot_healthy_configs() {
  const Time now = now_ms();
  // Cheap when nothing changed: ConfigWatch re-reads a path at most once a minute.
  if (now - last_snapshot_round < std::chrono::seconds(5)) return;
  last_snapshot_round = now;
  for (const auto& svc : cfg->services) {
    std::vector<std::string> paths;
    for (const auto& e : svc.evidence)
      if (e.kind == config::EvidenceConfig::Kind::config_diff) paths.push_back(e.path);
    if (paths.empty() || svc.checks.empty()) continue;
    bool healthy = true;
    for (const auto& c : svc.checks) {
      const std::string id = config::check_id(svc, c);
      Shard& sh = *shards[shard_of(id, shards.size())];
      std::lock_guard lock(sh.mu);
      auto it = sh.checks.find(id);
      if (it == sh.checks.end() || !it->second.figures.last_checked_at || !it->second.figures.up ||
          it->second.state.alerting) {
        healthy = false;
        break;
      }
    }
    if (!healthy) continue;
    respond_worker->post([w = weak_from_this(), paths = std::move(paths), now] {
      if (auto self = w.lock()) self->config_watch.snapshot_healthy(paths, now);
    });
  }
}

void EngineBackend::run_runbook(std::int64_t id, const std::string& name, const std::string& actor,
                                web::Respond respond) {
  e_.load(id, [&e = e_, id, name, actor, respond](Result<std::optional<Incident>> r) {
    if (!r.ok()) return respond(web::json_error(500, r.error().message));
    if (!r.value()) return respond(web::json_error(404, "no incident #" + std::to_string(id), "id"));
    const Incident& inc = *r.value();
    const config::ServiceConfig* svc = e.service_config(inc.service);
    const config::RunbookConfig* rb = nullptr;
    if (svc)
      for (const auto& x : svc->runbooks)
        if (x.name == name) rb = &x;
    if (!rb)
      return respond(web::json_error(404, fmt::format("service {} has no runbook named \"{}\"", inc.service, name), "name"));
    auto decision = e.ledger.decide(*rb, inc.service, id, false, now_ms());
    if (!decision) return respond(web::json_error(409, decision.reason, "name"));
    e.start_runbook(id, inc.service, *rb, false, actor, [respond, name](const respond::RunbookOutcome& o) {
      json::object body{{"runbook", name},
                        {"succeeded", o.succeeded()},
                        {"exit_code", o.process.exit_code},
                        {"timed_out", o.process.timed_out},
                        {"seconds", std::chrono::duration<double>(o.process.duration).count()},
                        {"output", o.process.output},
                        {"description", respond::describe(o)}};
      if (!o.error.empty()) body["error"] = o.error;
      web::Response resp;
      resp.body = json::serialize(body);
      respond(std::move(resp));
    });
  });
}

}  // namespace vigil::app
