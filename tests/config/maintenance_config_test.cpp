// maintenance: recurring maintenance windows (every Sunday 02:00 for 2h), with their errors at
// FILE:LINE:COL.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;
using namespace std::chrono_literals;

constexpr const char* kServices = R"(services:
  - { name: web, checks: [ { name: a, url: 'http://127.0.0.1:9/' } ] }
  - { name: api, checks: [ { name: a, url: 'http://127.0.0.1:9/' } ] }
)";

std::string with(const std::string& windows) { return "maintenance:\n" + windows + kServices; }

TEST(RecurringMaintenanceConfig, EndOrDurationAndDefaults) {
  auto r = load_config_text(with(R"(  - name: patching
    services: [web, api]
    days: [sun]
    start: "23:00"
    end: "01:30"
    time_zone: Europe/Berlin
    description: OS patching
  - { name: nightly-backup, services: [api], start: "03:00", duration: 20m }
)"),
                            "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  ASSERT_EQ(r.config->maintenance.size(), 2u);
  const auto& p = r.config->maintenance[0];
  EXPECT_EQ(p.name, "patching");
  EXPECT_EQ(p.services, (std::vector<std::string>{"web", "api"}));
  EXPECT_EQ(p.window.days, std::vector<int>{7});
  EXPECT_EQ(p.window.start, 23h);
  EXPECT_EQ(p.window.duration, 2h + 30min) << "an end before the start is the next day";
  EXPECT_EQ(p.window.time_zone, "Europe/Berlin");
  EXPECT_EQ(p.description, "OS patching");
  const auto& b = r.config->maintenance[1];
  EXPECT_EQ(b.window.days, (std::vector<int>{1, 2, 3, 4, 5, 6, 7})) << "every day unless said otherwise";
  EXPECT_EQ(b.window.duration, 20min);
  EXPECT_EQ(b.window.time_zone, "UTC");
}

TEST(RecurringMaintenanceConfig, Errors) {
  struct Case {
    std::string window;
    std::string want;
  };
  const Case cases[] = {
      {"  - { name: p, services: [wbe], start: '02:00', duration: 2h }",
       R"(t.yaml:2:27: maintenance[0].services[0]: unknown service "wbe" (did you mean "web"?))"},
      {"  - { name: p, services: [], start: '02:00', duration: 2h }",
       "t.yaml:2:26: maintenance[0].services: must list at least one service"},
      {"  - { name: p, services: [web, web], start: '02:00', duration: 2h }",
       R"(t.yaml:2:32: maintenance[0].services[1]: service "web" is listed twice)"},
      {"  - { name: p, services: [web], start: '02:00', end: '04:00', duration: 2h }",
       "t.yaml:2:73: maintenance[0].duration: set either end or duration, not both"},
      {"  - { name: p, services: [web], start: '02:00' }",
       R"(t.yaml:2:5: maintenance[0]: missing required key "end" or "duration")"},
      {"  - { name: p, services: [web], start: '02:00', duration: 8d }",
       "t.yaml:2:59: maintenance[0].duration: must be at most 7d (the window recurs every week), got 8d"},
      {"  - { name: p, services: [web], start: 'late', duration: 2h }",
       R"(t.yaml:2:40: maintenance[0].start: invalid time of day "late")"},
      {"  - { name: p, services: [web], days: [sunday, someday], start: '02:00', duration: 2h }",
       R"(t.yaml:2:48: maintenance[0].days[1]: invalid day "someday")"},
      {"  - { services: [web], start: '02:00', duration: 2h }", R"(t.yaml:2:5: maintenance[0]: missing required key "name")"},
      {"  - { name: p, services: [web], start: '02:00', duration: 2h, every: week }",
       R"(t.yaml:2:63: maintenance[0].every: unknown key "every")"},
  };
  for (const auto& c : cases) {
    const auto errors = errors_of(with(c.window + "\n"));
    ASSERT_EQ(errors.size(), 1u) << c.window << "\n" << (errors.empty() ? "" : errors[0]);
    EXPECT_EQ(errors[0].substr(0, c.want.size()), c.want) << c.window;
  }
  const auto twice = errors_of(with("  - { name: p, services: [web], start: '02:00', duration: 2h }\n"
                                    "  - { name: p, services: [api], start: '03:00', duration: 2h }\n"));
  ASSERT_EQ(twice.size(), 1u);
  EXPECT_EQ(twice[0].substr(0, 40), "t.yaml:3:13: maintenance[1].name: duplic") << twice[0];
}

}  // namespace
}  // namespace vigil::config
