#include "app/engine_impl.h"
#include "app/web_auth.h"
#include "common/thread_name.h"
#include "oncall/urgency.h"
#include "web/ui/router.h"

#include <malloc.h>

#include <future>

namespace vigil::app {
namespace asio = boost::asio;

namespace {
// Parsing a large config (yaml-cpp builds ~4 KB of nodes per check) leaves a fragmented heap
// that glibc keeps: give it back, or 100k checks cost twice their steady-state memory.
void release_free_memory() { malloc_trim(0); }
}  // namespace
using incident::Incident;
using incident::IncidentChange;
using web::Failure;

std::vector<web::ServiceStatus> Engine::Impl::snapshot() {
  std::vector<web::ServiceStatus> out;
  const Time now = now_ms();
  for (const auto& s : cfg->services) {
    web::ServiceStatus ss{s.name, s.description, {}, {}};
    ss.is_public = s.is_public;
    ss.public_name = s.public_name;
    for (const auto& rb : s.runbooks) ss.runbooks.push_back(rb.name);
    for (const auto& c : s.checks) {
      const std::string id = config::check_id(s, c);
      web::CheckStatus cs;
      cs.name = c.name;
      cs.type = std::string(type_name(c.type));
      cs.target = c.type == config::CheckType::heartbeat
                      ? fmt::format("a ping every {}, grace {}", format_duration(c.period), format_duration(c.grace))
                  : c.type == config::CheckType::dns
                      ? fmt::format("{} {} @{}", c.query, c.record_type, c.server.empty() ? "resolv.conf" : c.server)
                  : c.url.empty() ? (c.path.empty() ? c.process_name : c.path) : c.url;
      cs.interval = format_duration(c.interval);
      Shard& sh = *shards[shard_of(id, shards.size())];
      {
        std::lock_guard lock(sh.mu);
        if (auto it = sh.checks.find(id); it != sh.checks.end()) {
          const auto& f = it->second.figures;
          cs.up = f.up;
          cs.alerting = it->second.state.alerting;
          cs.last_checked_at = f.last_checked_at;
          cs.last_status = f.last_status;
          cs.last_response_seconds = f.last_seconds;
          cs.last_error = f.last_error;
          cs.consecutive_failures = it->second.state.consecutive_failures;
          cs.figures = f.values;
        }
      }
      ss.checks.push_back(std::move(cs));
    }
    ss.open_incidents = book.newest_open(s.name, web::ServiceStatus::kListedOpen);
    ss.open_incident_count = book.open_count(s.name);
    ss.maintenance_until = incident::maintenance_until(maintenance, s.name, now);
    auto urgency = oncall::urgency_now(s.urgency, now);
    ss.urgency = oncall::to_string(urgency.choice);
    ss.urgency_why = std::move(urgency.why);
    ss.urgency_until = urgency.until;
    out.push_back(std::move(ss));
  }
  return out;
}

std::string Engine::Impl::render_metrics() {
  MetricsText m;
  m.family("vigil_check_up", "gauge", "Whether the last probe of the check passed (1) or not (0).");
  std::vector<std::pair<std::vector<std::pair<std::string, std::string>>, CheckFigures>> figs;
  for (const auto& sh : shards) {
    std::lock_guard lock(sh->mu);
    for (const auto& [id, rt] : sh->checks)
      figs.push_back({{{"service", rt.rules.service}, {"check", rt.rules.check}}, rt.figures});
  }
  std::sort(figs.begin(), figs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [labels, f] : figs) m.sample("vigil_check_up", labels, f.up ? 1 : 0);
  m.family("vigil_check_probes_total", "counter", "Probes completed per check.");
  for (const auto& [labels, f] : figs) m.sample("vigil_check_probes_total", labels, static_cast<double>(f.probes));
  m.family("vigil_check_failures_total", "counter", "Probes whose conditions failed, per check.");
  for (const auto& [labels, f] : figs) m.sample("vigil_check_failures_total", labels, static_cast<double>(f.failures));
  m.family("vigil_check_duration_seconds", "histogram", "Probe duration (total time) per check.");
  for (const auto& [labels, f] : figs) m.histogram("vigil_check_duration_seconds", labels, kDurationBuckets, f.buckets, f.probes, f.seconds_sum);

  // The check types' own series (apache_* as prometheus-apache-exporter names them, ...),
  // one family each, with the check's service and check labels first.
  struct Family {
    std::string type, help;
    std::vector<std::pair<Labels, double>> samples;
  };
  std::map<std::string, Family> families;
  for (const auto& [labels, f] : figs) {
    for (const auto& sample : f.samples) {
      auto& fam = families[sample.name];
      fam.type = sample.type;
      fam.help = sample.help;
      Labels l = labels;
      l.insert(l.end(), sample.labels.begin(), sample.labels.end());
      fam.samples.emplace_back(std::move(l), sample.value);
    }
  }
  for (const auto& [name, fam] : families) {
    m.family(name, fam.type, fam.help);
    for (const auto& [l, v] : fam.samples) m.sample(name, l, v);
  }

  m.family("vigil_incidents", "gauge", "Open incidents by status.");
  const auto acknowledged = static_cast<double>(book.acknowledged_count());
  m.sample("vigil_incidents", {{"status", "triggered"}}, static_cast<double>(book.open_count()) - acknowledged);
  m.sample("vigil_incidents", {{"status", "acknowledged"}}, acknowledged);
  m.family("vigil_incidents_low_urgency", "gauge",
           "Open incidents of low urgency (they told the first rule and do not escalate).");
  m.sample("vigil_incidents_low_urgency", {}, static_cast<double>(book.low_urgency_count()));
  m.family("vigil_incidents_opened_total", "counter", "Incidents opened by checks since this process started.");
  m.sample("vigil_incidents_opened_total", {}, static_cast<double>(incidents_opened));

  probe::ShardStats ps;
  for (const auto& sh : shards) {
    auto s = sh->prober->stats();
    ps.started += s.started;
    ps.completed += s.completed;
    ps.skipped += s.skipped;
    ps.late += s.late;
    ps.shed += s.shed;
  }
  m.family("vigil_probes_total", "counter", "Probes completed, all checks.");
  m.sample("vigil_probes_total", {}, static_cast<double>(ps.completed));
  m.family("vigil_probes_skipped_total", "counter", "Probe slots skipped because the previous run was still going.");
  m.sample("vigil_probes_skipped_total", {}, static_cast<double>(ps.skipped));
  m.family("vigil_probes_shed_total", "counter", "Probes not started because too many were already in flight.");
  m.sample("vigil_probes_shed_total", {}, static_cast<double>(ps.shed));
  m.family("vigil_probes_late_total", "counter", "Probes started more than 1s after they were due.");
  m.sample("vigil_probes_late_total", {}, static_cast<double>(ps.late));
  m.family("vigil_results_dropped_total", "counter", "Probe results not stored because the store fell behind.");
  m.sample("vigil_results_dropped_total", {}, static_cast<double>(results.dropped()));
  m.family("vigil_outbox_pending", "gauge", "Notifications waiting for delivery.");
  m.sample("vigil_outbox_pending", {}, static_cast<double>(outbox_pending.load()));
  if (notifier) {
    auto ns = notifier->stats();
    m.family("vigil_notifications_delivered_total", "counter", "Notifications delivered.");
    m.sample("vigil_notifications_delivered_total", {}, static_cast<double>(ns.delivered));
    m.family("vigil_notification_failures_total", "counter", "Failed delivery attempts (each is retried).");
    m.sample("vigil_notification_failures_total", {}, static_cast<double>(ns.failed_attempts));
    m.family("vigil_notifications_skipped_total", "counter",
             "Pages not sent because their incident was acknowledged or resolved first.");
    m.sample("vigil_notifications_skipped_total", {}, static_cast<double>(ns.skipped));
  }
  {
    const Time now = now_ms();
    m.family("vigil_maintenance_windows_in_progress", "gauge", "Maintenance windows in progress.");
    m.sample("vigil_maintenance_windows_in_progress", {},
             static_cast<double>(std::count_if(maintenance.begin(), maintenance.end(),
                                               [&](const auto& w) { return incident::in_progress(w, now); })));
    m.family("vigil_incidents_held", "gauge",
             "Open incidents held by a maintenance window: paged and told when it ends.");
    m.sample("vigil_incidents_held", {}, static_cast<double>(held.size()));
  }
  if (postmortems) postmortems->render_metrics(m);
  m.family("vigil_build_info", "gauge", "Build information.");
  m.sample("vigil_build_info", {{"version", "0.1.0"}}, 1);
  return m.str();
}

std::vector<std::string> EngineBackend::reload() {
  auto loaded = config::load_config(e_.cfg->path);
  std::vector<std::string> errors;
  for (const auto& err : loaded.errors) errors.push_back(config::to_string(err));
  if (!errors.empty()) {
    spdlog::error("reload: config {} is invalid ({} errors); keeping the running config", e_.cfg->path, errors.size());
    for (const auto& e : errors) spdlog::error("  {}", e);
    return errors;
  }
  auto next = std::make_shared<const config::Config>(std::move(*loaded.config));
  if (next->server.listen != e_.cfg->server.listen || next->store.sqlite != e_.cfg->store.sqlite ||
      next->store.postgres != e_.cfg->store.postgres)
    spdlog::warn("reload: server.listen and store changes take effect after a restart");
  std::map<std::string, bool> alerting;
  for (const Incident* inc : e_.book.open()) alerting[inc->dedup_key] = true;
  if (Status st = e_.build_paging(*next); !st.ok()) return {st.error().message};
  if (Status st = e_.watch_heartbeats(next, now_ms()); !st.ok()) return {st.error().message};
  if (Status st = e_.assign_checks(next, alerting); !st.ok()) return {st.error().message};
  e_.notifier->set_channels(e_.build_channels(*next));
  e_.cfg = std::move(next);
  if (e_.auth) e_.auth->update(auth_settings(*e_.cfg));  // roles and passwords apply from the next request
  e_.server->set_integrations(e_.cfg->integrations);
  e_.raise_at_support_start(now_ms());  // support hours may have changed
  e_.release_held(now_ms());  // recurring maintenance windows may have changed: occurrences again, releases
  release_free_memory();
  spdlog::info("reload: config {} applied", e_.cfg->path);
  return {};
}

Engine::Engine(asio::io_context& io, config::Config config, EngineOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(config), options)) {}

