// Heartbeat states: every field kept across a reopen, replaced whole by the next ping.
#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_engines.h"

namespace vigil::store {
namespace {

using namespace std::chrono_literals;

Time t(std::int64_t ms) { return Time{Duration{ms}}; }

class HeartbeatStore : public EngineTest {};
VIGIL_ON_BOTH_ENGINES(HeartbeatStore);

TEST_P(HeartbeatStore, PutReopenReplace) {
  rules::HeartbeatState full;
  full.watching_since = t(1000);
  full.last_ping_at = t(5000);
  full.last_kind = rules::PingKind::fail;
  full.exit_status = 3;
  full.message = "pg_dump: error: connection refused\n";
  full.started_at = t(6000);
  full.last_run_time = 1500ms;
  full.pings = 7;
  const rules::HeartbeatState fresh{.watching_since = t(2000)};
  {
    auto s = db_.open_sql();
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto none = (*s)->heartbeats();
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
    ASSERT_TRUE((*s)->put_heartbeats({{"backups/nightly", full}, {"reports/weekly", fresh}}).ok());
  }
  auto s = db_.open_sql();
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto all = (*s)->heartbeats();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at("backups/nightly"), full);
  EXPECT_EQ(all->at("reports/weekly"), fresh) << "never pinged: no last ping, no start, no run time";

  rules::HeartbeatState next = rules::record_ping(full, rules::PingKind::success, 0, "", t(9000));
  ASSERT_TRUE((*s)->put_heartbeats({{"backups/nightly", next}}).ok());
  all = (*s)->heartbeats();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->at("backups/nightly"), next);
  EXPECT_EQ(all->at("backups/nightly").last_run_time, 3000ms);
}

}  // namespace
}  // namespace vigil::store
