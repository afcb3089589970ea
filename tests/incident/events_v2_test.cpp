#include "incident/events_v2.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <set>

namespace vigil::incident {
namespace {
namespace json = boost::json;

const Time kNow = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}} + std::chrono::hours(10);
const std::string kKey = "0123456789abcdef0123456789abcdef";

Time utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0) {
  return Time{std::chrono::sys_days{std::chrono::year{y} / mo / d}} + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s) + std::chrono::milliseconds(ms);
}

// A valid trigger; `edit` changes it before it is serialized.
std::string trigger_with(const std::function<void(json::object&)>& edit = nullptr) {
  json::object o = {
      {"routing_key", kKey},
      {"event_action", "trigger"},
      {"dedup_key", "web-01/5xx"},
      {"payload",
       {{"summary", "5xx rate above 5% on web-01"}, {"source", "web-01.example.com"}, {"severity", "critical"}}},
  };
  if (edit) edit(o);
  return json::serialize(o);
}

// PagerDuty's own documentation example of a trigger (every optional field set).
constexpr const char* kPagerDutyDocExample = R"js({
  "payload": {
    "summary": "Example alert on host1.example.com",
    "timestamp": "2015-07-17T08:42:58.315+0000",
    "source": "monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003",
    "severity": "info",
    "component": "postgres",
    "group": "prod-datapipe",
    "class": "deploy",
    "custom_details": {"ping time": "1500ms", "load avg": 0.75}
  },
  "routing_key": "R0123456789abcdef0123456789abcde",
  "dedup_key": "samplekeyhere",
  "images": [{"src": "https://example.com/logo.png", "href": "https://example.com/", "alt": "Example text"}],
  "links": [{"href": "https://example.com/", "text": "Link text"}],
  "event_action": "trigger",
  "client": "Sample Monitoring Service",
  "client_url": "https://monitoring.example.com"
})js";

// What Alertmanager 0.25 (Debian 12's prometheus-alertmanager) posts from pagerduty_configs with
// default templates, captured from a real instance: dedup_key is the sha256 of the group key,
// severity defaults to "error", source to the client name, custom_details are strings.
constexpr const char* kAlertmanagerTrigger = R"js({"routing_key":"0123456789abcdef0123456789abcdef",
 "dedup_key":"8058c3e41259c51b5a8bb30a28fc7a456cc1826c0b947ce83361c928ce50236b","event_action":"trigger",
 "payload":{"summary":"[FIRING:1] HighErrorRate (web-01:80 apache web critical)","source":"Alertmanager",
  "severity":"error","custom_details":{"firing":"Labels:\n - alertname = HighErrorRate\n - instance = web-01:80\n - job = apache\n - service = web\n - severity = critical\nAnnotations:\n - description = long text\n - summary = 5xx rate above 5% on web-01\nSource: http://prom:9090/graph?g0.expr=x\n",
  "num_firing":"1","num_resolved":"0","resolved":""}},
 "client":"Alertmanager","client_url":"http://vm:18556/#/alerts?receiver=pd"}
)js";
constexpr const char* kAlertmanagerResolve = R"js({"routing_key":"0123456789abcdef0123456789abcdef",
 "dedup_key":"8058c3e41259c51b5a8bb30a28fc7a456cc1826c0b947ce83361c928ce50236b","event_action":"resolve",
 "payload":{"summary":"[RESOLVED] HighErrorRate (web-01:80 apache web critical)","source":"Alertmanager",
  "severity":"error","custom_details":{"firing":"","num_firing":"0","num_resolved":"1","resolved":"Labels: ..."}},
 "client":"Alertmanager","client_url":"http://vm:18556/#/alerts?receiver=pd"})js";

TEST(EventsV2, MinimalTriggerIsAccepted) {
  auto r = parse_events_v2(trigger_with(), kNow);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_TRUE(r.event);
  EXPECT_EQ(r.routing_key, kKey);
  const InboundEvent& e = *r.event;
  EXPECT_EQ(e.action, InboundEvent::Action::trigger);
  EXPECT_EQ(e.dedup_key, "web-01/5xx");
  EXPECT_EQ(e.summary, "5xx rate above 5% on web-01");
  EXPECT_EQ(e.source, "web-01.example.com");
  EXPECT_EQ(e.severity, "critical");
  EXPECT_FALSE(e.timestamp);
  EXPECT_EQ(e.custom_details_json, "");
  EXPECT_TRUE(e.links.empty());
  EXPECT_TRUE(e.images.empty());
  EXPECT_EQ(e.origin, "events_v2");
}

