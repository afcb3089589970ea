#include "notify/payload.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace vigil::notify {
namespace {

namespace json = boost::json;
using incident::Incident;
using incident::TimelineEntry;

Time at(std::string_view rfc3339) { return parse_rfc3339(rfc3339).value(); }

Incident apache_outage() {
  Incident inc;
  inc.id = 42;
  inc.dedup_key = "webserver-01/login";
  inc.service = "webserver-01";
  inc.check = "login";
  inc.title = "webserver-01/login: status 500 \"Internal Server Error\"";
  inc.severity = "critical";
  inc.status = incident::Status::acknowledged;
  inc.started_at = at("2024-08-18T10:14:30Z");
  inc.detected_at = at("2024-08-18T10:15:00Z");
  inc.acknowledged_at = at("2024-08-18T10:17:12.250Z");
  return inc;
}

TimelineEntry entry(std::int64_t seq, std::string kind, std::string_view when, std::string actor = "vigil",
                    std::string text = "") {
  return TimelineEntry{seq, at(when), std::move(kind), std::move(actor), std::move(text)};
}

TEST(Payload, NotifiableKinds) {
  struct Case {
    const char* kind;
    bool notifies;
  };
  for (const Case& c : {Case{"triggered", true}, Case{"acknowledged", true}, Case{"resolved", true},
                        Case{"auto_resolved", true}, Case{"note", true}, Case{"retriggered", false},
                        Case{"notified", false}, Case{"notify_failed", false}, Case{"", false}}) {
    TimelineEntry e;
    e.kind = c.kind;
    EXPECT_EQ(is_notifiable(e), c.notifies) << c.kind;
  }
}

TEST(Payload, RenderedFields) {
  const Incident inc = apache_outage();
  const auto e = entry(2, "acknowledged", "2024-08-18T10:17:12.250Z", "alice", "looking");
  const auto v = json::parse(render_payload(inc, e, "http://vigil.example/")).as_object();

  EXPECT_EQ(v.at("version").as_string(), "1");
  EXPECT_FALSE(v.contains("id"));  // only outbox_for knows the message id
  EXPECT_EQ(v.at("event").as_string(), "acknowledged");

  const auto& i = v.at("incident").as_object();
  EXPECT_EQ(i.at("id").as_int64(), 42);
  EXPECT_EQ(i.at("title").as_string(), inc.title);
  EXPECT_EQ(i.at("service").as_string(), "webserver-01");
  EXPECT_EQ(i.at("check").as_string(), "login");
  EXPECT_EQ(i.at("severity").as_string(), "critical");
  EXPECT_EQ(i.at("status").as_string(), "acknowledged");
  EXPECT_EQ(i.at("started_at").as_string(), "2024-08-18T10:14:30.000Z");
  EXPECT_EQ(i.at("detected_at").as_string(), "2024-08-18T10:15:00.000Z");
  EXPECT_EQ(i.at("acknowledged_at").as_string(), "2024-08-18T10:17:12.250Z");
  EXPECT_TRUE(i.at("resolved_at").is_null());
  EXPECT_TRUE(i.at("resolved_by").is_null());
  EXPECT_EQ(i.at("url").as_string(), "http://vigil.example/api/v1/incidents/42");

  const auto& en = v.at("entry").as_object();
  EXPECT_EQ(en.at("seq").as_int64(), 2);
  EXPECT_EQ(en.at("at").as_string(), "2024-08-18T10:17:12.250Z");
  EXPECT_EQ(en.at("kind").as_string(), "acknowledged");
  EXPECT_EQ(en.at("actor").as_string(), "alice");
  EXPECT_EQ(en.at("text").as_string(), "looking");
}

TEST(Payload, AutoResolvedIsAResolvedEvent) {
  Incident inc = apache_outage();
  inc.status = incident::Status::resolved;
  inc.resolved_at = at("2024-08-18T10:40:00Z");
  inc.resolved_by = "auto";
  const auto v =
      json::parse(render_payload(inc, entry(5, "auto_resolved", "2024-08-18T10:40:00Z"), "")).as_object();
  EXPECT_EQ(v.at("event").as_string(), "resolved");
  EXPECT_EQ(v.at("entry").at("kind").as_string(), "auto_resolved");
  EXPECT_EQ(v.at("incident").at("resolved_at").as_string(), "2024-08-18T10:40:00.000Z");
  EXPECT_EQ(v.at("incident").at("resolved_by").as_string(), "auto");
  EXPECT_TRUE(v.at("incident").at("url").is_null());  // no server.external_url configured
}

TEST(Payload, OutboxOneMessagePerNotifiableEntryAndChannel) {
  const Incident inc = apache_outage();
  const std::vector<TimelineEntry> entries = {
      entry(1, "triggered", "2024-08-18T10:15:00Z", "check:login", "status 500"),
      entry(2, "notified", "2024-08-18T10:15:01Z"),  // bookkeeping, not an event to page about
      entry(3, "note", "2024-08-18T10:16:00Z", "alice", "restarting apache"),
  };
  const Time now = at("2024-08-18T10:16:00.500Z");
  const auto out = outbox_for(inc, entries, {"ops-hook", "log"}, "http://vigil.example", now);
  ASSERT_EQ(out.size(), 4u);

  const std::vector<std::string> ids = {"vigil-42-1-ops-hook", "vigil-42-1-log", "vigil-42-3-ops-hook",
                                        "vigil-42-3-log"};
  for (std::size_t n = 0; n < out.size(); ++n) {
    const auto& m = out[n];
    EXPECT_EQ(m.id, ids[n]);
    EXPECT_EQ(m.incident_id, 42);
    EXPECT_EQ(m.created_at, now);
    const auto v = json::parse(m.payload).as_object();
    EXPECT_EQ(v.at("id").as_string(), m.id);  // the body names the message it is
    EXPECT_EQ(v.at("event").as_string(), m.event);
    // Same rendering as render_payload, plus the id.
    auto without_id = v;
    without_id.erase("id");
    EXPECT_EQ(json::value(without_id),
              json::parse(render_payload(inc, n < 2 ? entries[0] : entries[2], "http://vigil.example")));
  }
  EXPECT_EQ(out[0].channel, "ops-hook");
  EXPECT_EQ(out[1].channel, "log");
  EXPECT_EQ(out[0].event, "triggered");
  EXPECT_EQ(out[2].event, "note");
  // The id is the first thing after the version, so people reading raw bodies see it at once.
  EXPECT_EQ(out[0].payload.rfind(R"({"version":"1","id":"vigil-42-1-ops-hook","event":"triggered",)", 0), 0u)
      << out[0].payload;
}

TEST(Payload, NoChannelsNoMessages) {
  const Incident inc = apache_outage();
  EXPECT_TRUE(outbox_for(inc, {entry(1, "triggered", "2024-08-18T10:15:00Z")}, {}, "", Time{}).empty());
}

}  // namespace
}  // namespace vigil::notify
