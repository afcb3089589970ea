#include "oncall/schedule.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <initializer_list>
#include <ostream>

namespace vigil::oncall {

void PrintTo(const Shift& s, std::ostream* os) {
  *os << "{" << s.user << " " << format_rfc3339(s.start) << " .. " << format_rfc3339(s.end) << " "
      << s.layer << "}";
}

namespace {

using config::LayerConfig;
using config::OverrideConfig;
using config::Restriction;
using config::ScheduleConfig;
using std::chrono::hours;
using std::chrono::minutes;

// "2024-08-19T09:00:00Z" → instant.
Time T(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : Time{};
}

// "2024-08-19 09:00" → wall-clock time (in whatever zone the schedule has).
std::chrono::local_seconds L(const char* text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  EXPECT_EQ(std::sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), 5) << text;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  return std::chrono::local_days{ymd} + hours(h) + minutes(mi);
}

LayerConfig layer(const char* name, const char* start, Duration rotation, std::vector<std::string> users) {
  LayerConfig l;
  l.name = name;
  l.start = L(start);
  l.rotation = rotation;
  l.users = std::move(users);
  return l;
}

Restriction daily(int h, int m, Duration d) {
  Restriction r;
  r.kind = Restriction::Kind::daily;
  r.start_time = hours(h) + minutes(m);
  r.duration = d;
  return r;
}

Restriction weekly(int day, int h, int m, Duration d) {
  Restriction r;
  r.kind = Restriction::Kind::weekly;
  r.start_day = day;
  r.start_time = hours(h) + minutes(m);
  r.duration = d;
  return r;
}

Schedule make(const std::string& zone, std::vector<LayerConfig> layers, std::vector<OverrideConfig> overrides = {}) {
  ScheduleConfig c;
  c.name = "web-primary";
  c.time_zone = zone;
  c.layers = std::move(layers);
  c.overrides = std::move(overrides);
  auto s = Schedule::make(c);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

struct Case {
  const char* at;
  const char* who;  // nullptr: nobody
};

void expect_on_call(const Schedule& s, std::initializer_list<Case> cases) {
  for (const auto& c : cases) {
    const auto got = s.on_call(T(c.at));
    if (c.who == nullptr) {
      EXPECT_FALSE(got.has_value()) << "at " << c.at << ": expected nobody, got " << got.value_or("");
    } else {
      EXPECT_EQ(got.value_or("<nobody>"), c.who) << "at " << c.at;
    }
    // on_call agrees with shifts() around the instant.
    const Time at = T(c.at);
    const auto around = s.shifts(at - hours(30), at + hours(30));
    std::optional<std::string> from_shifts;
    for (const auto& sh : around) {
      if (sh.start <= at && at < sh.end) from_shifts = sh.user;
    }
    EXPECT_EQ(from_shifts, got) << "shifts() disagrees at " << c.at;
  }
}

constexpr Duration kDaily = hours(24);
constexpr Duration kWeekly = hours(24 * 7);

Shift S(const char* user, const char* start, const char* end, const char* layer) {
  return Shift{user, T(start), T(end), layer};
}

// ---- rotations ---------------------------------------------------------------------------

TEST(ScheduleRotation, WeeklyHandOffMondayNineUtc) {
  // 2024-08-19 is a Monday.
  const auto s = make("UTC", {layer("primary", "2024-08-19 09:00", kWeekly, {"alice", "bob"})});
  expect_on_call(s, {
                        {"2024-08-19T08:59:59.999Z", nullptr},  // before the virtual start
                        {"2024-08-19T09:00:00Z", "alice"},
                        {"2024-08-22T03:00:00Z", "alice"},
                        {"2024-08-26T08:59:59.999Z", "alice"},
                        {"2024-08-26T09:00:00Z", "bob"},
                        {"2024-09-01T23:00:00Z", "bob"},
                        {"2024-09-02T09:00:00Z", "alice"},
                        {"2024-09-09T10:00:00Z", "bob"},
                        {"2025-08-18T09:00:00Z", "alice"},  // 52 turns later
                        {"2025-08-25T09:00:00Z", "bob"},
                    });
}

TEST(ScheduleRotation, WeeklyInBerlinKeepsNineLocalAcrossDst) {
  // Monday 09:00 Europe/Berlin: 07:00Z in summer (CEST), 08:00Z after 2024-10-27 (CET).
  const auto s = make("Europe/Berlin", {layer("primary", "2024-08-19 09:00", kWeekly, {"alice", "bob"})});
  expect_on_call(s, {
                        {"2024-08-19T06:59:00Z", nullptr},
                        {"2024-08-19T07:00:00Z", "alice"},
                        {"2024-08-26T07:00:00Z", "bob"},
                        {"2024-10-21T07:00:00Z", "bob"},    // turn 9
                        {"2024-10-28T07:30:00Z", "bob"},    // 08:30 CET: not yet handed off
                        {"2024-10-28T08:00:00Z", "alice"},  // 09:00 CET
                    });
}

TEST(ScheduleRotation, Daily) {
  const auto s = make("UTC", {layer("daily", "2024-08-18 09:00", kDaily, {"alice", "bob", "carol"})});
  expect_on_call(s, {
                        {"2024-08-18T08:00:00Z", nullptr},
                        {"2024-08-18T09:00:00Z", "alice"},
                        {"2024-08-19T08:59:00Z", "alice"},
                        {"2024-08-19T09:00:00Z", "bob"},
                        {"2024-08-20T12:00:00Z", "carol"},
                        {"2024-08-21T09:00:00Z", "alice"},
                        {"2024-08-22T08:00:00Z", "alice"},
                        {"2024-08-22T09:00:00Z", "bob"},
                    });
}

TEST(ScheduleRotation, DailyInFixedOffsetZone) {
  // Africa/Lagos is UTC+1 all year: 09:00 local is 08:00Z.
  const auto s = make("Africa/Lagos", {layer("daily", "2024-08-18 09:00", kDaily, {"alice", "bob"})});
  expect_on_call(s, {
                        {"2024-08-18T07:59:00Z", nullptr},
                        {"2024-08-18T08:00:00Z", "alice"},
                        {"2024-08-19T08:00:00Z", "bob"},
                        {"2024-12-24T08:00:00Z", "alice"},  // 128 days later
                        {"2024-12-25T08:00:00Z", "bob"},
                    });
}

TEST(ScheduleRotation, CustomThreeDayRotationOfThree) {
  const auto s = make("UTC", {layer("custom", "2024-08-18 12:00", hours(72), {"alice", "bob", "carol"})});
  expect_on_call(s, {
                        {"2024-08-18T12:00:00Z", "alice"},
                        {"2024-08-21T11:59:59Z", "alice"},
                        {"2024-08-21T12:00:00Z", "bob"},
                        {"2024-08-24T11:00:00Z", "bob"},
                        {"2024-08-24T12:00:00Z", "carol"},
                        {"2024-08-27T11:59:00Z", "carol"},
                        {"2024-08-27T12:00:00Z", "alice"},
                        {"2024-09-02T12:00:00Z", "carol"},  // 15 days: turn 5, 5 % 3 = 2
                    });
  EXPECT_EQ(s.layer_shifts(0, T("2024-08-20T00:00:00Z"), T("2024-08-26T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-20T00:00:00Z", "2024-08-21T12:00:00Z", "custom"),
                                S("bob", "2024-08-21T12:00:00Z", "2024-08-24T12:00:00Z", "custom"),
                                S("carol", "2024-08-24T12:00:00Z", "2024-08-26T00:00:00Z", "custom")}));
}

TEST(ScheduleRotation, FutureStartHasNobodyBefore) {
  const auto s = make("UTC", {layer("primary", "2030-01-07 09:00", kWeekly, {"alice", "bob"})});
  expect_on_call(s, {
                        {"2024-08-19T09:00:00Z", nullptr},
                        {"2030-01-07T08:59:59Z", nullptr},
                        {"2030-01-07T09:00:00Z", "alice"},
                    });
  EXPECT_TRUE(s.shifts(T("2024-01-01T00:00:00Z"), T("2024-12-31T00:00:00Z")).empty());
  EXPECT_EQ(s.shifts(T("2030-01-07T00:00:00Z"), T("2030-01-08T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2030-01-07T09:00:00Z", "2030-01-08T00:00:00Z", "primary")}));
}

