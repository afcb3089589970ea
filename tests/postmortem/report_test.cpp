// Report figures against values computed by hand over one day, 2024-08-01 (1,440 minutes).
#include "postmortem/report.h"

#include <gtest/gtest.h>

#include "postmortem/seed_incident.h"

namespace vigil::postmortem {
namespace {

using testing::utc;

incident::Incident make(std::int64_t id, std::string service, std::string severity, const char* started,
                        const char* detected, const char* acked, const char* resolved,
                        std::vector<const char*> pages = {}) {
  incident::Incident inc;
  inc.id = id;
  inc.service = std::move(service);
  inc.severity = std::move(severity);
  inc.started_at = utc(started);
  inc.detected_at = utc(detected);
  if (acked) inc.acknowledged_at = utc(acked);
  if (resolved) {
    inc.resolved_at = utc(resolved);
    inc.status = incident::Status::resolved;
  }
  std::int64_t seq = 0;
  for (const char* p : pages) inc.timeline.push_back({++seq, utc(p), "paged", "vigil", "paged someone"});
  return inc;
}

TEST(Report, HandComputedDay) {
  const std::vector<incident::Incident> incidents = {
      // Began the evening before: counts 30 min of downtime today, but not as today's incident.
      make(1, "web", "critical", "2024-07-31T23:30:00Z", "2024-07-31T23:35:00Z", "2024-07-31T23:40:00Z",
           "2024-08-01T00:30:00Z", {"2024-07-31T23:35:00Z"}),
      make(2, "web", "critical", "2024-08-01T10:00:00Z", "2024-08-01T10:02:00Z", "2024-08-01T10:07:00Z",
           "2024-08-01T11:00:00Z", {"2024-08-01T10:02:00Z", "2024-08-01T10:12:00Z"}),
      // A warning is not downtime, but it is an incident with a time to resolve.
      make(3, "web", "warning", "2024-08-01T12:00:00Z", "2024-08-01T12:01:00Z", nullptr, "2024-08-01T12:31:00Z"),
      // Overlaps #2: the outage is counted once.
      make(6, "web", "critical", "2024-08-01T10:30:00Z", "2024-08-01T10:31:00Z", nullptr, "2024-08-01T10:45:00Z"),
      // Still open at the end of the window: down until then.
      make(4, "api", "critical", "2024-08-01T23:00:00Z", "2024-08-01T23:10:00Z", "2024-08-01T23:20:00Z", nullptr),
      make(5, "db", "error", "2024-08-01T05:00:00Z", "2024-08-01T05:00:00Z", nullptr, "2024-08-01T05:10:00Z"),
  };
  const std::vector<store::ActionItem> items = {
      {1, 2, "a", "", "", "open", {}, {}},
      {2, 2, "b", "", "", "done", {}, {}},
      {3, 4, "c", "", "", "open", {}, {}},
      {4, 0, "d", "", "", "open", {}, {}},
  };
  const auto r = build_report({"web", "api"}, incidents, items, utc("2024-08-01T00:00:00Z"), utc("2024-08-02T00:00:00Z"));
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

  EXPECT_EQ(api.downtime, 60min);
  EXPECT_DOUBLE_EQ(api.availability, 1.0 - 60.0 / 1440.0);
  EXPECT_EQ(api.incidents, 1);
  EXPECT_EQ(api.mtta, 10min);
  EXPECT_FALSE(api.mttr);
  EXPECT_EQ(api.action_items_open, 1);

  EXPECT_EQ(db.downtime, 10min);
  EXPECT_EQ(db.mttr, 10min);
  EXPECT_FALSE(db.mtta);

  EXPECT_EQ(r.total.service, "");
  EXPECT_EQ(r.total.downtime, 160min);
  EXPECT_DOUBLE_EQ(r.total.availability, 1.0 - 160.0 / 1440.0);
  EXPECT_EQ(r.total.incidents, 5);
  EXPECT_EQ(r.total.acknowledged, 2);
  EXPECT_EQ(r.total.mtta, 450s);  // (5 + 10) / 2 min
  EXPECT_EQ(r.total.mttr, 28min);  // (58 + 30 + 14 + 10) / 4
  EXPECT_EQ(r.total.pages, 2);
  EXPECT_EQ(r.total.action_items_open, 3);
}

TEST(Report, QuietServiceIsFullyAvailable) {
  const auto r = build_report({"web"}, {}, {}, utc("2024-08-01T00:00:00Z"), utc("2024-08-08T00:00:00Z"));
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_DOUBLE_EQ(r.services[0].availability, 1.0);
  EXPECT_EQ(r.services[0].incidents, 0);
  EXPECT_FALSE(r.services[0].mtta);
  EXPECT_FALSE(r.services[0].mttr);
}

}  // namespace
}  // namespace vigil::postmortem
