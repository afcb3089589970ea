// heartbeat: judges the last ping the board holds for the check (rules/heartbeat.h); no I/O.
#include <chrono>

#include "probe/heartbeat_board.h"
#include "probe/prober.h"

namespace vigil::probe {
namespace {

using rules::HeartbeatJudgement;
using rules::HeartbeatRule;
using rules::HeartbeatState;

}  // namespace

CheckResult heartbeat_result(const std::string& check_id, const config::CheckConfig& check, HeartbeatBoard& board,
                             Time now) {
  CheckResult r;
  r.check_id = check_id;
  r.started_at = now;
  const HeartbeatState s = board.watch(check_id, now);
  const HeartbeatJudgement j = rules::judge_heartbeat(s, HeartbeatRule{check.period, check.grace}, r.started_at);
  r.reachable = j.passed;
  r.error = j.reason;
  const Time since = s.last_ping_at.value_or(s.watching_since);
  r.figures.emplace("last_ping_age", std::max(Duration{0}, r.started_at - since));
  r.figures.emplace("last_ping", std::string(s.last_ping_at ? rules::to_string(s.last_kind) : "none"));
  r.figures.emplace("exit_status", static_cast<double>(s.exit_status));
  r.figures.emplace("pings", static_cast<double>(s.pings));
  r.figures.emplace("running", s.started_at ? 1.0 : 0.0);
  // 0s until a run is timed (start, then success or fail): `run_time < 30m` must not fail before.
  r.figures.emplace("run_time", s.last_run_time.value_or(Duration{0}));
  r.metrics.push_back(MetricSample{"vigil_heartbeat_last_ping_timestamp_seconds", "gauge",
                                   "When the heartbeat check last got a success or fail ping (0: never).",
                                   {},
                                   s.last_ping_at ? epoch_seconds(*s.last_ping_at) : 0.0});
  r.metrics.push_back(MetricSample{"vigil_heartbeat_pings_total", "counter",
                                   "Pings the heartbeat check got, starts included.", {},
                                   static_cast<double>(s.pings)});
  return r;
}

namespace {

class HeartbeatProber final : public Prober {
 public:
  void run(const std::string& check_id, const config::CheckConfig& check, ProbeEnv& env,
           std::function<void(CheckResult)> done) override {
    if (!env.heartbeats) {
      CheckResult r;
      r.started_at = now_ms();
      r.error = "heartbeat checks need the daemon's ping route";
      return done(std::move(r));
    }
    done(heartbeat_result(check_id, check, *env.heartbeats, now_ms()));
  }
};

}  // namespace

std::unique_ptr<Prober> make_heartbeat_prober() { return std::make_unique<HeartbeatProber>(); }

}  // namespace vigil::probe
