// --speed N divides the config's durations by N, with floors for probes; counts stay.
#include <gtest/gtest.h>

#include "demo/speed.h"

namespace vigil::demo {
namespace {

using namespace std::chrono_literals;

TEST(Speed, ScaledDividesAndRounds) {
  EXPECT_EQ(scaled(20s, 10), 2s);
  EXPECT_EQ(scaled(5s, 3), Duration{1667});
  EXPECT_EQ(scaled(1min, 0.5), 2min);  // slower than real time
  EXPECT_EQ(scaled(0s, 10), 0s);       // 0 means "off" and stays off
}

TEST(Speed, FloorAppliesOnlyToWhatWasAboveIt) {
  EXPECT_EQ(scaled(5s, 50, kMinInterval), kMinInterval);  // 5 s / 50 = 100 ms: at the floor
  EXPECT_EQ(scaled(2s, 50, kMinInterval), kMinInterval);  // 40 ms: raised to the floor
  EXPECT_EQ(scaled(2s, 50, kMinTimeout), kMinTimeout);
  EXPECT_EQ(scaled(50ms, 10, kMinInterval), 50ms);  // already under the floor: kept, not raised
}

TEST(Speed, CheckSpeedRange) {
  EXPECT_TRUE(check_speed(1).ok());
  EXPECT_TRUE(check_speed(kMaxSpeed).ok());
  EXPECT_TRUE(check_speed(kMinSpeed).ok());
  EXPECT_FALSE(check_speed(0).ok());
  EXPECT_FALSE(check_speed(-2).ok());
  EXPECT_FALSE(check_speed(kMaxSpeed + 1).ok());
  EXPECT_FALSE(check_speed(std::numeric_limits<double>::quiet_NaN()).ok());
  EXPECT_EQ(check_speed(0).error().field, "--speed");
}

config::Config sample() {
  config::Config c;
  c.defaults.interval = 30s;
  c.defaults.timeout = 10s;
  config::ServiceConfig s;
  config::CheckConfig k;
  k.interval = 5s;
  k.timeout = 2s;
  k.window = 1min;
  k.failure_threshold = 2;
  k.success_threshold = 3;
  s.checks.push_back(k);
  config::RunbookConfig rb;
  rb.cooldown = 10min;
  rb.flap_window = 1h;
  rb.timeout = 30s;
  rb.max_attempts = 2;
  s.runbooks.push_back(rb);
  c.services.push_back(s);
  config::EscalationPolicyConfig p;
  p.rules = {{0s, {"schedule:a"}}, {20s, {"schedule:b"}}};
  p.ack_timeout = 4h;
  p.target_acknowledge = 1min;
  p.target_resolve = 3min;
  c.escalation_policies.push_back(p);
  return c;
}

TEST(Speed, ScaleConfigDividesEveryTimeOfTheStory) {
  auto c = sample();
  scale_config(c, 10);
  EXPECT_EQ(c.defaults.interval, 3s);
  EXPECT_EQ(c.defaults.timeout, 1s);
  const auto& k = c.services[0].checks[0];
  EXPECT_EQ(k.interval, 500ms);
  EXPECT_EQ(k.timeout, kMinTimeout);  // 200 ms would be under the floor
  EXPECT_EQ(k.window, 6s);
  EXPECT_EQ(k.failure_threshold, 2);  // counts are not time
  EXPECT_EQ(k.success_threshold, 3);
  const auto& rb = c.services[0].runbooks[0];
  EXPECT_EQ(rb.cooldown, 1min);
  EXPECT_EQ(rb.flap_window, 6min);
  EXPECT_EQ(rb.timeout, 30s);  // how long a script may take is not story time
  EXPECT_EQ(rb.max_attempts, 2);
  const auto& p = c.escalation_policies[0];
  EXPECT_EQ(p.rules[0].after, 0s);
  EXPECT_EQ(p.rules[1].after, 2s);
  EXPECT_EQ(p.ack_timeout, 24min);
  EXPECT_EQ(p.target_acknowledge, 6s);
  EXPECT_EQ(p.target_resolve, 18s);
}

TEST(Speed, SpeedOneChangesNothing) {
  auto c = sample();
  scale_config(c, 1);
  EXPECT_EQ(c.services[0].checks[0].interval, 5s);
  EXPECT_EQ(c.escalation_policies[0].rules[1].after, 20s);
  EXPECT_EQ(c.services[0].checks[0].timeout, 2s);
}

}  // namespace
}  // namespace vigil::demo
