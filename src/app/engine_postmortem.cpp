#include "app/engine_postmortem.h"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/postmortem_facts.h"
#include "app/postmortem_files.h"
#include "postmortem/draft.h"
#include "postmortem/render.h"

namespace vigil::app {
namespace asio = boost::asio;
using web::Failure;

namespace {

constexpr auto kReportEvery = std::chrono::seconds(60);

Failure store_failure(const Error& e) { return Failure{500, e.message}; }
Failure no_incident(std::int64_t id) { return Failure{404, fmt::format("no incident #{}", id)}; }
Failure no_item(std::int64_t id) { return Failure{404, fmt::format("no action item {}", id)}; }

// The postmortem as it reads now: a fresh draft for the sections nobody wrote, the stored text
// for those somebody did. `fresh_out` gets the draft itself (to give a section back to it).
Result<std::optional<web::PostmortemView>> view_of(store::Store& store, const config::Config& cfg, std::int64_t id,
                                                   Time now, std::vector<store::PostmortemSection>* fresh_out = nullptr) {
  auto facts = gather_facts(store, cfg, id, now);
  if (!facts.ok()) return facts.error();
  if (!facts.value()) return std::optional<web::PostmortemView>{};
  auto stored = store.get_postmortem(id);
  if (!stored.ok()) return stored.error();
  auto fresh = postmortem::draft(**facts, now);
  if (fresh_out) *fresh_out = fresh;
  web::PostmortemView v{std::move(**facts), postmortem::merge(id, *stored, std::move(fresh), now)};
  return std::optional<web::PostmortemView>(std::move(v));
}

// An action item's incident must exist: a typo would otherwise file it under nothing.
std::optional<Failure> check_incident(store::Store& store, std::int64_t incident_id) {
  if (incident_id <= 0) return std::nullopt;
  auto inc = store.get_incident(incident_id);
  if (!inc.ok()) return store_failure(inc.error());
  if (!inc.value()) return Failure{400, fmt::format("no incident #{}", incident_id)};
  return std::nullopt;
}

}  // namespace

Postmortems::Postmortems(asio::io_context& io, store::Store& store, ConfigSource config)
    : io_(io), store_(store), config_(std::move(config)), report_timer_(io), report_soon_timer_(io) {}

Postmortems::~Postmortems() { stop(); }

void Postmortems::start() { schedule_report(); }

void Postmortems::stop() {
  stopped_ = true;
  report_timer_.cancel();
  report_soon_timer_.cancel();
}

template <typename T>
void Postmortems::run(web::Reply<T> reply, std::function<std::variant<T, Failure>()> job) {
  worker_.post([this, alive = std::weak_ptr<bool>(alive_), reply = std::move(reply), job = std::move(job)] {
    auto answer = std::make_shared<std::variant<T, Failure>>(job());
    asio::post(io_, [alive, reply, answer] {
      if (alive.lock()) reply(std::move(*answer));
    });
  });
}

// ---- the README on disk --------------------------------------------------------------------

std::function<void(Status)> Postmortems::after_commit(std::int64_t id, Duration lasted, std::function<void(Status)> then) {
  return [this, alive = std::weak_ptr<bool>(alive_), id, lasted, then = std::move(then)](Status st) {
    const bool ok = st.ok();
    if (then) then(std::move(st));
    if (!ok || !alive.lock()) return;
    if (auto cfg = config_(); cfg && lasted >= cfg->postmortems.min_duration) refresh(id);
    report_soon();  // an incident ended: MTTR and availability moved
  };
}

void Postmortems::refresh(std::int64_t id) {
  auto cfg = config_();
  if (stopped_ || !cfg || !cfg->postmortems.write_on_resolve) return;
  {
    std::lock_guard lock(mu_);
    if (queued_.count(id)) return;  // the queued rewrite will see this change too
    if (queued_.size() >= kMaxQueued) {
      if (skipped_++ % 1000 == 0)
        spdlog::warn("postmortem #{}: README not rewritten: {} rewrites already waiting ({} skipped so far); "
                     "`vigil postmortem {} -o DIR` writes it on demand", id, queued_.size(), skipped_, id);
      return;
    }
    queued_.insert(id);
  }
  worker_.post([this, cfg, id] {
    {
      std::lock_guard lock(mu_);
      queued_.erase(id);  // before reading: a change committed from here on queues another pass
    }
    write_readme(*cfg, id);
  });
}

void Postmortems::write_readme(const config::Config& cfg, std::int64_t id) {
  const Time now = now_ms();
  auto v = view_of(store_, cfg, id, now);
  if (!v.ok()) return spdlog::warn("postmortem #{}: not written: {}", id, v.error().message);
  if (!v.value() || (*v)->facts.incident.status != incident::Status::resolved) return;
  // Stored first: the draft the file shows is the one the API serves, and edits stay the author's.
  if (Status st = store_.put_postmortem((*v)->pm); !st.ok())
    return spdlog::warn("postmortem #{}: not saved: {}", id, st.error().message);
  const auto imgs = postmortem::images((*v)->facts);
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& img : imgs) files.emplace_back("images/" + img.file, img.svg);
  files.emplace_back("README.md", postmortem::markdown((*v)->facts, (*v)->pm, imgs));
  const std::string dir = (std::filesystem::path(cfg.postmortems.dir) / std::to_string(id)).string();
  if (Status st = write_files_atomically(dir, files); !st.ok())
    return spdlog::warn("postmortem #{}: not written: {}", id, st.error().message);
  spdlog::info("postmortem #{} written to {}/README.md", id, dir);
}