TEST(EventsV2, PagerDutyDocumentationExampleIsReadInFull) {
  auto r = parse_events_v2(kPagerDutyDocExample, kNow);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  const InboundEvent& e = *r.event;
  EXPECT_EQ(r.routing_key, "R0123456789abcdef0123456789abcde");
  EXPECT_EQ(e.dedup_key, "samplekeyhere");
  EXPECT_EQ(e.severity, "info");
  EXPECT_EQ(e.component, "postgres");
  EXPECT_EQ(e.group, "prod-datapipe");
  EXPECT_EQ(e.event_class, "deploy");
  ASSERT_TRUE(e.timestamp);
  EXPECT_EQ(*e.timestamp, utc(2015, 7, 17, 8, 42, 58, 315));
  EXPECT_EQ(json::parse(e.custom_details_json), json::parse(R"({"ping time":"1500ms","load avg":0.75})"));
  ASSERT_EQ(e.links.size(), 2u);
  EXPECT_EQ(e.links[0], (std::pair<std::string, std::string>{"https://example.com/", "Link text"}));
  EXPECT_EQ(e.links[1],
            (std::pair<std::string, std::string>{"https://monitoring.example.com", "View in Sample Monitoring Service"}));
  ASSERT_EQ(e.images.size(), 1u);
  EXPECT_EQ(e.images[0], "https://example.com/logo.png");
}

TEST(EventsV2, AlertmanagerPagerDutyConfigTriggerAndResolveAreAccepted) {
  auto t = parse_events_v2(kAlertmanagerTrigger, kNow);
  ASSERT_TRUE(t.errors.empty()) << t.errors[0];
  EXPECT_EQ(t.event->action, InboundEvent::Action::trigger);
  EXPECT_EQ(t.event->dedup_key, "8058c3e41259c51b5a8bb30a28fc7a456cc1826c0b947ce83361c928ce50236b");
  EXPECT_EQ(t.event->summary, "[FIRING:1] HighErrorRate (web-01:80 apache web critical)");
  EXPECT_EQ(t.event->source, "Alertmanager");
  EXPECT_EQ(t.event->severity, "error");
  EXPECT_EQ(json::parse(t.event->custom_details_json).at("num_firing"), "1");
  ASSERT_EQ(t.event->links.size(), 1u);
  EXPECT_EQ(t.event->links[0].first, "http://vm:18556/#/alerts?receiver=pd");
  EXPECT_EQ(t.event->links[0].second, "View in Alertmanager");

  auto r = parse_events_v2(kAlertmanagerResolve, kNow);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  EXPECT_EQ(r.event->action, InboundEvent::Action::resolve);
  EXPECT_EQ(r.event->dedup_key, t.event->dedup_key);
  EXPECT_EQ(r.event->summary, "[RESOLVED] HighErrorRate (web-01:80 apache web critical)");
}

TEST(EventsV2, AcknowledgeAndResolveNeedOnlyKeyActionAndDedupKey) {
  for (const char* action : {"acknowledge", "resolve"}) {
    json::object o = {{"routing_key", kKey}, {"event_action", action}, {"dedup_key", "web-01/5xx"}};
    auto r = parse_events_v2(json::serialize(o), kNow);
    ASSERT_TRUE(r.errors.empty()) << action << ": " << r.errors[0];
    EXPECT_EQ(r.event->action,
              std::string_view(action) == "resolve" ? InboundEvent::Action::resolve : InboundEvent::Action::acknowledge);
    EXPECT_EQ(r.event->dedup_key, "web-01/5xx");
    EXPECT_EQ(r.event->summary, "");
  }
}

TEST(EventsV2, PayloadOfAResolveIsReadBestEffortAndNeverRejected) {
  json::object o = {{"routing_key", kKey},
                    {"event_action", "resolve"},
                    {"dedup_key", "k"},
                    {"payload", {{"summary", "back to normal"}, {"severity", "bogus"}, {"source", 42}}}};
  auto r = parse_events_v2(json::serialize(o), kNow);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  EXPECT_EQ(r.event->summary, "back to normal");
  EXPECT_EQ(r.event->source, "");
  EXPECT_EQ(r.event->severity, "critical");
}

