// Runbook guardrails as tables of steps with explicit times, and real runs of real programs.
#include "respond/runbook.h"

#include <gtest/gtest.h>

#include "support/test_dir.h"

namespace vigil::respond {
namespace {

using vigil::testing::TestDir;

Time t0() { return parse_rfc3339("2024-08-18T10:00:00Z").value(); }

config::RunbookConfig restart() {
  config::RunbookConfig rb;
  rb.name = "restart-apache";
  rb.command = {"/bin/true"};
  rb.automatic = true;
  rb.max_attempts = 2;
  rb.cooldown = std::chrono::minutes(10);
  rb.flap_limit = 5;
  rb.flap_window = std::chrono::hours(1);
  return rb;
}

// One step: ask at `at`; when allowed and `run`, record the run.
struct Step {
  Duration at;                  // after t0
  std::int64_t incident;
  bool automatic;
  bool want_allowed;
  std::string want_reason = {};  // exact, when refused
  bool run = true;
};

void play(const config::RunbookConfig& rb, const std::vector<Step>& steps, RunbookLedger ledger = {}) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    SCOPED_TRACE(::testing::Message() << "step " << i << " at +" << format_duration(s.at)
                                      << (s.automatic ? " automatic" : " manual") << " incident #" << s.incident);
    const Decision d = ledger.decide(rb, "webserver-01", s.incident, s.automatic, t0() + s.at);
    EXPECT_EQ(d.allowed, s.want_allowed) << d.reason;
    EXPECT_EQ(d.reason, s.want_reason);
    if (d.allowed && s.run) ledger.record(rb, "webserver-01", s.incident, s.automatic, t0() + s.at);
  }
}

TEST(RunbookLedger, CooldownBetweenRunsOfAnyIncident) {
  play(restart(), {
                      {0min, 12, true, true},
                      {3min, 12, true, false, "cooldown: last run 3m ago, cooldown 10m"},
                      {9min + 59s, 13, true, false, "cooldown: last run 9m59s ago, cooldown 10m"},
                      {10min, 13, true, true},
                  });
}

TEST(RunbookLedger, MaxAttemptsPerIncident) {
  play(restart(), {
                      {0min, 12, true, true},
                      {10min, 12, true, true},
                      {20min, 12, true, false, "max_attempts 2 reached for incident #12"},
                      {30min, 12, true, false, "max_attempts 2 reached for incident #12"},
                      // Another incident has its own count.
                      {30min, 13, true, true},
                      // A person may still run it for #12.
                      {31min, 12, false, true},
                  });
}

TEST(RunbookLedger, StopRuleAcrossIncidentsThenAPersonResumesIt) {
  play(restart(), {
                      {0min, 1, true, true},
                      {10min, 2, true, true},
                      {20min, 3, true, true},
                      {30min, 4, true, true},
                      {40min, 5, true, true},
                      {50min, 6, true, false,
                       "stop rule: 5 automatic runs within 1h; a flapping server is not restarted forever; run it "
                       "by hand to resume"},
                      {55min, 6, false, true},  // by hand: the count starts again
                      {65min, 6, true, true},   // cooldown from the manual run has passed
                  });
}

TEST(RunbookLedger, StopRuleEndsWhenTheWindowPasses) {
  play(restart(), {
                      {0min, 1, true, true},
                      {10min, 2, true, true},
                      {20min, 3, true, true},
                      {30min, 4, true, true},
                      {40min, 5, true, true},
                      {59min, 6, true, false,
                       "stop rule: 5 automatic runs within 1h; a flapping server is not restarted forever; run it "
                       "by hand to resume"},
                      {60min, 6, true, true},  // the run at +0 left the window
                  });
}

TEST(RunbookLedger, ManualRunsBypassEverythingButADoubleClick) {
  auto rb = restart();
  rb.max_attempts = 1;
  play(rb, {
               {0s, 7, true, true},
               {5s, 7, false, false, "double-click guard: last run 5s ago; manual runs wait 10s after any run"},
               {10s, 7, false, true},
               {12s, 7, false, false, "double-click guard: last run 2s ago; manual runs wait 10s after any run"},
               {30s, 7, false, true},
               {31s, 7, true, false, "max_attempts 1 reached for incident #7"},
           });
}

TEST(RunbookLedger, AManualRunStartsTheCooldownForAutomaticOnes) {
  play(restart(), {
                      {0min, 3, false, true},
                      {4min, 3, true, false, "cooldown: last run 4m ago, cooldown 10m"},
                      {10min, 3, true, true},
                  });
}

TEST(RunbookLedger, RefusalsOrderedByWhatItTakesToLiftThem) {
  auto rb = restart();
  rb.flap_limit = 2;
  rb.max_attempts = 1;
  // At +31m all three rules hold for #1: the stop rule (needs a person) is named.
  play(rb, {
               {0min, 1, true, true, {}, true},
               {0min + 1s, 2, true, false, "cooldown: last run 1s ago, cooldown 10m"},
               {30min, 2, true, true},
               {31min, 1, true, false,
                "stop rule: 2 automatic runs within 1h; a flapping server is not restarted forever; run it by hand "
                "to resume"},
           });
}

