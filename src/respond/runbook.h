// Runbooks: Monit-style remediation (restart apache, clear a full disk), run automatically when
// an incident triggers (`auto: true`) or by a person, behind guardrails so a broken server is
// not restarted in a loop.
//
// Guardrails (RunbookLedger, pure: explicit times, no clock, no I/O). An automatic run is refused
// when any of these holds, checked in this order (the reason that needs a person first):
//   stop rule     flap_limit automatic runs of this runbook within flap_window, across incidents:
//                 the server is flapping and restarting it again will not fix it. Automatic runs
//                 resume when the window has passed or after a person runs it by hand.
//   max_attempts  this incident already had max_attempts automatic runs of it.
//   cooldown      the runbook (on this service, automatic or manual, any incident) ran less than
//                 `cooldown` ago.
// A manual run is a person's decision with the evidence in front of them: it bypasses all of
// these, except a 10 s double-click guard (a second click, or a click right as the automatic run
// starts, must not restart the server twice). A manual run also clears the stop rule.
//
// Running: argv is spawned without a shell and with the minimal environment (common/
// subprocess.h). No incident text (title, summary, Alertmanager labels, Events API payloads) is
// ever placed in argv or the environment: that text comes from outside — anyone who can post to
// the Events API or make a server log a crafted line — and a runbook runs with the daemon's
// privileges (it may restart services). What runs is exactly what the config says.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/subprocess.h"
#include "common/time.h"
#include "config/config.h"

namespace vigil::respond {

// Manual runs closer together than this are taken for a double click and refused.
inline constexpr Duration kManualRunGuard = std::chrono::seconds(10);
// Output kept of a runbook run (the head; the rest is counted as truncated).
inline constexpr std::size_t kRunbookMaxOutput = 16 * 1024;

struct Decision {
  bool allowed = false;
  std::string reason;  // why it was refused, for the timeline and the API; empty when allowed

  static Decision allow() { return {true, {}}; }
  static Decision refuse(std::string why) { return {false, std::move(why)}; }
  explicit operator bool() const { return allowed; }
};

// What the guardrails remember. In memory; the engine rebuilds it at start-up by calling
// record() for the runs on the open incidents' timelines (with their times), so a restart of
// vigil does not reset a flapping server's count.
class RunbookLedger {
 public:
  // May `runbook` of `service` run now, for `incident`? `automatic`: started by vigil (auto:
  // true) rather than a person.
  Decision decide(const config::RunbookConfig& runbook, const std::string& service, std::int64_t incident,
                  bool automatic, Time now) const;

  // A run was started at `now` (record when it starts, not when it ends, so a run in progress
  // counts for the cooldown and the double-click guard).
  void record(const config::RunbookConfig& runbook, const std::string& service, std::int64_t incident,
              bool automatic, Time now);

  // The incident is resolved: its attempt counts are no longer needed.
  void forget_incident(std::int64_t incident);

 private:
  struct History {
    Time last_run{};
    bool ran = false;
    std::vector<Time> automatic_runs;  // within the flap window, oldest first
  };
  using Key = std::pair<std::string, std::string>;  // service, runbook
  std::map<Key, History> history_;
  std::map<std::tuple<std::int64_t, std::string, std::string>, int> attempts_;  // incident, service, runbook
};

struct RunbookOutcome {
  std::string runbook;
  std::string error;  // it could not be started (empty command, program not found); empty when it ran
  SubprocessResult process;  // how it ended, when it ran

  bool succeeded() const { return error.empty() && process.succeeded(); }
};

// Runs the runbook's command to completion or its timeout (the process group is then killed);
// output capped at kRunbookMaxOutput. Blocking: call it on a BlockingWorker.
RunbookOutcome run_runbook(const config::RunbookConfig& runbook);

// One line for the timeline: "restart-apache exited 0 after 1.2s: <output head>",
// "restart-apache timed out after 1m and was killed", "restart-apache did not run: systemctl could not start: ...".
std::string describe(const RunbookOutcome& outcome);

}  // namespace vigil::respond
