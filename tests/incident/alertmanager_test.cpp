#include "incident/alertmanager.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <functional>

namespace vigil::incident {
namespace {
namespace json = boost::json;

Time utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0) {
  return Time{std::chrono::sys_days{std::chrono::year{y} / mo / d}} + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s) + std::chrono::milliseconds(ms);
}

// What Alertmanager 0.25 (Debian 12's prometheus-alertmanager) posts to a webhook_configs
// receiver, captured from a real instance: firing, then resolved. A firing alert's endsAt is Go's
// zero time.
constexpr const char* kFiring = R"({
 "receiver": "hook", "status": "firing",
 "alerts": [{
   "status": "firing",
   "labels": {"alertname": "HighErrorRate", "instance": "web-01:80", "job": "apache", "service": "web",
              "severity": "critical"},
   "annotations": {"description": "long text", "summary": "5xx rate above 5% on web-01"},
   "startsAt": "2026-11-25T15:20:08Z", "endsAt": "0001-01-01T00:00:00Z",
   "generatorURL": "http://prom:9090/graph?g0.expr=x", "fingerprint": "71e54dd145b2a8a3"}],
 "groupLabels": {"alertname": "HighErrorRate"},
 "commonLabels": {"alertname": "HighErrorRate", "instance": "web-01:80", "job": "apache", "service": "web",
                  "severity": "critical"},
 "commonAnnotations": {"description": "long text", "summary": "5xx rate above 5% on web-01"},
 "externalURL": "http://vm:18556", "version": "4",
 "groupKey": "{}/{}:{alertname=\"HighErrorRate\"}", "truncatedAlerts": 0
})";
constexpr const char* kResolved = R"({
 "receiver": "hook", "status": "resolved",
 "alerts": [{
   "status": "resolved",
   "labels": {"alertname": "HighErrorRate", "instance": "web-01:80", "job": "apache", "service": "web",
              "severity": "critical"},
   "annotations": {"description": "long text", "summary": "5xx rate above 5% on web-01"},
   "startsAt": "2026-11-25T15:09:12Z", "endsAt": "2026-11-25T15:19:12.5Z",
   "generatorURL": "http://prom:9090/graph?g0.expr=x", "fingerprint": "71e54dd145b2a8a3"}],
 "groupLabels": {"alertname": "HighErrorRate"}, "commonLabels": {}, "commonAnnotations": {},
 "externalURL": "http://vm:18556", "version": "4",
 "groupKey": "{}/{}:{alertname=\"HighErrorRate\"}", "truncatedAlerts": 0
})";

// A valid one-alert notification; `edit` changes alerts[0] (or the root) before serializing.
std::string notification(const std::function<void(json::object& alert)>& edit_alert = nullptr,
                         const std::function<void(json::object& root)>& edit_root = nullptr) {
  json::object root = json::parse(kFiring).as_object();
  if (edit_alert) edit_alert(root["alerts"].as_array()[0].as_object());
  if (edit_root) edit_root(root);
  return json::serialize(root);
}

TEST(Alertmanager, FiringAlertBecomesATrigger) {
  auto r = parse_alertmanager(kFiring);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  EXPECT_TRUE(r.warnings.empty());
  ASSERT_EQ(r.events.size(), 1u);
  const InboundEvent& e = r.events[0];
  EXPECT_EQ(e.action, InboundEvent::Action::trigger);
  EXPECT_EQ(e.dedup_key, "am-71e54dd145b2a8a3");
  EXPECT_EQ(e.summary, "5xx rate above 5% on web-01");
  EXPECT_EQ(e.severity, "critical");
  EXPECT_EQ(e.source, "web-01:80");
  EXPECT_EQ(e.component, "apache");
  EXPECT_EQ(e.group, "HighErrorRate");
  EXPECT_EQ(e.event_class, "");
  ASSERT_TRUE(e.timestamp);
  EXPECT_EQ(*e.timestamp, utc(2026, 11, 25, 15, 20, 8));
  ASSERT_EQ(e.links.size(), 2u);
  EXPECT_EQ(e.links[0], (std::pair<std::string, std::string>{"http://prom:9090/graph?g0.expr=x", "Source"}));
  EXPECT_EQ(e.links[1], (std::pair<std::string, std::string>{"http://vm:18556/#/alerts?receiver=hook", "Alertmanager"}));
  EXPECT_EQ(e.custom_details_json,
            R"({"labels":{"alertname":"HighErrorRate","instance":"web-01:80","job":"apache","service":"web",)"
            R"("severity":"critical"},"annotations":{"description":"long text","summary":"5xx rate above 5% on web-01"}})");
  EXPECT_EQ(e.origin, "alertmanager");
}

TEST(Alertmanager, ResolvedAlertBecomesAResolveAtItsEnd) {
  auto r = parse_alertmanager(kResolved);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].action, InboundEvent::Action::resolve);
  EXPECT_EQ(r.events[0].dedup_key, "am-71e54dd145b2a8a3");
  ASSERT_TRUE(r.events[0].timestamp);
  EXPECT_EQ(*r.events[0].timestamp, utc(2026, 11, 25, 15, 19, 12, 500));
}

