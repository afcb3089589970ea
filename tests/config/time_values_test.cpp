// The calendar values of the on-call sections, parsed alone.
#include "config/time_values.h"

#include <date/tz.h>
#include <gtest/gtest.h>

namespace vigil::config::detail {
namespace {

using namespace std::chrono;

LocalMs at(local_days day, milliseconds time_of_day = {}) { return LocalMs{day.time_since_epoch()} + time_of_day; }

TEST(ParseDateTime, Forms) {
  struct Ok {
    const char* in;
    LocalMs local;
    bool has_time;
    std::optional<minutes> offset;
  };
  const local_days aug12{2024y / August / 12};
  for (const Ok& c : {
           Ok{"2024-08-12", at(aug12), false, std::nullopt},
           Ok{"2024-08-12T09:00", at(aug12, 9h), true, std::nullopt},
           Ok{"2024-08-12T09:00:30", at(aug12, 9h + 30s), true, std::nullopt},
           Ok{"2024-08-12 09:00:30", at(aug12, 9h + 30s), true, std::nullopt},
           Ok{"2024-08-12t23:59:59", at(aug12, 23h + 59min + 59s), true, std::nullopt},
           Ok{"2024-08-12T09:00:00Z", at(aug12, 9h), true, minutes(0)},
           Ok{"2024-08-12T09:00:00.5+02:00", at(aug12, 9h + 500ms), true, minutes(120)},
           Ok{"2024-08-12T09:00:00.123456-05:30", at(aug12, 9h + 123ms), true, minutes(-330)},
           Ok{"2024-02-29", at(local_days{2024y / February / 29}), false, std::nullopt},
       }) {
    auto r = parse_datetime(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().message;
    EXPECT_EQ(r->local, c.local) << c.in;
    EXPECT_EQ(r->has_time, c.has_time) << c.in;
    EXPECT_EQ(r->offset, c.offset) << c.in;
  }
}

TEST(ParseDateTime, Rejects) {
  const std::string syntax = "expected a date and time like 2024-08-12T09:00:00 (or a date like 2024-08-12)";
  for (const auto& [in, problem] : std::initializer_list<std::pair<const char*, std::string>>{
           {"", syntax},
           {"2024-8-12", syntax},
           {"12/08/2024", syntax},
           {"2024-08-12T9:00", syntax},
           {"2024-08-12T09", syntax},
           {"2024-08-12T09:00:00.", syntax},
           {"2024-08-12T09:00:00+0200", syntax},
           {"2024-08-12T09:00:00 UTC", syntax},
           {"2024-08-12Z", syntax},
           {"2024-08-12T09:00:00+24:00", syntax},
           {"2023-02-29", "2023-02-29 is not a date"},
           {"2024-13-01", "2024-13-01 is not a date"},
           {"2024-08-12T09:60", "09:60:00 is not a time of day (00:00:00 to 23:59:59)"},
           {"2024-08-12T23:59:60", "23:59:60 is not a time of day (00:00:00 to 23:59:59)"},
       }) {
    auto r = parse_datetime(in);
    ASSERT_FALSE(r) << in;
    EXPECT_EQ(r.error().message, problem) << in;
  }
}

TEST(FormatLocal, SecondsAndMilliseconds) {
  EXPECT_EQ(format_local(at(local_days{2024y / August / 12}, 9h)), "2024-08-12T09:00:00");
  EXPECT_EQ(format_local(at(local_days{2024y / August / 12}, 9h + 5ms)), "2024-08-12T09:00:00.005");
}

TEST(ParseTimeOfDay, Forms) {
  EXPECT_EQ(*parse_time_of_day("09:00"), 9h);
  EXPECT_EQ(*parse_time_of_day("9:30"), 9h + 30min);
  EXPECT_EQ(*parse_time_of_day("00:00"), 0min);
  EXPECT_EQ(*parse_time_of_day("23:59"), 23h + 59min);
  for (const char* bad : {"", "9", "0900", "09:0", "09:00:00", "9am", " 09:00"}) {
    auto r = parse_time_of_day(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, "expected a time of day HH:MM, e.g. 09:00") << bad;
  }
  EXPECT_EQ(parse_time_of_day("24:00").error().message, "24:00 is not a time of day (00:00 to 23:59)");
  EXPECT_EQ(parse_time_of_day("12:60").error().message, "12:60 is not a time of day (00:00 to 23:59)");
}

TEST(ParseWeekday, NamesAbbreviationsAndIsoNumbers) {
  EXPECT_EQ(*parse_weekday("monday"), 1);
  EXPECT_EQ(*parse_weekday("Mon"), 1);
  EXPECT_EQ(*parse_weekday("WEDNESDAY"), 3);
  EXPECT_EQ(*parse_weekday("sun"), 7);
  EXPECT_EQ(*parse_weekday("1"), 1);
  EXPECT_EQ(*parse_weekday("7"), 7);
  for (const char* bad : {"0", "8", "mo", "mondays", "", "01"}) EXPECT_FALSE(parse_weekday(bad)) << bad;
}

TEST(FindTimeZone, KnownUnknownAndHints) {
  for (const char* name : {"UTC", "Etc/UTC", "Africa/Lagos", "Europe/Berlin", "America/New_York", "US/Eastern"}) {
    auto z = find_time_zone(name);
    ASSERT_TRUE(z) << name << ": " << z.error().message;
    EXPECT_NE(*z, nullptr);
  }
  EXPECT_EQ(find_time_zone("Africa/Lagoss").error().message,
            R"(unknown time zone "Africa/Lagoss" (did you mean "Africa/Lagos"?))");
  EXPECT_EQ(find_time_zone("").error().message,
            R"(unknown time zone "": use an IANA name like Europe/Berlin, America/New_York or UTC)");
  EXPECT_FALSE(find_time_zone("../../etc/passwd")) << "not a path into /usr/share/zoneinfo";
  EXPECT_FALSE(find_time_zone("CEST")) << "abbreviations are not zones";
}

TEST(LocalToSys, UniqueSkippedAndRepeatedTimes) {
  const date::time_zone* berlin = *find_time_zone("Europe/Berlin");
  const auto sys = [](local_days d, milliseconds t) { return Time{(d + t).time_since_epoch()}; };
  EXPECT_EQ(*local_to_sys(berlin, at(local_days{2024y / August / 18}, 9h)), sys(local_days{2024y / August / 18}, 7h));
  EXPECT_EQ(*local_to_sys(berlin, at(local_days{2024y / December / 24}, 18h)),
            sys(local_days{2024y / December / 24}, 17h));
  // DST starts 2024-03-31 at 02:00 (+01:00 → +02:00); ends 2024-10-27 at 03:00 (+02:00 → +01:00).
  EXPECT_EQ(local_to_sys(berlin, at(local_days{2024y / March / 31}, 2h + 30min)).error().message,
            "2024-03-31T02:30:00 does not exist in Europe/Berlin: the clocks skip from 02:00 to 03:00 that day");
  EXPECT_EQ(local_to_sys(berlin, at(local_days{2024y / October / 27}, 2h + 30min)).error().message,
            "2024-10-27T02:30:00 happens twice in Europe/Berlin (the clocks go back that night): add the offset, "
            "+02:00 or +01:00");
  EXPECT_EQ(*local_to_sys(berlin, at(local_days{2024y / March / 31}, 3h)), sys(local_days{2024y / March / 31}, 1h));
  const date::time_zone* kolkata = *find_time_zone("Asia/Kolkata");
  EXPECT_EQ(*local_to_sys(kolkata, at(local_days{2024y / August / 18}, 9h)),
            sys(local_days{2024y / August / 18}, 3h + 30min));
}

}  // namespace
}  // namespace vigil::config::detail