Engine::~Engine() {
  stop();
  // A job on a worker (evidence for an incident opened just before SIGTERM, a runbook) holds
  // the Impl, so it would outlive this Engine and run on while the process exits, into
  // destroyed statics. Finish and join them here, while the Impl is still ours. Nothing posts
  // to them any more: the loops, the HTTP thread and the committer have stopped.
  // stop() already dropped the respond jobs not started; queued email/command contacts stay
  // in the outbox, claimed for kDirectSendLease, and are sent by the next start. Store jobs
  // (the last probe results) run.
  Impl& e = *impl_;
  e.ui_worker->drop_pending();
  if (const std::size_t contacts = e.contact_worker->drop_pending(); contacts > 0)
    spdlog::info("shutdown: {} queued contact deliveries left in the outbox for the next start", contacts);
  e.respond_worker.reset();
  e.ui_worker.reset();
  e.contact_worker.reset();
  e.worker.reset();
}

Status Engine::start() {
  Impl& e = *impl_;
  const auto& c = *e.cfg;
  // open_sqlite creates the file's folder; errors of open_postgres name the server.
  auto opened = c.store.postgres.empty() ? store::open_sqlite(c.store.sqlite) : store::open_postgres(c.store.postgres);
  if (!opened.ok()) {
    if (!c.store.postgres.empty()) return Error{"store: " + opened.error().message, "store.postgres"};
    return Error{"store " + c.store.sqlite + ": " + opened.error().message, "store.sqlite"};
  }
  e.store = std::move(opened.value());
  e.committer = std::make_unique<GroupCommitter>(*e.store, [w = e.weak_from_this()](CommitBatch batch) {
    auto self = w.lock();
    if (!self) return;
    asio::post(self->io, [w, batch = std::move(batch)]() mutable {
      if (auto self = w.lock()) self->committed(std::move(batch));
    });
  });

  auto open = e.store->open_incidents();
  if (!open.ok()) return open.error();
  auto last = e.store->max_incident_id();
  if (!last.ok()) return last.error();
  e.book = incident::IncidentBook(*last);
  std::map<std::string, bool> alerting;
  for (const auto& inc : *open) alerting[inc.dedup_key] = true;
  if (!open->empty()) spdlog::info("restored {} open incidents", open->size());
  e.book.restore(std::move(*open));

  auto windows = e.store->list_maintenance_windows();
  if (!windows.ok()) return windows.error();
  e.maintenance = std::move(*windows);
  e.refresh_recurring(now_ms(), /*force=*/true);
  auto overrides = e.store->list_schedule_overrides("");
  if (!overrides.ok()) return overrides.error();
  e.overrides = std::move(*overrides);
  if (Status st = e.build_paging(c); !st.ok()) return st;
  e.http = std::make_unique<net::HttpClient>(e.io);
  e.notifier = std::make_unique<notify::Notifier>(e.io, *e.worker, *e.store, e.build_channels(c));
  e.notifier->set_gate([w = e.weak_from_this()](const incident::OutboxMessage& m) -> std::optional<std::string> {
    auto self = w.lock();
    return self ? self->moot_page(m) : std::nullopt;
  });
  e.notifier->set_on_delivery([w = e.weak_from_this()](const incident::OutboxMessage& m, const Status& st, int attempt) {
    if (auto self = w.lock()) self->on_page_delivery(m, st, attempt);
  });

  e.postmortems = std::make_unique<Postmortems>(e.io, *e.store, [&e] { return e.cfg; });
  e.backend = std::make_unique<EngineBackend>(e);
  web::ServerOptions so;
  so.listen = c.server.listen;
  so.max_body_bytes = c.server.max_request_bytes;
  so.read_timeout = c.server.request_timeout;
  so.tls_cert = c.server.tls_cert;
  so.tls_key = c.server.tls_key;
  log_auth_mode(c);
  e.auth = std::make_unique<web::auth::AuthContext>(
      web::auth::AuthEnv{e.store.get(), [&io = e.io](std::function<void()> f) { asio::post(io, std::move(f)); }, now_ms},
      auth_settings(c));
  e.server = std::make_unique<HttpFront>(
      e.io, so, web::auth::with_auth(web::ui::make_ui(*e.backend, e.hub, web::make_api(*e.backend)), *e.auth),
      [w = e.weak_from_this()](std::vector<QueuedEvent>& events) {
        if (auto self = w.lock())
          for (auto& q : events) self->accept_event_v2(q.parsed, std::move(q.respond));
      });
  e.server->answer_repeats([&book = e.book](const std::string& key) { return book.is_open_key(key); });
  e.server->set_integrations(c.integrations);
  if (Status st = e.server->start(); !st.ok()) return Error{"listen " + c.server.listen + ": " + st.error().message, "server.listen"};

  std::size_t n = e.options.probe_shards ? e.options.probe_shards : std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < n; ++i) {
    auto sh = std::make_unique<Shard>();
    Shard* raw = sh.get();
    sh->prober = std::make_unique<probe::ProbeShard>(
        sh->io,
        [w = e.weak_from_this(), raw](probe::CheckResult r) {
          if (auto self = w.lock()) self->on_result(*raw, std::move(r));
        },
        &e.heartbeats);
    e.shards.push_back(std::move(sh));
  }
  if (Status st = e.watch_heartbeats(e.cfg, now_ms()); !st.ok()) return st;
  if (Status st = e.assign_checks(e.cfg, alerting); !st.ok()) return st;
  for (auto& sh : e.shards) {
    asio::post(sh->io, [p = sh->prober.get()] { p->start(); });
    sh->thread = std::thread([s = sh.get(), i = &sh - &e.shards[0]] {
      name_this_thread(fmt::format("vigil-probe-{}", i));
      s->io.run();
    });
  }
  e.notifier->start();
  if (Status st = e.load_handoff_watermark(now_ms()); !st.ok()) return st;
  e.look_for_handoffs();
  e.postmortems->start();
  e.last_prune = now_ms() - std::chrono::hours(1);
  e.schedule_flush();
  // Escalations that were running before a restart continue where their saved state says.
  for (const Incident* inc : e.book.open())
    if (!inc->escalation_policy.empty()) e.wakes[inc->id] = now_ms();
  e.arm_escalation_timer();
  e.restore_held(now_ms());
  e.raise_at_support_start(now_ms());
  release_free_memory();
  e.started = true;
  spdlog::info("vigil listening on {}://{}:{} with {} checks in {} probe shards", 
               c.server.tls_cert.empty() ? "http" : "https", c.server.listen.substr(0, c.server.listen.rfind(':')), e.server->port(),
               [&] { std::size_t k = 0; for (auto& s : c.services) k += s.checks.size(); return k; }(), n);
  return {};
}

