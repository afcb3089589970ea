// Weekly windows (support hours, recurring maintenance) with explicit times in zones with DST:
// which occurrence contains an instant, the next start, every occurrence in a range (across
// midnight, longer than a day) and how they are described.
#include "oncall/weekly_window.h"

#include <gtest/gtest.h>

#include "oncall/weekly_test_util.h"

namespace vigil::oncall {
namespace {

using config::WeeklyWindow;
using namespace std::chrono_literals;
using testing::berlin_office;
using testing::utc;

TEST(WeeklyWindow, OccurrenceStartIsThatDaysStartOrNothing) {
  const auto h = berlin_office();
  EXPECT_EQ(occurrence_start(h, utc(2026, 11, 25, 12)), utc(2026, 11, 25, 8));
  EXPECT_EQ(occurrence_start(h, utc(2026, 11, 25, 8)), utc(2026, 11, 25, 8));
  EXPECT_EQ(occurrence_start(h, utc(2026, 11, 25, 16)), std::nullopt);
  EXPECT_EQ(occurrence_start(h, utc(2026, 11, 29, 12)), std::nullopt);  // Sunday
}

TEST(WeeklyWindow, NextStartSkipsTheWeekendAndIsStrictlyLater) {
  const auto h = berlin_office();
  EXPECT_EQ(next_start(h, utc(2026, 11, 27, 17)), utc(2026, 11, 30, 8));  // Friday evening → Monday
  EXPECT_EQ(next_start(h, utc(2026, 11, 23, 8)), utc(2026, 11, 24, 8));   // at a start: the next one
  EXPECT_EQ(next_start(h, utc(2026, 11, 23, 7)), utc(2026, 11, 23, 8));
  WeeklyWindow none = h;
  none.days.clear();
  EXPECT_EQ(next_start(none, utc(2026, 11, 23, 7)), std::nullopt);
}

TEST(WeeklyWindow, AStartTheClocksSkipIsTheEndOfTheGap) {
  // Sunday 29 March 2026, Berlin: 02:00 CET jumps to 03:00 CEST (01:00 UTC). Support from 02:30
  // starts when the clocks say 03:00.
  WeeklyWindow h = berlin_office();
  h.days = {7};
  h.start = 2h + 30min;
  h.duration = 12h - (2h + 30min);
  EXPECT_EQ(next_start(h, utc(2026, 3, 28, 12)), utc(2026, 3, 29, 1));
  EXPECT_EQ(occurrence_start(h, utc(2026, 3, 29, 1, 30)), utc(2026, 3, 29, 1));
  // Sunday 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice, the first counts.
  EXPECT_EQ(next_start(h, utc(2026, 10, 24, 12)), utc(2026, 10, 25, 0, 30));
}

TEST(WeeklyWindow, DescribeGroupsRunsOfDays) {
  WeeklyWindow h = berlin_office();
  EXPECT_EQ(describe(h), "Mon-Fri 09:00-17:00 Europe/Berlin");
  h.days = {1, 3, 5};
  EXPECT_EQ(describe(h), "Mon, Wed, Fri 09:00-17:00 Europe/Berlin");
  h.days = {6, 7};
  h.start = 0min;
  h.duration = 24h;
  h.time_zone = "UTC";
  EXPECT_EQ(describe(h), "Sat, Sun 00:00-24:00 UTC");
}

TEST(WeeklyWindow, OccurrencesAcrossMidnightAndLongerThanADay) {
  WeeklyWindow night;  // Sundays 23:00 UTC for 2h: ends on Monday
  night.days = {7};
  night.start = 23h;
  night.duration = 2h;
  const auto all = occurrences(night, utc(2026, 11, 23, 0), utc(2026, 12, 7, 0));
  ASSERT_EQ(all.size(), 3u) << "22 November (still running on Monday 23 at 00:00), 29 November, 6 December";
  EXPECT_EQ(all[0].start, utc(2026, 11, 22, 23));
  EXPECT_EQ(all[0].end, utc(2026, 11, 23, 1));
  EXPECT_EQ(occurrence_start(night, utc(2026, 11, 23, 0, 30)), utc(2026, 11, 22, 23));
  EXPECT_EQ(occurrence_start(night, utc(2026, 11, 23, 1)), std::nullopt);
  EXPECT_EQ(describe(night), "Sun 23:00-01:00 UTC");

  WeeklyWindow weekend;  // Saturday 22:00 Berlin for 30h
  weekend.time_zone = "Europe/Berlin";
  weekend.days = {6};
  weekend.start = 22h;
  weekend.duration = 30h;
  const auto w = occurrences(weekend, utc(2026, 11, 28, 0), utc(2026, 11, 30, 0));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].start, utc(2026, 11, 28, 21));
  EXPECT_EQ(w[0].end, utc(2026, 11, 30, 3));
  EXPECT_EQ(occurrence_start(weekend, utc(2026, 11, 30, 2)), utc(2026, 11, 28, 21));
  EXPECT_EQ(describe(weekend), "Sat 22:00 for 1d6h Europe/Berlin");
}

TEST(WeeklyWindow, WallClockDurationAcrossADstChange) {
  // Saturday 24 October 2026 22:00 Berlin for 6h of wall-clock time ends at 04:00 on Sunday,
  // which is 7h later: the clocks went back at 03:00.
  WeeklyWindow w;
  w.time_zone = "Europe/Berlin";
  w.days = {6};
  w.start = 22h;
  w.duration = 6h;
  const auto o = occurrences(w, utc(2026, 10, 24, 0), utc(2026, 10, 26, 0));
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].start, utc(2026, 10, 24, 20));
  EXPECT_EQ(o[0].end, utc(2026, 10, 25, 3));
}

TEST(WeeklyWindow, EveryOccurrenceInARangeInOrder) {
  const auto all = occurrences(berlin_office(), utc(2026, 11, 25, 12), utc(2026, 12, 1, 0));
  ASSERT_EQ(all.size(), 4u);  // Wednesday (in progress), Thursday, Friday, Monday
  EXPECT_EQ(all[0].start, utc(2026, 11, 25, 8));
  EXPECT_EQ(all[3].start, utc(2026, 11, 30, 8));
  EXPECT_EQ(all[3].end, utc(2026, 11, 30, 16));
  EXPECT_TRUE(occurrences(berlin_office(), utc(2026, 11, 28, 0), utc(2026, 11, 30, 0)).empty()) << "the weekend";
}

}  // namespace
}  // namespace vigil::oncall
