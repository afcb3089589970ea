#include "app/engine.h"

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "app/check_runtime.h"
#include "app/metrics_text.h"
#include "common/worker.h"
#include "incident/incident_book.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/notifier.h"
#include "notify/payload.h"
#include "probe/shard.h"
#include "store/store.h"
#include "web/api.h"
#include "web/server.h"

namespace vigil::app {
namespace asio = boost::asio;
using incident::Incident;
using incident::IncidentChange;
using web::Failure;

namespace {

std::size_t shard_of(const std::string& check_id, std::size_t shards) {
  return std::hash<std::string>{}(check_id) % shards;
}

// Probe results waiting for the next batched store write. Bounded: history is not something
// anyone was promised, so under a stalled disk new rows are dropped and counted.
class ResultBuffer {
 public:
  static constexpr std::size_t kMaxRows = 500'000;
  void push(store::ResultRow row) {
    std::lock_guard lock(mu_);
    if (rows_.size() >= kMaxRows) {
      ++dropped_;
      return;
    }
    rows_.push_back(std::move(row));
  }
  std::vector<store::ResultRow> take() {
    std::lock_guard lock(mu_);
    std::vector<store::ResultRow> out;
    out.swap(rows_);
    return out;
  }
  std::uint64_t dropped() const {
    std::lock_guard lock(mu_);
    return dropped_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<store::ResultRow> rows_;
  std::uint64_t dropped_ = 0;
};

}  // namespace

// One probe shard: its own io_context and thread, its checks' runtime, nothing shared but
// the mutex the engine takes to read figures.
struct Shard {
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{io.get_executor()};
  std::unique_ptr<probe::ProbeShard> prober;
  std::mutex mu;  // guards checks
  std::unordered_map<std::string, CheckRuntime> checks;
  std::thread thread;
};

struct Engine::Impl : std::enable_shared_from_this<Engine::Impl> {
  asio::io_context& io;
  std::shared_ptr<const config::Config> cfg;
  EngineOptions options;

  std::unique_ptr<store::Store> store;
  incident::IncidentBook book;
  ResultBuffer results;
  std::vector<std::unique_ptr<Shard>> shards;
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<notify::Notifier> notifier;
  std::unique_ptr<web::HttpServer> server;
  std::unique_ptr<web::Backend> backend;
  asio::steady_timer flush_timer{io};
  std::atomic<std::int64_t> outbox_pending{0};
  std::int64_t incidents_opened = 0;
  Time last_prune{};
  bool stopped = false;
  bool started = false;
  // Declared last so it is destroyed first: its thread joins while the store still exists.
  std::unique_ptr<BlockingWorker> worker = std::make_unique<BlockingWorker>();

  Impl(asio::io_context& io_, config::Config c, EngineOptions o)
      : io(io_), cfg(std::make_shared<const config::Config>(std::move(c))), options(o) {}

  // ---- probing ---------------------------------------------------------------------------

  void on_result(Shard& shard, probe::CheckResult r) {
    std::optional<rules::AlertChange> alert;
    {
      std::lock_guard lock(shard.mu);
      auto it = shard.checks.find(r.check_id);
      if (it == shard.checks.end()) return;  // removed by a reload while in flight
      CheckRuntime& rt = it->second;
      const rules::Verdict v = rules::judge(rt.rules, r);
      const double seconds = std::chrono::duration<double>(r.timings.total).count();
      rt.figures.record(v.passed, r.status, seconds, r.started_at, v.reason);
      alert = rules::step(rt.state, rt.rules, v, r.started_at);
      results.push(store::ResultRow{r.check_id, r.started_at, v.passed, r.status,
                                    std::chrono::duration_cast<Duration>(r.timings.total), v.reason});
    }
    if (alert) asio::post(io, [self = shared_from_this(), a = std::move(*alert)] { self->on_alert(a); });
  }