void Engine::stop() {
  impl_->begin_stop();
  impl_->finish_stop();
}

void Engine::stop_after_respond(std::function<void()> done) {
  Impl& e = *impl_;
  e.begin_stop();
  if (e.finished) return done();
  // Behind the running runbook or evidence job (if any) on the respond worker: by the time
  // this reaches the loop, that job's outcome was posted before it and is on its timeline.
  e.respond_worker->post([w = e.weak_from_this(), done = std::move(done)] {
    if (auto self = w.lock())
      asio::post(self->io, [self, done] {
        self->finish_stop();
        done();
      });
  });
}

void Engine::Impl::begin_stop() {
  if (stopped) return;
  stopped = true;
  for (auto& sh : shards) {
    // stop() must run on the shard's own thread; wait for it so no result arrives afterwards.
    std::promise<void> done;
    auto fut = done.get_future();
    asio::post(sh->io, [&] { sh->prober->stop(); done.set_value(); });
    if (sh->thread.joinable()) fut.wait();
    sh->guard.reset();
    sh->io.stop();
    if (sh->thread.joinable()) sh->thread.join();
  }
  flush_timer.cancel();
  escalation_timer.cancel();
  handoff_timer.cancel();
  maintenance_timer.cancel();
  urgency_timer.cancel();
  if (notifier) notifier->stop();
  if (postmortems) postmortems->stop();
  hub.close_all();
  if (server) server->stop();
  // Nothing queued on the respond worker starts now (a restart of Apache after SIGTERM is
  // nobody's intent): runbooks say so on their timelines, evidence not gathered is dropped.
  skip_queued_runbooks();
  if (const std::size_t n = respond_worker->drop_pending(); n > 0)
    spdlog::info("shutdown: {} queued respond jobs dropped", n);
}

