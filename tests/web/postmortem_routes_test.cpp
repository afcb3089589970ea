// Postmortem, action item and report routes over an in-memory PostmortemBackend: URL shapes,
// validation (each 400 names its field), formats and status codes. The daemon behind them is
// covered by tests/e2e/test_postmortem.py.
#include "web/postmortem_routes.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "postmortem/draft.h"

namespace vigil::web {
namespace {
namespace json = boost::json;

Time t(std::int64_t s) { return Time{std::chrono::seconds(s)}; }

class MemoryPostmortems : public PostmortemBackend {
 public:
  std::vector<store::ActionItem> items;
  std::map<std::string, std::optional<std::string>> last_edits;
  std::string last_actor;
  store::ActionItemFilter last_filter;
  Time report_from{}, report_to{};

  PostmortemView view() const {
    PostmortemView v;
    v.facts.incident.id = 4;
    v.facts.incident.title = "web: login failing";
    v.facts.incident.service = "web";
    v.facts.incident.status = incident::Status::resolved;
    v.facts.incident.started_at = t(1000);
    v.facts.incident.detected_at = t(1030);
    v.facts.incident.acknowledged_at = t(1100);
    v.facts.incident.resolved_at = t(1600);
    v.facts.incident.timeline = {{1, t(1030), "triggered", "check:login", "3 failures"}};
    v.facts.window_from = t(900);
    v.facts.window_to = t(1700);
    v.facts.action_items = items;
    v.pm = postmortem::merge(4, std::nullopt, postmortem::draft(v.facts, t(2000)), t(2000));
    return v;
  }
  void postmortem(std::int64_t id, Reply<PostmortemView> reply) override {
    if (id != 4) return reply(Failure{404, "no incident #" + std::to_string(id)});
    reply(view());
  }
  void edit_postmortem(std::int64_t id, std::map<std::string, std::optional<std::string>> sections, std::string actor,
                       Reply<PostmortemView> reply) override {
    last_edits = sections;
    last_actor = actor;
    PostmortemView v = view();
    for (auto& s : v.pm.sections)
      if (auto it = sections.find(s.key); it != sections.end() && it->second) {
        s.markdown = *it->second;
        s.edited = true;
        s.edited_by = actor;
      }
    reply(v);
  }
  void list_action_items(store::ActionItemFilter f, Reply<std::vector<store::ActionItem>> reply) override {
    last_filter = f;
    reply(items);
  }
  void get_action_item(std::int64_t id, Reply<store::ActionItem> reply) override {
    for (const auto& a : items)
      if (a.id == id) return reply(a);
    reply(Failure{404, "no action item"});
  }
  void create_action_item(store::ActionItem item, Reply<store::ActionItem> reply) override {
    if (item.incident_id == 99) return reply(Failure{400, "no incident #99"});
    item.id = static_cast<std::int64_t>(items.size()) + 1;
    items.push_back(item);
    reply(item);
  }
  void update_action_item(std::int64_t id, ActionItemPatch p, Reply<store::ActionItem> reply) override {
    for (auto& a : items) {
      if (a.id != id) continue;
      if (p.status) a.status = *p.status;
      if (p.due) a.due = *p.due;
      if (p.text) a.text = *p.text;
      return reply(a);
    }
    reply(Failure{404, "no action item"});
  }
  void delete_action_item(std::int64_t id, Reply<bool> reply) override {
    auto n = std::erase_if(items, [&](const auto& a) { return a.id == id; });
    if (!n) return reply(Failure{404, "no action item"});
    reply(true);
  }
  void report(Time from, Time to, Reply<postmortem::Report> reply) override {
    report_from = from;
    report_to = to;
    postmortem::Report r;
    r.from = from;
    r.to = to;
    postmortem::ServiceReport s;
    s.service = "web";
    s.availability = 0.99;
    s.incidents = 1;
    s.mtta = std::chrono::seconds(70);
    s.low_urgency = 1;
    s.mtta_high_urgency = std::chrono::seconds(40);
    r.services.push_back(s);
    r.total = s;
    r.total.service = "";
    reply(r);
  }
};

Response call(PostmortemBackend* b, std::string method, std::string path, std::string body = "",
              std::map<std::string, std::string> query = {}, std::optional<Principal> who = std::nullopt) {
  Request req;
  req.method = std::move(method);
  req.path = path;
  req.query = std::move(query);
  req.body = std::move(body);
  req.principal = std::move(who);
  std::vector<std::string_view> parts;
  std::string_view p = req.path;
  while (!p.empty()) {
    p.remove_prefix(std::min(p.find_first_not_of('/'), p.size()));
    const auto end = std::min(p.find('/'), p.size());
    if (end) parts.push_back(p.substr(0, end));
    p.remove_prefix(end);
  }
  Response out;
  out.status = 0;
  bool routed = route_postmortems(b, req, parts, [&](Response r) { out = std::move(r); });
  EXPECT_TRUE(routed) << path;
  return out;
}

json::object body(const Response& r) { return json::parse(r.body).as_object(); }
std::string field(const Response& r) { return std::string(body(r)["field"].as_string()); }

TEST(PostmortemRoutes, OnlyItsOwnPaths) {
  MemoryPostmortems b;
  Request req;
  req.method = "GET";
  for (std::vector<std::string_view> parts : {std::vector<std::string_view>{"api", "v1", "incidents", "4"},
                                              {"api", "v1", "services"}, {"metrics"}, {"api", "v1", "reports", "x"}})
    EXPECT_FALSE(route_postmortems(&b, req, parts, [](Response) {}));
  Response r = call(nullptr, "GET", "/api/v1/action-items");
  EXPECT_EQ(r.status, 501);
}

TEST(PostmortemRoutes, GetInEveryFormat) {
  MemoryPostmortems b;
  Response r = call(&b, "GET", "/api/v1/incidents/4/postmortem");
  ASSERT_EQ(r.status, 200);
  auto o = body(r);
  ASSERT_EQ(o["sections"].as_array().size(), 5u);
  auto first = o["sections"].as_array()[0].as_object();
  EXPECT_EQ(first["key"].as_string(), "summary");
  EXPECT_EQ(first["title"].as_string(), "Issue Summary");
  EXPECT_FALSE(first["edited"].as_bool());
  EXPECT_TRUE(first["edited_by"].is_null());
  EXPECT_DOUBLE_EQ(o["measures"].as_object()["time_to_acknowledge_seconds"].to_number<double>(), 70);
  EXPECT_TRUE(o["traffic"].is_null());

  r = call(&b, "GET", "/api/v1/incidents/4/postmortem", "", {{"format", "md"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/markdown; charset=utf-8");
  EXPECT_NE(r.body.find("## Issue Summary"), std::string::npos);
  EXPECT_NE(r.body.find("images/system.svg"), std::string::npos);
  r = call(&b, "GET", "/api/v1/incidents/4/postmortem", "", {{"format", "html"}});
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<svg"), std::string::npos) << "images are inline";
  r = call(&b, "GET", "/api/v1/incidents/4/postmortem", "", {{"format", "pdf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(field(r), "format");

  r = call(&b, "GET", "/api/v1/incidents/4/postmortem/images/metrics.svg");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "image/svg+xml");
  EXPECT_EQ(r.body.rfind("<svg", 0) == 0 || r.body.rfind("<?xml", 0) == 0, true);
  EXPECT_EQ(call(&b, "GET", "/api/v1/incidents/4/postmortem/images/x.png").status, 404);
  EXPECT_EQ(call(&b, "GET", "/api/v1/incidents/5/postmortem").status, 404);
  EXPECT_EQ(call(&b, "GET", "/api/v1/incidents/x/postmortem").status, 400);
  EXPECT_EQ(call(&b, "POST", "/api/v1/incidents/4/postmortem").status, 405);
  EXPECT_EQ(call(&b, "GET", "/api/v1/incidents/4/postmortem/extra").status, 404);
}

TEST(PostmortemRoutes, PutMarksSectionsAndNamesBadFields) {
  MemoryPostmortems b;
  Response r = call(&b, "PUT", "/api/v1/incidents/4/postmortem",
                    R"({"sections": {"root_cause": "A config push broke /login.", "lessons": null}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(b.last_actor, "api");
  ASSERT_EQ(b.last_edits.size(), 2u);
  EXPECT_EQ(*b.last_edits["root_cause"], "A config push broke /login.");
  EXPECT_FALSE(b.last_edits["lessons"].has_value());
  auto rc = body(r)["sections"].as_array()[2].as_object();
  EXPECT_EQ(rc["key"].as_string(), "root_cause");
  EXPECT_TRUE(rc["edited"].as_bool());
  EXPECT_EQ(rc["edited_by"].as_string(), "api");

  Principal alice{"alice", "Alice", "responder"};
  call(&b, "PUT", "/api/v1/incidents/4/postmortem", R"({"actor": "mallory", "sections": {"summary": "x"}})", {}, alice);
  EXPECT_EQ(b.last_actor, "alice") << "a logged-in user is who wrote it";
  call(&b, "PUT", "/api/v1/incidents/4/postmortem", R"({"actor": "bob", "sections": {}})");
  EXPECT_EQ(b.last_actor, "bob");

  struct Case {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"sections": {"rootcause": "x"}})", "sections.rootcause"},
      {R"({"sections": {"summary": 5}})", "sections.summary"},
      {R"({"sections": []})", "sections"},
      {R"({"section": {}})", "section"},
      {R"({})", "sections"},
      {R"(not json)", "body"},
      {R"([1])", "body"},
      {R"({"actor": "", "sections": {}})", "actor"},
  };
  for (const auto& c : cases) {
    r = call(&b, "PUT", "/api/v1/incidents/4/postmortem", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(field(r), c.field) << c.body;
  }
  r = call(&b, "PUT", "/api/v1/incidents/4/postmortem",
           R"({"sections": {"summary": ")" + std::string(70000, 'x') + "\"}}");
  EXPECT_EQ(r.status, 400);
}

TEST(PostmortemRoutes, ActionItemsCrudAndValidation) {
  MemoryPostmortems b;
  Response r = call(&b, "POST", "/api/v1/action-items",
                    R"({"text": "Add a check on /login", "owner": "alice", "due": "2024-09-01", "incident_id": 4})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = body(r);
  EXPECT_EQ(o["id"].as_int64(), 1);
  EXPECT_EQ(o["status"].as_string(), "open");
  EXPECT_EQ(o["incident_id"].as_int64(), 4);
  EXPECT_EQ(o["due"].as_string(), "2024-09-01");
  r = call(&b, "POST", "/api/v1/action-items", R"({"text": "Review deploys"})");
  ASSERT_EQ(r.status, 201);
  EXPECT_TRUE(body(r)["incident_id"].is_null());
  EXPECT_TRUE(body(r)["due"].is_null());

  r = call(&b, "GET", "/api/v1/action-items", "", {{"incident", "4"}, {"status", "open"}, {"owner", "alice"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body(r)["action_items"].as_array().size(), 2u);
  EXPECT_EQ(*b.last_filter.incident_id, 4);
  EXPECT_EQ(*b.last_filter.status, "open");
  EXPECT_EQ(*b.last_filter.owner, "alice");

  EXPECT_EQ(call(&b, "GET", "/api/v1/action-items/1").status, 200);
  EXPECT_EQ(call(&b, "GET", "/api/v1/action-items/7").status, 404);
  r = call(&b, "PATCH", "/api/v1/action-items/1", R"({"status": "done", "due": null})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r)["status"].as_string(), "done");
  EXPECT_TRUE(body(r)["due"].is_null());
  EXPECT_EQ(call(&b, "DELETE", "/api/v1/action-items/2").status, 204);
  EXPECT_EQ(call(&b, "DELETE", "/api/v1/action-items/2").status, 404);
  EXPECT_EQ(call(&b, "PUT", "/api/v1/action-items/1", "{}").status, 405);
  EXPECT_EQ(call(&b, "DELETE", "/api/v1/action-items").status, 405);

  struct Case {
    const char* method;
    const char* path;
    const char* body;
    const char* field;
  } cases[] = {
      {"POST", "/api/v1/action-items", R"({"owner": "alice"})", "text"},
      {"POST", "/api/v1/action-items", R"({"text": "   "})", "text"},
      {"POST", "/api/v1/action-items", R"({"text": "x", "due": "2024-02-30"})", "due"},
      {"POST", "/api/v1/action-items", R"({"text": "x", "due": "next week"})", "due"},
      {"POST", "/api/v1/action-items", R"({"text": "x", "status": "wontfix"})", "status"},
      {"POST", "/api/v1/action-items", R"({"text": "x", "incident_id": -3})", "incident_id"},
      {"POST", "/api/v1/action-items", R"({"text": "x", "incident_id": 99})", "incident_id"},
      {"POST", "/api/v1/action-items", R"({"text": "x", "priority": 1})", "priority"},
      {"POST", "/api/v1/action-items", R"({"text": 5})", "text"},
      {"PATCH", "/api/v1/action-items/1", R"({"status": "closed"})", "status"},
      {"PATCH", "/api/v1/action-items/1", R"({"text": ""})", "text"},
      {"PATCH", "/api/v1/action-items/abc", R"({})", "id"},
  };
  for (const auto& c : cases) {
    r = call(&b, c.method, c.path, c.body);
    EXPECT_EQ(r.status, 400) << c.method << " " << c.body;
    EXPECT_EQ(field(r), c.field) << c.method << " " << c.body;
  }
  r = call(&b, "GET", "/api/v1/action-items", "", {{"status", "closed"}});
  EXPECT_EQ(field(r), "status");
  r = call(&b, "GET", "/api/v1/action-items", "", {{"incident", "x"}});
  EXPECT_EQ(field(r), "incident");
}

TEST(PostmortemRoutes, ReportsWindowAndJson) {
  MemoryPostmortems b;
  Response r = call(&b, "GET", "/api/v1/reports", "", {{"since", "7d"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(b.report_to - b.report_from, std::chrono::hours(24 * 7));
  auto o = body(r);
  auto web = o["services"].as_array()[0].as_object();
  EXPECT_EQ(web["service"].as_string(), "web");
  EXPECT_DOUBLE_EQ(web["availability_percent"].to_number<double>(), 99);
  EXPECT_DOUBLE_EQ(web["mtta_seconds"].to_number<double>(), 70);
  EXPECT_EQ(web["low_urgency"].to_number<int>(), 1);
  EXPECT_DOUBLE_EQ(web["mtta_high_urgency_seconds"].to_number<double>(), 40);
  EXPECT_TRUE(web["mttr_seconds"].is_null());
  EXPECT_FALSE(o["total"].as_object().contains("service"));

  r = call(&b, "GET", "/api/v1/reports", "", {{"from", "2024-08-01T00:00:00Z"}, {"to", "2024-08-02T00:00:00Z"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(format_rfc3339(b.report_from), "2024-08-01T00:00:00.000Z");
  EXPECT_EQ(b.report_to - b.report_from, std::chrono::hours(24));
  r = call(&b, "GET", "/api/v1/reports");
  EXPECT_EQ(b.report_to - b.report_from, std::chrono::hours(24 * 30)) << "30 days by default";

  EXPECT_EQ(field(call(&b, "GET", "/api/v1/reports", "", {{"since", "soon"}})), "since");
  EXPECT_EQ(field(call(&b, "GET", "/api/v1/reports", "", {{"from", "yesterday"}})), "from");
  EXPECT_EQ(field(call(&b, "GET", "/api/v1/reports", "", {{"from", "2024-08-02T00:00:00Z"}, {"to", "2024-08-01T00:00:00Z"}})),
            "to");
  EXPECT_EQ(field(call(&b, "GET", "/api/v1/reports", "", {{"since", "1d"}, {"from", "2024-08-01T00:00:00Z"}})), "since");
  EXPECT_EQ(call(&b, "POST", "/api/v1/reports").status, 405);
}

}  // namespace
}  // namespace vigil::web