  // Assigns the config's checks to shards, keeping threshold state of checks that stay.
  Status assign_checks(const config::Config& c, const std::map<std::string, bool>& alerting) {
    std::vector<std::vector<probe::ProbeTarget>> targets(shards.size());
    std::vector<std::unordered_map<std::string, CheckRuntime>> runtimes(shards.size());
    for (const auto& s : c.services) {
      for (const auto& chk : s.checks) {
        auto cc = std::make_shared<const config::CheckConfig>(chk);
        const std::string id = config::check_id(s, chk);
        auto rt = make_runtime(s, cc);
        if (!rt.ok()) return rt.error();
        const std::size_t n = shard_of(id, shards.size());
        if (auto a = alerting.find(id); a != alerting.end()) rt->state.alerting = a->second;
        runtimes[n].emplace(id, std::move(*rt));
        targets[n].push_back(probe::ProbeTarget{id, cc, c.defaults.jitter});
      }
    }
    for (std::size_t i = 0; i < shards.size(); ++i) {
      Shard& sh = *shards[i];
      asio::post(sh.io, [&sh, t = std::move(targets[i]), rts = std::move(runtimes[i])]() mutable {
        {
          std::lock_guard lock(sh.mu);
          for (auto& [id, rt] : rts) {
            if (auto old = sh.checks.find(id); old != sh.checks.end()) {
              rt.state = old->second.state;
              rt.figures = old->second.figures;
            }
          }
          sh.checks = std::move(rts);
        }
        sh.prober->set_checks(std::move(t));
      });
    }
    return {};
  }

  // A human resolved a check's incident while the check may still fail: forget the streak so
  // a check that is still failing opens a new incident after its threshold, as PagerDuty would.
  void rearm_check(const std::string& dedup_key) {
    Shard& sh = *shards[shard_of(dedup_key, shards.size())];
    asio::post(sh.io, [&sh, dedup_key] {
      std::lock_guard lock(sh.mu);
      if (auto it = sh.checks.find(dedup_key); it != sh.checks.end()) it->second.state = rules::CheckState{};
    });
  }

  // ---- incidents -------------------------------------------------------------------------

  std::vector<std::string> channels_of(const std::string& service) const {
    for (const auto& s : cfg->services)
      if (s.name == service) return s.notify;
    return {};
  }

  // Commits the change (with its notifications) off the loop, then calls `then` on the loop.
  void persist(IncidentChange change, std::function<void(Status)> then) {
    change.outbox = notify::outbox_for(change.incident, change.new_entries, channels_of(change.incident.service),
                                       cfg->server.external_url, now_ms());
    worker->post([self = shared_from_this(), change = std::move(change), then = std::move(then)] {
      Status st = self->store->apply(change);
      if (!st.ok())
        spdlog::error("store: incident #{} change not saved: {}", change.incident.id, st.error().message);
      asio::post(self->io, [self, st, then] {
        if (st.ok() && self->notifier) self->notifier->wake();
        if (then) then(st);
      });
    });
  }

  void on_alert(const rules::AlertChange& a) {
    if (stopped) return;
    auto change = book.apply(a, now_ms());
    if (!change) return;
    const bool opened = change->incident.status == incident::Status::triggered && change->incident.timeline.size() == 1;
    if (opened) ++incidents_opened;
    spdlog::info("incident #{} {}: {}", change->incident.id, opened ? "triggered" : "auto-resolved", change->incident.title);
    persist(std::move(*change), nullptr);
  }

  // Loads an incident from the store off the loop; `then` runs on the loop.
  void load(std::int64_t id, std::function<void(Result<std::optional<Incident>>)> then) {
    worker->post([self = shared_from_this(), id, then = std::move(then)] {
      auto r = self->store->get_incident(id);
      asio::post(self->io, [r = std::move(r), then] { then(r); });
    });
  }