TEST(ScheduleRotation, LayerEnd) {
  auto l = layer("primary", "2024-08-19 09:00", kWeekly, {"alice", "bob"});
  l.end = L("2024-09-02 09:00");
  const auto s = make("UTC", {l});
  expect_on_call(s, {
                        {"2024-08-30T00:00:00Z", "bob"},
                        {"2024-09-02T08:59:59.999Z", "bob"},
                        {"2024-09-02T09:00:00Z", nullptr},
                        {"2024-10-01T00:00:00Z", nullptr},
                    });
  const auto all = s.shifts(T("2024-08-01T00:00:00Z"), T("2024-10-01T00:00:00Z"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all.back(), S("bob", "2024-08-26T09:00:00Z", "2024-09-02T09:00:00Z", "primary"));
}

TEST(ScheduleRotation, UnnamedLayerIsNamedByPosition) {
  const auto s = make("UTC", {layer("", "2024-08-19 09:00", kWeekly, {"alice"}),
                              layer("", "2024-08-19 09:00", kWeekly, {"bob"})});
  EXPECT_EQ(s.layer_shifts(0, T("2024-08-20T00:00:00Z"), T("2024-08-21T00:00:00Z")).at(0).layer, "Layer 1");
  EXPECT_EQ(s.shifts(T("2024-08-20T00:00:00Z"), T("2024-08-21T00:00:00Z")).at(0).layer, "Layer 2");
  EXPECT_TRUE(s.layer_shifts(2, T("2024-08-20T00:00:00Z"), T("2024-08-21T00:00:00Z")).empty());
}

// ---- DST -------------------------------------------------------------------------------

struct DstCase {
  const char* zone;
  const char* start;  // local, two days before the change
  std::vector<Case> cases;
  const char* short_or_long_from;  // the turn that spans the change
  const char* short_or_long_to;
  Duration length;
};

TEST(ScheduleDst, DailyNineOClockHandOffStaysLocal) {
  const DstCase cases[] = {
      // New York spring forward 2024-03-10 02:00 EST → 03:00 EDT: 09:00 is 14:00Z, then 13:00Z.
      {"America/New_York",
       "2024-03-08 09:00",
       {{"2024-03-09T13:59:00Z", "alice"},
        {"2024-03-09T14:00:00Z", "bob"},
        {"2024-03-10T12:59:00Z", "bob"},  // 08:59 EDT
        {"2024-03-10T13:00:00Z", "alice"},  // 09:00 EDT
        {"2024-03-11T13:00:00Z", "bob"}},
       "2024-03-09T14:00:00Z",
       "2024-03-10T13:00:00Z",
       hours(23)},
      // New York fall back 2024-11-03 02:00 EDT → 01:00 EST: 09:00 is 13:00Z, then 14:00Z.
      {"America/New_York",
       "2024-11-01 09:00",
       {{"2024-11-02T13:00:00Z", "bob"},
        {"2024-11-03T13:30:00Z", "bob"},  // 08:30 EST
        {"2024-11-03T14:00:00Z", "alice"},  // 09:00 EST
        {"2024-11-04T14:00:00Z", "bob"}},
       "2024-11-02T13:00:00Z",
       "2024-11-03T14:00:00Z",
       hours(25)},
      // Berlin spring forward 2024-03-31 02:00 CET → 03:00 CEST: 09:00 is 08:00Z, then 07:00Z.
      {"Europe/Berlin",
       "2024-03-29 09:00",
       {{"2024-03-30T08:00:00Z", "bob"},
        {"2024-03-31T06:59:00Z", "bob"},
        {"2024-03-31T07:00:00Z", "alice"},
        {"2024-04-01T07:00:00Z", "bob"}},
       "2024-03-30T08:00:00Z",
       "2024-03-31T07:00:00Z",
       hours(23)},
      // Berlin fall back 2024-10-27 03:00 CEST → 02:00 CET: 09:00 is 07:00Z, then 08:00Z.
      {"Europe/Berlin",
       "2024-10-25 09:00",
       {{"2024-10-26T07:00:00Z", "bob"},
        {"2024-10-27T07:59:00Z", "bob"},
        {"2024-10-27T08:00:00Z", "alice"},
        {"2024-10-28T08:00:00Z", "bob"}},
       "2024-10-26T07:00:00Z",
       "2024-10-27T08:00:00Z",
       hours(25)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.zone) + " " + c.start);
    const auto s = make(c.zone, {layer("daily", c.start, kDaily, {"alice", "bob"})});
    for (const auto& k : c.cases) expect_on_call(s, {k});
    const auto turns = s.layer_shifts(0, T(c.short_or_long_from) - hours(1), T(c.short_or_long_to) + hours(1));
    ASSERT_EQ(turns.size(), 3u);
    EXPECT_EQ(turns[1], S("bob", c.short_or_long_from, c.short_or_long_to, "daily"));
    EXPECT_EQ(turns[1].end - turns[1].start, c.length);
  }
}

