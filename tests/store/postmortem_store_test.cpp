// Postmortem sections, action items and results with figures (report sums: report_store_test).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "store/store.h"
#include "store/store_engines.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;

Time t(std::int64_t ms) { return Time{Duration{ms}}; }

class PostmortemStoreTest : public EngineTest {
 protected:
  void SetUp() override {
    store_ = reopen();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
  }
  std::unique_ptr<Store> reopen() {
    store_.reset();
    auto s = db_.open_sql();
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::unique_ptr<Store> store_;
};

VIGIL_ON_BOTH_ENGINES(PostmortemStoreTest);

TEST_P(PostmortemStoreTest, PostmortemRoundTripsInOrderAndReplacesAllSections) {
  auto none = store_->get_postmortem(7);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  StoredPostmortem pm;
  pm.incident_id = 7;
  pm.generated_at = t(5000);
  pm.sections = {{"summary", "It broke.", false, "", t(5000)},
                 {"timeline", "- 10:00 (UTC) — down", false, "", t(5000)},
                 {"root_cause", "A config change.", true, "alice", t(6000)}};
  ASSERT_TRUE(store_->put_postmortem(pm).ok());
  store_ = reopen();  // durable, not a cache
  auto got = store_->get_postmortem(7);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const StoredPostmortem& g = **got;
  EXPECT_EQ(g.generated_at, t(5000));
  ASSERT_EQ(g.sections.size(), 3u);
  EXPECT_EQ(g.sections[0].key, "summary");
  EXPECT_EQ(g.sections[2].key, "root_cause");
  EXPECT_TRUE(g.sections[2].edited);
  EXPECT_EQ(g.sections[2].edited_by, "alice");
  EXPECT_EQ(g.sections[2].updated_at, t(6000));
  EXPECT_EQ(g.sections[1].markdown, "- 10:00 (UTC) — down");

  pm.sections = {{"lessons", "Test configs.", true, "bob", t(7000)}};
  ASSERT_TRUE(store_->put_postmortem(pm).ok());
  got = store_->get_postmortem(7);
  ASSERT_EQ((*got)->sections.size(), 1u);
  EXPECT_EQ((*got)->sections[0].key, "lessons");
  EXPECT_FALSE(store_->put_postmortem(StoredPostmortem{}).ok());
}

TEST_P(PostmortemStoreTest, ActionItemsCrudAndFilters) {
  ActionItem a;
  a.incident_id = 3;
  a.text = "Add a check on /login";
  a.owner = "alice";
  a.due = "2024-09-01";
  auto created = store_->create_action_item(a);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->status, "open");
  EXPECT_GT(created->created_at, t(0));
  ActionItem b;
  b.text = "Review config deploys";
  b.owner = "bob";
  auto second = store_->create_action_item(b);
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->id, created->id);

  auto all = store_->list_action_items({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].text, "Add a check on /login");

  ActionItem done = *created;
  done.status = "done";
  ASSERT_TRUE(store_->update_action_item(done).ok());
  auto open = store_->list_action_items({std::nullopt, std::string("open"), std::nullopt});
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].owner, "bob");
  auto of_incident = store_->list_action_items({3, std::nullopt, std::nullopt});
  ASSERT_EQ(of_incident->size(), 1u);
  EXPECT_EQ((*of_incident)[0].status, "done");
  auto by_owner = store_->list_action_items({3, std::string("done"), std::string("alice")});
  EXPECT_EQ(by_owner->size(), 1u);
  auto nobody = store_->list_action_items({std::nullopt, std::nullopt, std::string("carol")});
  EXPECT_TRUE(nobody->empty());

  auto one = store_->get_action_item(created->id);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->due, "2024-09-01");

  ActionItem bad = *created;
  bad.status = "maybe";
  auto st = store_->update_action_item(bad);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "status");
  bad = *created;
  bad.id = 999;
  EXPECT_FALSE(store_->update_action_item(bad).ok());
  ActionItem empty;
  auto refused = store_->create_action_item(empty);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "text");

  ASSERT_TRUE(store_->delete_action_item(created->id).ok());
  EXPECT_FALSE(store_->delete_action_item(created->id).ok());
  EXPECT_FALSE(store_->get_action_item(created->id)->has_value());
}

TEST_P(PostmortemStoreTest, ResultsKeepFiguresOnlyWhenThereAreSome) {
  ResultRow http{"web/home", t(1000), true, 200, Duration{12}, ""};
  ResultRow log{"web/access", t(2000), false, 0, Duration{0}, "error_rate > 5%"};
  log.figures = {{"error_rate", 0.25}, {"requests", 120.0}, {"nan", std::nan("")}};
  ResultRow early{"web/home", t(500), false, 503, Duration{3}, "status 503"};
  ASSERT_TRUE(store_->append_results({http, log, early}).ok());

  auto recent = store_->recent_results("web/access", 5);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].figures.size(), 2u);  // NaN has no JSON spelling: dropped
  EXPECT_DOUBLE_EQ((*recent)[0].figures.at("error_rate"), 0.25);

  auto between = store_->results_between({"web/home", "web/access"}, t(500), t(2000), 100);
  ASSERT_TRUE(between.ok());
  ASSERT_EQ(between->size(), 2u);  // `to` is exclusive
  EXPECT_EQ((*between)[0].at, t(500));
  EXPECT_EQ((*between)[0].status, 503);
  EXPECT_TRUE((*between)[0].figures.empty());
  EXPECT_EQ((*between)[1].check_id, "web/home");

  auto merged = store_->results_between({"web/access", "web/home"}, t(0), t(5000), 100);
  ASSERT_EQ(merged->size(), 3u);
  EXPECT_EQ((*merged)[0].at, t(500));
  EXPECT_EQ((*merged)[2].check_id, "web/access");
  auto limited = store_->results_between({"web/access", "web/home"}, t(0), t(5000), 2);
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].at, t(1000));
  EXPECT_TRUE(store_->results_between({}, t(0), t(5000), 10)->empty());
}

}  // namespace
}  // namespace vigil::store