  // The reason an action on a non-open incident failed: 404 or 409.
  void explain_not_open(std::int64_t id, web::Reply<Incident> reply) {
    load(id, [id, reply](Result<std::optional<Incident>> r) {
      if (!r.ok()) return reply(Failure{500, r.error().message});
      if (!r.value()) return reply(Failure{404, "no incident #" + std::to_string(id)});
      reply(Failure{409, "incident #" + std::to_string(id) + " is already resolved"});
    });
  }

  void answer_after_commit(IncidentChange change, web::Reply<Incident> reply) {
    Incident inc = change.incident;
    persist(std::move(change), [inc = std::move(inc), reply](Status st) {
      if (!st.ok()) return reply(Failure{503, "not saved: " + st.error().message});
      reply(inc);
    });
  }

  // ---- periodic work ---------------------------------------------------------------------

  void schedule_flush() {
    flush_timer.expires_after(std::chrono::seconds(1));
    flush_timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
      auto self = w.lock();
      if (ec || !self || self->stopped) return;
      self->flush();
      self->schedule_flush();
    });
  }

  void flush() {
    auto rows = results.take();
    const Time now = now_ms();
    const bool prune = now - last_prune > std::chrono::minutes(10);
    if (prune) last_prune = now;
    const Time horizon = now - cfg->store.results_retention;
    worker->post([self = shared_from_this(), rows = std::move(rows), prune, horizon] {
      if (!rows.empty()) {
        if (Status st = self->store->append_results(rows); !st.ok())
          spdlog::warn("store: {} results not saved: {}", rows.size(), st.error().message);
      }
      if (prune) {
        if (auto n = self->store->prune_results(horizon); n.ok() && *n > 0)
          spdlog::info("store: pruned {} results older than the retention", *n);
      }
      if (auto p = self->store->outbox_pending(); p.ok()) self->outbox_pending = *p;
    });
  }

  std::string render_metrics();
  std::vector<web::ServiceStatus> snapshot();
};

namespace {

class EngineBackend final : public web::Backend {
 public:
  explicit EngineBackend(Engine::Impl& e) : e_(e) {}

  std::vector<web::ServiceStatus> services() override { return e_.snapshot(); }

  void list_incidents(const store::IncidentFilter& filter, web::Reply<std::vector<Incident>> reply) override {
    e_.worker->post([self = e_.shared_from_this(), filter, reply] {
      auto r = self->store->list_incidents(filter);
      asio::post(self->io, [r = std::move(r), reply] {
        if (!r.ok()) return reply(Failure{500, r.error().message});
        reply(r.value());
      });
    });
  }

  void get_incident(std::int64_t id, web::Reply<Incident> reply) override {
    e_.load(id, [id, reply](Result<std::optional<Incident>> r) {
      if (!r.ok()) return reply(Failure{500, r.error().message});
      if (!r.value()) return reply(Failure{404, "no incident #" + std::to_string(id)});
      reply(std::move(*r.value()));
    });
  }

  void acknowledge(std::int64_t id, std::string actor, std::string note, web::Reply<Incident> reply) override {
    auto r = e_.book.acknowledge(id, actor, note, now_ms());
    if (!r.ok()) return e_.explain_not_open(id, reply);
    if (!r->has_value()) return reply(*e_.book.find(id));  // already acknowledged
    e_.answer_after_commit(std::move(**r), reply);
  }

  void resolve(std::int64_t id, std::string actor, std::string note, web::Reply<Incident> reply) override {
    auto r = e_.book.resolve(id, actor, note, now_ms());
    if (!r.ok()) return e_.explain_not_open(id, reply);
    if (!r->incident.check.empty()) e_.rearm_check(r->incident.dedup_key);
    e_.answer_after_commit(std::move(*r), reply);
  }