TEST(ScheduleDst, NonexistentHandOffMovesToEndOfGap) {
  // A 02:30 hand-off in New York: on 2024-03-10 02:30 does not exist (02:00 EST jumps to
  // 03:00 EDT). Chosen behaviour: the hand-off happens at the end of the gap, 03:00 EDT
  // (07:00Z). Both turns around it are 23.5h; the next day is 02:30 EDT (06:30Z) again.
  const auto s = make("America/New_York", {layer("night", "2024-03-08 02:30", kDaily, {"alice", "bob"})});
  expect_on_call(s, {
                        {"2024-03-09T07:29:00Z", "alice"},  // 02:29 EST
                        {"2024-03-09T07:30:00Z", "bob"},    // 02:30 EST
                        {"2024-03-10T06:59:59Z", "bob"},    // 01:59:59 EST
                        {"2024-03-10T07:00:00Z", "alice"},  // 03:00 EDT
                        {"2024-03-11T06:29:00Z", "alice"},
                        {"2024-03-11T06:30:00Z", "bob"},  // 02:30 EDT
                    });
  const auto turns = s.layer_shifts(0, T("2024-03-09T07:30:00Z"), T("2024-03-11T06:30:00Z"));
  EXPECT_EQ(turns, (std::vector<Shift>{S("bob", "2024-03-09T07:30:00Z", "2024-03-10T07:00:00Z", "night"),
                                       S("alice", "2024-03-10T07:00:00Z", "2024-03-11T06:30:00Z", "night")}));
}