TEST(EventsV2, TriggerWithoutDedupKeyGetsAFreshRandomKey) {
  std::set<std::string> keys;
  for (int i = 0; i < 3; ++i) {
    auto r = parse_events_v2(trigger_with([](json::object& o) { o.erase("dedup_key"); }), kNow);
    ASSERT_TRUE(r.event);
    const std::string& k = r.event->dedup_key;
    EXPECT_EQ(k.size(), 32u);
    EXPECT_EQ(k.find_first_not_of("0123456789abcdef"), std::string::npos) << k;
    keys.insert(k);
  }
  EXPECT_EQ(keys.size(), 3u) << "every keyless trigger is a new alert, as in PagerDuty";
  // null and "" count as absent.
  auto null_key = parse_events_v2(trigger_with([](json::object& o) { o["dedup_key"] = nullptr; }), kNow);
  ASSERT_TRUE(null_key.event);
  EXPECT_EQ(null_key.event->dedup_key.size(), 32u);
  auto empty_key = parse_events_v2(trigger_with([](json::object& o) { o["dedup_key"] = ""; }), kNow);
  ASSERT_TRUE(empty_key.event);
  EXPECT_EQ(empty_key.event->dedup_key.size(), 32u);
}

TEST(EventsV2, LimitsAreInclusiveAndCountCharactersNotBytes) {
  // 1024 characters of 2 bytes each: 2048 bytes, still within the limit (Alertmanager truncates
  // summaries to 1024 runes, not bytes).
  std::string summary;
  for (int i = 0; i < 1024; ++i) summary += "\xC3\xA9";  // é
  auto ok = parse_events_v2(trigger_with([&](json::object& o) {
                              o["payload"].as_object()["summary"] = summary;
                              o["dedup_key"] = std::string(255, 'k');
                            }),
                            kNow);
  EXPECT_TRUE(ok.errors.empty()) << ok.errors[0];
}

TEST(EventsV2, SeverityAndActionValuesAccepted) {
  for (const char* sev : {"critical", "error", "warning", "info"}) {
    auto r = parse_events_v2(trigger_with([&](json::object& o) { o["payload"].as_object()["severity"] = sev; }), kNow);
    ASSERT_TRUE(r.event) << sev;
    EXPECT_EQ(r.event->severity, sev);
  }
}

struct InvalidCase {
  const char* name;
  std::string body;
  std::vector<std::string> errors;
};