  void add_note(std::int64_t id, std::string actor, std::string text, web::Reply<Incident> reply) override {
    if (e_.book.find(id)) {
      auto r = e_.book.add_note(id, actor, text, now_ms());
      if (!r.ok()) return reply(Failure{409, r.error().message});
      return e_.answer_after_commit(std::move(*r), reply);
    }
    // Notes on resolved incidents are allowed: postmortem remarks come after the fact.
    e_.load(id, [&e = e_, id, actor, text, reply](Result<std::optional<Incident>> r) {
      if (!r.ok()) return reply(Failure{500, r.error().message});
      if (!r.value()) return reply(Failure{404, "no incident #" + std::to_string(id)});
      if (e.book.find(id)) return reply(Failure{409, "incident #" + std::to_string(id) + " changed; retry"});
      e.answer_after_commit(incident::note_on(std::move(*r.value()), actor, text, now_ms()), reply);
    });
  }

  std::string metrics() override { return e_.render_metrics(); }
  bool ready() override { return e_.started && !e_.stopped; }
  std::vector<std::string> reload() override;

 private:
  Engine::Impl& e_;
};

}  // namespace

std::vector<web::ServiceStatus> Engine::Impl::snapshot() {
  std::vector<web::ServiceStatus> out;
  for (const auto& s : cfg->services) {
    web::ServiceStatus ss{s.name, s.description, {}, {}};
    for (const auto& c : s.checks) {
      const std::string id = config::check_id(s, c);
      web::CheckStatus cs;
      cs.name = c.name;
      cs.type = c.type == config::CheckType::tcp ? "tcp" : "http";
      cs.target = c.url;
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
        }
      }
      ss.checks.push_back(std::move(cs));
    }
    for (const Incident* inc : book.open())
      if (inc->service == s.name) ss.open_incidents.push_back(inc->id);
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

  m.family("vigil_incidents", "gauge", "Open incidents by status.");
  int triggered = 0, acknowledged = 0;
  for (const Incident* inc : book.open()) (inc->status == incident::Status::acknowledged ? acknowledged : triggered)++;
  m.sample("vigil_incidents", {{"status", "triggered"}}, triggered);
  m.sample("vigil_incidents", {{"status", "acknowledged"}}, acknowledged);
  m.family("vigil_incidents_opened_total", "counter", "Incidents opened by checks since this process started.");
  m.sample("vigil_incidents_opened_total", {}, static_cast<double>(incidents_opened));

  probe::ShardStats ps;
  for (const auto& sh : shards) {
    auto s = sh->prober->stats();
    ps.started += s.started;
    ps.completed += s.completed;
    ps.skipped += s.skipped;
    ps.late += s.late;
  }
  m.family("vigil_probes_total", "counter", "Probes completed, all checks.");
  m.sample("vigil_probes_total", {}, static_cast<double>(ps.completed));
  m.family("vigil_probes_skipped_total", "counter", "Probe slots skipped because the previous run was still going.");
  m.sample("vigil_probes_skipped_total", {}, static_cast<double>(ps.skipped));
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
  }
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
  config::Config next = std::move(*loaded.config);
  if (next.server.listen != e_.cfg->server.listen || next.store.sqlite != e_.cfg->store.sqlite)
    spdlog::warn("reload: server.listen and store.sqlite changes take effect after a restart");
  std::map<std::string, bool> alerting;
  for (const Incident* inc : e_.book.open()) alerting[inc->dedup_key] = true;
  if (Status st = e_.assign_checks(next, alerting); !st.ok()) return {st.error().message};
  std::map<std::string, std::unique_ptr<notify::Channel>> channels;
  for (const auto& ch : next.channels) channels[ch.name] = notify::make_channel(ch, *e_.http);
  e_.notifier->set_channels(std::move(channels));
  e_.cfg = std::make_shared<const config::Config>(std::move(next));
  spdlog::info("reload: config {} applied", e_.cfg->path);
  return {};
}

Engine::Engine(asio::io_context& io, config::Config config, EngineOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(config), options)) {}

Engine::~Engine() { stop(); }