TEST(ScheduleDst, AmbiguousHandOffTakesTheEarlierInstant) {
  // 01:30 happens twice in New York on 2024-11-03 (EDT 05:30Z, then EST 06:30Z): the hand-off
  // is at the first one, so that day's turn is 25h.
  const auto s = make("America/New_York", {layer("night", "2024-11-01 01:30", kDaily, {"alice", "bob"})});
  expect_on_call(s, {
                        {"2024-11-03T05:29:00Z", "bob"},
                        {"2024-11-03T05:30:00Z", "alice"},
                        {"2024-11-03T06:45:00Z", "alice"},  // the second 01:45
                        {"2024-11-04T06:29:00Z", "alice"},
                        {"2024-11-04T06:30:00Z", "bob"},
                    });
}

TEST(ScheduleDst, RestrictionWindowsFollowLocalTime) {
  // 09:00–17:00 New York every day: 14:00–22:00Z in winter, 13:00–21:00Z after 2024-03-10.
  auto l = layer("business", "2024-03-04 00:00", kWeekly, {"alice"});
  l.restrictions = {daily(9, 0, hours(8))};
  const auto s = make("America/New_York", {l});
  EXPECT_EQ(s.shifts(T("2024-03-09T00:00:00Z"), T("2024-03-11T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-03-09T14:00:00Z", "2024-03-09T22:00:00Z", "business"),
                                S("alice", "2024-03-10T13:00:00Z", "2024-03-10T21:00:00Z", "business")}));
}

// ---- restrictions ------------------------------------------------------------------------

