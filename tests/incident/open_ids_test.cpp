#include "incident/open_ids.h"

#include <gtest/gtest.h>

#include <set>

namespace vigil::incident {
namespace {

using Ids = std::vector<std::int64_t>;

TEST(OpenIds, AppendsRemovesAndListsTheNewest) {
  OpenIds ids;
  EXPECT_TRUE(ids.empty());
  for (std::int64_t id = 1; id <= 10; ++id) ids.add(id);
  ids.remove(3);
  ids.remove(10);  // the newest: the list shrinks from the end
  ids.remove(42);  // absent: nothing happens
  ids.remove(3);   // twice: nothing more
  EXPECT_EQ(ids.size(), 8u);
  EXPECT_EQ(ids.newest(3), (Ids{7, 8, 9}));
  EXPECT_EQ(ids.newest(100), (Ids{1, 2, 4, 5, 6, 7, 8, 9}));
  ids.add(11);
  EXPECT_EQ(ids.newest(2), (Ids{9, 11}));
}

TEST(OpenIds, OutOfOrderAtRestoreAndReopenedHolesStaySorted) {
  OpenIds ids;
  for (std::int64_t id : {5, 2, 9, 7, 1}) ids.add(id);
  EXPECT_EQ(ids.newest(10), (Ids{1, 2, 5, 7, 9}));
  ids.remove(5);
  ids.add(5);  // a hole filled again
  ids.add(5);  // already there
  EXPECT_EQ(ids.newest(10), (Ids{1, 2, 5, 7, 9}));
  EXPECT_EQ(ids.size(), 5u);
}

// A trigger/resolve storm against a model: the oldest resolved as new ones open, with holes
// compacted along the way; size and order must match a std::set at every step.
TEST(OpenIds, MatchesASetThroughAStormWithCompactions) {
  OpenIds ids;
  std::set<std::int64_t> model;
  std::int64_t next = 1;
  for (int step = 0; step < 20000; ++step) {
    ids.add(next);
    model.insert(next);
    ++next;
    if (step % 3 != 0 && !model.empty()) {  // resolve the oldest or one in the middle
      auto victim = step % 2 ? model.begin() : std::next(model.begin(), static_cast<long>(model.size() / 2));
      ids.remove(*victim);
      model.erase(victim);
    }
    ASSERT_EQ(ids.size(), model.size()) << step;
  }
  Ids all(model.begin(), model.end());
  EXPECT_EQ(ids.newest(model.size()), all);
  Ids last(std::prev(model.end(), 5), model.end());
  EXPECT_EQ(ids.newest(5), last);
}

}  // namespace
}  // namespace vigil::incident