Status Engine::start() {
  Impl& e = *impl_;
  const auto& c = *e.cfg;
  std::error_code ec;
  if (auto dir = std::filesystem::path(c.store.sqlite).parent_path(); !dir.empty())
    std::filesystem::create_directories(dir, ec);
  auto opened = store::open_sqlite(c.store.sqlite);
  if (!opened.ok()) return Error{"store " + c.store.sqlite + ": " + opened.error().message, "store.sqlite"};
  e.store = std::move(opened.value());

  auto open = e.store->open_incidents();
  if (!open.ok()) return open.error();
  auto last = e.store->max_incident_id();
  if (!last.ok()) return last.error();
  e.book = incident::IncidentBook(*last);
  std::map<std::string, bool> alerting;
  for (const auto& inc : *open) alerting[inc.dedup_key] = true;
  if (!open->empty()) spdlog::info("restored {} open incidents", open->size());
  e.book.restore(std::move(*open));

  e.http = std::make_unique<net::HttpClient>(e.io);
  std::map<std::string, std::unique_ptr<notify::Channel>> channels;
  for (const auto& ch : c.channels) channels[ch.name] = notify::make_channel(ch, *e.http);
  e.notifier = std::make_unique<notify::Notifier>(e.io, *e.worker, *e.store, std::move(channels));

  e.backend = std::make_unique<EngineBackend>(e);
  web::ServerOptions so;
  so.listen = c.server.listen;
  so.max_body_bytes = c.server.max_request_bytes;
  so.read_timeout = c.server.request_timeout;
  e.server = std::make_unique<web::HttpServer>(e.io, so, web::make_api(*e.backend));
  if (Status st = e.server->start(); !st.ok()) return Error{"listen " + c.server.listen + ": " + st.error().message, "server.listen"};

  std::size_t n = e.options.probe_shards ? e.options.probe_shards : std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < n; ++i) {
    auto sh = std::make_unique<Shard>();
    Shard* raw = sh.get();
    sh->prober = std::make_unique<probe::ProbeShard>(sh->io, [w = e.weak_from_this(), raw](probe::CheckResult r) {
      if (auto self = w.lock()) self->on_result(*raw, std::move(r));
    });
    e.shards.push_back(std::move(sh));
  }
  if (Status st = e.assign_checks(c, alerting); !st.ok()) return st;
  for (auto& sh : e.shards) {
    asio::post(sh->io, [p = sh->prober.get()] { p->start(); });
    sh->thread = std::thread([s = sh.get()] { s->io.run(); });
  }
  e.notifier->start();
  e.last_prune = now_ms() - std::chrono::hours(1);
  e.schedule_flush();
  e.started = true;
  spdlog::info("vigil listening on http://{}:{} with {} checks in {} probe shards", 
               c.server.listen.substr(0, c.server.listen.rfind(':')), e.server->port(),
               [&] { std::size_t k = 0; for (auto& s : c.services) k += s.checks.size(); return k; }(), n);
  return {};
}

void Engine::stop() {
  Impl& e = *impl_;
  if (e.stopped) return;
  e.stopped = true;
  for (auto& sh : e.shards) {
    // stop() must run on the shard's own thread; wait for it so no result arrives afterwards.
    std::promise<void> done;
    auto fut = done.get_future();
    asio::post(sh->io, [&] { sh->prober->stop(); done.set_value(); });
    if (sh->thread.joinable()) fut.wait();
    sh->guard.reset();
    sh->io.stop();
    if (sh->thread.joinable()) sh->thread.join();
  }
  e.flush_timer.cancel();
  if (e.notifier) e.notifier->stop();
  if (e.server) e.server->stop();
  if (e.store) {
    auto rows = e.results.take();
    if (!rows.empty()) (void)e.store->append_results(rows);  // last batch; the worker is idle or finishing
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
  stop_signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    engine.stop();
    io.stop();
  });
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