TEST(ScheduleRestriction, DailyBusinessHoursSplitShifts) {
  auto l = layer("business", "2024-08-19 09:00", kWeekly, {"alice", "bob"});
  l.restrictions = {daily(9, 0, hours(8))};  // 09:00–17:00 EDT = 13:00–21:00Z
  const auto s = make("America/New_York", {l});
  expect_on_call(s, {
                        {"2024-08-19T12:59:00Z", nullptr},
                        {"2024-08-19T13:00:00Z", "alice"},
                        {"2024-08-19T20:59:59Z", "alice"},
                        {"2024-08-19T21:00:00Z", nullptr},
                        {"2024-08-20T02:00:00Z", nullptr},
                        {"2024-08-24T15:00:00Z", "alice"},  // daily: Saturday too
                        {"2024-08-26T12:00:00Z", nullptr},
                        {"2024-08-26T13:00:00Z", "bob"},
                    });
  EXPECT_EQ(s.shifts(T("2024-08-19T00:00:00Z"), T("2024-08-21T17:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-19T13:00:00Z", "2024-08-19T21:00:00Z", "business"),
                                S("alice", "2024-08-20T13:00:00Z", "2024-08-20T21:00:00Z", "business"),
                                S("alice", "2024-08-21T13:00:00Z", "2024-08-21T17:00:00Z", "business")}));
}

TEST(ScheduleRestriction, WindowAcrossHandOffSplitsBetweenUsers) {
  // Daily rotation at 12:00 with an 09:00–17:00 window: each window is shared by two users.
  auto l = layer("noon", "2024-08-19 12:00", kDaily, {"alice", "bob"});
  l.restrictions = {daily(9, 0, hours(8))};
  const auto s = make("UTC", {l});
  EXPECT_EQ(s.shifts(T("2024-08-20T00:00:00Z"), T("2024-08-21T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-20T09:00:00Z", "2024-08-20T12:00:00Z", "noon"),
                                S("bob", "2024-08-20T12:00:00Z", "2024-08-20T17:00:00Z", "noon")}));
}

TEST(ScheduleRestriction, WeekdaysOnlyWithWeeklyRestrictions) {
  // Monday..Friday 09:00–17:00 as five weekly windows (PagerDuty's way to say "weekdays").
  auto l = layer("weekdays", "2024-08-19 09:00", kWeekly, {"alice", "bob"});
  for (int day = 1; day <= 5; ++day) l.restrictions.push_back(weekly(day, 9, 0, hours(8)));
  const auto s = make("UTC", {l});
  expect_on_call(s, {
                        {"2024-08-19T10:00:00Z", "alice"},  // Monday
                        {"2024-08-23T16:59:00Z", "alice"},  // Friday
                        {"2024-08-23T17:00:00Z", nullptr},
                        {"2024-08-24T12:00:00Z", nullptr},  // Saturday
                        {"2024-08-25T12:00:00Z", nullptr},  // Sunday
                        {"2024-08-26T09:00:00Z", "bob"},
                    });
  EXPECT_EQ(s.shifts(T("2024-08-19T00:00:00Z"), T("2024-08-26T00:00:00Z")).size(), 5u);
}

TEST(ScheduleRestriction, WeeklyWindowSpanningDaysAndOverlapsUnite) {
  // Friday 18:00 for 62h (to Monday 08:00), plus an overlapping Saturday window: one shift.
  auto l = layer("weekend", "2024-08-12 09:00", kWeekly, {"carol"});
  l.restrictions = {weekly(5, 18, 0, hours(62)), weekly(6, 10, 0, hours(4))};
  const auto s = make("UTC", {l});
  EXPECT_EQ(s.shifts(T("2024-08-20T00:00:00Z"), T("2024-08-28T00:00:00Z")),
            (std::vector<Shift>{S("carol", "2024-08-23T18:00:00Z", "2024-08-26T08:00:00Z", "weekend")}));
  // The window that began the Friday before `from` is found too.
  EXPECT_EQ(s.shifts(T("2024-08-25T00:00:00Z"), T("2024-08-28T00:00:00Z")),
            (std::vector<Shift>{S("carol", "2024-08-25T00:00:00Z", "2024-08-26T08:00:00Z", "weekend")}));
}