TEST(RunbookLedger, ServicesAndRunbooksAreSeparate) {
  RunbookLedger ledger;
  const auto rb = restart();
  auto other = restart();
  other.name = "clear-cache";
  ledger.record(rb, "webserver-01", 1, true, t0());
  EXPECT_FALSE(ledger.decide(rb, "webserver-01", 2, true, t0() + 1min).allowed);
  EXPECT_TRUE(ledger.decide(rb, "webserver-02", 2, true, t0() + 1min).allowed);
  EXPECT_TRUE(ledger.decide(other, "webserver-01", 2, true, t0() + 1min).allowed);
}

TEST(RunbookLedger, ReplayedHistoryOutOfOrderAndForgottenIncidents) {
  RunbookLedger ledger;
  const auto rb = restart();
  // Rebuilt at start-up from the store: the latest run wins for the cooldown whatever the order.
  ledger.record(rb, "webserver-01", 4, true, t0() + 20min);
  ledger.record(rb, "webserver-01", 4, true, t0());
  EXPECT_EQ(ledger.decide(rb, "webserver-01", 5, true, t0() + 25min).reason, "cooldown: last run 5m ago, cooldown 10m");
  EXPECT_EQ(ledger.decide(rb, "webserver-01", 4, true, t0() + 40min).reason, "max_attempts 2 reached for incident #4");
  ledger.forget_incident(4);
  EXPECT_TRUE(ledger.decide(rb, "webserver-01", 4, true, t0() + 40min).allowed);
}

// ---- running -------------------------------------------------------------------------------

TEST(RunRunbook, ExitZeroWithOutput) {
  auto rb = restart();
  rb.command = {"/bin/echo", "apache2 restarted"};
  const auto o = run_runbook(rb);
  EXPECT_TRUE(o.succeeded());
  EXPECT_EQ(o.process.output, "apache2 restarted\n");
  const auto line = describe(o);
  EXPECT_TRUE(line.starts_with("restart-apache exited 0 after ")) << line;
  EXPECT_TRUE(line.ends_with(": apache2 restarted")) << line;
}

TEST(RunRunbook, FailureTimeoutAndMissingProgram) {
  TestDir dir;
  auto rb = restart();
  rb.command = {dir.script("fail.sh", "echo 'Job for apache2.service failed.' >&2\nexit 1")};
  const auto failed = run_runbook(rb);
  EXPECT_FALSE(failed.succeeded());
  EXPECT_EQ(failed.process.exit_code, 1);
  EXPECT_NE(describe(failed).find("restart-apache exited 1 after "), std::string::npos) << describe(failed);
  EXPECT_NE(describe(failed).find(": Job for apache2.service failed."), std::string::npos) << describe(failed);

  rb.command = {dir.script("hang.sh", "sleep 30")};
  rb.timeout = 200ms;
  const auto hung = run_runbook(rb);
  EXPECT_TRUE(hung.process.timed_out);
  EXPECT_TRUE(describe(hung).starts_with("restart-apache timed out after ")) << describe(hung);
  EXPECT_NE(describe(hung).find("and was killed"), std::string::npos) << describe(hung);

  rb.command = {"vigil-no-such-systemctl", "restart", "apache2"};
  const auto missing = run_runbook(rb);
  EXPECT_FALSE(missing.succeeded());
  EXPECT_TRUE(describe(missing).starts_with("restart-apache did not run: vigil-no-such-systemctl could not start"))
      << describe(missing);
}

TEST(RunRunbook, OutputIsCappedAndTheTimelineLineIsShort) {
  auto rb = restart();
  rb.command = {"/usr/bin/seq", "1", "100000"};
  const auto o = run_runbook(rb);
  EXPECT_TRUE(o.succeeded());
  EXPECT_TRUE(o.process.truncated);
  EXPECT_EQ(o.process.output.size(), kRunbookMaxOutput);
  const auto line = describe(o);
  EXPECT_LT(line.size(), 300u);
  EXPECT_TRUE(line.ends_with("...")) << line;
  EXPECT_NE(line.find(": 1 2 3 4 5"), std::string::npos) << line;
}

TEST(RunRunbook, TheChildSeesOnlyTheMinimalEnvironment) {
  TestDir dir;
  ::setenv("VIGIL_TEST_INCIDENT_TITLE", "$(reboot)", 1);
  auto rb = restart();
  rb.command = {"/usr/bin/env"};
  const auto o = run_runbook(rb);
  ::unsetenv("VIGIL_TEST_INCIDENT_TITLE");
  EXPECT_EQ(o.process.output, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C\n");
}

TEST(RunRunbook, DescribeDurations) {
  RunbookOutcome o;
  o.runbook = "rb";
  o.process.exit_code = 0;
  o.process.duration = 1234ms;
  EXPECT_EQ(describe(o), "rb exited 0 after 1.2s");
  o.process.duration = 250ms;
  EXPECT_EQ(describe(o), "rb exited 0 after 250ms");
  o.process.duration = 65s;
  EXPECT_EQ(describe(o), "rb exited 0 after 1m5s");
  o.process.exit_code = -1;
  o.process.signal = 9;
  o.process.output = "  line one\n\n line two \n";
  EXPECT_EQ(describe(o), "rb killed by signal 9 after 1m5s: line one line two");
}

}  // namespace
}  // namespace vigil::respond
