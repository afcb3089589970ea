// Login rate limiting with explicit times.
#include "web/auth/rate_limit.h"

#include <gtest/gtest.h>

namespace vigil::web::auth {
namespace {

const Time t0 = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}};
using std::chrono::minutes;
using std::chrono::seconds;

TEST(LoginLimiter, FiveFailuresInFiveMinutesBlockUntilTheOldestAgesOut) {
  LoginLimiter l;
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(l.blocked_for("ip:1.2.3.4", t0 + seconds(i * 10)));
    l.record_failure("ip:1.2.3.4", t0 + seconds(i * 10));
  }
  EXPECT_FALSE(l.blocked_for("ip:1.2.3.4", t0 + seconds(40)));  // the fifth attempt may still be made
  l.record_failure("ip:1.2.3.4", t0 + seconds(40));
  auto wait = l.blocked_for("ip:1.2.3.4", t0 + seconds(50));
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, minutes(5) - seconds(50));  // the first failure (t0) leaves the window at t0+5m
  EXPECT_TRUE(l.blocked_for("ip:1.2.3.4", t0 + minutes(5) - seconds(1)));
  EXPECT_FALSE(l.blocked_for("ip:1.2.3.4", t0 + minutes(5)));
  // One more failure then blocks again: four of the five are still in the window.
  l.record_failure("ip:1.2.3.4", t0 + minutes(5));
  EXPECT_EQ(l.blocked_for("ip:1.2.3.4", t0 + minutes(5)), seconds(10));
}

TEST(LoginLimiter, KeysAreIndependentAndSuccessClears) {
  LoginLimiter l;
  for (int i = 0; i < 5; ++i) l.record_failure("user:alice", t0);
  EXPECT_TRUE(l.blocked_for("user:alice", t0));
  EXPECT_FALSE(l.blocked_for("user:bob", t0));
  l.record_success("user:alice");
  EXPECT_FALSE(l.blocked_for("user:alice", t0));
}

TEST(LoginLimiter, SpreadOutFailuresNeverBlock) {
  LoginLimiter l;
  for (int i = 0; i < 100; ++i) {
    const Time t = t0 + minutes(2) * i;
    EXPECT_FALSE(l.blocked_for("user:alice", t)) << i;
    l.record_failure("user:alice", t);
  }
}

TEST(LoginLimiter, MemoryIsBounded) {
  LoginLimiter l(LoginLimiter::Options{5, minutes(5), 100});
  for (int i = 0; i < 1000; ++i) l.record_failure("ip:10.0." + std::to_string(i), t0 + seconds(i));
  EXPECT_LE(l.keys(), 100u);
  // The newest keys are the ones kept.
  for (int k = 0; k < 4; ++k) l.record_failure("ip:10.0.999", t0 + seconds(1000));
  EXPECT_TRUE(l.blocked_for("ip:10.0.999", t0 + seconds(1000)));
}

}  // namespace
}  // namespace vigil::web::auth
