#include <gtest/gtest.h>

#include "postmortem/draft.h"
#include "postmortem/model.h"
#include "postmortem/seed_incident.h"

namespace vigil::postmortem {
namespace {

using testing::seed_facts;
using testing::utc;

TEST(Merge, FirstDraftHasEverySectionInOrder) {
  const Time now = utc("2024-08-18T12:00:00Z");
  const auto pm = merge(7, std::nullopt, draft(seed_facts(), now), now);
  EXPECT_EQ(pm.incident_id, 7);
  EXPECT_EQ(pm.generated_at, now);
  ASSERT_EQ(pm.sections.size(), kSections.size());
  for (std::size_t i = 0; i < kSections.size(); ++i) EXPECT_EQ(pm.sections[i].key, kSections[i].key);
}

TEST(Merge, EditedSectionsAreKeptWordForWord) {
  const Time t1 = utc("2024-08-18T12:00:00Z"), t2 = utc("2024-08-19T09:00:00Z");
  auto stored = merge(7, std::nullopt, draft(seed_facts(), t1), t1);
  const std::string mine = "The deploy pipeline skipped the config test.\n\n<b>not html</b>  \n";
  stored.sections[2].markdown = mine;
  stored.sections[2].edited = true;
  stored.sections[2].edited_by = "bob";
  stored.sections[2].updated_at = t1 + 1h;

  // The facts changed (an action item appeared), so the generated sections differ.
  auto facts = seed_facts();
  facts.action_items.push_back({1, 7, "Test site config before reload", "bob", "2024-08-25", "open", t1, t1});
  // Fresh drafts arrive in any order, and may even carry a draft of the edited section.
  auto fresh = draft(facts, t2);
  std::reverse(fresh.begin(), fresh.end());
  const auto merged = merge(7, stored, fresh, t2);

  ASSERT_EQ(merged.sections.size(), kSections.size());
  for (std::size_t i = 0; i < kSections.size(); ++i) EXPECT_EQ(merged.sections[i].key, kSections[i].key);
  EXPECT_EQ(merged.sections[2].markdown, mine);
  EXPECT_TRUE(merged.sections[2].edited);
  EXPECT_EQ(merged.sections[2].edited_by, "bob");
  EXPECT_EQ(merged.sections[2].updated_at, t1 + 1h);
  EXPECT_NE(merged.sections[3].markdown, stored.sections[3].markdown);  // regenerated
  EXPECT_NE(merged.sections[3].markdown.find("1 open, 0 done"), std::string::npos);
  EXPECT_EQ(merged.sections[3].updated_at, t2);
  EXPECT_EQ(merged.generated_at, t2);
}

TEST(Merge, EveryEditedSectionSurvivesRepeatedDrafts) {
  Time now = utc("2024-08-18T12:00:00Z");
  auto pm = merge(7, std::nullopt, draft(seed_facts(), now), now);
  for (auto& s : pm.sections) {
    s.markdown = "written by hand: " + s.key;
    s.edited = true;
  }
  for (int i = 0; i < 3; ++i) {
    now += 1h;
    pm = merge(7, pm, draft(seed_facts(), now), now);
  }
  for (const auto& s : pm.sections) EXPECT_EQ(s.markdown, "written by hand: " + s.key);
}

TEST(Merge, MissingFreshSectionKeepsTheStoredOne) {
  const Time now = utc("2024-08-18T12:00:00Z");
  auto pm = merge(7, std::nullopt, draft(seed_facts(), now), now);
  auto fresh = draft(seed_facts(), now + 1h);
  fresh.erase(fresh.begin() + 1);  // no timeline this time
  const auto merged = merge(7, pm, fresh, now + 1h);
  ASSERT_EQ(merged.sections.size(), kSections.size());
  EXPECT_EQ(merged.sections[1].markdown, pm.sections[1].markdown);
}

}  // namespace
}  // namespace vigil::postmortem
