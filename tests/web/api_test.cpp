// Routing, JSON shapes and status codes of the API, over an in-memory Backend. The real
// daemon behind the same routes is covered by tests/e2e.
#include "web/api.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace vigil::web {
namespace {

class MemoryBackend : public Backend {
 public:
  incident::Incident inc;
  std::string last_actor, last_text;
  MemoryBackend() {
    inc.id = 4;
    inc.title = "web: home failing";
    inc.service = "web";
    inc.check = "home";
    inc.timeline.push_back({1, Time{}, "triggered", "check:home", "down"});
  }
  std::vector<ServiceStatus> services() override {
    ServiceStatus s{"web", "front", {}, {4}};
    s.open_incident_count = 250;  // more than the newest ids listed
    CheckStatus c;
    c.name = "home";
    c.up = false;
    s.checks.push_back(c);
    return {s};
  }
  void list_incidents(const store::IncidentFilter& f, Reply<std::vector<incident::Incident>> reply) override {
    last_text = f.open.has_value() ? (*f.open ? "open" : "resolved") : "all";
    reply(std::vector<incident::Incident>{inc});
  }
  void get_incident(std::int64_t id, Reply<incident::Incident> reply) override {
    if (id != 4) return reply(Failure{404, "no incident"});
    reply(inc);
  }
  void acknowledge(std::int64_t id, std::string actor, std::string note, Reply<incident::Incident> reply) override {
    last_actor = actor;
    last_text = note;
    if (id != 4) return reply(Failure{409, "incident #5 is already resolved"});
    inc.status = incident::Status::acknowledged;
    reply(inc);
  }
  void resolve(std::int64_t, std::string, std::string, Reply<incident::Incident> reply) override { reply(inc); }
  void add_note(std::int64_t, std::string actor, std::string text, Reply<incident::Incident> reply) override {
    last_actor = actor;
    last_text = text;
    reply(inc);
  }
  std::string metrics() override { return "vigil_up 1\n"; }
  bool ready() override { return true; }
  std::vector<std::string> reload() override { return {"vigil.yaml:3:5: server.x: unknown key \"x\""}; }
  std::string routed;
  void events_v2(const Request&, Respond r) override { routed = "events_v2"; r(Response{202}); }
  void alertmanager(const std::string& name, const Request&, Respond r) override { routed = "am:" + name; r(Response{200}); }
  void oncall(const Request&, Respond r) override { routed = "oncall"; r(Response{200}); }
  void schedules(const Request&, const std::vector<std::string>& parts, Respond r) override {
    routed = "schedules";
    for (const auto& p : parts) routed += "/" + p;
    r(Response{200});
  }
  void action_link(const Request&, const std::string& token, Respond r) override { routed = "link:" + token; r(Response{200}); }
  void ping(const Request& req, const std::string& key, const std::string& action, Respond r) override {
    routed = "ping:" + req.method + ":" + key + (action.empty() ? "" : "/" + action);
    r(Response{200});
  }
  void run_runbook(std::int64_t id, const std::string& name, const std::string& actor, Respond r) override {
    routed = "runbook:" + std::to_string(id) + ":" + name + ":" + actor;
    r(Response{200});
  }
};

Response call(Handler& h, std::string method, std::string path, std::string body = "",
              std::map<std::string, std::string> query = {}) {
  Request req;
  req.method = std::move(method);
  req.path = path;
  req.target = path;
  req.query = std::move(query);
  req.body = std::move(body);
  Response out;
  bool answered = false;
  h(req, [&](Response r) {
    out = std::move(r);
    answered = true;
  });
  EXPECT_TRUE(answered);
  return out;
}

boost::json::object body(const Response& r) { return boost::json::parse(r.body).as_object(); }

TEST(Api, RoutesAndStatusCodes) {
  MemoryBackend b;
  Handler h = make_api(b);
  struct Case { const char* method; const char* path; int status; };
  const Case cases[] = {
      {"GET", "/-/healthy", 200},         {"GET", "/-/ready", 200},
      {"POST", "/-/healthy", 405},        {"GET", "/metrics", 200},
      {"GET", "/api/v1/services", 200},   {"GET", "/api/v1/services/web", 200},
      {"GET", "/api/v1/services/x", 404}, {"GET", "/api/v1/incidents", 200},
      {"GET", "/api/v1/incidents/4", 200}, {"GET", "/api/v1/incidents/9", 404},
      {"GET", "/api/v1/incidents/abc", 400}, {"GET", "/api/v1/incidents/0", 400},
      {"DELETE", "/api/v1/incidents/4", 405}, {"GET", "/api/v1/incidents/4/acknowledge", 405},
      {"POST", "/api/v1/incidents/4/explode", 404}, {"GET", "/api/v2/x", 404},
      {"GET", "/nope", 404},              {"POST", "/-/reload", 400},
  };
  for (const auto& c : cases) EXPECT_EQ(call(h, c.method, c.path).status, c.status) << c.method << " " << c.path;
}

TEST(Api, ActionsParseBodyAndReportFieldErrors) {
  MemoryBackend b;
  Handler h = make_api(b);
  auto r = call(h, "POST", "/api/v1/incidents/4/acknowledge", R"({"actor":"alice","note":"looking"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(b.last_actor, "alice");
  EXPECT_EQ(b.last_text, "looking");
  EXPECT_EQ(body(r)["status"].as_string(), "acknowledged");
  EXPECT_EQ(body(r)["timeline"].as_array().size(), 1u);

  r = call(h, "POST", "/api/v1/incidents/4/acknowledge", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(b.last_actor, "api") << "actor defaults to api";

  r = call(h, "POST", "/api/v1/incidents/4/acknowledge", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["field"].as_string(), "body");
  r = call(h, "POST", "/api/v1/incidents/4/acknowledge", R"({"actor": 5})");
  EXPECT_EQ(body(r)["field"].as_string(), "actor");
  r = call(h, "POST", "/api/v1/incidents/4/acknowledge", R"({"who": "x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["field"].as_string(), "who");
  r = call(h, "POST", "/api/v1/incidents/5/acknowledge", "{}");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(body(r)["error"].as_string(), "incident #5 is already resolved");

  r = call(h, "POST", "/api/v1/incidents/4/notes", R"({"text":"disk full"})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(b.last_text, "disk full");
  r = call(h, "POST", "/api/v1/incidents/4/notes", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["field"].as_string(), "text");
}

TEST(Api, OnCallAndInboundRoutesReachTheBackend) {
  MemoryBackend b;
  Handler h = make_api(b);
  struct Case { const char* method; const char* path; int status; const char* routed; };
  const Case cases[] = {
      {"POST", "/v2/enqueue", 202, "events_v2"},
      {"POST", "/api/v1/integrations/prom/alertmanager", 200, "am:prom"},
      {"GET", "/api/v1/oncall", 200, "oncall"},
      {"GET", "/api/v1/schedules", 200, "schedules"},
      {"GET", "/api/v1/schedules/web/shifts", 200, "schedules/web/shifts"},
      {"GET", "/api/v1/schedules/web.ics", 200, "schedules/web.ics"},
      {"GET", "/a/tok3n", 200, "link:tok3n"},
      {"POST", "/a/tok3n", 200, "link:tok3n"},
      {"POST", "/api/v1/incidents/4/runbooks/restart-apache", 200, "runbook:4:restart-apache:api"},
      {"GET", "/api/v1/schedules/web/overrides", 200, "schedules/web/overrides"},
      {"POST", "/api/v1/schedules/web/overrides", 200, "schedules/web/overrides"},
      {"DELETE", "/api/v1/schedules/web/overrides/3", 200, "schedules/web/overrides/3"},
      {"GET", "/ping/k3y", 200, "ping:GET:k3y"},
      {"HEAD", "/ping/k3y", 200, "ping:HEAD:k3y"},
      {"POST", "/ping/k3y/start", 200, "ping:POST:k3y/start"},
      {"POST", "/ping/k3y/fail", 200, "ping:POST:k3y/fail"},
      {"GET", "/ping/k3y/3", 200, "ping:GET:k3y/3"},
  };
  for (const auto& c : cases) {
    b.routed.clear();
    EXPECT_EQ(call(h, c.method, c.path).status, c.status) << c.path;
    EXPECT_EQ(b.routed, c.routed) << c.path;
  }
  EXPECT_EQ(call(h, "GET", "/v2/enqueue").status, 405);
  EXPECT_EQ(call(h, "GET", "/api/v1/integrations/prom/alertmanager").status, 405);
  EXPECT_EQ(call(h, "POST", "/api/v1/oncall").status, 405);
  // Only overrides are made and removed; the rest of a schedule is read-only.
  EXPECT_EQ(call(h, "POST", "/api/v1/schedules/web/shifts").status, 405);
  EXPECT_EQ(call(h, "DELETE", "/api/v1/schedules/web.ics").status, 405);
  EXPECT_EQ(call(h, "PUT", "/api/v1/schedules/web/overrides").status, 405);
  EXPECT_EQ(call(h, "DELETE", "/ping/k3y").status, 405);
  EXPECT_EQ(call(h, "GET", "/ping").status, 404);
  EXPECT_EQ(call(h, "GET", "/ping/k3y/0/extra").status, 404);
}

TEST(Api, ParseIdTakesOnlyAPositiveDecimalNumber) {
  EXPECT_EQ(parse_id("12"), 12);
  EXPECT_EQ(parse_id("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "0", "-1", "+1", "1a", " 1", "1.0", "9223372036854775808", "0x10"})
    EXPECT_EQ(parse_id(bad), std::nullopt) << bad;
}

TEST(Api, IncidentFilterAndReloadErrors) {
  MemoryBackend b;
  Handler h = make_api(b);
  EXPECT_EQ(call(h, "GET", "/api/v1/incidents", "", {{"status", "open"}}).status, 200);
  EXPECT_EQ(b.last_text, "open");
  auto r = call(h, "GET", "/api/v1/incidents", "", {{"status", "sideways"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["field"].as_string(), "status");
  r = call(h, "GET", "/api/v1/incidents", "", {{"limit", "0"}});
  EXPECT_EQ(r.status, 400);
  r = call(h, "POST", "/-/reload");
  EXPECT_EQ(body(r)["errors"].as_array()[0].as_string(), "vigil.yaml:3:5: server.x: unknown key \"x\"");
  r = call(h, "GET", "/metrics");
  EXPECT_NE(r.content_type.find("version=0.0.4"), std::string::npos);
  auto svc = body(call(h, "GET", "/api/v1/services/web"));
  EXPECT_EQ(svc["status"].as_string(), "down");
  EXPECT_EQ(svc["open_incidents"].as_array().size(), 1u);
  EXPECT_EQ(svc["open_incident_count"].as_int64(), 250);
}

}  // namespace
}  // namespace vigil::web
