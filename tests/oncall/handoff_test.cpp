#include "oncall/handoff.h"

#include <gtest/gtest.h>

namespace vigil::oncall {
namespace {

using std::chrono::hours;

Time T(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : Time{};
}

std::chrono::local_seconds L(int month, int day, int hour) {
  const std::chrono::year_month_day ymd{std::chrono::year{2024}, std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  return std::chrono::local_days{ymd} + hours(hour);
}

Schedule make(const std::string& name, const std::string& zone, std::vector<std::string> users,
              std::vector<config::OverrideConfig> overrides = {}, std::chrono::local_seconds start = L(8, 19, 9)) {
  config::ScheduleConfig c;
  c.name = name;
  c.time_zone = zone;
  config::LayerConfig l;
  l.name = "Layer 1";
  l.start = start;
  l.rotation = hours(24);
  l.users = std::move(users);
  c.layers.push_back(std::move(l));
  c.overrides = std::move(overrides);
  auto s = Schedule::make(c);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

std::string describe(const HandoffPlan& p) {
  std::string out;
  for (const auto& h : p.due)
    out += h.schedule + ":" + h.shift.user + "@" + format_rfc3339(h.shift.start) + ".." + format_rfc3339(h.shift.end) +
           (h.open_ended ? "+" : "") + " ";
  return out + "next " + format_rfc3339(p.next_wake);
}

TEST(Handoff, DailyRotationHandsOverAtNine) {
  const Schedule s = make("primary", "UTC", {"alice", "bob"});
  const auto plan = plan_handoffs({{"primary", &s}}, T("2024-08-20T08:00:00Z"), T("2024-08-20T09:00:30Z"));
  EXPECT_EQ(describe(plan),
            "primary:bob@2024-08-20T09:00:00.000Z..2024-08-21T09:00:00.000Z next 2024-08-20T10:00:30.000Z");
}

TEST(Handoff, NothingDueWhenSinceIsNowAndWakesAtTheNextHandoff) {
  const Schedule s = make("primary", "UTC", {"alice", "bob"});
  const auto plan = plan_handoffs({{"primary", &s}}, T("2024-08-20T08:30:00Z"), T("2024-08-20T08:30:00Z"));
  EXPECT_TRUE(plan.due.empty());
  EXPECT_EQ(plan.next_wake, T("2024-08-20T09:00:00Z"));
  // The hand-off instant itself is due once: in (08:30, 09:00] and not in (09:00, 09:00:01].
  EXPECT_EQ(plan_handoffs({{"primary", &s}}, T("2024-08-20T08:30:00Z"), T("2024-08-20T09:00:00Z")).due.size(), 1u);
  EXPECT_TRUE(plan_handoffs({{"primary", &s}}, T("2024-08-20T09:00:00Z"), T("2024-08-20T09:00:01Z")).due.empty());
}

TEST(Handoff, ShiftsThatEndedWhileNobodyLookedAreNotReported) {
  const Schedule s = make("primary", "UTC", {"alice", "bob"});
  // Down from the 19th 08:00 to the 21st 09:30: alice's and bob's shifts came and went.
  const auto plan = plan_handoffs({{"primary", &s}}, T("2024-08-19T08:00:00Z"), T("2024-08-21T09:30:00Z"));
  ASSERT_EQ(plan.due.size(), 1u) << describe(plan);
  EXPECT_EQ(plan.due[0].shift.user, "alice");
  EXPECT_EQ(plan.due[0].shift.start, T("2024-08-21T09:00:00Z"));
}

TEST(Handoff, AUserWhoStaysOnCallIsNotToldAgainAndOverridesHandOver) {
  // One user: the rotation "hands over" to alice every day, which is no hand-off at all.
  const Schedule s = make("solo", "UTC", {"alice"},
                          {{"bob", T("2024-08-20T10:00:00Z"), T("2024-08-20T12:00:00Z")}});
  EXPECT_TRUE(plan_handoffs({{"solo", &s}}, T("2024-08-20T08:00:00Z"), T("2024-08-20T09:30:00Z")).due.empty());
  auto plan = plan_handoffs({{"solo", &s}}, T("2024-08-20T09:59:00Z"), T("2024-08-20T10:00:05Z"));
  EXPECT_EQ(describe(plan),
            "solo:bob@2024-08-20T10:00:00.000Z..2024-08-20T12:00:00.000Z next 2024-08-20T11:00:05.000Z");
  // Back to alice at 12:00, with no end in sight.
  plan = plan_handoffs({{"solo", &s}}, T("2024-08-20T10:00:05Z"), T("2024-08-20T12:00:05Z"));
  ASSERT_EQ(plan.due.size(), 1u) << describe(plan);
  EXPECT_EQ(plan.due[0].shift.user, "alice");
  EXPECT_TRUE(plan.due[0].open_ended);
}

TEST(Handoff, SeveralSchedulesInOrderOfStartThenName) {
  const Schedule a = make("b-secondary", "UTC", {"carol", "dave"});
  const Schedule b = make("a-primary", "UTC", {"alice", "bob"});
  const Schedule berlin = make("berlin", "Europe/Berlin", {"erin", "frank"});
  const auto plan = plan_handoffs({{"b-secondary", &a}, {"a-primary", &b}, {"berlin", &berlin}},
                                  T("2024-08-20T06:00:00Z"), T("2024-08-20T09:00:00Z"));
  // 09:00 in Berlin (CEST) is 07:00 UTC.
  EXPECT_EQ(describe(plan),
            "berlin:frank@2024-08-20T07:00:00.000Z..2024-08-21T07:00:00.000Z "
            "a-primary:bob@2024-08-20T09:00:00.000Z..2024-08-21T09:00:00.000Z "
            "b-secondary:dave@2024-08-20T09:00:00.000Z..2024-08-21T09:00:00.000Z next 2024-08-20T10:00:00.000Z");
}

TEST(Handoff, NextWakeIsTheEarliestStartOfAnySchedule) {
  const Schedule utc = make("utc", "UTC", {"alice", "bob"});
  const Schedule berlin = make("berlin", "Europe/Berlin", {"erin", "frank"});
  const auto plan = plan_handoffs({{"utc", &utc}, {"berlin", &berlin}}, T("2024-08-20T08:30:00Z"),
                                  T("2024-08-20T08:30:00Z"), hours(48));
  EXPECT_EQ(plan.next_wake, T("2024-08-20T09:00:00Z"));
  const auto later = plan_handoffs({{"utc", &utc}, {"berlin", &berlin}}, T("2024-08-20T09:00:00Z"),
                                   T("2024-08-20T09:00:00Z"), hours(48));
  EXPECT_EQ(later.next_wake, T("2024-08-21T07:00:00Z"));
}

TEST(Handoff, AScheduleThatStartsLaterWakesForItsFirstShift) {
  const Schedule s = make("future", "UTC", {"alice", "bob"}, {}, L(9, 1, 9));
  const auto plan = plan_handoffs({{"future", &s}}, T("2024-08-31T23:00:00Z"), T("2024-08-31T23:00:00Z"), hours(24));
  EXPECT_TRUE(plan.due.empty());
  EXPECT_EQ(plan.next_wake, T("2024-09-01T09:00:00Z"));
}

TEST(Handoff, AStaleWatermarkLooksBackAtMostThirtyDays) {
  const Schedule s = make("primary", "UTC", {"alice", "bob"});
  // A watermark from years ago (or the epoch) must not make shifts() stop short of `now`.
  const auto plan = plan_handoffs({{"primary", &s}}, Time{}, T("2026-11-26T09:10:00Z"));
  ASSERT_EQ(plan.due.size(), 1u) << describe(plan);
  EXPECT_EQ(plan.due[0].shift.start, T("2026-11-26T09:00:00Z"));
}

}  // namespace
}  // namespace vigil::oncall
