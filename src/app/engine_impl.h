// Private to src/app: the engine's state and the backend the API routes call. Split over
// engine.cpp (lifecycle, metrics), engine_incidents.cpp (probing → incidents → store) and
// engine_oncall.cpp (escalation, paging, inbound events, on-call routes).
#pragma once
#include "app/engine.h"
#include "app/paging.h"

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "app/check_runtime.h"
#include "app/engine_postmortem.h"
#include "app/group_commit.h"
#include "app/http_front.h"
#include "app/metrics_text.h"
#include "common/worker.h"
#include "incident/incident_book.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/notifier.h"
#include "notify/payload.h"
#include "probe/heartbeat_board.h"
#include "probe/shard.h"
#include "respond/evidence.h"
#include "respond/runbook.h"
#include "store/store.h"
#include "web/api.h"
#include "web/auth/auth.h"
#include "web/event_hub.h"
#include "web/server.h"

namespace boost::json {
class value;
}

namespace vigil::app {
namespace asio = boost::asio;
using incident::Incident;
using incident::IncidentChange;
using web::Failure;

// The numeric figures of a result worth charting later (postmortem metrics pictures): numbers
// as they are, durations in milliseconds; empty for http/tcp, which have none.
inline std::map<std::string, double> chart_figures(const std::map<std::string, probe::FigureValue>& figures) {
  std::map<std::string, double> out;
  for (const auto& [name, v] : figures) {
    if (const auto* d = std::get_if<double>(&v)) out.emplace(name, *d);
    else if (const auto* t = std::get_if<Duration>(&v)) out.emplace(name, static_cast<double>(t->count()));
  }
  return out;
}

inline std::size_t shard_of(const std::string& check_id, std::size_t shards) {
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
  // How long a message sent straight after its commit stays claimed by this process; past it a
  // poll (this or another node's) sends what a crash left undelivered.
  static constexpr Duration kDirectSendLease = std::chrono::seconds(30);

  asio::io_context& io;
  std::shared_ptr<const config::Config> cfg;
  EngineOptions options;

  std::unique_ptr<store::Store> store;
  incident::IncidentBook book;
  ResultBuffer results;
  // Heartbeat checks' pings (engine_heartbeat.cpp); before `shards`, whose probers read it.
  probe::HeartbeatBoard heartbeats;
  std::set<std::string> heartbeat_rows;  // checks whose heartbeat state the store has
  struct PingTarget {
    std::string check_id;
    std::shared_ptr<const config::CheckConfig> check;
  };
  std::unordered_map<std::string, PingTarget> ping_targets;  // by key, of the running config
  // Loads the stored states (first call) and stores one for every heartbeat check of `c` the
  // store does not know yet, watched from `now`; then points ping keys at `c`'s checks.
  Status watch_heartbeats(const std::shared_ptr<const config::Config>& c, Time now);
  void judge_heartbeat_now(const PingTarget& t);  // on the check's shard, as if probed now
  // Pings wait here (engine thread) while a batch is being stored; the next batch takes them
  // all in one transaction (group commit, as events are).
  struct PendingPing {
    PingTarget target;
    rules::PingKind kind = rules::PingKind::success;
    int exit_status = 0;
    std::string body;
    web::Respond respond;
  };
  std::vector<PendingPing> pending_pings;
  bool pings_in_flight = false;
  void store_pings();
  std::vector<std::unique_ptr<Shard>> shards;
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<notify::Notifier> notifier;
  std::unique_ptr<HttpFront> server;  // the API, on its own HTTP thread
  std::unique_ptr<web::Backend> backend;
  // After store: destroyed first, its worker finishing with the store still open.
  std::unique_ptr<web::auth::AuthContext> auth;
  asio::steady_timer flush_timer{io};
  std::atomic<std::int64_t> outbox_pending{0};
  std::int64_t incidents_opened = 0;
  Time last_prune{};
  bool stopped = false;   // no new work: probing and serving have stopped (begin_stop)
  bool finished = false;  // the last commit is done (finish_stop)
  bool started = false;
  void begin_stop();
  void finish_stop();

  // On-call: schedules, policies and users of the running config; escalation wake-ups.
  std::shared_ptr<const Paging> paging;
  std::string link_key;
  std::vector<store::ScheduleOverride> overrides;  // made at run time, oldest first (as stored)
  asio::steady_timer escalation_timer{io};
  std::map<std::int64_t, Time> wakes;  // incident id → when its escalation wants to look again
  // Hand-off notifications (engine_handoff.cpp): shifts that started up to `handoff_since` were
  // looked at (stored as meta kHandoffMeta with the messages they made); the next look is at
  // handoff_timer, or at once after a reload or an override.
  static constexpr const char* kHandoffMeta = "handoff_checked_until_ms";
  asio::steady_timer handoff_timer{io};
  Time handoff_since{};
  bool handoff_running = false;  // a look is with the store
  bool handoff_again = false;    // the schedules changed meanwhile: look again after it
  Status load_handoff_watermark(Time now);
  void look_for_handoffs();

  // Maintenance windows (engine_maintenance.cpp, incident/maintenance.h): incidents opened while
  // their service is in maintenance are held (no page, no team message, no automatic runbook)
  // until it leaves maintenance; `held` says until when, maintenance_timer wakes for the next.
  // Made at run time (oldest first), then the coming occurrences of the config's recurring ones.
  std::vector<incident::MaintenanceWindow> maintenance;
  Time recurring_valid_until{};  // the occurrences in `maintenance` cover up to a day after this
  // Replaces the occurrences of recurring windows by those not ended at `now` and starting in the
  // next 8 days, when the last ones were made over a day ago (or `force`: at start, on reload).
  void refresh_recurring(Time now, bool force = false);
  std::map<std::int64_t, Time> held;                     // incident id → its service's maintenance end
  asio::steady_timer maintenance_timer{io};
  std::optional<Time> maintenance_wake;  // when maintenance_timer fires; unset while it is idle
  // A new incident of a service in maintenance: a "maintenance" entry joins the change and the
  // incident is held.
  void hold_if_in_maintenance(IncidentChange& change, Time now);
  // At start: incidents held when vigil stopped (a "maintenance" entry not followed by
  // "maintenance_over") are held again, until their service's maintenance ends.
  void restore_held(Time now);
  // Releases the held incidents whose service is no longer in maintenance at `now` (the windows
  // may have changed) and arms maintenance_timer for the next.
  void release_held(Time now);
  void release(std::int64_t id, Time now);
  void arm_maintenance_timer(Time at);

  // Incident urgency (engine_urgency.cpp, oncall/urgency.h): decided when an incident opens
  // from its service's rule, changed by a person, or raised when support hours start.
  asio::steady_timer urgency_timer{io};
  // A new incident: its urgency from the service's rule at `now`, with an "urgency" entry
  // saying why unless it is the default (always high).
  void decide_urgency(IncidentChange& change, Time now);
  // The open incident becomes `to` with an "urgency" entry by `actor` (`why` ends the text);
  // raised to high, its escalation starts over from `now`. The caller persists and escalates.
  Result<IncidentChange> change_urgency(std::int64_t id, incident::Urgency to, const std::string& actor,
                                        const std::string& why, Time now);
  // Raises the low-urgency incidents of services whose support hours have begun since they
  // opened (raise_at_start), then arms urgency_timer for the next start. At start, after a
  // reload, and when the timer fires.
  void raise_at_support_start(Time now);

  // Responder: evidence and runbooks (src/respond). The ledger lives on the engine thread;
  // the watch is thread-safe and used on the respond worker.
  respond::ConfigWatch config_watch;
  respond::RunbookLedger ledger;
  std::map<std::int64_t, std::string> remediated_by;  // incident → runbook that succeeded for it
  // Runbooks posted to the respond worker and not started yet, by ticket. A job starts only if
  // it can still take its ticket out; at shutdown the engine takes the rest (they never start)
  // and says so on their incidents' timelines.
  struct QueuedRunbook {
    std::int64_t incident = 0;
    std::string runbook;
  };
  std::mutex queued_runbooks_mu;
  std::map<std::uint64_t, QueuedRunbook> queued_runbooks;
  std::uint64_t next_runbook_ticket = 0;
  void skip_queued_runbooks();  // at shutdown, before the last commit
  Time last_snapshot_round{};

  // Postmortems, action items, reports (engine_postmortem.cpp); after store: destroyed first.
  std::unique_ptr<Postmortems> postmortems;

  // Web UI (engine_ui.cpp): live events, and history the pages show, computed off the loop on a
  // worker of their own and cached (a page view never scans a day of results).
  web::EventHub hub;
  struct UiCache {
    std::map<std::string, std::vector<web::HistoryBucket>> history;  // recent_history()
    Time history_at{};
    bool history_loading = false;
    std::map<std::string, std::vector<double>> uptime;  // daily_uptime(90)
    Time uptime_at{};
  } ui;
  std::unique_ptr<BlockingWorker> ui_worker = std::make_unique<BlockingWorker>("vigil-ui");
  void refresh_history();
  void publish_incident(const Incident& inc);  // after its change is committed
  void publish_service(const std::string& service, bool up);

  // Group commit: what one turn of the loop produces queues here, then goes to the committer
  // as one submission (a trigger and its first pages, a burst of alerts: one transaction).
  CommitBatch commit_queue;
  bool commit_posted = false;

  // Declared last so they are destroyed first: their threads join while the store still exists.
  // Contacts (email, command) block for seconds: they get a worker of their own; so do
  // evidence and runbooks (a restart may take a minute).
  std::unique_ptr<BlockingWorker> respond_worker = std::make_unique<BlockingWorker>("vigil-respond");
  std::unique_ptr<BlockingWorker> contact_worker = std::make_unique<BlockingWorker>("vigil-contact");
  std::unique_ptr<BlockingWorker> worker = std::make_unique<BlockingWorker>("vigil-store");
  std::unique_ptr<GroupCommitter> committer;  // set at start, with the store

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
      if (rt.figures.up != v.passed)  // the web UI's live stream shows the flip
        asio::post(io, [self = shared_from_this(), svc = rt.rules.service, up = v.passed] { self->publish_service(svc, up); });
      rt.figures.record(v.passed, r.status, seconds, r.started_at, v.reason);
      if (!r.metrics.empty() || !rt.figures.samples.empty()) rt.figures.samples = std::move(r.metrics);
      if (!r.figures.empty() || !rt.figures.values.empty()) rt.figures.values = r.figures;
      alert = rules::step(rt.state, rt.rules, v, r.started_at);
      results.push(store::ResultRow{r.check_id, r.started_at, v.passed, r.status,
                                    std::chrono::duration_cast<Duration>(r.timings.total), v.reason,
                                    chart_figures(r.figures)});
    }
    if (alert) asio::post(io, [self = shared_from_this(), a = std::move(*alert)] { self->on_alert(a); });
  }

  // Assigns the config's checks to shards, keeping threshold state of checks that stay.
  Status assign_checks(const std::shared_ptr<const config::Config>& shared,
                       const std::map<std::string, bool>& alerting) {
    const config::Config& c = *shared;
    std::vector<std::vector<probe::ProbeTarget>> targets(shards.size());
    std::vector<std::unordered_map<std::string, CheckRuntime>> runtimes(shards.size());
    ConditionCache conditions;
    for (const auto& s : c.services) {
      for (const auto& chk : s.checks) {
        // Aliasing pointer: the check stays inside the config it came from (no copy per check;
        // it matters at 100k checks) and keeps that config alive while a shard uses it.
        std::shared_ptr<const config::CheckConfig> cc(shared, &chk);
        const std::string id = config::check_id(s, chk);
        auto rt = make_runtime(s, cc, conditions);
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

  // Commits the change (with its team notifications) off the loop, then calls `then` on the
  // loop. Changes that arrive while a batch is with the store go together in the next one.
  // `answer` (optional) runs on the committer's thread right after the commit: thread-safe
  // answers to a waiting client only (CommitBatch::answer).
  void persist(IncidentChange change, std::function<void(Status)> then, CommitBatch::Callback answer = nullptr) {
    // A held incident tells its team channels nothing until it is released (release()).
    auto team = held.contains(change.incident.id)
                    ? std::vector<incident::OutboxMessage>{}
                    : notify::outbox_for(change.incident, change.new_entries, channels_of(change.incident.service),
                                         cfg->server.external_url, now_ms());
    change.outbox.insert(change.outbox.end(), std::make_move_iterator(team.begin()),
                         std::make_move_iterator(team.end()));
    const Time claimed_until = now_ms() + kDirectSendLease;
    for (auto& m : change.outbox)
      if (!m.not_before) m.claimed_until = claimed_until;  // a later one is the poller's, when due
    commit_queue.push(std::move(change), std::move(then), std::move(answer));
    if (commit_posted) return;
    // Hand over on the next turn of the loop, so what this turn produces shares one transaction.
    commit_posted = true;
    asio::post(io, [w = weak_from_this()] {
      if (auto self = w.lock()) {
        self->commit_posted = false;
        if (self->committer) self->committer->submit(std::exchange(self->commit_queue, CommitBatch{}));
      }
    });
  }

  // On the loop, after the committer committed `batch`: answers, live stream, pages.
  void committed(CommitBatch batch);
  // Every change to an incident goes through here: starts, pauses and stops its escalation,
  // then persists; `then` runs after the commit.
  void handle(IncidentChange change, std::function<void(Status)> then, CommitBatch::Callback answer = nullptr);
  // Plans the incident's escalation at `now`: pages due, timeline notes, next wake-up.
  void escalate(std::int64_t id, Time now);
  void arm_escalation_timer();
  void on_page_delivery(const incident::OutboxMessage& m, const Status& st, int attempt);
  // The notifier's gate: a page made before its incident was acknowledged, or of an incident
  // resolved since, is not sent (a contact's `after` came too late, or retries of a receiver
  // that was down); says so on the timeline and returns why.
  std::optional<std::string> moot_page(const incident::OutboxMessage& m);
  // "user:<id>:<index>" → the user id and the contact's type ("contact" when unknown).
  std::optional<std::pair<std::string, std::string>> contact_of(const std::string& channel) const;
  // Responder (engine_respond.cpp).
  const config::ServiceConfig* service_config(const std::string& name) const {
    for (const auto& s : cfg->services)
      if (s.name == name) return &s;
    return nullptr;
  }
  void respond_to_trigger(std::int64_t id, const std::string& service);
  void start_runbook(std::int64_t id, const std::string& service, const config::RunbookConfig& rb, bool automatic,
                     const std::string& actor, std::function<void(const respond::RunbookOutcome&)> then);
  // Appends entries to an incident whether it is still open (IncidentBook) or already resolved
  // (loaded from the store), then persists.
  void append_entries(std::int64_t id, std::vector<incident::IncidentBook::Entry> entries);
  void snapshot_healthy_configs();
  std::map<std::string, std::unique_ptr<notify::Channel>> build_channels(const config::Config& c);
  Status build_paging(const config::Config& c);
  // After an override was made or removed: the running config and key, the new overrides.
  Status refresh_paging();
  Status install_paging(const config::Config& c, std::string key);  // with `overrides`
  std::string policy_of(const std::string& service) const {
    for (const auto& s : cfg->services)
      if (s.name == service) return s.escalation_policy;
    return {};
  }

  void on_alert(const rules::AlertChange& a) {
    if (stopped) return;
    auto change = book.apply(a, now_ms());
    if (!change) return;
    const bool opened = change->incident.status == incident::Status::triggered && change->incident.timeline.size() == 1;
    if (opened) ++incidents_opened;
    spdlog::info("incident #{} {}: {}", change->incident.id, opened ? "triggered" : "auto-resolved", change->incident.title);
    handle(std::move(*change), nullptr);
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

  // An Events API v2 event that parsed: match its routing key, apply it, 202 once committed.
  void accept_event_v2(const incident::EventsV2Result& parsed, web::Respond respond);

  void answer_after_commit(IncidentChange change, web::Reply<Incident> reply) {
    Incident inc = change.incident;
    handle(std::move(change), [inc = std::move(inc), reply](Status st) {
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
    snapshot_healthy_configs();
    refresh_recurring(now_ms());
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

// `?all=true`: the list routes' "ended ones too".
inline bool asks_for_all(const web::Request& req) {
  const auto it = req.query.find("all");
  return it != req.query.end() && it->second == "true";
}

// Shared by the on-call routes (engine_oncall.cpp, engine_overrides.cpp).
web::Response json_response(int status, std::string body);  // application/json
boost::json::value user_json(const Paging& p, const std::optional<std::string>& id);  // {id, name, email} or null

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
  void events_v2(const web::Request& req, web::Respond respond) override;
  void alertmanager(const std::string& integration, const web::Request& req, web::Respond respond) override;
  void oncall(const web::Request& req, web::Respond respond) override;
  void schedules(const web::Request& req, const std::vector<std::string>& parts, web::Respond respond) override;
  // /api/v1/maintenance[/{id}] (engine_maintenance.cpp); `rest` is what follows "maintenance".
  void maintenance(const web::Request& req, const std::vector<std::string>& rest, web::Respond respond) override;
  // /api/v1/schedules/{name}/overrides[/{id}] (engine_overrides.cpp); `rest` is what follows
  // "overrides".
  void schedule_overrides(const web::Request& req, const std::string& schedule, const std::vector<std::string>& rest,
                          web::Respond respond);
  void action_link(const web::Request& req, const std::string& token, web::Respond respond) override;
  void ping(const web::Request& req, const std::string& key, const std::string& action, web::Respond respond) override;
  void run_runbook(std::int64_t id, const std::string& name, const std::string& actor, web::Respond respond) override;
  // Web UI (engine_ui.cpp).
  std::map<std::string, std::vector<web::HistoryBucket>> recent_history() override;
  void daily_uptime(int days, web::Reply<std::map<std::string, std::vector<double>>> reply) override;
  void results(std::vector<std::string> check_ids, Time from, Time to,
               web::Reply<std::vector<store::ResultRow>> reply) override;
  void escalate_now(std::int64_t id, std::string actor, web::Reply<Incident> reply) override;
  void reassign(std::int64_t id, std::string user, std::string actor, web::Reply<Incident> reply) override;
  void set_urgency(std::int64_t id, incident::Urgency urgency, std::string actor, web::Reply<Incident> reply) override;
  std::vector<UserRef> users() override;
  bool ready() override { return e_.started && !e_.stopped; }
  web::PostmortemBackend* postmortems() override { return e_.postmortems.get(); }
  std::vector<std::string> reload() override;

 private:
  Engine::Impl& e_;
};



}  // namespace vigil::app
