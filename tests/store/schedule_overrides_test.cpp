// Schedule overrides made at run time: kept across a reopen, listed oldest first (the order
// in which they stack), per schedule, deleted by id.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_engines.h"

namespace vigil::store {
namespace {

Time t(std::int64_t ms) { return Time{Duration{ms}}; }

ScheduleOverride make(std::string schedule, std::string user, std::int64_t start, std::int64_t end) {
  ScheduleOverride o;
  o.schedule = std::move(schedule);
  o.user = std::move(user);
  o.start = t(start);
  o.end = t(end);
  o.created_by = "alice";
  return o;
}

class ScheduleOverridesStore : public EngineTest {};
VIGIL_ON_BOTH_ENGINES(ScheduleOverridesStore);

TEST_P(ScheduleOverridesStore, CreateListReopenDelete) {
  std::int64_t first = 0, second = 0;
  {
    auto s = db_.open_sql();
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto a = (*s)->create_schedule_override(make("primary", "bob", 1000, 5000));
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_GT(a->id, 0);
    EXPECT_GT(a->created_at.time_since_epoch().count(), 0);
    auto b = (*s)->create_schedule_override(make("secondary", "carol", 2000, 3000));
    ASSERT_TRUE(b.ok());
    auto c = (*s)->create_schedule_override(make("primary", "carol", 1500, 2500));
    ASSERT_TRUE(c.ok());
    EXPECT_LT(a->id, c->id);
    first = a->id;
    second = c->id;
  }
  auto s = db_.open_sql();
  ASSERT_TRUE(s.ok());
  auto all = (*s)->list_schedule_overrides("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  auto primary = (*s)->list_schedule_overrides("primary");
  ASSERT_TRUE(primary.ok());
  ASSERT_EQ(primary->size(), 2u);
  EXPECT_EQ((*primary)[0].id, first);  // oldest first: later ones stack on top
  EXPECT_EQ((*primary)[0].user, "bob");
  EXPECT_EQ((*primary)[0].start, t(1000));
  EXPECT_EQ((*primary)[0].end, t(5000));
  EXPECT_EQ((*primary)[0].created_by, "alice");
  EXPECT_EQ((*primary)[1].id, second);

  ASSERT_TRUE((*s)->delete_schedule_override(first).ok());
  auto gone = (*s)->delete_schedule_override(first);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().field, "id");
  primary = (*s)->list_schedule_overrides("primary");
  ASSERT_TRUE(primary.ok());
  ASSERT_EQ(primary->size(), 1u);
  EXPECT_EQ((*primary)[0].user, "carol");
}

TEST_P(ScheduleOverridesStore, RefusesAnEndNotAfterItsStart) {
  auto s = db_.open_sql();
  ASSERT_TRUE(s.ok());
  auto r = (*s)->create_schedule_override(make("primary", "bob", 5000, 5000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "end");
  auto none = (*s)->list_schedule_overrides("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace vigil::store