std::vector<InvalidCase> invalid_cases() {
  auto payload = [](const std::function<void(json::object&)>& f) {
    return trigger_with([&](json::object& o) { f(o["payload"].as_object()); });
  };
  return {
      {"not json", "not json at all", {"Malformed JSON: syntax error"}},
      {"truncated json", R"({"routing_key": ")", {"Malformed JSON: incomplete JSON"}},
      {"array", "[]", {"Event must be a JSON object"}},
      {"empty object",
       "{}",
       {"'routing_key' is missing or blank", "'event_action' is missing or blank"}},
      {"missing routing_key", trigger_with([](json::object& o) { o.erase("routing_key"); }),
       {"'routing_key' is missing or blank"}},
      {"routing_key not a string", trigger_with([](json::object& o) { o["routing_key"] = 123; }),
       {"'routing_key' must be a string"}},
      {"short routing_key", trigger_with([](json::object& o) { o["routing_key"] = "abc"; }),
       {"Length of 'routing_key' is incorrect (should be 32 characters)"}},
      {"routing_key with symbols",
       trigger_with([](json::object& o) { o["routing_key"] = "e+23rschqsESqk9Q6_-gAAAAAAAAAAAA"; }),
       {"'routing_key' cannot contain non-alphanumeric characters"}},
      {"Events API v1 body",
       R"({"service_key":"0123456789abcdef0123456789abcdef","event_type":"trigger","description":"x"})",
       {"'service_key' is an Events API v1 field: send 'routing_key' and 'event_action' (Events API v2)",
        "'event_action' is missing or blank"}},
      {"unknown action", trigger_with([](json::object& o) { o["event_action"] = "escalate"; }),
       {"'event_action' is invalid: \"escalate\" (should be one of trigger, acknowledge, resolve)"}},
      {"action is case-sensitive", trigger_with([](json::object& o) { o["event_action"] = "Trigger"; }),
       {"'event_action' is invalid: \"Trigger\" (should be one of trigger, acknowledge, resolve)"}},
      {"dedup_key too long", trigger_with([](json::object& o) { o["dedup_key"] = std::string(256, 'k'); }),
       {"Length of 'dedup_key' must be less than or equal to 255 characters"}},
      {"dedup_key not a string", trigger_with([](json::object& o) { o["dedup_key"] = 7; }),
       {"'dedup_key' must be a string"}},
      {"resolve without dedup_key", json::serialize(json::object{{"routing_key", kKey}, {"event_action", "resolve"}}),
       {"'dedup_key' is missing or blank (required to acknowledge or resolve)"}},
      {"acknowledge with blank dedup_key",
       json::serialize(json::object{{"routing_key", kKey}, {"event_action", "acknowledge"}, {"dedup_key", "  "}}),
       {"'dedup_key' is missing or blank (required to acknowledge or resolve)"}},
      {"trigger without payload", trigger_with([](json::object& o) { o.erase("payload"); }),
       {"'payload' is missing (required to trigger)"}},
      {"payload not an object", trigger_with([](json::object& o) { o["payload"] = "boom"; }),
       {"'payload' must be an object"}},
      {"empty payload", trigger_with([](json::object& o) { o["payload"] = json::object{}; }),
       {"'payload.summary' is missing or blank", "'payload.source' is missing or blank",
        "'payload.severity' is missing or blank"}},
      {"blank summary", payload([](json::object& p) { p["summary"] = " \t"; }),
       {"'payload.summary' is missing or blank"}},
      {"summary too long", payload([](json::object& p) { p["summary"] = std::string(1025, 's'); }),
       {"Length of 'payload.summary' must be less than or equal to 1024 characters"}},
      {"summary not a string", payload([](json::object& p) { p["summary"] = json::array{"a"}; }),
       {"'payload.summary' must be a string"}},
      {"unknown severity", payload([](json::object& p) { p["severity"] = "page"; }),
       {"'payload.severity' is invalid: \"page\" (should be one of critical, error, warning, info)"}},
      {"severity is case-sensitive", payload([](json::object& p) { p["severity"] = "Critical"; }),
       {"'payload.severity' is invalid: \"Critical\" (should be one of critical, error, warning, info)"}},
      {"bad timestamp", payload([](json::object& p) { p["timestamp"] = "yesterday"; }),
       {"'payload.timestamp' is invalid: \"yesterday\" (should be ISO 8601, like 2015-07-17T08:42:58.315+0000)"}},
      {"impossible date", payload([](json::object& p) { p["timestamp"] = "2024-02-30T10:00:00Z"; }),
       {"'payload.timestamp' is invalid: \"2024-02-30T10:00:00Z\" (should be ISO 8601, like "
        "2015-07-17T08:42:58.315+0000)"}},
      {"component not a string", payload([](json::object& p) {
         p["component"] = 1;
         p["group"] = true;
         p["class"] = json::object{};
       }),
       {"'payload.component' must be a string", "'payload.group' must be a string", "'payload.class' must be a string"}},
      {"links not an array", trigger_with([](json::object& o) { o["links"] = json::object{}; }),
       {"'links' must be an array"}},
      {"bad links", trigger_with([](json::object& o) {
         o["links"] = json::array{"http://x", json::object{{"text", "t"}}, json::object{{"href", "h"}, {"text", 3}}};
       }),
       {"'links[0]' must be an object", "'links[1].href' is missing or blank", "'links[2].text' must be a string"}},
      {"bad images", trigger_with([](json::object& o) {
         o["images"] = json::array{json::object{{"alt", "a"}}, json::object{{"src", "s"}, {"href", 1}}};
       }),
       {"'images[0].src' is missing or blank", "'images[1].href' must be a string"}},
      {"client_url not a string", trigger_with([](json::object& o) { o["client_url"] = 5; }),
       {"'client_url' must be a string"}},
      {"everything wrong at once",
       R"({"routing_key":"short","event_action":"trigger","payload":{"summary":"","source":"s","severity":"fatal"}})",
       {"Length of 'routing_key' is incorrect (should be 32 characters)", "'payload.summary' is missing or blank",
        "'payload.severity' is invalid: \"fatal\" (should be one of critical, error, warning, info)"}},
  };
}

TEST(EventsV2, InvalidEventsAreRejectedWithEveryError) {
  for (const auto& c : invalid_cases()) {
    auto r = parse_events_v2(c.body, kNow);
    EXPECT_FALSE(r.event) << c.name;
    EXPECT_EQ(r.errors, c.errors) << c.name;
  }
}

