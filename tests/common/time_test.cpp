#include "common/time.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(ParseDuration, AcceptsPrometheusStyleUnits) {
  struct Case { const char* text; std::int64_t ms; };
  const Case cases[] = {{"250ms", 250}, {"10s", 10'000}, {"5m", 300'000}, {"2h", 7'200'000},
                        {"14d", 14 * 86'400'000LL}, {"1h30m", 5'400'000}, {"0s", 0}, {"1w", 604'800'000}};
  for (const auto& c : cases) {
    auto d = parse_duration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.error().message;
    EXPECT_EQ(d->count(), c.ms) << c.text;
  }
}

TEST(ParseDuration, RejectsWithReason) {
  EXPECT_NE(parse_duration("10").error().message.find("missing unit"), std::string::npos);
  EXPECT_NE(parse_duration("10x").error().message.find("unknown unit \"x\""), std::string::npos);
  EXPECT_FALSE(parse_duration("").ok());
  EXPECT_FALSE(parse_duration("s").ok());
  EXPECT_FALSE(parse_duration("-5s").ok());
}

TEST(FormatDuration, RoundTrips) {
  for (const char* t : {"1h30m", "250ms", "0s", "14d", "1m5s"}) {
    EXPECT_EQ(format_duration(*parse_duration(t)), t);
  }
}

TEST(Rfc3339, ParsesZuluAndOffsetsAndFormatsUtc) {
  auto t = parse_rfc3339("2024-08-18T10:15:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(format_rfc3339(*t), "2024-08-18T10:15:00.000Z");
  auto t2 = parse_rfc3339("2024-08-18T12:15:00.250+02:00");
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(format_rfc3339(*t2), "2024-08-18T10:15:00.250Z");
  EXPECT_FALSE(parse_rfc3339("yesterday").ok());
}

TEST(MaybeTime, BehavesAsAnOptionalTimeInEightBytes) {
  static_assert(sizeof(MaybeTime) == sizeof(Time));
  const Time t = Time{Duration{1'724'000'000'000}};
  MaybeTime none;
  EXPECT_FALSE(none);
  EXPECT_FALSE(none.has_value());
  EXPECT_TRUE(none == std::nullopt);
  EXPECT_EQ(none.value_or(t), t);
  EXPECT_EQ(std::optional<Time>(none), std::nullopt);
  MaybeTime some = t;
  EXPECT_TRUE(some);
  EXPECT_EQ(*some, t);
  EXPECT_EQ(some->time_since_epoch(), t.time_since_epoch());
  EXPECT_TRUE(some == t);
  EXPECT_FALSE(none == t);
  EXPECT_EQ(std::optional<Time>(some), std::optional<Time>(t));
  EXPECT_EQ(MaybeTime(std::optional<Time>(t)), some);
  EXPECT_EQ(MaybeTime(std::optional<Time>()), none);
  // The epoch itself (0) is a time like any other: only Time::min() means none.
  EXPECT_TRUE(MaybeTime(Time{}).has_value());
  some.reset();
  EXPECT_EQ(some, none);
  some = std::nullopt;
  EXPECT_FALSE(some);
}

}  // namespace
}  // namespace vigil
