// The pictures are XML that a strict parser accepts, with the incident window and the events
// where the times put them.
#include "postmortem/chart.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>

#include "postmortem/seed_incident.h"

namespace vigil::postmortem {
namespace {

using testing::seed_facts;
using testing::utc;

using Doc = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

Doc parse(const std::string& svg) {
  return Doc(xmlReadMemory(svg.data(), static_cast<int>(svg.size()), "chart.svg", "UTF-8",
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
             &xmlFreeDoc);
}

std::string attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string text_of(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

void collect(xmlNode* n, const char* name, std::vector<xmlNode*>& out) {
  for (; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && std::string(reinterpret_cast<const char*>(n->name)) == name) out.push_back(n);
    collect(n->children, name, out);
  }
}

std::vector<xmlNode*> all(const Doc& d, const char* name) {
  std::vector<xmlNode*> out;
  collect(xmlDocGetRootElement(d.get()), name, out);
  return out;
}

void expect_self_contained_svg(const std::string& svg, const Doc& d) {
  ASSERT_TRUE(d) << svg;
  xmlNode* root = xmlDocGetRootElement(d.get());
  EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "svg");
  ASSERT_TRUE(root->ns);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->ns->href), "http://www.w3.org/2000/svg");
  EXPECT_FALSE(attr(root, "viewBox").empty());
  EXPECT_TRUE(all(d, "script").empty());
  EXPECT_TRUE(all(d, "image").empty());
  EXPECT_TRUE(all(d, "foreignObject").empty());
  EXPECT_EQ(svg.find("href"), std::string::npos);
  EXPECT_EQ(svg.find("@import"), std::string::npos);
}

TEST(MetricsChart, ShadesTheIncidentWindowAndMarksTheEvents) {
  const auto f = seed_facts();
  const std::string svg = metrics_chart_svg(f);
  const Doc d = parse(svg);
  expect_self_contained_svg(svg, d);

  // The plot spans x 64..944 for 09:45..10:40 (55 min, 16 px a minute); the incident ran
  // 10:00..10:25, so the window is x 304..704.
  xmlNode* window = nullptr;
  for (xmlNode* r : all(d, "rect"))
    if (attr(r, "class") == "incident-window") window = r;
  ASSERT_TRUE(window);
  EXPECT_NEAR(std::stod(attr(window, "x")), 304, 0.1);
  EXPECT_NEAR(std::stod(attr(window, "width")), 400, 0.1);

  std::vector<std::string> labels;
  std::map<std::string, double> x_of;
  for (xmlNode* g : all(d, "g")) {
    if (attr(g, "class") != "marker") continue;
    std::vector<xmlNode*> lines, texts;
    collect(g->children, "line", lines);
    collect(g->children, "text", texts);
    ASSERT_EQ(lines.size(), 1u);
    ASSERT_EQ(texts.size(), 1u);
    labels.push_back(text_of(texts[0]));
    x_of[text_of(texts[0])] = std::stod(attr(lines[0], "x1"));
  }
  EXPECT_EQ(labels.front(), "first failure");
  ASSERT_TRUE(x_of.count("ack bob"));
  EXPECT_NEAR(x_of["ack bob"], 64 + 23 * 16, 0.1);  // 10:08
  ASSERT_TRUE(x_of.count("resolved"));
  EXPECT_NEAR(x_of["resolved"], 704, 0.1);
  EXPECT_TRUE(x_of.count("paged Bob Smith"));
  EXPECT_TRUE(x_of.count("recovered"));

  // Panels with data only: availability and http latency (the seed has no figures).
  EXPECT_NE(svg.find("availability (%)"), std::string::npos);
  EXPECT_NE(svg.find("latency of http checks (ms)"), std::string::npos);
  EXPECT_EQ(svg.find("busy workers"), std::string::npos);
  // Axis labels in the report's zone (WAT = UTC+1).
  EXPECT_NE(svg.find(">11:00</text>"), std::string::npos);
  EXPECT_NE(svg.find("time (WAT)"), std::string::npos);
}

