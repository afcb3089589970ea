// Incident urgency with explicit times: constant and severity-based rules, support hours in a
// zone with DST (Europe/Berlin).
#include "oncall/urgency.h"

#include <gtest/gtest.h>

#include "oncall/weekly_test_util.h"

namespace vigil::oncall {
namespace {

using config::WeeklyWindow;
using config::UrgencyChoice;
using config::UrgencyRule;
using incident::Urgency;
using namespace std::chrono_literals;
using testing::berlin_office;
using testing::utc;

UrgencyRule office_rule(UrgencyChoice during, UrgencyChoice outside) {
  UrgencyRule r;
  r.support_hours = berlin_office();
  r.during = during;
  r.outside = outside;
  return r;
}

TEST(Urgency, TheDefaultRuleIsAlwaysHighAndNeedsNoExplanation) {
  const auto d = decide_urgency(UrgencyRule{}, "info", utc(2026, 11, 22, 3));
  EXPECT_EQ(d.urgency, Urgency::high);
  EXPECT_EQ(d.why, "");
}

TEST(Urgency, ConstantLowSaysSo) {
  UrgencyRule r;
  r.during = UrgencyChoice::low;
  const auto d = decide_urgency(r, "critical", utc(2026, 11, 23, 10));
  EXPECT_EQ(d.urgency, Urgency::low);
  EXPECT_EQ(d.why, "the service's urgency is low");
}

TEST(Urgency, SeverityBasedFollowsPagerDutysSplit) {
  UrgencyRule r;
  r.during = UrgencyChoice::severity_based;
  struct Row {
    const char* severity;
    Urgency want;
  };
  for (const Row& row : {Row{"critical", Urgency::high}, Row{"error", Urgency::high}, Row{"warning", Urgency::low},
                         Row{"info", Urgency::low}}) {
    const auto d = decide_urgency(r, row.severity, utc(2026, 11, 23, 10));
    EXPECT_EQ(d.urgency, row.want) << row.severity;
    EXPECT_EQ(d.why, std::string("severity ") + row.severity);
  }
}

TEST(Urgency, SupportHoursAreWallClockTimesInTheirZone) {
  const auto rule = office_rule(UrgencyChoice::high, UrgencyChoice::low);
  struct Row {
    Time at;
    Urgency want;
    const char* what;
  };
  // November: Berlin is UTC+1, so 09:00-17:00 local is 08:00-16:00 UTC.
  const Row rows[] = {
      {utc(2026, 11, 23, 7, 59), Urgency::low, "Monday 08:59 Berlin"},
      {utc(2026, 11, 23, 8, 0), Urgency::high, "Monday 09:00 Berlin: support hours start"},
      {utc(2026, 11, 27, 15, 59), Urgency::high, "Friday 16:59 Berlin"},
      {utc(2026, 11, 27, 16, 0), Urgency::low, "Friday 17:00 Berlin: support hours are over"},
      {utc(2026, 11, 28, 10), Urgency::low, "Saturday 11:00 Berlin"},
      // July: UTC+2, so 09:00 Berlin is 07:00 UTC.
      {utc(2026, 7, 6, 7, 0), Urgency::high, "Monday 09:00 Berlin in summer"},
      {utc(2026, 7, 6, 6, 59), Urgency::low, "Monday 08:59 Berlin in summer"},
  };
  for (const Row& row : rows) {
    const auto d = decide_urgency(rule, "critical", row.at);
    EXPECT_EQ(d.urgency, row.want) << row.what;
  }
  EXPECT_EQ(decide_urgency(rule, "critical", utc(2026, 11, 28, 10)).why,
            "outside support hours (Mon-Fri 09:00-17:00 Europe/Berlin)");
  EXPECT_EQ(decide_urgency(rule, "critical", utc(2026, 11, 23, 10)).why,
            "during support hours (Mon-Fri 09:00-17:00 Europe/Berlin)");
}

TEST(Urgency, SeverityBasedDuringSupportHoursCombinesBothReasons) {
  const auto rule = office_rule(UrgencyChoice::severity_based, UrgencyChoice::low);
  const auto warning = decide_urgency(rule, "warning", utc(2026, 11, 23, 10));
  EXPECT_EQ(warning.urgency, Urgency::low);
  EXPECT_EQ(warning.why, "severity warning, during support hours (Mon-Fri 09:00-17:00 Europe/Berlin)");
  EXPECT_EQ(decide_urgency(rule, "critical", utc(2026, 11, 23, 10)).urgency, Urgency::high);
  // Outside, the `outside` choice alone decides: no severity in the reason.
  const auto night = decide_urgency(rule, "critical", utc(2026, 11, 23, 22));
  EXPECT_EQ(night.urgency, Urgency::low);
  EXPECT_EQ(night.why, "outside support hours (Mon-Fri 09:00-17:00 Europe/Berlin)");
}

TEST(Urgency, TheInverseRuleIsLowDuringSupportHours) {
  // PagerDuty's "low during support hours, high otherwise": the team is at its desks then.
  const auto rule = office_rule(UrgencyChoice::low, UrgencyChoice::high);
  EXPECT_EQ(decide_urgency(rule, "critical", utc(2026, 11, 23, 10)).urgency, Urgency::low);
  EXPECT_EQ(decide_urgency(rule, "critical", utc(2026, 11, 23, 2)).urgency, Urgency::high);
}

TEST(Urgency, NowSaysWhatANewIncidentWouldBeAndUntilWhen) {
  const auto rule = office_rule(UrgencyChoice::severity_based, UrgencyChoice::low);
  const auto day = urgency_now(rule, utc(2026, 11, 23, 10));
  EXPECT_EQ(to_string(day.choice), "severity_based");
  EXPECT_EQ(day.why, "during support hours (Mon-Fri 09:00-17:00 Europe/Berlin)");
  EXPECT_EQ(day.until, utc(2026, 11, 23, 16));  // 17:00 Berlin
  const auto weekend = urgency_now(rule, utc(2026, 11, 28, 10));
  EXPECT_EQ(to_string(weekend.choice), "low");
  EXPECT_EQ(weekend.until, utc(2026, 11, 30, 8));  // Monday 09:00 Berlin
  const auto constant = urgency_now(UrgencyRule{}, utc(2026, 11, 28, 10));
  EXPECT_EQ(to_string(constant.choice), "high");
  EXPECT_EQ(constant.why, "");
  EXPECT_EQ(constant.until, std::nullopt);
}

}  // namespace
}  // namespace vigil::oncall
