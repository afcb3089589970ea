// Schedule is pure: every case drives it with explicit steady times.
#include "probe/schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace vigil::probe {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const SteadyTime t0 = SteadyTime{} + hours(1);

ProbeTarget target(std::string id, Duration interval, double jitter = 0.0) {
  auto c = std::make_shared<config::CheckConfig>();
  c->name = id;
  c->url = "http://127.0.0.1/";
  c->interval = interval;
  return ProbeTarget{std::move(id), std::move(c), jitter};
}

std::vector<Schedule::Run> pop(Schedule& s, SteadyTime now) {
  std::vector<Schedule::Run> runs;
  s.pop_due(now, runs);
  return runs;
}

TEST(PhaseOffset, DeterministicAndWithinTheJitterSpan) {
  const Duration p = phase_offset("web/login", 10s, 0.1);
  EXPECT_EQ(p, phase_offset("web/login", 10s, 0.1));
  EXPECT_GE(p, Duration::zero());
  EXPECT_LT(p, 1s);
  std::set<Duration::rep> distinct;
  for (int i = 0; i < 100; ++i) {
    const Duration q = phase_offset("svc/check-" + std::to_string(i), 30s, 0.5);
    EXPECT_LT(q, 15s);
    distinct.insert(q.count());
  }
  EXPECT_GT(distinct.size(), 90u) << "ids are spread, not bunched";
  EXPECT_EQ(phase_offset("web/login", 10s, 0.0), Duration::zero());
  EXPECT_EQ(phase_offset("web/login", 10ms, 0.01), Duration::zero());  // span under 1 ms
  EXPECT_LT(phase_offset("web/login", 10s, 7.0), 10s);                 // jitter capped at 1
}

TEST(Schedule, FirstRunAtThePhaseThenEveryInterval) {
  Schedule s;
  s.replace({target("a/b", 10s, 0.2)}, t0);
  const Duration phase = phase_offset("a/b", 10s, 0.2);
  ASSERT_EQ(s.next_due(), t0 + phase);
  EXPECT_TRUE(pop(s, t0 + phase - 1ms).empty());
  auto runs = pop(s, t0 + phase);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(s.slot(runs[0].slot).check_id, "a/b");
  EXPECT_EQ(runs[0].due, t0 + phase);
  EXPECT_FALSE(runs[0].late);
  EXPECT_EQ(s.next_due(), t0 + phase + 10s);
}

TEST(Schedule, CadenceIsKeptWhenRunsStartLate) {
  Schedule s;
  s.replace({target("a/b", 10s)}, t0);
  auto r1 = pop(s, t0);
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_TRUE(s.finished(r1[0].slot, r1[0].serial));
  auto r2 = pop(s, t0 + 10s + 300ms);  // the loop woke up 300 ms late
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].due, t0 + 10s);
  EXPECT_EQ(s.next_due(), t0 + 20s) << "next = previous due + interval, not start + interval";
  EXPECT_EQ(s.late(), 0u);
}

TEST(Schedule, SlotIsSkippedWhileThePreviousRunIsInFlight) {
  Schedule s;
  s.replace({target("a/b", 10s)}, t0);
  auto r1 = pop(s, t0);
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_TRUE(pop(s, t0 + 10s).empty());
  EXPECT_EQ(s.skipped(), 1u);
  EXPECT_EQ(s.next_due(), t0 + 20s);
  EXPECT_TRUE(s.finished(r1[0].slot, r1[0].serial));
  EXPECT_EQ(pop(s, t0 + 20s).size(), 1u);
  EXPECT_EQ(s.skipped(), 1u);
}

TEST(Schedule, MissedSlotsAreSkippedNotBunched) {
  Schedule s;
  s.replace({target("a/b", 10s)}, t0);
  auto r1 = pop(s, t0);
  ASSERT_TRUE(s.finished(r1[0].slot, r1[0].serial));
  auto r2 = pop(s, t0 + 35s);  // the loop was stalled for 35 s
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].due, t0 + 30s);
  EXPECT_TRUE(r2[0].late);  // 5 s after its due time
  EXPECT_EQ(s.skipped(), 2u);  // the 10 s and 20 s slots
  EXPECT_EQ(s.late(), 1u);
  EXPECT_EQ(s.next_due(), t0 + 40s);
}

TEST(Schedule, LateMeansMoreThanOneSecondAfterDue) {
  Schedule s;
  s.replace({target("a/b", 10s), target("c/d", 10s)}, t0);
  std::vector<Schedule::Run> runs;
  s.pop_due(t0 + 1500ms, runs);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_TRUE(runs[0].late);
  EXPECT_EQ(s.late(), 2u);
  Schedule t;
  t.replace({target("a/b", 10s)}, t0);
  EXPECT_FALSE(pop(t, t0 + 1s)[0].late);
}