TEST(Alertmanager, FingerprintIsAlertmanagersOwn) {
  // The value Alertmanager computed for these labels (captured above).
  EXPECT_EQ(alertmanager_fingerprint({{"service", "web"},
                                      {"alertname", "HighErrorRate"},
                                      {"severity", "critical"},
                                      {"instance", "web-01:80"},
                                      {"job", "apache"}}),
            "71e54dd145b2a8a3");
  EXPECT_EQ(alertmanager_fingerprint({}), "cbf29ce484222325");  // FNV-1a offset: prometheus' emptyLabelSignature
  // Without a fingerprint the dedup key is the same as with Alertmanager's.
  auto r = parse_alertmanager(notification([](json::object& a) { a.erase("fingerprint"); }));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].dedup_key, "am-71e54dd145b2a8a3");
}

TEST(Alertmanager, OneEventPerAlertInOrder) {
  auto body = notification(nullptr, [](json::object& root) {
    auto& alerts = root["alerts"].as_array();
    json::object second = alerts[0].as_object();
    second["status"] = "resolved";
    second["labels"].as_object()["instance"] = "web-02:80";
    second["fingerprint"] = "00000000000000aa";
    second["endsAt"] = "2026-11-25T15:25:00Z";
    alerts.push_back(std::move(second));
  });
  auto r = parse_alertmanager(body);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].action, InboundEvent::Action::trigger);
  EXPECT_EQ(r.events[1].action, InboundEvent::Action::resolve);
  EXPECT_EQ(r.events[1].source, "web-02:80");
  EXPECT_EQ(r.events[1].dedup_key, "am-00000000000000aa");
  EXPECT_EQ(*r.events[1].timestamp, utc(2026, 11, 25, 15, 25, 0));
}

TEST(Alertmanager, SummaryFallsBackToDescriptionThenToLabels) {
  auto desc = parse_alertmanager(notification([](json::object& a) { a["annotations"] = {{"description", "d"}}; }));
  EXPECT_EQ(desc.events.at(0).summary, "d");
  auto labels = parse_alertmanager(notification([](json::object& a) {
    a.erase("annotations");
    a["labels"] = {{"job", "apache"}, {"alertname", "InstanceDown"}, {"instance", "web-01:80"}};
  }));
  EXPECT_EQ(labels.events.at(0).summary, R"(InstanceDown{instance="web-01:80", job="apache"})");
  auto bare = parse_alertmanager(notification([](json::object& a) {
    a["annotations"] = {{"summary", " "}};
    a["labels"] = {{"alertname", "Watchdog"}};
  }));
  EXPECT_EQ(bare.events.at(0).summary, "Watchdog");
  auto long_one = parse_alertmanager(notification([](json::object& a) {
    a["annotations"] = {{"summary", std::string(3000, 'x')}};
  }));
  EXPECT_EQ(long_one.events.at(0).summary, std::string(1023, 'x') + "\xE2\x80\xA6");
}

TEST(Alertmanager, SeverityMapping) {
  const std::pair<const char*, const char*> cases[] = {
      {"critical", "critical"}, {"CRITICAL", "critical"}, {"page", "critical"}, {"P1", "critical"},
      {"error", "error"},       {"high", "error"},        {"warning", "warning"}, {"warn", "warning"},
      {" Minor ", "warning"},   {"info", "info"},         {"none", "info"},       {"low", "info"},
      {"purple", "warning"},    {"", "error"},
  };
  for (const auto& [label, want] : cases) {
    auto r = parse_alertmanager(notification([&](json::object& a) { a["labels"].as_object()["severity"] = label; }));
    ASSERT_EQ(r.events.size(), 1u) << label;
    EXPECT_EQ(r.events[0].severity, want) << "severity=\"" << label << "\"";
  }
  auto none = parse_alertmanager(notification([](json::object& a) { a["labels"].as_object().erase("severity"); }));
  EXPECT_EQ(none.events.at(0).severity, "error") << "Alertmanager's pagerduty_configs default";
}

TEST(Alertmanager, SourceFallsBackToJobThenToAlertmanager) {
  auto job = parse_alertmanager(notification([](json::object& a) { a["labels"].as_object().erase("instance"); }));
  EXPECT_EQ(job.events.at(0).source, "apache");
  auto none = parse_alertmanager(notification([](json::object& a) { a["labels"] = {{"alertname", "X"}}; }));
  EXPECT_EQ(none.events.at(0).source, "alertmanager");
  EXPECT_EQ(none.events.at(0).component, "");
}

TEST(Alertmanager, UnsetTimesAndLinksAreLeftOut) {
  auto r = parse_alertmanager(notification(
      [](json::object& a) {
        a.erase("startsAt");
        a["endsAt"] = "0001-01-01T00:00:00Z";
        a["generatorURL"] = "";
      },
      [](json::object& root) { root.erase("externalURL"); }));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_FALSE(r.events[0].timestamp);
  EXPECT_TRUE(r.events[0].links.empty());
  // A resolved alert without endsAt falls back to startsAt.
  auto resolved = parse_alertmanager(notification([](json::object& a) {
    a["status"] = "resolved";
    a["endsAt"] = "0001-01-01T00:00:00Z";
  }));
  EXPECT_EQ(*resolved.events.at(0).timestamp, utc(2026, 11, 25, 15, 20, 8));
}