TEST(ScheduleRestriction, FullDayWindowsJoin) {
  auto l = layer("always", "2024-08-19 09:00", kWeekly, {"alice"});
  l.restrictions = {daily(0, 0, hours(24))};
  const auto s = make("Europe/Berlin", {l});
  EXPECT_EQ(s.shifts(T("2024-08-20T00:00:00Z"), T("2024-08-25T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-20T00:00:00Z", "2024-08-25T00:00:00Z", "always")}));
}

// ---- overrides ---------------------------------------------------------------------------

TEST(ScheduleOverride, CutsAShiftIntoThree) {
  const auto s = make("UTC", {layer("primary", "2024-08-19 09:00", kWeekly, {"alice", "bob"})},
                      {{"carol", T("2024-08-20T12:00:00Z"), T("2024-08-20T18:00:00Z")}});
  expect_on_call(s, {
                        {"2024-08-20T11:59:00Z", "alice"},
                        {"2024-08-20T12:00:00Z", "carol"},
                        {"2024-08-20T17:59:00Z", "carol"},
                        {"2024-08-20T18:00:00Z", "alice"},
                    });
  EXPECT_EQ(s.shifts(T("2024-08-19T09:00:00Z"), T("2024-08-26T09:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-19T09:00:00Z", "2024-08-20T12:00:00Z", "primary"),
                                S("carol", "2024-08-20T12:00:00Z", "2024-08-20T18:00:00Z", "override"),
                                S("alice", "2024-08-20T18:00:00Z", "2024-08-26T09:00:00Z", "primary")}));
}

TEST(ScheduleOverride, OverlappingAHandOffAndLaterOverridesWin) {
  const auto s = make("UTC", {layer("primary", "2024-08-19 09:00", kWeekly, {"alice", "bob"})},
                      {{"dave", T("2024-08-26T06:00:00Z"), T("2024-08-26T12:00:00Z")},
                       {"erin", T("2024-08-26T10:00:00Z"), T("2024-08-26T11:00:00Z")}});
  expect_on_call(s, {
                        {"2024-08-26T05:59:00Z", "alice"},
                        {"2024-08-26T06:00:00Z", "dave"},
                        {"2024-08-26T09:00:00Z", "dave"},  // the hand-off is hidden
                        {"2024-08-26T10:30:00Z", "erin"},
                        {"2024-08-26T11:00:00Z", "dave"},
                        {"2024-08-26T12:00:00Z", "bob"},
                    });
  EXPECT_EQ(s.shifts(T("2024-08-26T00:00:00Z"), T("2024-08-27T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-26T00:00:00Z", "2024-08-26T06:00:00Z", "primary"),
                                S("dave", "2024-08-26T06:00:00Z", "2024-08-26T10:00:00Z", "override"),
                                S("erin", "2024-08-26T10:00:00Z", "2024-08-26T11:00:00Z", "override"),
                                S("dave", "2024-08-26T11:00:00Z", "2024-08-26T12:00:00Z", "override"),
                                S("bob", "2024-08-26T12:00:00Z", "2024-08-27T00:00:00Z", "primary")}));
}

TEST(ScheduleOverride, FillsAGapAndEmptyOverridesAreIgnored) {
  auto l = layer("business", "2024-08-19 09:00", kWeekly, {"alice"});
  l.restrictions = {daily(9, 0, hours(8))};
  const auto s = make("UTC", {l},
                      {{"bob", T("2024-08-19T20:00:00Z"), T("2024-08-19T22:00:00Z")},
                       {"carol", T("2024-08-19T21:00:00Z"), T("2024-08-19T21:00:00Z")},  // empty
                       {"dave", T("2024-08-19T23:00:00Z"), T("2024-08-19T22:30:00Z")}});  // backwards
  expect_on_call(s, {
                        {"2024-08-19T16:00:00Z", "alice"},
                        {"2024-08-19T20:00:00Z", "bob"},
                        {"2024-08-19T21:30:00Z", "bob"},
                        {"2024-08-19T22:00:00Z", nullptr},
                        {"2024-08-19T22:45:00Z", nullptr},
                    });
}

