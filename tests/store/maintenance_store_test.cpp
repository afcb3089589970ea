// Maintenance windows made at run time: kept across a reopen with every field (several
// services), listed oldest first, their end moved, deleted by id; bad ones refused by field.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_engines.h"

namespace vigil::store {
namespace {

using incident::MaintenanceWindow;

Time t(std::int64_t ms) { return Time{Duration{ms}}; }

MaintenanceWindow make(std::vector<std::string> services, std::int64_t start, std::int64_t end) {
  MaintenanceWindow w;
  w.services = std::move(services);
  w.start = t(start);
  w.end = t(end);
  w.description = "Apache 2.4.62 upgrade\nand a reboot";
  w.created_by = "alice";
  return w;
}

class MaintenanceStore : public EngineTest {};
VIGIL_ON_BOTH_ENGINES(MaintenanceStore);

TEST_P(MaintenanceStore, CreateListReopenEndDelete) {
  std::int64_t first = 0, second = 0;
  {
    auto s = db_.open_sql();
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto a = (*s)->create_maintenance_window(make({"web", "api"}, 1000, 5000));
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_GT(a->id, 0);
    EXPECT_GT(a->created_at, t(0));
    auto b = (*s)->create_maintenance_window(make({"db"}, 2000, 3000));
    ASSERT_TRUE(b.ok());
    EXPECT_GT(b->id, a->id);
    first = a->id;
    second = b->id;
  }
  auto s = db_.open_sql();
  ASSERT_TRUE(s.ok());
  auto all = (*s)->list_maintenance_windows();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  const auto& w = (*all)[0];
  EXPECT_EQ(w.id, first);
  EXPECT_EQ(w.services, (std::vector<std::string>{"web", "api"}));
  EXPECT_EQ(w.start, t(1000));
  EXPECT_EQ(w.end, t(5000));
  EXPECT_EQ(w.description, "Apache 2.4.62 upgrade\nand a reboot");
  EXPECT_EQ(w.created_by, "alice");
  EXPECT_EQ((*all)[1].id, second);

  ASSERT_TRUE((*s)->set_maintenance_end(first, t(1500)).ok());
  all = (*s)->list_maintenance_windows();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].end, t(1500));
  auto bad_end = (*s)->set_maintenance_end(first, t(1000));  // not after its start: the CHECK refuses
  EXPECT_FALSE(bad_end.ok());
  auto missing = (*s)->set_maintenance_end(999, t(1500));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "id");

  ASSERT_TRUE((*s)->delete_maintenance_window(second).ok());
  auto gone = (*s)->delete_maintenance_window(second);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().field, "id");
  all = (*s)->list_maintenance_windows();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, first);
}

TEST_P(MaintenanceStore, RefusesBadWindowsByField) {
  auto s = db_.open_sql();
  ASSERT_TRUE(s.ok());
  auto r = (*s)->create_maintenance_window(make({"web"}, 5000, 5000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "end");
  r = (*s)->create_maintenance_window(make({}, 1000, 5000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "services");
  r = (*s)->create_maintenance_window(make({"we\nb"}, 1000, 5000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "services");
  auto none = (*s)->list_maintenance_windows();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace vigil::store