void Engine::Impl::finish_stop() {
  if (finished) return;
  finished = true;
  if (committer) {
    // Commits what is queued; nobody waits for these answers any more (the loop has stopped).
    committer->submit(std::exchange(commit_queue, CommitBatch{}));
    committer->stop();
  }
  if (store) {
    auto rows = results.take();
    if (!rows.empty()) (void)store->append_results(rows);  // last batch; the worker is idle or finishing
  }
}

std::vector<std::string> Engine::reload() { return impl_->backend ? impl_->backend->reload() : std::vector<std::string>{}; }
std::uint16_t Engine::port() const { return impl_->server ? impl_->server->port() : 0; }

int run_daemon(const std::string& config_path) {
  auto loaded = config::load_config(config_path);
  if (!loaded.errors.empty()) {
    for (const auto& err : loaded.errors) fmt::print(stderr, "{}\n", config::to_string(err));
    fmt::print(stderr, "vigil: {} has {} error(s); not starting\n", config_path, loaded.errors.size());
    return 1;
  }
  asio::io_context io{1};
  Engine engine(io, std::move(*loaded.config));
  if (Status st = engine.start(); !st.ok()) {
    spdlog::critical("cannot start: {}: {}", st.error().field, st.error().message);
    return 1;
  }
  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  // The first signal stops intake and lets a running runbook finish (its outcome goes on the
  // timeline); a second one stops at once.
  std::function<void()> wait_stop = [&] {
    stop_signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      static bool again = false;
      if (std::exchange(again, true)) {
        spdlog::warn("signal {} again: stopping now", sig);
        engine.stop();
        return io.stop();
      }
      spdlog::info("signal {}: shutting down", sig);
      wait_stop();
      engine.stop_after_respond([&io] { io.stop(); });
    });
  };
  wait_stop();
  asio::signal_set hup(io, SIGHUP);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      (void)engine.reload();
      wait_hup();
    });
  };
  wait_hup();
  io.run();
  engine.stop();
  return 0;
}

}  // namespace vigil::app
