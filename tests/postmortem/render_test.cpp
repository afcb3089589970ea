#include "postmortem/render.h"

#include <gtest/gtest.h>

#include "postmortem/draft.h"
#include "postmortem/seed_incident.h"

namespace vigil::postmortem {
namespace {

using testing::seed_facts;
using testing::utc;

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(Images, AreTheDiagramAndTheMetricsChart) {
  const auto imgs = images(seed_facts());
  ASSERT_EQ(imgs.size(), 2u);
  EXPECT_EQ(imgs[0].file, "system.svg");
  EXPECT_EQ(imgs[1].file, "metrics.svg");
  for (const auto& i : imgs) EXPECT_EQ(i.svg.rfind("<svg xmlns=", 0), 0u);
}

TEST(Markdown, HasMetadataAndActionItemsTable) {
  auto f = seed_facts();
  f.action_items = {{1, 7, "Add a check of /login/submit | POST", "alice", "2024-08-25", "open", {}, {}},
                    {2, 7, "Test site config before reload", "bob", "", "done", {}, {}}};
  const Time now = utc("2024-08-18T12:00:00Z");
  auto pm = merge(7, std::nullopt, draft(f, now), now);
  pm.sections[4].edited = true;
  pm.sections[4].edited_by = "bob";
  const std::string md = markdown(f, pm, images(f));
  EXPECT_EQ(md.rfind("# Postmortem: web: login failing: status 500\n", 0), 0u);
  for (const char* want : {
           "- **Incident:** #7 (`web/login`)\n",
           "- **Service:** `web` — Apache2 on WebServer-01\n",
           "- **Severity:** critical · **Status:** resolved\n",
           "- **Started:** 2024-08-18 11:00 WAT · **Detected:** 2024-08-18 11:01 WAT · **Acknowledged:** 2024-08-18 "
           "11:08 WAT · **Resolved:** 2024-08-18 11:25 WAT\n",
           "- **Draft generated:** 2024-08-18 13:00 WAT; edited by a person: Lessons Learned (bob)\n",
           "| Action item | Owner | Due | Status |\n| --- | --- | --- | --- |\n",
           "| Add a check of /login/submit \\| POST | alice | 2024-08-25 | open |\n",
           "| Test site config before reload | bob | — | done |\n",
           "Action items are tracked in the table below: 1 open, 1 done.",
       })
    EXPECT_NE(md.find(want), std::string::npos) << want << "\n---\n" << md;
}

TEST(Html, IsOneSelfContainedDocument) {
  auto f = seed_facts();
  f.action_items = {{1, 7, "Add a check of /login/submit", "alice", "2024-08-25", "open", {}, {}}};
  f.external_url = "https://vigil.example.com/";
  const Time now = utc("2024-08-18T12:00:00Z");
  const auto pm = merge(7, std::nullopt, draft(f, now), now);
  const std::string doc = html(f, pm, images(f));
  EXPECT_EQ(doc.rfind("<!DOCTYPE html>\n", 0), 0u);
  EXPECT_EQ(count(doc, "<html"), 1u);
  EXPECT_EQ(count(doc, "</html>"), 1u);
  EXPECT_EQ(count(doc, "<svg "), 2u);  // both pictures inline
  EXPECT_NE(doc.find("<style>"), std::string::npos);
  EXPECT_NE(doc.find("@media print"), std::string::npos);
  EXPECT_NE(doc.find("<h2>Issue Summary</h2>"), std::string::npos);
  EXPECT_NE(doc.find("<table>"), std::string::npos);  // the GFM table of action items
  EXPECT_NE(doc.find("<td>Add a check of /login/submit</td>"), std::string::npos);
  // Nothing fetched from elsewhere: no scripts, stylesheets, images, fonts or frames.
  for (const char* bad : {"<script", "<link", "<img", "<iframe", "src=", "@import", "url("})
    EXPECT_EQ(doc.find(bad), std::string::npos) << bad;
  // The only link is back to vigil, and it is a plain anchor.
  EXPECT_NE(doc.find("<a href=\"https://vigil.example.com/incidents/7\">"), std::string::npos);
}

TEST(Html, UserTextStaysInert) {
  auto f = seed_facts();
  f.incident.title = "web: <b>login</b> failing";
  f.incident.timeline[12].text = "<script>alert('note')</script> rolled back";
  f.action_items = {{1, 7, "<img src=x onerror=alert(1)>", "mallory", "", "open", {}, {}}};
  const Time now = utc("2024-08-18T12:00:00Z");
  auto pm = merge(7, std::nullopt, draft(f, now), now);
  pm.sections[2].markdown = "Edited: <script>alert(2)</script>\n\n<iframe src=\"https://evil\"></iframe>\n\n"
                            "[click](javascript:alert(3))\n";
  pm.sections[2].edited = true;
  const std::string doc = html(f, pm, images(f));
  for (const char* bad : {"<script", "<iframe", "<img", "javascript:", "<b>login"})
    EXPECT_EQ(doc.find(bad), std::string::npos) << bad;
  EXPECT_NE(doc.find("&lt;script&gt;alert('note')&lt;/script&gt; rolled back"), std::string::npos);
  EXPECT_NE(doc.find("<title>Postmortem: web: &lt;b&gt;login&lt;/b&gt; failing</title>"), std::string::npos);
  // In the Markdown the note is escaped too, so GitHub shows it instead of stripping it.
  const std::string md = markdown(f, pm, images(f));
  EXPECT_NE(md.find("Note from bob: \\<script>alert('note')\\</script> rolled back"), std::string::npos);
}

}  // namespace
}  // namespace vigil::postmortem