TEST(ScheduleOverride, SameUserAsTheLayerMergesIntoOneShift) {
  const auto s = make("UTC", {layer("primary", "2024-08-19 09:00", kWeekly, {"alice", "bob"})},
                      {{"alice", T("2024-08-26T09:00:00Z"), T("2024-08-26T12:00:00Z")}});
  EXPECT_EQ(s.shifts(T("2024-08-26T00:00:00Z"), T("2024-08-27T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-26T00:00:00Z", "2024-08-26T12:00:00Z", "primary"),
                                S("bob", "2024-08-26T12:00:00Z", "2024-08-27T00:00:00Z", "primary")}));
}

// ---- layers ------------------------------------------------------------------------------

TEST(ScheduleLayers, WeekendLayerOverWeekdayRotation) {
  // Layer 1: weekly alice/bob, hand-off Monday 09:00. Layer 2: carol/dave weekly from
  // Saturday 2024-08-17, on call only Saturday 00:00 for 48h; layer 1 shows through on weekdays.
  auto weekend = layer("weekend", "2024-08-17 00:00", kWeekly, {"carol", "dave"});
  weekend.restrictions = {weekly(6, 0, 0, hours(48))};
  const auto s = make("UTC", {layer("weekdays", "2024-08-19 09:00", kWeekly, {"alice", "bob"}), weekend});
  expect_on_call(s, {
                        {"2024-08-16T12:00:00Z", nullptr},  // Friday: nothing has started
                        {"2024-08-17T12:00:00Z", "carol"},  // layer 2 alone (layer 1 not started)
                        {"2024-08-19T08:00:00Z", nullptr},
                        {"2024-08-19T09:00:00Z", "alice"},
                        {"2024-08-20T12:00:00Z", "alice"},
                        {"2024-08-24T00:00:00Z", "dave"},
                        {"2024-08-25T23:59:00Z", "dave"},
                        {"2024-08-26T00:00:00Z", "alice"},  // Monday before the 09:00 hand-off
                        {"2024-08-26T09:00:00Z", "bob"},
                        {"2024-08-31T10:00:00Z", "carol"},
                        {"2024-09-02T00:00:00Z", "bob"},
                    });
  EXPECT_EQ(s.shifts(T("2024-08-23T00:00:00Z"), T("2024-08-27T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-23T00:00:00Z", "2024-08-24T00:00:00Z", "weekdays"),
                                S("dave", "2024-08-24T00:00:00Z", "2024-08-26T00:00:00Z", "weekend"),
                                S("alice", "2024-08-26T00:00:00Z", "2024-08-26T09:00:00Z", "weekdays"),
                                S("bob", "2024-08-26T09:00:00Z", "2024-08-27T00:00:00Z", "weekdays")}));
  // Each layer on its own.
  EXPECT_EQ(s.layer_shifts(1, T("2024-08-23T00:00:00Z"), T("2024-08-27T00:00:00Z")),
            (std::vector<Shift>{S("dave", "2024-08-24T00:00:00Z", "2024-08-26T00:00:00Z", "weekend")}));
  EXPECT_EQ(s.layer_shifts(0, T("2024-08-23T00:00:00Z"), T("2024-08-27T00:00:00Z")).size(), 2u);
}

TEST(ScheduleLayers, SameUserAcrossLayersMerges) {
  auto nights = layer("nights", "2024-08-19 00:00", kWeekly, {"alice"});
  nights.restrictions = {daily(0, 0, hours(9))};
  const auto s = make("UTC", {layer("days", "2024-08-19 09:00", kWeekly, {"alice"}), nights});
  EXPECT_EQ(s.shifts(T("2024-08-20T00:00:00Z"), T("2024-08-22T00:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-20T00:00:00Z", "2024-08-22T00:00:00Z", "nights")}));
}

// ---- shifts(): merging, clipping, limits -------------------------------------------------

TEST(ScheduleShifts, MergesTurnsOfOneUserAndClips) {
  const auto s = make("UTC", {layer("solo", "2024-08-18 09:00", kDaily, {"alice"})});
  EXPECT_EQ(s.shifts(T("2024-08-20T13:00:00Z"), T("2024-08-30T07:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-20T13:00:00Z", "2024-08-30T07:00:00Z", "solo")}));
  EXPECT_TRUE(s.shifts(T("2024-08-30T07:00:00Z"), T("2024-08-30T07:00:00Z")).empty());
  EXPECT_TRUE(s.shifts(T("2024-08-30T07:00:00Z"), T("2024-08-20T07:00:00Z")).empty());
}

