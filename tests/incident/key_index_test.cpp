#include "incident/key_index.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::incident {
namespace {

std::string key(int i) { return "alertmanager/" + std::to_string(i); }

// Growing past kIncremental moves entries a few at a time: every key must stay findable, and
// overwrites and erases must land whichever map holds the key at that moment.
TEST(KeyIndex, EveryKeyStaysFindableWhileItGrowsInSteps) {
  KeyIndex index;
  const int n = 20000;
  bool grew = false;
  for (int i = 0; i < n; ++i) {
    index.set(key(i), i);
    grew = grew || index.growing();
    if (index.growing()) {
      // The oldest keys are the ones still waiting to move; new ones are in the new map.
      ASSERT_NE(index.find(key(0)), nullptr);
      ASSERT_EQ(*index.find(key(i / 2)), i / 2);
    }
    ASSERT_EQ(index.size(), static_cast<std::size_t>(i + 1));
  }
  EXPECT_TRUE(grew);
  for (int i = 0; i < n; ++i) {
    const std::int64_t* id = index.find(key(i));
    ASSERT_NE(id, nullptr) << key(i);
    EXPECT_EQ(*id, i);
  }
  EXPECT_EQ(index.find("alertmanager/none"), nullptr);
}

TEST(KeyIndex, OverwriteAndEraseDuringGrowth) {
  KeyIndex index;
  int i = 0;
  for (; !index.growing(); ++i) index.set(key(i), i);
  const int before = i;  // all of these are in the old map or moving
  index.set(key(0), 999'999);  // overwrite a key that may not have moved yet
  EXPECT_EQ(*index.find(key(0)), 999'999);
  EXPECT_EQ(index.size(), static_cast<std::size_t>(before));
  for (int k = 1; k < before; k += 2) index.erase(key(k));  // erase from whichever map
  for (int k = 1; k < before; ++k) {
    if (k % 2) EXPECT_EQ(index.find(key(k)), nullptr) << k;
    else EXPECT_NE(index.find(key(k)), nullptr) << k;
  }
  EXPECT_FALSE(index.growing());  // erases move entries too: the growth finished
  EXPECT_EQ(index.size(), static_cast<std::size_t>(before - before / 2));
  index.erase("alertmanager/none");  // absent: nothing happens
  EXPECT_EQ(index.size(), static_cast<std::size_t>(before - before / 2));
}

}  // namespace
}  // namespace vigil::incident