// ---- API -----------------------------------------------------------------------------------

void Postmortems::postmortem(std::int64_t id, web::Reply<web::PostmortemView> reply) {
  run<web::PostmortemView>(std::move(reply), [this, cfg = config_(), id]() -> std::variant<web::PostmortemView, Failure> {
    auto v = view_of(store_, *cfg, id, now_ms());
    if (!v.ok()) return store_failure(v.error());
    if (!v.value()) return no_incident(id);
    return std::move(**v);
  });
}

void Postmortems::edit_postmortem(std::int64_t id, std::map<std::string, std::optional<std::string>> sections,
                                  std::string actor, web::Reply<web::PostmortemView> reply) {
  auto then = [this, alive = std::weak_ptr<bool>(alive_), id, reply = std::move(reply)](
                  std::variant<web::PostmortemView, Failure> r) {
    const bool resolved = std::holds_alternative<web::PostmortemView>(r) &&
                          std::get<web::PostmortemView>(r).facts.incident.status == incident::Status::resolved;
    reply(std::move(r));
    if (resolved && alive.lock()) refresh(id);  // the file on disk shows the edit too
  };
  run<web::PostmortemView>(std::move(then), [this, cfg = config_(), id, sections = std::move(sections),
                                            actor = std::move(actor)]() -> std::variant<web::PostmortemView, Failure> {
    const Time now = now_ms();
    std::vector<store::PostmortemSection> fresh;
    auto v = view_of(store_, *cfg, id, now, &fresh);
    if (!v.ok()) return store_failure(v.error());
    if (!v.value()) return no_incident(id);
    web::PostmortemView view = std::move(**v);
    for (const auto& [key, text] : sections) {
      for (auto& s : view.pm.sections) {
        if (s.key != key) continue;
        if (text) {
          s.markdown = *text;
          s.edited = true;
          s.edited_by = actor;
        } else {
          for (const auto& f : fresh)
            if (f.key == key) s.markdown = f.markdown;
          s.edited = false;
          s.edited_by.clear();
        }
        s.updated_at = now;
      }
    }
    if (Status st = store_.put_postmortem(view.pm); !st.ok()) return Failure{503, "not saved: " + st.error().message};
    return view;
  });
}

void Postmortems::list_action_items(store::ActionItemFilter filter, web::Reply<std::vector<store::ActionItem>> reply) {
  run<std::vector<store::ActionItem>>(std::move(reply), [this, filter]() -> std::variant<std::vector<store::ActionItem>, Failure> {
    auto r = store_.list_action_items(filter);
    if (!r.ok()) return store_failure(r.error());
    return std::move(*r);
  });
}

