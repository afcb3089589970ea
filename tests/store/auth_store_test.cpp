// API tokens and sessions in SQLite: hashes in, rows out, expiry and revocation.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_engines.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
const Time t0 = Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}};

class AuthStore : public EngineTest {
 protected:
  void SetUp() override {
    auto s = db_.open_sql();
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s.value());
  }
  void TearDown() override {
    store_.reset();
  }
  std::unique_ptr<Store> store_;
};

VIGIL_ON_BOTH_ENGINES(AuthStore);

TEST_P(AuthStore, Tokens) {
  auto a = store_->create_api_token({0, "alice", "ci", std::string(64, 'a'), t0, std::nullopt});
  auto b = store_->create_api_token({0, "bob", "cron", std::string(64, 'b'), t0, std::nullopt});
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok());
  EXPECT_LT(a->id, b->id);
  // The same hash twice is refused (UNIQUE), not silently shared.
  EXPECT_FALSE(store_->create_api_token({0, "carol", "x", std::string(64, 'a'), t0, std::nullopt}).ok());
  auto found = store_->find_api_token(std::string(64, 'b'));
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->user, "bob");
  EXPECT_EQ((*found)->name, "cron");
  EXPECT_FALSE((*found)->last_used_at);
  ASSERT_TRUE(store_->touch_api_token(b->id, t0 + std::chrono::minutes(3)).ok());
  EXPECT_EQ((*store_->find_api_token(std::string(64, 'b')))->last_used_at, t0 + std::chrono::minutes(3));
  EXPECT_FALSE(store_->find_api_token(std::string(64, 'c'))->has_value());
  ASSERT_TRUE(store_->delete_api_token(a->id).ok());
  EXPECT_FALSE(store_->delete_api_token(a->id).ok());  // unknown id: an error the CLI shows
  auto all = store_->list_api_tokens();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().user, "bob");
}

TEST_P(AuthStore, SessionsExpireAndArePruned) {
  SessionRow s{std::string(64, 'f'), "alice", "csrf1", t0, t0 + std::chrono::hours(12)};
  ASSERT_TRUE(store_->put_session(s).ok());
  auto found = store_->find_session(s.sha256_hex, t0 + std::chrono::hours(1));
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->csrf_token, "csrf1");
  EXPECT_EQ((*found)->expires_at, s.expires_at);
  EXPECT_FALSE(store_->find_session(s.sha256_hex, s.expires_at)->has_value());
  SessionRow other{std::string(64, 'e'), "bob", "csrf2", t0, t0 + std::chrono::hours(24)};
  ASSERT_TRUE(store_->put_session(other).ok());
  EXPECT_EQ(*store_->prune_sessions(t0 + std::chrono::hours(13)), 1);
  EXPECT_TRUE(store_->find_session(other.sha256_hex, t0)->has_value());
  ASSERT_TRUE(store_->delete_session(other.sha256_hex).ok());
  EXPECT_FALSE(store_->find_session(other.sha256_hex, t0)->has_value());
}

}  // namespace
}  // namespace vigil::store
