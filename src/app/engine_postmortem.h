// The engine's postmortem half (private to src/app): the API's PostmortemBackend, the README
// written when an incident resolves (and rewritten when it changes later, keeping what people
// wrote), and the vigil_report_* metrics. Everything slow (drafting, the access log, the store)
// runs on a worker of its own; answers go back to the engine loop.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "app/metrics_text.h"
#include "common/worker.h"
#include "config/config.h"
#include "postmortem/report.h"
#include "store/store.h"
#include "web/postmortem_routes.h"

namespace vigil::app {

class Postmortems final : public web::PostmortemBackend {
 public:
  using ConfigSource = std::function<std::shared_ptr<const config::Config>()>;  // read on the loop
  Postmortems(boost::asio::io_context& io, store::Store& store, ConfigSource config);
  ~Postmortems() override;  // finishes queued work (the store must still be open)

  // Computes the report metrics now and every minute after.
  void start();
  void stop();
  // Wraps a commit's continuation of a change to a resolved incident that `lasted` this long:
  // once committed, its README is (re)written when postmortems.write_on_resolve and it lasted at
  // least postmortems.min_duration, and the report metrics are recomputed soon.
  std::function<void(Status)> after_commit(std::int64_t incident_id, Duration lasted, std::function<void(Status)> then);
  // Queues (once per incident at a time) the rewrite of an incident's README. At most
  // kMaxQueued wait: past that a rewrite is skipped and counted (vigil_postmortems_skipped_total)
  // rather than letting a storm of resolutions queue work without bound.
  void refresh(std::int64_t incident_id);
  static constexpr std::size_t kMaxQueued = 64;
  // vigil_report_* over postmortems.report_window, from the last computed report.
  void render_metrics(MetricsText& m);

  void postmortem(std::int64_t incident_id, web::Reply<web::PostmortemView> reply) override;
  void edit_postmortem(std::int64_t incident_id, std::map<std::string, std::optional<std::string>> sections,
                       std::string actor, web::Reply<web::PostmortemView> reply) override;
  void list_action_items(store::ActionItemFilter filter, web::Reply<std::vector<store::ActionItem>> reply) override;
  void get_action_item(std::int64_t id, web::Reply<store::ActionItem> reply) override;
  void create_action_item(store::ActionItem item, web::Reply<store::ActionItem> reply) override;
  void update_action_item(std::int64_t id, web::ActionItemPatch patch, web::Reply<store::ActionItem> reply) override;
  void delete_action_item(std::int64_t id, web::Reply<bool> reply) override;
  void report(Time from, Time to, web::Reply<postmortem::Report> reply) override;

 private:
  // Runs `job` on the worker and hands its answer to `reply` on the loop.
  template <typename T>
  void run(web::Reply<T> reply, std::function<std::variant<T, web::Failure>()> job);
  void write_readme(const config::Config& cfg, std::int64_t id);
  void schedule_report();  // compute_report now and every minute
  void compute_report();   // unless one is being computed
  // compute_report, but at most once per kReportMinGap: resolutions in a burst share one
  // computation (it reads every incident of the window from the store).
  void report_soon();

  boost::asio::io_context& io_;
  store::Store& store_;
  ConfigSource config_;
  boost::asio::steady_timer report_timer_;
  boost::asio::steady_timer report_soon_timer_;
  bool report_soon_armed_ = false;                   // loop only
  std::chrono::steady_clock::time_point last_report_{};  // loop only: when compute_report last started
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // loop-side answers check it
  bool stopped_ = false;

  std::mutex mu_;                 // guards the two below (loop and worker)
  std::set<std::int64_t> queued_;  // READMEs waiting to be rewritten
  std::optional<postmortem::Report> report_;
  std::uint64_t skipped_ = 0;  // rewrites not queued because kMaxQueued were waiting
  bool report_running_ = false;   // loop only

  BlockingWorker worker_{"vigil-pmortem"};  // last: joins first, while everything above still exists
};

}  // namespace vigil::app