TEST(EventsV2, RoutingKeyIsReportedEvenWhenTheEventIsInvalid) {
  auto r = parse_events_v2(trigger_with([](json::object& o) { o.erase("payload"); }), kNow);
  EXPECT_FALSE(r.event);
  EXPECT_EQ(r.routing_key, kKey);
}

TEST(EventsV2, BodyOver512KBIsRejectedBeforeParsing) {
  std::string body = trigger_with([](json::object& o) {
    o["payload"].as_object()["custom_details"] = std::string(kEventsV2MaxBodyBytes, 'x');
  });
  auto r = parse_events_v2(body, kNow);
  EXPECT_FALSE(r.event);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "Event of " + std::to_string(body.size()) + " bytes exceeds the maximum size of 512 KB");
  // Just under the limit is fine.
  std::string big = trigger_with([](json::object& o) {
    o["payload"].as_object()["custom_details"] = std::string(kEventsV2MaxBodyBytes - 300, 'x');
  });
  ASSERT_LE(big.size(), kEventsV2MaxBodyBytes);
  EXPECT_TRUE(parse_events_v2(big, kNow).event);
}

TEST(EventsV2, ResponseBodiesHavePagerDutysExactShape) {
  EXPECT_EQ(events_v2_success_body("abc"), R"({"status":"success","message":"Event processed","dedup_key":"abc"})");
  EXPECT_EQ(events_v2_error_body({"'payload.summary' is missing or blank", "a \"quoted\" one"}),
            R"({"status":"invalid event","message":"Event object is invalid","errors":)"
            R"(["'payload.summary' is missing or blank","a \"quoted\" one"]})");
  EXPECT_EQ(events_v2_error_body({}), R"({"status":"invalid event","message":"Event object is invalid","errors":[]})");
}

TEST(EventTime, AcceptsWhatMonitorsWrite) {
  struct Case {
    const char* text;
    Time want;
  };
  const Case cases[] = {
      {"2024-08-18T10:15:00Z", utc(2024, 8, 18, 10, 15, 0)},
      {"2024-08-18t10:15:00z", utc(2024, 8, 18, 10, 15, 0)},
      {"2024-08-18 10:15:00Z", utc(2024, 8, 18, 10, 15, 0)},
      {"2015-07-17T08:42:58.315+0000", utc(2015, 7, 17, 8, 42, 58, 315)},
      {"2015-07-17T08:42:58.315+00:00", utc(2015, 7, 17, 8, 42, 58, 315)},
      {"2018-08-03T09:52:26.739266876+02:00", utc(2018, 8, 3, 7, 52, 26, 739)},
      {"2024-08-18T10:15:00.5Z", utc(2024, 8, 18, 10, 15, 0, 500)},
      {"2024-08-18T10:15:00-05", utc(2024, 8, 18, 15, 15, 0)},
      {"2024-08-18T10:15:00+0530", utc(2024, 8, 18, 4, 45, 0)},
      {"0001-01-01T00:00:00Z", Time{std::chrono::sys_days{std::chrono::year{1} / 1 / 1}}},
  };
  for (const auto& c : cases) {
    auto t = parse_event_time(c.text);
    ASSERT_TRUE(t) << c.text << ": " << t.error().message;
    EXPECT_EQ(*t, c.want) << c.text;
  }
  for (const char* bad : {"", "2024-08-18", "2024-08-18T10:15:00", "2024-08-18T10:15:00.Z", "2024-08-18T10:15Z",
                          "2024-13-01T00:00:00Z", "2024-08-18T10:15:00+5", "2024-08-18T10:15:00 UTC",
                          "1723976100", "2024-08-18T10:15:00+05:3"}) {
    EXPECT_FALSE(parse_event_time(bad)) << bad;
  }
}

TEST(Utf8, LengthAndTruncation) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("h\xC3\xA9llo \xE2\x9C\x93"), 7u);
  EXPECT_EQ(truncate_utf8("hello", 5), "hello");
  EXPECT_EQ(truncate_utf8("hello!", 5), "hell\xE2\x80\xA6");
  EXPECT_EQ(truncate_utf8("\xC3\xA9\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(utf8_length(truncate_utf8(std::string(2000, 'x'), 1024)), 1024u);
}

}  // namespace
}  // namespace vigil::incident
