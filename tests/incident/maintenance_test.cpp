#include "incident/maintenance.h"

#include <gtest/gtest.h>

namespace vigil::incident {
namespace {

Time T(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : Time{};
}

MaintenanceWindow W(std::int64_t id, std::vector<std::string> services, const char* start, const char* end) {
  MaintenanceWindow w;
  w.id = id;
  w.services = std::move(services);
  w.start = T(start);
  w.end = T(end);
  return w;
}

TEST(Maintenance, CoversItsServicesFromStartUntilJustBeforeEnd) {
  const auto w = W(1, {"web", "api"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z");
  EXPECT_FALSE(covers(w, "web", T("2026-11-26T09:59:59.999Z")));
  EXPECT_TRUE(covers(w, "web", T("2026-11-26T10:00:00Z")));
  EXPECT_TRUE(covers(w, "api", T("2026-11-26T10:59:59.999Z")));
  EXPECT_FALSE(covers(w, "web", T("2026-11-26T11:00:00Z")));  // the end is not in it
  EXPECT_FALSE(covers(w, "db", T("2026-11-26T10:30:00Z")));   // another service
  EXPECT_STREQ(window_state(w, T("2026-11-26T09:00:00Z")), "scheduled");
  EXPECT_STREQ(window_state(w, T("2026-11-26T10:00:00Z")), "in_progress");
  EXPECT_STREQ(window_state(w, T("2026-11-26T11:00:00Z")), "ended");
}

struct UntilCase {
  const char* name;
  std::vector<MaintenanceWindow> windows;
  const char* service;
  const char* at;
  const char* want;  // nullptr: not in maintenance
};

TEST(Maintenance, UntilFollowsOverlappingAndBackToBackWindows) {
  const std::vector<UntilCase> cases = {
      {"no windows", {}, "web", "2026-11-26T10:30:00Z", nullptr},
      {"one window", {W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z")}, "web", "2026-11-26T10:30:00Z",
       "2026-11-26T11:00:00Z"},
      {"before it starts", {W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z")}, "web",
       "2026-11-26T09:30:00Z", nullptr},
      {"another service's window", {W(1, {"api"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z")}, "web",
       "2026-11-26T10:30:00Z", nullptr},
      {"overlapping: the later end",
       {W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z"),
        W(2, {"web"}, "2026-11-26T10:15:00Z", "2026-11-26T12:00:00Z")},
       "web", "2026-11-26T10:30:00Z", "2026-11-26T12:00:00Z"},
      {"back to back, listed out of order",
       {W(3, {"web"}, "2026-11-26T12:00:00Z", "2026-11-26T13:00:00Z"),
        W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z"),
        W(2, {"web"}, "2026-11-26T11:00:00Z", "2026-11-26T12:00:00Z")},
       "web", "2026-11-26T10:30:00Z", "2026-11-26T13:00:00Z"},
      {"a gap ends the stretch",
       {W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z"),
        W(2, {"web"}, "2026-11-26T11:00:01Z", "2026-11-26T12:00:00Z")},
       "web", "2026-11-26T10:30:00Z", "2026-11-26T11:00:00Z"},
      {"a chained window of another service does not extend it",
       {W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z"),
        W(2, {"api"}, "2026-11-26T11:00:00Z", "2026-11-26T12:00:00Z")},
       "web", "2026-11-26T10:30:00Z", "2026-11-26T11:00:00Z"},
      {"a window inside a longer one",
       {W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T14:00:00Z"),
        W(2, {"web"}, "2026-11-26T10:15:00Z", "2026-11-26T10:45:00Z")},
       "web", "2026-11-26T10:30:00Z", "2026-11-26T14:00:00Z"},
  };
  for (const auto& c : cases) {
    const auto got = maintenance_until(c.windows, c.service, T(c.at));
    if (!c.want) {
      EXPECT_FALSE(got.has_value()) << c.name;
    } else {
      ASSERT_TRUE(got.has_value()) << c.name;
      EXPECT_EQ(*got, T(c.want)) << c.name << ": got " << format_rfc3339(*got);
    }
  }
}

TEST(Maintenance, CoveringNamesTheWindowThatEndsLast) {
  const std::vector<MaintenanceWindow> ws = {W(1, {"web"}, "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z"),
                                             W(2, {"web", "api"}, "2026-11-26T10:15:00Z", "2026-11-26T12:00:00Z"),
                                             W(3, {"web"}, "2026-11-26T10:20:00Z", "2026-11-26T12:00:00Z")};
  ASSERT_NE(covering(ws, "web", T("2026-11-26T10:30:00Z")), nullptr);
  EXPECT_EQ(covering(ws, "web", T("2026-11-26T10:30:00Z"))->id, 2);  // ends last; 3 ties and loses on id
  EXPECT_EQ(covering(ws, "web", T("2026-11-26T10:05:00Z"))->id, 1);
  EXPECT_EQ(covering(ws, "api", T("2026-11-26T10:05:00Z")), nullptr);
  EXPECT_EQ(covering(ws, "web", T("2026-11-26T12:00:00Z")), nullptr);
}

}  // namespace
}  // namespace vigil::incident
