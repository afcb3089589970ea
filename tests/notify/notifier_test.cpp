#include "notify/notifier.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <optional>
#include <set>

#include "common/worker.h"
#include "net/http_client.h"
#include "notify/channel.h"
#include "notify/payload.h"
#include "notify/test_receiver.h"
#include "store/store.h"

namespace vigil::notify {
namespace {

namespace fs = std::filesystem;
using vigil::testing::run_for;
using vigil::testing::run_until;
using vigil::testing::TestReceiver;

// End to end: the real SQLite store in a temp dir, the real HttpClient, a local receiver.
class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-notifier-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::open_sqlite((dir_ / "vigil.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }

  void TearDown() override {
    notifier_.reset();
    worker_.reset();  // finishes queued store calls (they post back into io_, still alive)
    store_.reset();
    fs::remove_all(dir_);
  }

  std::map<std::string, std::unique_ptr<Channel>> webhook_channels(const std::string& name, std::uint16_t port) {
    config::ChannelConfig c;
    c.name = name;
    c.type = config::ChannelType::webhook;
    c.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
    c.secret = "k";
    c.timeout = 2s;
    std::map<std::string, std::unique_ptr<Channel>> m;
    m.emplace(name, make_channel(c, http_));
    return m;
  }

  void make_notifier(std::map<std::string, std::unique_ptr<Channel>> channels, Duration poll = 1s) {
    notifier_ = std::make_unique<Notifier>(io_, *worker_, *store_, std::move(channels), poll);
  }

  // Opens incident `id` (one "triggered" entry) with a message for each channel.
  void enqueue(std::int64_t id, const std::vector<std::string>& channels) {
    incident::IncidentChange change;
    change.incident.id = id;
    change.incident.dedup_key = "webserver-01/login-" + std::to_string(id);
    change.incident.service = "webserver-01";
    change.incident.check = "login";
    change.incident.title = "login down";
    change.incident.started_at = change.incident.detected_at = now_ms();
    change.new_entries = {{1, now_ms(), "triggered", "check:login", "status 500"}};
    change.outbox = outbox_for(change.incident, change.new_entries, channels, "http://vigil.test", now_ms());
    ASSERT_TRUE(store_->apply(change).ok());
  }

  std::int64_t pending() {
    auto n = store_->outbox_pending();
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  fs::path dir_;
  boost::asio::io_context io_;
  std::unique_ptr<store::Store> store_;
  TestReceiver receiver_{io_};
  net::HttpClient http_{io_};
  std::unique_ptr<BlockingWorker> worker_ = std::make_unique<BlockingWorker>();
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifierTest, DeliversOnceAndMarksDelivered) {
  make_notifier(webhook_channels("ops-hook", receiver_.start()));
  enqueue(1, {"ops-hook"});
  notifier_->start();
  ASSERT_TRUE(run_until(io_, [&] { return receiver_.received().size() == 1 && pending() == 0; }));
  run_for(io_, 2500ms);  // two more polls: nothing is sent again
  ASSERT_EQ(receiver_.received().size(), 1u);
  EXPECT_EQ(pending(), 0);
  EXPECT_EQ(notifier_->stats().delivered, 1);
  EXPECT_EQ(notifier_->stats().failed_attempts, 0);

  const auto& r = receiver_.received()[0];
  EXPECT_EQ(r.header("x-vigil-message-id"), "vigil-1-1-ops-hook");
  EXPECT_EQ(boost::json::parse(r.body).at("id").as_string(), r.header("x-vigil-message-id"));
  EXPECT_EQ(r.header("x-vigil-signature"), "sha256=" + hmac_sha256_hex("k", r.body));
}

TEST_F(NotifierTest, AMessageTheGateCallsMootIsDoneWithoutBeingSent) {
  make_notifier(webhook_channels("ops-hook", receiver_.start()));
  std::vector<std::string> asked;
  notifier_->set_gate([&](const incident::OutboxMessage& m) -> std::optional<std::string> {
    asked.push_back(m.id);
    if (m.incident_id == 1) return "acknowledged meanwhile";
    return std::nullopt;
  });
  enqueue(1, {"ops-hook"});
  enqueue(2, {"ops-hook"});
  notifier_->start();
  ASSERT_TRUE(run_until(io_, [&] { return receiver_.received().size() == 1 && pending() == 0; }));
  run_for(io_, 1500ms);  // and it is not tried again
  ASSERT_EQ(receiver_.received().size(), 1u);
  EXPECT_EQ(receiver_.received()[0].header("x-vigil-message-id"), "vigil-2-1-ops-hook");
  EXPECT_EQ(notifier_->stats().skipped, 1);
  EXPECT_EQ(notifier_->stats().delivered, 1);
  EXPECT_EQ(asked, (std::vector<std::string>{"vigil-1-1-ops-hook", "vigil-2-1-ops-hook"}));
}

TEST_F(NotifierTest, AMessageWithNotBeforeWaitsForItsTimeEvenWhenDeliveredNow) {
  make_notifier(webhook_channels("ops-hook", receiver_.start()), 200ms);
  incident::IncidentChange change;
  change.incident.id = 1;
  change.incident.dedup_key = "k";
  change.incident.started_at = change.incident.detected_at = now_ms();
  const Time t0 = now_ms();
  change.outbox = {{"later", "ops-hook", 1, "page", R"({"id":"later"})", t0}};
  change.outbox[0].not_before = t0 + 1500ms;
  ASSERT_TRUE(store_->apply(change).ok());
  notifier_->start();
  notifier_->deliver_now(change.outbox);  // not due: left to the poller
  run_for(io_, 1000ms);
  EXPECT_TRUE(receiver_.received().empty());
  ASSERT_TRUE(run_until(io_, [&] { return receiver_.received().size() == 1 && pending() == 0; }));
  EXPECT_GE(now_ms(), t0 + 1500ms);
}

TEST_F(NotifierTest, ReceiverDownIsRetriedWithBackoffAndNeverLost) {
  const std::uint16_t port = receiver_.start();
  receiver_.stop();  // the receiver is down when the incident opens
  make_notifier(webhook_channels("ops-hook", port));
  enqueue(1, {"ops-hook"});
  const auto t0 = std::chrono::steady_clock::now();
  notifier_->start();

  // First attempt at once, the second after backoff(1) = 1 s.
  ASSERT_TRUE(run_until(io_, [&] { return notifier_->stats().failed_attempts >= 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
  EXPECT_EQ(pending(), 1);
  EXPECT_EQ(notifier_->stats().delivered, 0);

  receiver_.start(port);  // back up: the next retry (2 s later) gets through
  ASSERT_TRUE(run_until(io_, [&] { return receiver_.received().size() >= 1 && pending() == 0; }, 15s));
  run_for(io_, 1500ms);
  ASSERT_EQ(receiver_.received().size(), 1u);
  EXPECT_EQ(receiver_.received()[0].header("x-vigil-message-id"), "vigil-1-1-ops-hook");
  EXPECT_EQ(notifier_->stats().delivered, 1);
  EXPECT_GE(notifier_->stats().failed_attempts, 2);
}

TEST_F(NotifierTest, ErrorStatusIsRetriedToo) {
  receiver_.set_status(503);
  make_notifier(webhook_channels("ops-hook", receiver_.start()));
  enqueue(1, {"ops-hook"});
  notifier_->start();
  ASSERT_TRUE(run_until(io_, [&] { return receiver_.received().size() >= 2; }));
  receiver_.set_status(200);
  ASSERT_TRUE(run_until(io_, [&] { return pending() == 0; }, 15s));
  // Every attempt carried the same id, so the receiver can tell they are one message.
  std::set<std::string> ids;
  for (const auto& r : receiver_.received()) ids.insert(r.header("x-vigil-message-id"));
  EXPECT_EQ(ids, std::set<std::string>{"vigil-1-1-ops-hook"});
  EXPECT_EQ(notifier_->stats().delivered, 1);
}

TEST_F(NotifierTest, ManyMessagesEachDeliveredExactlyOnce) {
  make_notifier(webhook_channels("ops-hook", receiver_.start()));
  for (int id = 1; id <= 30; ++id) enqueue(id, {"ops-hook"});
  notifier_->start();
  ASSERT_TRUE(run_until(io_, [&] { return pending() == 0; }));
  run_for(io_, 1500ms);
  std::multiset<std::string> ids;
  for (const auto& r : receiver_.received()) ids.insert(r.header("x-vigil-message-id"));
  EXPECT_EQ(ids.size(), 30u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 30u);
  EXPECT_EQ(notifier_->stats().delivered, 30);
}

TEST_F(NotifierTest, UnknownChannelWaitsUntilAReloadBringsIt) {
  make_notifier({});
  enqueue(1, {"later"});
  notifier_->start();
  run_for(io_, 1500ms);
  EXPECT_EQ(pending(), 1);  // not dropped
  EXPECT_TRUE(receiver_.received().empty());

  notifier_->set_channels(webhook_channels("later", receiver_.start()));
  ASSERT_TRUE(run_until(io_, [&] { return pending() == 0; }, 15s));
  ASSERT_EQ(receiver_.received().size(), 1u);
  EXPECT_EQ(receiver_.received()[0].header("x-vigil-message-id"), "vigil-1-1-later");
}

TEST_F(NotifierTest, WakeLooksAtOnce) {
  // Polling once an hour: only wake() can explain a delivery within the test.
  make_notifier(webhook_channels("ops-hook", receiver_.start()), std::chrono::hours(1));
  notifier_->start();
  run_for(io_, 100ms);  // the start-up claim found nothing
  enqueue(1, {"ops-hook"});
  notifier_->wake();
  EXPECT_TRUE(run_until(io_, [&] { return receiver_.received().size() == 1; }, 10s));
}

TEST_F(NotifierTest, StoppedNotifierSendsNothing) {
  make_notifier(webhook_channels("ops-hook", receiver_.start()));
  enqueue(1, {"ops-hook"});
  notifier_->start();
  notifier_->stop();
  run_for(io_, 1500ms);
  EXPECT_TRUE(receiver_.received().empty());
  EXPECT_EQ(pending(), 1);
}

TEST_F(NotifierTest, DestroyedWhileDeliveringIsSafe) {
  make_notifier(webhook_channels("ops-hook", receiver_.start()));
  enqueue(1, {"ops-hook"});
  notifier_->start();
  run_until(io_, [&] { return !receiver_.received().empty(); });
  notifier_.reset();  // callbacks still queued must find nothing to touch
  run_for(io_, 300ms);
  SUCCEED();
}

}  // namespace
}  // namespace vigil::notify