TEST(MetricsChart, FiguresGiveTheirOwnPanels) {
  auto f = seed_facts();
  for (Time t = f.window_from; t <= f.window_to; t += 1min) {
    store::ResultRow r{"web/access", t, true, 0, {}, "", {{"error_rate", 0.25}, {"p95", 320}}};
    f.results.push_back(r);
    f.results.push_back({"web/status", t, true, 0, {}, "", {{"busy_workers_ratio", 0.9}}});
  }
  std::sort(f.results.begin(), f.results.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  const std::string svg = metrics_chart_svg(f);
  expect_self_contained_svg(svg, parse(svg));
  EXPECT_NE(svg.find("error rate (5xx) (%)"), std::string::npos);
  EXPECT_NE(svg.find("busy workers (%)"), std::string::npos);
  EXPECT_NE(svg.find("latency p95 (access log) (ms)"), std::string::npos);
}

TEST(LineChart, EscapesTextAndDrawsNoDataForEmptySeries) {
  ChartSpec spec;
  spec.title = "a <b> & \"c\" 'd'";
  spec.from = utc("2024-08-18T10:00:00Z");
  spec.to = utc("2024-08-18T11:00:00Z");
  spec.panels = {{"empty <series>", "ms", {}}};
  spec.markers = {{utc("2024-08-18T10:30:00Z"), "</text><script>alert(1)</script>"}};
  const std::string svg = line_chart_svg(spec);
  const Doc d = parse(svg);
  expect_self_contained_svg(svg, d);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
}

TEST(LineChart, ManyMarkersAtOnePlaceShareALine) {
  ChartSpec spec;
  spec.from = utc("2024-08-18T10:00:00Z");
  spec.to = utc("2024-08-18T11:00:00Z");
  spec.panels = {{"x", "", {{spec.from, 1}, {spec.to, 2}}}};
  for (int i = 0; i < 5; ++i) spec.markers.push_back({utc("2024-08-18T10:30:00Z"), "m" + std::to_string(i)});
  const std::string svg = line_chart_svg(spec);
  const Doc d = parse(svg);
  int markers = 0;
  for (xmlNode* g : all(d, "g")) markers += attr(g, "class") == "marker";
  EXPECT_EQ(markers, 1);
  EXPECT_NE(svg.find("m0, m1, m2"), std::string::npos);
}

TEST(LineChart, TicksFollowDaylightSavingTime) {
  ChartSpec spec;
  spec.time_zone = "America/New_York";
  spec.from = utc("2024-11-03T05:30:00Z");  // 01:30 EDT
  spec.to = utc("2024-11-03T06:30:00Z");    // 01:30 EST
  spec.panels = {{"x", "", {{spec.from, 1}, {spec.to, 2}}}};
  const std::string svg = line_chart_svg(spec);
  expect_self_contained_svg(svg, parse(svg));
  EXPECT_NE(svg.find("time (EDT/EST)"), std::string::npos);
}

TEST(Sparkline, IsSmallValidSvg) {
  const Time from = utc("2024-08-18T10:00:00Z");
  const std::string svg = sparkline_svg({{from, 1}, {from + 1min, 3}, {from + 2min, 2}}, from, from + 2min, 100, 20);
  const Doc d = parse(svg);
  expect_self_contained_svg(svg, d);
  EXPECT_EQ(attr(xmlDocGetRootElement(d.get()), "viewBox"), "0 0 100 20");
  EXPECT_EQ(all(d, "polyline").size(), 1u);
  const std::string empty = sparkline_svg({}, from, from + 1min);
  expect_self_contained_svg(empty, parse(empty));
}

TEST(SystemDiagram, DrawsServiceChecksPolicyChannelsAndPeople) {
  const auto f = seed_facts();
  const std::string svg = system_diagram_svg(f);
  const Doc d = parse(svg);
  expect_self_contained_svg(svg, d);
  std::string texts;
  for (xmlNode* t : all(d, "text")) texts += text_of(t) + "\n";
  for (const char* want : {"service web\n", "check login (http) — failing\n", "check home (http)\n", "vigil\n",
                           "escalation policy web-oncall\n", "after 0 s → schedule:web-primary\n",
                           "after 5 min → user:bob\n", "channel team-web\n", "channel log\n", "Alice Doe\n",
                           "paged 1st\n", "Bob Smith\n", "paged 2nd\n"})
    EXPECT_NE(texts.find(want), std::string::npos) << want << "\n---\n" << texts;
}

TEST(SystemDiagram, SaysWhenNobodyIsPaged) {
  auto f = seed_facts();
  f.escalation_policy.clear();
  f.incident.escalation_policy.clear();
  f.paged.clear();
  f.checks.clear();
  const std::string svg = system_diagram_svg(f);
  expect_self_contained_svg(svg, parse(svg));
  EXPECT_NE(svg.find("no escalation policy"), std::string::npos);
  EXPECT_NE(svg.find("nobody paged"), std::string::npos);
}

}  // namespace
}  // namespace vigil::postmortem