void Postmortems::get_action_item(std::int64_t id, web::Reply<store::ActionItem> reply) {
  run<store::ActionItem>(std::move(reply), [this, id]() -> std::variant<store::ActionItem, Failure> {
    auto r = store_.get_action_item(id);
    if (!r.ok()) return store_failure(r.error());
    if (!r.value()) return no_item(id);
    return std::move(**r);
  });
}

void Postmortems::create_action_item(store::ActionItem item, web::Reply<store::ActionItem> reply) {
  const std::int64_t incident_id = item.incident_id;
  auto then = [this, alive = std::weak_ptr<bool>(alive_), incident_id, reply = std::move(reply)](
                  std::variant<store::ActionItem, Failure> r) {
    const bool ok = std::holds_alternative<store::ActionItem>(r);
    reply(std::move(r));
    if (!ok || !alive.lock()) return;
    if (incident_id > 0) refresh(incident_id);  // its corrective section lists it
    compute_report();                           // vigil_action_items_open
  };
  run<store::ActionItem>(std::move(then), [this, item = std::move(item)]() -> std::variant<store::ActionItem, Failure> {
    if (auto f = check_incident(store_, item.incident_id)) return *f;
    auto r = store_.create_action_item(item);
    if (!r.ok()) return Failure{400, r.error().message};
    return std::move(*r);
  });
}

void Postmortems::update_action_item(std::int64_t id, web::ActionItemPatch patch, web::Reply<store::ActionItem> reply) {
  auto then = [this, alive = std::weak_ptr<bool>(alive_), reply = std::move(reply)](std::variant<store::ActionItem, Failure> r) {
    const std::int64_t incident_id = std::holds_alternative<store::ActionItem>(r) ? std::get<store::ActionItem>(r).incident_id : 0;
    reply(std::move(r));
    if (!alive.lock()) return;
    if (incident_id > 0) refresh(incident_id);
    compute_report();
  };
  run<store::ActionItem>(std::move(then), [this, id, patch = std::move(patch)]() -> std::variant<store::ActionItem, Failure> {
    auto got = store_.get_action_item(id);
    if (!got.ok()) return store_failure(got.error());
    if (!got.value()) return no_item(id);
    store::ActionItem a = std::move(**got);
    if (patch.incident_id && *patch.incident_id != a.incident_id) {
      if (auto f = check_incident(store_, *patch.incident_id)) return *f;
      a.incident_id = *patch.incident_id;
    }
    if (patch.text) a.text = *patch.text;
    if (patch.owner) a.owner = *patch.owner;
    if (patch.due) a.due = *patch.due;
    if (patch.status) a.status = *patch.status;
    if (Status st = store_.update_action_item(a); !st.ok()) return Failure{400, st.error().message};
    auto now = store_.get_action_item(id);
    if (!now.ok()) return store_failure(now.error());
    if (!now.value()) return no_item(id);  // deleted meanwhile
    return std::move(**now);
  });
}

void Postmortems::delete_action_item(std::int64_t id, web::Reply<bool> reply) {
  auto then = [this, alive = std::weak_ptr<bool>(alive_), reply = std::move(reply)](std::variant<bool, Failure> r) {
    reply(std::move(r));
    if (alive.lock()) compute_report();
  };
  run<bool>(std::move(then), [this, id]() -> std::variant<bool, Failure> {
    auto got = store_.get_action_item(id);
    if (!got.ok()) return store_failure(got.error());
    if (!got.value()) return no_item(id);
    if (Status st = store_.delete_action_item(id); !st.ok()) return no_item(id);  // deleted meanwhile
    return true;
  });
}

namespace {

// Sums and spans, not incidents: an alert storm's window is summed by the store on its reader
// connection, so recomputing the report never holds up the Events API's commits.
Result<postmortem::Report> build(store::Store& store, const config::Config& cfg, Time from, Time to) {
  auto sums = store.window_sums(from, to);
  if (!sums.ok()) return sums.error();
  postmortem::Downtime downtime;
  if (Status st = store.visit_spans(from, to, [&](const store::IncidentSpan& s) { downtime.add(s); }); !st.ok())
    return st.error();
  std::vector<std::string> services;
  for (const auto& s : cfg.services) services.push_back(s.name);
  return postmortem::build_report(services, *sums, downtime, from, to);
}

}  // namespace

