// Heartbeats with explicit times: what a ping does to the state, and when a check that waits
// for pings passes or fails, with the reasons people read on the incident.
#include "rules/heartbeat.h"

#include <gtest/gtest.h>

namespace vigil::rules {
namespace {

using namespace std::chrono_literals;

const Time t0 = Time{} + std::chrono::hours(24 * 20000);  // 2024-10-04T00:00:00Z
const HeartbeatRule kDaily{24h, 1h};

HeartbeatState watched_at(Time t) { return HeartbeatState{.watching_since = t}; }

TEST(Heartbeat, NeverPingedIsJudgedFromWhenWatchingBegan) {
  const HeartbeatState s = watched_at(t0);
  EXPECT_TRUE(judge_heartbeat(s, kDaily, t0 + 24h).passed) << "inside the grace";
  auto j = judge_heartbeat(s, kDaily, t0 + 25h - 1ms);
  EXPECT_TRUE(j.passed);
  EXPECT_EQ(j.deadline, t0 + 25h);
  j = judge_heartbeat(s, kDaily, t0 + 25h);
  EXPECT_FALSE(j.passed);
  EXPECT_EQ(j.reason, "no ping yet, 1d1h after vigil began watching (expected every 1d, grace 1h)");
}

TEST(Heartbeat, LatePingFailsAtPeriodPlusGraceAndAPingRecovers) {
  HeartbeatState s = record_ping(watched_at(t0), PingKind::success, 0, "", t0 + 2h);
  EXPECT_EQ(s.pings, 1u);
  ASSERT_TRUE(s.last_ping_at.has_value());
  EXPECT_EQ(*s.last_ping_at, t0 + 2h);
  EXPECT_TRUE(judge_heartbeat(s, kDaily, t0 + 26h + 59min).passed);
  auto j = judge_heartbeat(s, kDaily, t0 + 27h + 3min + 400ms);
  EXPECT_FALSE(j.passed);
  EXPECT_EQ(j.reason, "no ping for 1d1h3m (expected every 1d, grace 1h)") << "whole seconds in the reason";
  s = record_ping(s, PingKind::success, 0, "", t0 + 27h + 5min);
  j = judge_heartbeat(s, kDaily, t0 + 27h + 5min);
  EXPECT_TRUE(j.passed);
  EXPECT_EQ(j.deadline, t0 + 27h + 5min + 25h);
}

TEST(Heartbeat, ZeroGraceFailsRightAtThePeriod) {
  const HeartbeatState s = record_ping(watched_at(t0), PingKind::success, 0, "", t0);
  EXPECT_TRUE(judge_heartbeat(s, {1min, 0s}, t0 + 59s).passed);
  EXPECT_EQ(judge_heartbeat(s, {1min, 0s}, t0 + 1min).reason, "no ping for 1m (expected every 1m, grace 0s)");
}

TEST(Heartbeat, FailPingFailsAtOnceWithExitStatusAndOutputUntilASuccess) {
  HeartbeatState s = record_ping(watched_at(t0), PingKind::fail, 3, "pg_dump: error: connection refused\nmore", t0 + 1h);
  EXPECT_EQ(s.exit_status, 3);
  EXPECT_EQ(s.message, "pg_dump: error: connection refused\nmore");
  auto j = judge_heartbeat(s, kDaily, t0 + 1h);
  EXPECT_FALSE(j.passed) << "no waiting for the period: the job said it failed";
  EXPECT_EQ(j.reason,
            "the job reported failure (exit status 3) at 2024-10-04T01:00:00.000Z: pg_dump: error: connection refused");
  s = record_ping(s, PingKind::success, 0, "", t0 + 2h);
  EXPECT_TRUE(judge_heartbeat(s, kDaily, t0 + 2h).passed);
  EXPECT_EQ(s.exit_status, 0);
  EXPECT_EQ(s.message, "");
}

TEST(Heartbeat, PlainFailHasExitStatusOneAndNoOutput) {
  const HeartbeatState s = record_ping(watched_at(t0), PingKind::fail, 0, "", t0);
  EXPECT_EQ(s.exit_status, 1);
  EXPECT_EQ(judge_heartbeat(s, kDaily, t0).reason, "the job reported failure at 2024-10-04T00:00:00.000Z");
}

TEST(Heartbeat, StartedRunMustFinishWithinGraceAndIsTimed) {
  HeartbeatState s = record_ping(watched_at(t0), PingKind::success, 0, "", t0);
  s = record_ping(s, PingKind::start, 0, "", t0 + 24h);
  EXPECT_EQ(s.pings, 2u);
  EXPECT_EQ(*s.last_ping_at, t0) << "a start is not the ping the period waits for";
  auto j = judge_heartbeat(s, kDaily, t0 + 24h + 30min);
  EXPECT_TRUE(j.passed);
  EXPECT_EQ(j.deadline, t0 + 25h) << "the grace of the run and of the period end together here";
  j = judge_heartbeat(s, {24h, 30min}, t0 + 24h + 31min);
  EXPECT_FALSE(j.passed);
  EXPECT_EQ(j.reason, "started 31m ago and not finished within the grace of 30m");
  s = record_ping(s, PingKind::success, 0, "", t0 + 24h + 40min);
  ASSERT_TRUE(s.last_run_time.has_value());
  EXPECT_EQ(*s.last_run_time, 40min);
  EXPECT_FALSE(s.started_at.has_value());
  EXPECT_TRUE(judge_heartbeat(s, {24h, 30min}, t0 + 24h + 41min).passed);
}

TEST(Heartbeat, LongRunFailsOnTheStartEvenBeforeThePeriodEnds) {
  HeartbeatState s = record_ping(watched_at(t0), PingKind::success, 0, "", t0);
  s = record_ping(s, PingKind::start, 0, "", t0 + 1h);
  EXPECT_FALSE(judge_heartbeat(s, {24h, 10min}, t0 + 1h + 10min).passed);
  EXPECT_EQ(judge_heartbeat(s, {24h, 10min}, t0 + 1h + 9min).deadline, t0 + 1h + 10min);
}

TEST(Heartbeat, OutputIsCutAtAUtf8Boundary) {
  std::string body(HeartbeatState::kMaxMessage - 1, 'x');
  body += "é and more";  // é is two bytes: it straddles the limit
  const HeartbeatState s = record_ping(watched_at(t0), PingKind::fail, 2, body, t0);
  EXPECT_EQ(s.message.size(), HeartbeatState::kMaxMessage - 1);
  const HeartbeatState fits = record_ping(watched_at(t0), PingKind::fail, 2, std::string(5000, 'y'), t0);
  EXPECT_EQ(fits.message.size(), HeartbeatState::kMaxMessage);
}

TEST(Heartbeat, PingKindNames) {
  for (PingKind k : {PingKind::success, PingKind::fail, PingKind::start}) EXPECT_EQ(parse_ping_kind(to_string(k)), k);
  EXPECT_FALSE(parse_ping_kind("ok").has_value());
}

}  // namespace
}  // namespace vigil::rules