TEST(Schedule, ReplaceKeepsUnchangedChecksAndReschedulesChangedOnes) {
  Schedule s;
  s.replace({target("keep", 10s), target("retime", 10s), target("drop", 10s)}, t0);
  auto runs = pop(s, t0);
  ASSERT_EQ(runs.size(), 3u);
  std::map<std::string, Schedule::Run> by_id;
  for (const auto& r : runs) by_id.emplace(s.slot(r.slot).check_id, r);

  const SteadyTime reload = t0 + 4s;
  s.replace({target("keep", 10s), target("retime", 20s), target("new", 10s)}, reload);
  EXPECT_EQ(s.size(), 3u);

  // "drop" was in flight: its result is recognised as stale.
  EXPECT_FALSE(s.finished(by_id.at("drop").slot, by_id.at("drop").serial));
  // "keep" and "retime" keep their in-flight state across the reload.
  EXPECT_TRUE(s.finished(by_id.at("keep").slot, by_id.at("keep").serial));
  EXPECT_TRUE(s.finished(by_id.at("retime").slot, by_id.at("retime").serial));

  // new and retime (jitter 0) run at the reload; keep stays on its old phase, t0 + 10s.
  std::map<std::string, SteadyTime> first;
  for (SteadyTime now : {reload, t0 + 10s}) {
    for (const auto& r : pop(s, now)) {
      first.emplace(s.slot(r.slot).check_id, r.due);
      EXPECT_TRUE(s.finished(r.slot, r.serial));
    }
  }
  EXPECT_EQ(first.at("keep"), t0 + 10s);
  EXPECT_EQ(first.at("new"), reload);
  EXPECT_EQ(first.at("retime"), reload);
  EXPECT_EQ(s.next_due(), reload + 10s);  // new
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_EQ(first.count("drop"), 0u);
}

TEST(Schedule, ReusedSlotDoesNotInheritTheOldRun) {
  Schedule s;
  s.replace({target("old", 10s)}, t0);
  auto r = pop(s, t0);
  s.replace({target("newer", 10s)}, t0 + 1s);  // takes the freed slot
  auto r2 = pop(s, t0 + 1s);
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].slot, r[0].slot);
  EXPECT_FALSE(s.finished(r[0].slot, r[0].serial));
  EXPECT_TRUE(s.finished(r2[0].slot, r2[0].serial));
}

TEST(Schedule, DuplicateIdsAndZeroIntervalAreSafe) {
  Schedule s;
  s.replace({target("x", 0ms), target("x", 0ms)}, t0);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(pop(s, t0).size(), 2u);
  EXPECT_EQ(s.next_due(), t0 + config::Defaults{}.interval);
  s.replace({}, t0);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_FALSE(s.next_due());
}

TEST(Schedule, HundredThousandChecksEachRunOncePerInterval) {
  constexpr int kChecks = 100'000;
  std::vector<ProbeTarget> targets;
  targets.reserve(kChecks);
  auto shared = std::make_shared<config::CheckConfig>();
  shared->interval = 30s;
  for (int i = 0; i < kChecks; ++i) targets.push_back({"svc/check-" + std::to_string(i), shared, 1.0});
  Schedule s;
  s.replace(std::move(targets), t0);
  EXPECT_EQ(s.size(), static_cast<std::size_t>(kChecks));

  std::vector<int> runs_of(kChecks, 0);
  std::vector<Schedule::Run> out;
  std::size_t max_batch = 0;
  for (int step = 0; step <= 300; ++step) {  // one interval, [t0, t0 + 30s)
    const SteadyTime now = step < 300 ? t0 + step * 100ms : t0 + 30s - std::chrono::nanoseconds(1);
    out.clear();
    s.pop_due(now, out);
    max_batch = std::max(max_batch, out.size());
    for (const auto& r : out) {
      ++runs_of[r.slot];
      ASSERT_TRUE(s.finished(r.slot, r.serial));
    }
  }
  EXPECT_EQ(std::count(runs_of.begin(), runs_of.end(), 1), kChecks);
  EXPECT_LT(max_batch, 1000u) << "a 30 s jitter spreads 100k checks to ~333 per 100 ms";
  EXPECT_EQ(s.skipped(), 0u);
  EXPECT_LE(sizeof(Schedule::Slot) + 16, 128u);
}

}  // namespace
}  // namespace vigil::probe