TEST(ScheduleShifts, ClipsAtBothEnds) {
  const auto s = make("UTC", {layer("daily", "2024-08-18 09:00", kDaily, {"alice", "bob"})});
  EXPECT_EQ(s.shifts(T("2024-08-18T10:00:00Z"), T("2024-08-20T10:00:00Z")),
            (std::vector<Shift>{S("alice", "2024-08-18T10:00:00Z", "2024-08-19T09:00:00Z", "daily"),
                                S("bob", "2024-08-19T09:00:00Z", "2024-08-20T09:00:00Z", "daily"),
                                S("alice", "2024-08-20T09:00:00Z", "2024-08-20T10:00:00Z", "daily")}));
}

TEST(ScheduleShifts, AYearOfHourlyHandOffsAndTheRangeCap) {
  auto business = layer("business", "2024-01-01 09:00", hours(1), {"alice", "bob", "carol"});
  business.restrictions = {daily(9, 0, hours(8))};
  const auto s = make("America/New_York", {layer("weekly", "2024-01-01 09:00", kWeekly, {"dave", "erin"}), business},
                      {{"frank", T("2024-05-01T00:00:00Z"), T("2024-05-02T00:00:00Z")}});
  const Time from = T("2024-01-01T00:00:00Z");
  const auto year = s.shifts(from, from + hours(24 * 800));  // cut to 366 days
  ASSERT_FALSE(year.empty());
  EXPECT_LE(year.back().end, from + kMaxRange);
  EXPECT_GT(year.back().end, from + kMaxRange - hours(24));
  // Consecutive, sorted, never two adjacent pieces of the same user.
  for (std::size_t i = 1; i < year.size(); ++i) {
    ASSERT_LE(year[i - 1].end, year[i].start);
    ASSERT_LT(year[i].start, year[i].end);
    if (year[i - 1].end == year[i].start) {
      ASSERT_NE(year[i - 1].user, year[i].user);
    }
  }
  // 366 days × (8 hourly hand-offs + 2 edges) plus weekly hand-offs: about 3,700 shifts.
  EXPECT_GT(year.size(), 3000u);
  EXPECT_LT(year.size(), 4500u);
}

TEST(ScheduleMake, RejectsBadConfig) {
  ScheduleConfig c;
  c.name = "web";
  c.time_zone = "Mars/Olympus_Mons";
  auto r = Schedule::make(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "time_zone");
  EXPECT_NE(r.error().message.find("Mars/Olympus_Mons"), std::string::npos);

  c.time_zone = "Europe/Berlin";
  c.layers = {layer("a", "2024-08-19 09:00", kWeekly, {})};
  EXPECT_EQ(Schedule::make(c).error().field, "layers[0].users");
  c.layers = {layer("a", "2024-08-19 09:00", Duration{0}, {"alice"})};
  EXPECT_EQ(Schedule::make(c).error().field, "layers[0].rotation");
  c.layers = {layer("a", "2024-08-19 09:00", kWeekly, {"alice"})};
  c.layers[0].restrictions = {daily(9, 0, hours(25))};
  EXPECT_EQ(Schedule::make(c).error().field, "layers[0].restrictions[0].duration");
  c.layers[0].restrictions = {weekly(8, 9, 0, hours(2))};
  EXPECT_EQ(Schedule::make(c).error().field, "layers[0].restrictions[0].start_day");
  c.layers[0].restrictions = {daily(24, 0, hours(2))};
  EXPECT_EQ(Schedule::make(c).error().field, "layers[0].restrictions[0].start_time");
  c.layers[0].restrictions = {weekly(7, 9, 0, hours(24 * 7))};
  EXPECT_TRUE(Schedule::make(c).ok());
  c.layers = {};
  auto empty = Schedule::make(c);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->on_call(T("2024-08-19T09:00:00Z")).has_value());
}

}  // namespace
}  // namespace vigil::oncall
