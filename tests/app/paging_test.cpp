// Paging::make with overrides made at run time: they stack on the schedule's own, the newest on
// top, and those of a user or schedule the config no longer has are left out.
#include <gtest/gtest.h>

#include "app/paging.h"

namespace vigil::app {
namespace {

using namespace std::chrono;

Time at(int day, int hour) { return Time{sys_days{year{2024} / 8 / day} + hours(hour)}; }

config::Config two_users_one_layer() {
  config::Config c;
  for (const char* id : {"alice", "bob", "carol"}) {
    config::UserConfig u;
    u.id = id;
    u.name = id;
    c.users.push_back(u);
  }
  config::ScheduleConfig s;
  s.name = "primary";
  config::LayerConfig l;
  l.name = "weekly";
  l.start = local_days{year{2024} / 8 / 12} + hours(9);
  l.users = {"alice"};
  s.layers.push_back(l);
  s.overrides.push_back({"carol", at(14, 0), at(15, 0)});  // the config's own
  c.schedules.push_back(s);
  return c;
}

store::ScheduleOverride stored(std::int64_t id, std::string schedule, std::string user, Time start, Time end) {
  store::ScheduleOverride o;
  o.id = id;
  o.schedule = std::move(schedule);
  o.user = std::move(user);
  o.start = start;
  o.end = end;
  return o;
}

TEST(PagingOverrides, StoredOverridesStackOnTheConfigsNewestOnTop) {
  const auto cfg = two_users_one_layer();
  auto plain = Paging::make(cfg, "key");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->on_call("primary", at(14, 12)), "carol");
  EXPECT_EQ((*plain)->on_call("primary", at(16, 12)), "alice");

  auto p = Paging::make(cfg, "key",
                        {stored(1, "primary", "bob", at(14, 6), at(17, 0)),     // over carol's and alice's turns
                         stored(2, "primary", "alice", at(16, 10), at(16, 14)),  // newer: wins inside bob's
                         stored(3, "primary", "dave", at(18, 0), at(19, 0)),     // no such user any more
                         stored(4, "gone", "bob", at(18, 0), at(19, 0))});        // no such schedule
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->on_call("primary", at(14, 3)), "carol");   // before the stored one starts
  EXPECT_EQ((*p)->on_call("primary", at(14, 12)), "bob");    // stored over the config's override
  EXPECT_EQ((*p)->on_call("primary", at(16, 12)), "alice");  // the newest stored one
  EXPECT_EQ((*p)->on_call("primary", at(16, 15)), "bob");
  EXPECT_EQ((*p)->on_call("primary", at(18, 12)), "alice");  // dave's is left out: the layer
  const auto shifts = (*p)->schedule("primary")->shifts(at(16, 0), at(17, 0));
  ASSERT_EQ(shifts.size(), 3u);
  EXPECT_EQ(shifts[0].user, "bob");
  EXPECT_EQ(shifts[0].layer, "override");
  EXPECT_EQ(shifts[1].user, "alice");
  EXPECT_EQ(shifts[1].start, at(16, 10));
  EXPECT_EQ(shifts[2].end, at(17, 0));
  // The config itself is unchanged: what the API lists as the config's overrides.
  ASSERT_EQ((*p)->config().schedules[0].overrides.size(), 1u);
}

}  // namespace
}  // namespace vigil::app