TEST(Alertmanager, PrometheusNanosecondTimesAndOffsets) {
  auto r = parse_alertmanager(
      notification([](json::object& a) { a["startsAt"] = "2018-08-03T09:52:26.739266876+02:00"; }));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(*r.events[0].timestamp, utc(2018, 8, 3, 7, 52, 26, 739));
}

TEST(Alertmanager, MissingVersionIsAcceptedWithAWarningAndTruncationIsReported) {
  auto r = parse_alertmanager(notification(nullptr, [](json::object& root) {
    root.erase("version");
    root["truncatedAlerts"] = 3;
  }));
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.warnings, (std::vector<std::string>{
                            "'version' is missing: read as Alertmanager webhook payload version \"4\"",
                            "Alertmanager left 3 alert(s) out of this notification (max_alerts): they are not seen here"}));
}

TEST(Alertmanager, EmptyAlertListIsValidAndYieldsNothing) {
  auto r = parse_alertmanager(R"({"version":"4","alerts":[]})");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.events.empty());
}

struct InvalidCase {
  const char* name;
  std::string body;
  std::vector<std::string> errors;
};

TEST(Alertmanager, InvalidNotificationsAreRejectedWhole) {
  auto alert = [](const std::function<void(json::object&)>& f) { return notification(f); };
  const InvalidCase cases[] = {
      {"not json", "{\"version\": 4,", {"Malformed JSON: incomplete JSON"}},
      {"array", "[]", {"Alertmanager notification must be a JSON object"}},
      {"grafana's version 1", notification(nullptr, [](json::object& r) { r["version"] = "1"; }),
       {"unsupported 'version' \"1\": vigil reads Alertmanager webhook payload version \"4\""}},
      {"numeric version", notification(nullptr, [](json::object& r) { r["version"] = 4; }),
       {"unsupported 'version' 4: vigil reads Alertmanager webhook payload version \"4\""}},
      {"no alerts", notification(nullptr, [](json::object& r) { r.erase("alerts"); }), {"'alerts' is missing"}},
      {"alerts not an array", notification(nullptr, [](json::object& r) { r["alerts"] = json::object{}; }),
       {"'alerts' must be an array"}},
      {"alert not an object", notification(nullptr, [](json::object& r) { r["alerts"].as_array().push_back(1); }),
       {"'alerts[1]' must be an object"}},
      {"missing status", alert([](json::object& a) { a.erase("status"); }), {"'alerts[0].status' is missing"}},
      {"unknown status", alert([](json::object& a) { a["status"] = "pending"; }),
       {"'alerts[0].status' is invalid: \"pending\" (should be firing or resolved)"}},
      {"status not a string", alert([](json::object& a) { a["status"] = 1; }),
       {"'alerts[0].status' must be a string"}},
      {"missing labels", alert([](json::object& a) { a.erase("labels"); }), {"'alerts[0].labels' is missing"}},
      {"labels not an object", alert([](json::object& a) { a["labels"] = json::array{}; }),
       {"'alerts[0].labels' must be an object"}},
      {"label value not a string", alert([](json::object& a) { a["labels"].as_object()["code"] = 500; }),
       {"'alerts[0].labels.code' must be a string"}},
      {"annotation value not a string", alert([](json::object& a) { a["annotations"].as_object()["value"] = 0.5; }),
       {"'alerts[0].annotations.value' must be a string"}},
      {"bad startsAt", alert([](json::object& a) { a["startsAt"] = "now"; }),
       {"'alerts[0].startsAt' is invalid: \"now\" (should be RFC 3339, like 2024-08-18T10:15:00Z)"}},
      {"bad endsAt", alert([](json::object& a) { a["endsAt"] = 0; }), {"'alerts[0].endsAt' must be a string"}},
      {"fingerprint not a string", alert([](json::object& a) { a["fingerprint"] = 42; }),
       {"'alerts[0].fingerprint' must be a string"}},
      {"fingerprint too long", alert([](json::object& a) { a["fingerprint"] = std::string(253, 'f'); }),
       {"Length of 'alerts[0].fingerprint' must be less than or equal to 252 characters"}},
      {"one bad alert rejects the good ones too", notification(nullptr, [](json::object& r) {
         json::object bad = r["alerts"].as_array()[0].as_object();
         bad["status"] = "unknown";
         r["alerts"].as_array().push_back(std::move(bad));
       }),
       {"'alerts[1].status' is invalid: \"unknown\" (should be firing or resolved)"}},
  };
  for (const auto& c : cases) {
    auto r = parse_alertmanager(c.body);
    EXPECT_TRUE(r.events.empty()) << c.name;
    EXPECT_EQ(r.errors, c.errors) << c.name;
  }
}

}  // namespace
}  // namespace vigil::incident
