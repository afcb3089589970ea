// services[].urgency and users[].contacts[].urgency: PagerDuty's urgency rules and its high- and
// low-urgency notification rules, with their errors at FILE:LINE:COL.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;
using namespace std::chrono_literals;

std::string with_urgency(const std::string& urgency) {
  return "services:\n"
         "  - name: web\n"
         "    checks: [ { name: home, type: http, url: 'http://127.0.0.1:9/' } ]\n"
         "    urgency: " + urgency + "\n";
}

TEST(UrgencyConfig, DefaultIsAlwaysHigh) {
  auto r = load_config_text("services:\n  - { name: web, checks: [ { name: a, url: 'http://127.0.0.1:9/' } ] }\n", "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const auto& u = r.config->services[0].urgency;
  EXPECT_EQ(u.during, UrgencyChoice::high);
  EXPECT_FALSE(u.support_hours.has_value());
}

TEST(UrgencyConfig, Constants) {
  for (auto [text, want] : {std::pair{"low", UrgencyChoice::low}, std::pair{"high", UrgencyChoice::high},
                            std::pair{"severity_based", UrgencyChoice::severity_based}}) {
    auto r = load_config_text(with_urgency(text), "t.yaml");
    ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
    EXPECT_EQ(r.config->services[0].urgency.during, want) << text;
  }
}

TEST(UrgencyConfig, SupportHoursWithDefaults) {
  auto r = load_config_text(with_urgency("{ support_hours: { time_zone: Europe/Berlin, start: '09:00', end: '17:30' }, "
                                         "raise_at_start: true }"),
                            "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const auto& u = r.config->services[0].urgency;
  ASSERT_TRUE(u.support_hours.has_value());
  EXPECT_EQ(u.support_hours->time_zone, "Europe/Berlin");
  EXPECT_EQ(u.support_hours->days, (std::vector<int>{1, 2, 3, 4, 5})) << "Monday to Friday unless said otherwise";
  EXPECT_EQ(u.support_hours->start, 9h);
  EXPECT_EQ(u.support_hours->duration, 8h + 30min);
  EXPECT_EQ(u.during, UrgencyChoice::high);
  EXPECT_EQ(u.outside, UrgencyChoice::low);
  EXPECT_TRUE(u.raise_at_start);
}

TEST(UrgencyConfig, SupportHoursDaysAndChoices) {
  auto r = load_config_text(with_urgency("{ support_hours: { days: [sat, Sunday, 1], start: '00:00', end: '24:00' }, "
                                         "during: severity_based, outside: high }"),
                            "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const auto& u = r.config->services[0].urgency;
  EXPECT_EQ(u.support_hours->days, (std::vector<int>{1, 6, 7}));
  EXPECT_EQ(u.support_hours->time_zone, "UTC");
  EXPECT_EQ(u.support_hours->duration, 24h);
  EXPECT_EQ(u.during, UrgencyChoice::severity_based);
  EXPECT_EQ(u.outside, UrgencyChoice::high);
  EXPECT_FALSE(u.raise_at_start);
}

TEST(UrgencyConfig, Errors) {
  struct Case {
    std::string urgency;
    std::string want;
  };
  const Case cases[] = {
      {"medium", R"(t.yaml:4:14: services[0].urgency: invalid value "medium": expected one of high, low, severity_based)"},
      {"{ during: low }", R"(t.yaml:4:14: services[0].urgency: missing required key "support_hours")"},
      {"{ support_hours: { start: '09:00', end: '17:00' }, outside: sometimes }",
       R"(t.yaml:4:74: services[0].urgency.outside: invalid value "sometimes": expected one of high, low, severity_based)"},
      {"{ support_hours: { time_zone: Europe/Berln, start: '09:00', end: '17:00' } }",
       "t.yaml:4:44: services[0].urgency.support_hours.time_zone: unknown time zone"},
      {"{ support_hours: { start: '17:00', end: '09:00' } }",
       "t.yaml:4:54: services[0].urgency.support_hours.end: must be after start (support hours end on the day they "
       "start; use 24:00 for midnight)"},
      {"{ support_hours: { start: '9h', end: '17:00' } }",
       R"(t.yaml:4:40: services[0].urgency.support_hours.start: invalid time of day "9h")"},
      {"{ support_hours: { days: [mon, mon], start: '09:00', end: '17:00' } }",
       R"(t.yaml:4:45: services[0].urgency.support_hours.days[1]: day "mon" is listed twice)"},
      {"{ support_hours: { days: [mon, funday], start: '09:00', end: '17:00' } }",
       R"(t.yaml:4:45: services[0].urgency.support_hours.days[1]: invalid day "funday")"},
      {"{ support_hours: { days: [], start: '09:00', end: '17:00' } }",
       "t.yaml:4:39: services[0].urgency.support_hours.days: must list at least one day"},
      {"{ support_hours: { start: '09:00' } }", R"(t.yaml:4:31: services[0].urgency.support_hours: missing required key "end")"},
      {"{ support_hours: { start: '09:00', end: '17:00' }, raise: true }",
       R"(t.yaml:4:65: services[0].urgency.raise: unknown key "raise")"},
  };
  for (const auto& c : cases) {
    const auto errors = errors_of(with_urgency(c.urgency));
    ASSERT_EQ(errors.size(), 1u) << c.urgency << "\n" << (errors.empty() ? "" : errors[0]);
    EXPECT_EQ(errors[0].substr(0, c.want.size()), c.want) << c.urgency;
  }
}

std::string with_contact(const std::string& urgency) {
  return "users:\n"
         "  - id: alice\n"
         "    contacts:\n"
         "      - { type: ntfy, url: 'http://127.0.0.1:9/alice', urgency: " + urgency + " }\n";
}

TEST(UrgencyConfig, ContactUrgencies) {
  struct Case {
    const char* urgency;
    bool high, low;
  };
  for (const Case& c : {Case{"high", true, false}, Case{"low", false, true}, Case{"[high, low]", true, true},
                        Case{"[low]", false, true}}) {
    auto r = load_config_text(with_contact(c.urgency), "t.yaml");
    ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
    const auto& m = r.config->users[0].contacts[0];
    EXPECT_EQ(m.high_urgency, c.high) << c.urgency;
    EXPECT_EQ(m.low_urgency, c.low) << c.urgency;
  }
  auto d = load_config_text("users:\n  - { id: a, contacts: [ { type: ntfy, url: 'http://127.0.0.1:9/a' } ] }\n", "t.yaml");
  ASSERT_TRUE(d.errors.empty());
  EXPECT_TRUE(d.config->users[0].contacts[0].high_urgency && d.config->users[0].contacts[0].low_urgency)
      << "both unless said otherwise";
  EXPECT_EQ(errors_of(with_contact("urgent")),
            std::vector<std::string>{
                R"(t.yaml:4:65: users[0].contacts[0].urgency: invalid value "urgent": expected one of high, low)"});
  EXPECT_EQ(errors_of(with_contact("[]")),
            std::vector<std::string>{R"(t.yaml:4:65: users[0].contacts[0].urgency: must name high, low or both)"});
}

}  // namespace
}  // namespace vigil::config