void Postmortems::report(Time from, Time to, web::Reply<postmortem::Report> reply) {
  run<postmortem::Report>(std::move(reply), [this, cfg = config_(), from, to]() -> std::variant<postmortem::Report, Failure> {
    auto r = build(store_, *cfg, from, to);
    if (!r.ok()) return store_failure(r.error());
    return std::move(*r);
  });
}

// ---- metrics -------------------------------------------------------------------------------

void Postmortems::schedule_report() {
  if (stopped_) return;
  compute_report();
  report_timer_.expires_after(kReportEvery);
  report_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (!ec && alive.lock()) schedule_report();
  });
}

void Postmortems::report_soon() {
  constexpr auto kReportMinGap = std::chrono::seconds(10);
  if (stopped_ || report_soon_armed_) return;
  const auto since = std::chrono::steady_clock::now() - last_report_;
  if (since >= kReportMinGap) return compute_report();
  report_soon_armed_ = true;
  report_soon_timer_.expires_after(kReportMinGap - since);
  report_soon_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (ec || !alive.lock()) return;
    report_soon_armed_ = false;
    compute_report();
  });
}

void Postmortems::compute_report() {
  auto cfg = config_();
  if (stopped_ || !cfg || report_running_) return;
  report_running_ = true;
  last_report_ = std::chrono::steady_clock::now();
  worker_.post([this, cfg, alive = std::weak_ptr<bool>(alive_)] {
    const Time now = now_ms();
    auto r = build(store_, *cfg, now - cfg->postmortems.report_window, now);
    if (!r.ok()) spdlog::warn("report metrics: {}", r.error().message);
    {
      std::lock_guard lock(mu_);
      if (r.ok()) report_ = std::move(*r);
    }
    asio::post(io_, [this, alive] {
      if (alive.lock()) report_running_ = false;
    });
  });
}

void Postmortems::render_metrics(MetricsText& m) {
  std::optional<postmortem::Report> r;
  std::uint64_t skipped = 0;
  {
    std::lock_guard lock(mu_);
    r = report_;
    skipped = skipped_;
  }
  m.family("vigil_postmortems_skipped_total", "counter",
           "README rewrites skipped because too many were waiting (an alert storm); written on demand instead.");
  m.sample("vigil_postmortems_skipped_total", {}, static_cast<double>(skipped));
  if (!r) return;  // not computed yet: absent rather than a misleading 0
  auto per_service = [&](const char* name, const char* help, auto value_of) {
    m.family(name, "gauge", help);
    for (const auto& s : r->services)
      if (auto v = value_of(s)) m.sample(name, {{"service", s.service}}, *v);
  };
  using S = postmortem::ServiceReport;
  auto secs = [](const std::optional<Duration>& d) -> std::optional<double> {
    if (!d) return std::nullopt;
    return std::chrono::duration<double>(*d).count();
  };
  per_service("vigil_report_availability_ratio", "Share of the report window not covered by incidents.",
              [](const S& s) -> std::optional<double> { return s.availability; });
  per_service("vigil_report_mtta_seconds", "Mean time from detection to acknowledgement over the report window.",
              [&](const S& s) { return secs(s.mtta); });
  per_service("vigil_report_mtta_high_urgency_seconds",
              "Mean time from detection to acknowledgement of high-urgency incidents over the report window.",
              [&](const S& s) { return secs(s.mtta_high_urgency); });
  per_service("vigil_report_mttr_seconds", "Mean time from detection to resolution over the report window.",
              [&](const S& s) { return secs(s.mttr); });
  per_service("vigil_report_incidents", "Incidents started in the report window.",
              [](const S& s) -> std::optional<double> { return s.incidents; });
  per_service("vigil_report_pages", "People paged in the report window.",
              [](const S& s) -> std::optional<double> { return s.pages; });
  per_service("vigil_action_items_open", "Open action items of the service's incidents in the report window.",
              [](const S& s) -> std::optional<double> { return s.action_items_open; });
}

}  // namespace vigil::app
