// Report figures against values computed by hand over one day, 2024-08-01 (1,440 minutes). The
// store's sums of that day are given here as tests/store/report_store_test.cpp checks SQL makes them.
#include "postmortem/report.h"

#include <gtest/gtest.h>

#include "postmortem/seed_incident.h"

namespace vigil::postmortem {
namespace {

using testing::utc;

Time at(const char* hms) { return utc((std::string("2024-08-01T") + hms + "Z").c_str()); }
const Time kEnd = utc("2024-08-02T00:00:00Z");

TEST(SpanUnion, MergesOverlapsOfSpansInOrderOfStart) {
  struct Case {
    const char* name;
    std::vector<std::pair<const char*, const char*>> spans;
    Duration covered;
  };
  const std::vector<Case> cases = {
      {"none", {}, 0min},
      {"one", {{"10:00:00", "10:30:00"}}, 30min},
      {"apart", {{"10:00:00", "10:30:00"}, {"11:00:00", "11:10:00"}}, 40min},
      {"overlapping", {{"10:00:00", "11:00:00"}, {"10:30:00", "11:15:00"}}, 75min},
      {"inside", {{"10:00:00", "11:00:00"}, {"10:30:00", "10:45:00"}, {"10:50:00", "11:00:00"}}, 60min},
      {"touching", {{"10:00:00", "10:30:00"}, {"10:30:00", "11:00:00"}}, 60min},
      {"same start", {{"10:00:00", "10:10:00"}, {"10:00:00", "10:40:00"}, {"10:00:00", "10:20:00"}}, 40min},
      {"chain then gap", {{"10:00:00", "10:20:00"}, {"10:10:00", "10:40:00"}, {"10:30:00", "10:50:00"},
                          {"12:00:00", "12:05:00"}}, 55min},
      {"empty and reversed add nothing", {{"10:00:00", "10:00:00"}, {"10:05:00", "10:01:00"}, {"10:10:00", "10:20:00"}},
       10min},
  };
  for (const auto& c : cases) {
    SpanUnion u;
    for (const auto& [a, b] : c.spans) u.add(at(a), at(b));
    EXPECT_EQ(u.covered(), c.covered) << c.name;
  }
}

store::IncidentSpan span(const char* service, const char* severity, const char* start, const char* end) {
  return {service, severity, at(start), at(end)};
}

TEST(Downtime, PerServiceAndOnceForAllServicesDownTogether) {
  Downtime d;
  d.add(span("web", "critical", "10:00:00", "11:00:00"));
  d.add(span("api", "error", "10:30:00", "11:30:00"));    // overlaps web's: once in the total
  d.add(span("web", "warning", "12:00:00", "13:00:00"));  // not an outage
  d.add(span("web", "critical", "12:30:00", "12:40:00"));
  EXPECT_EQ(d.of("web"), 70min);
  EXPECT_EQ(d.of("api"), 60min);
  EXPECT_EQ(d.of("db"), 0min);
  EXPECT_EQ(d.total(), 100min);  // 10:00–11:30 and 12:30–12:40
}

TEST(Report, HandComputedDay) {
  // The day's incidents (minutes of the day; #1 began the evening before):
  //   web #1 critical 23:30(prev)–00:30, detected 23:35, acked 23:40, paged 23:35 (before the window)
  //   web #2 critical 10:00–11:00, detected 10:02, acked 10:07, paged 10:02 and 10:12
  //   web #3 warning  12:00–12:31, detected 12:01
  //   web #6 critical 10:30–10:45, detected 10:31 (overlaps #2: the outage is counted once)
  //   api #4 critical 23:00–still open, detected 23:10, acked 23:20
  //   db  #5 error    05:00–05:10, detected 05:00 (not configured: listed after the others)
  // Action items: #2 open, #2 done, #4 open, one tied to no incident open.
  store::WindowSums sums;
  sums.services = {
      // service, incidents, acknowledged, to_acknowledge, resolved, to_resolve, pages, action items open
      // then low urgency, high-urgency acknowledged and their to_acknowledge (#3 and #4 are low)
      {"api", 1, 1, 10min, 0, 0min, 0, 1, 1, 0, 0min},
      {"db", 1, 0, 0min, 1, 10min, 0, 0},
      {"web", 3, 1, 5min, 3, 102min, 2, 1, 1, 1, 5min},  // #2, #3, #6: 58 + 30 + 14 to resolve
  };
  sums.action_items_open = 3;
  Downtime down;  // the spans clamped to the day, in order of start, as Store::visit_spans gives them
  for (const auto& s : {span("web", "critical", "00:00:00", "00:30:00"), span("db", "error", "05:00:00", "05:10:00"),
                        span("web", "critical", "10:00:00", "11:00:00"), span("web", "critical", "10:30:00", "10:45:00"),
                        span("web", "warning", "12:00:00", "12:31:00"), store::IncidentSpan{"api", "critical", at("23:00:00"), kEnd}})
    down.add(s);

  const auto r = build_report({"web", "api"}, sums, down, at("00:00:00"), kEnd);
  ASSERT_EQ(r.services.size(), 3u);
  const auto& web = r.services[0];
  const auto& api = r.services[1];
  const auto& db = r.services[2];
  EXPECT_EQ(web.service, "web");
  EXPECT_EQ(api.service, "api");
  EXPECT_EQ(db.service, "db");  // seen in incidents, not configured: after the configured ones

  EXPECT_EQ(web.downtime, 90min);  // 00:00–00:30 and 10:00–11:00
  EXPECT_DOUBLE_EQ(web.availability, 1.0 - 90.0 / 1440.0);
  EXPECT_EQ(web.incidents, 3);  // #2, #3, #6
  EXPECT_EQ(web.acknowledged, 1);
  EXPECT_EQ(web.resolved, 3);
  EXPECT_EQ(web.mtta, 5min);
  EXPECT_EQ(web.mttr, 34min);  // (58 + 30 + 14) / 3
  EXPECT_EQ(web.pages, 2);     // #1's page was the evening before
  EXPECT_EQ(web.action_items_open, 1);
  EXPECT_EQ(web.low_urgency, 1);
  EXPECT_EQ(web.mtta_high_urgency, 5min);

  EXPECT_EQ(api.downtime, 60min);
  EXPECT_DOUBLE_EQ(api.availability, 1.0 - 60.0 / 1440.0);
  EXPECT_EQ(api.incidents, 1);
  EXPECT_EQ(api.mtta, 10min);
  EXPECT_FALSE(api.mttr);
  EXPECT_EQ(api.action_items_open, 1);
  EXPECT_EQ(api.low_urgency, 1);
  EXPECT_FALSE(api.mtta_high_urgency) << "its only acknowledged incident was low urgency";

  EXPECT_EQ(db.downtime, 10min);
  EXPECT_EQ(db.mttr, 10min);
  EXPECT_FALSE(db.mtta);

  EXPECT_EQ(r.total.service, "");
  EXPECT_EQ(r.total.downtime, 160min);
  EXPECT_DOUBLE_EQ(r.total.availability, 1.0 - 160.0 / 1440.0);
  EXPECT_EQ(r.total.incidents, 5);
  EXPECT_EQ(r.total.acknowledged, 2);
  EXPECT_EQ(r.total.mtta, 450s);  // (5 + 10) / 2 min
  EXPECT_EQ(r.total.low_urgency, 2);
  EXPECT_EQ(r.total.mtta_high_urgency, 5min) << "web #2 alone";
  EXPECT_EQ(r.total.mttr, 28min);  // (58 + 30 + 14 + 10) / 4
  EXPECT_EQ(r.total.pages, 2);
  EXPECT_EQ(r.total.action_items_open, 3);
}

TEST(Report, QuietServiceIsFullyAvailable) {
  const auto r = build_report({"web"}, {}, Downtime{}, utc("2024-08-01T00:00:00Z"), utc("2024-08-08T00:00:00Z"));
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_DOUBLE_EQ(r.services[0].availability, 1.0);
  EXPECT_EQ(r.services[0].incidents, 0);
  EXPECT_FALSE(r.services[0].mtta);
  EXPECT_FALSE(r.services[0].mttr);
}

}  // namespace
}  // namespace vigil::postmortem
