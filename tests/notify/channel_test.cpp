#include "notify/channel.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <optional>

#include "net/http_client.h"
#include "notify/payload.h"
#include "notify/test_receiver.h"

namespace vigil::notify {
namespace {

using vigil::testing::run_until;
using vigil::testing::TestReceiver;

incident::OutboxMessage sample_message(const std::string& channel) {
  incident::Incident inc;
  inc.id = 7;
  inc.service = "webserver-01";
  inc.check = "login";
  inc.title = "webserver-01/login down";
  inc.detected_at = parse_rfc3339("2024-08-18T10:15:00Z").value();
  incident::TimelineEntry e{1, inc.detected_at, "triggered", "check:login", "status 500"};
  auto out = outbox_for(inc, {e}, {channel}, "http://vigil.example", inc.detected_at);
  return out.at(0);
}

// A port where nothing listens: bound and released.
std::uint16_t dead_port(boost::asio::io_context& io) {
  TestReceiver r(io);
  const auto port = r.start();
  r.stop();
  return port;
}

class WebhookChannelTest : public ::testing::Test {
 protected:
  config::ChannelConfig webhook(std::uint16_t port, std::string secret = "") {
    config::ChannelConfig c;
    c.name = "ops-hook";
    c.type = config::ChannelType::webhook;
    c.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
    c.secret = std::move(secret);
    c.timeout = 2s;
    return c;
  }

  std::optional<Status> deliver_once(Channel& ch, const incident::OutboxMessage& m) {
    std::optional<Status> result;
    int calls = 0;
    ch.deliver(m, [&](Status st) {
      ++calls;
      result = st;
    });
    run_until(io_, [&] { return result.has_value(); });
    EXPECT_LE(calls, 1);
    return result;
  }

  boost::asio::io_context io_;
  net::HttpClient http_{io_};
  TestReceiver receiver_{io_};
};

TEST_F(WebhookChannelTest, PostsSignedJsonAndSucceedsOn2xx) {
  auto cfg = webhook(receiver_.start(), "s3cret");
  cfg.headers = {{"Authorization", "Bearer abc"}, {"X-Vigil-Message-Id", "forged"}};
  receiver_.set_status(204);
  auto ch = make_channel(cfg, http_);
  const auto m = sample_message("ops-hook");

  auto st = deliver_once(*ch, m);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok()) << st->error().message;

  ASSERT_EQ(receiver_.received().size(), 1u);
  const auto& r = receiver_.received()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook");
  EXPECT_EQ(r.body, m.payload);  // byte for byte: what was signed is what arrives
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-vigil-message-id"), m.id);  // a custom header cannot forge the id
  EXPECT_EQ(r.header("x-vigil-signature"), "sha256=" + hmac_sha256_hex("s3cret", r.body));
  EXPECT_EQ(r.header("authorization"), "Bearer abc");
  // The stable id header is the id inside the body.
  EXPECT_EQ(boost::json::parse(r.body).at("id").as_string(), r.header("x-vigil-message-id"));
}

TEST_F(WebhookChannelTest, UnsignedWithoutSecret) {
  auto ch = make_channel(webhook(receiver_.start()), http_);
  auto st = deliver_once(*ch, sample_message("ops-hook"));
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok());
  ASSERT_EQ(receiver_.received().size(), 1u);
  EXPECT_EQ(receiver_.received()[0].header("x-vigil-signature"), "");
}

TEST_F(WebhookChannelTest, ErrorOn500WithStatusAndBodySnippet) {
  receiver_.set_status(500);
  receiver_.set_body("database is locked\n" + std::string(1000, 'x'));
  auto ch = make_channel(webhook(receiver_.start()), http_);
  auto st = deliver_once(*ch, sample_message("ops-hook"));
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  const std::string& msg = st->error().message;
  EXPECT_NE(msg.find("HTTP 500"), std::string::npos) << msg;
  EXPECT_NE(msg.find("database is locked"), std::string::npos) << msg;
  EXPECT_LT(msg.size(), 400u) << "the receiver's whole page does not belong in last_error";
}

TEST_F(WebhookChannelTest, ErrorOnRedirectAndClientErrors) {
  for (int status : {301, 400, 404}) {
    receiver_.set_status(status);
    auto ch = make_channel(webhook(receiver_.start()), http_);
    auto st = deliver_once(*ch, sample_message("ops-hook"));
    ASSERT_TRUE(st.has_value());
    EXPECT_FALSE(st->ok()) << status;
    receiver_.stop();
  }
}

TEST_F(WebhookChannelTest, ErrorWhenNothingListens) {
  auto ch = make_channel(webhook(dead_port(io_)), http_);
  auto st = deliver_once(*ch, sample_message("ops-hook"));
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  EXPECT_NE(st->error().message.find("unreachable"), std::string::npos) << st->error().message;
}

TEST_F(WebhookChannelTest, ReusesTheConnectionAcrossMessages) {
  auto ch = make_channel(webhook(receiver_.start()), http_);
  for (int n = 0; n < 3; ++n) {
    auto st = deliver_once(*ch, sample_message("ops-hook"));
    ASSERT_TRUE(st.has_value() && st->ok());
  }
  EXPECT_EQ(receiver_.received().size(), 3u);
  EXPECT_EQ(receiver_.connections_accepted(), 1);  // fresh_connection=false
}

TEST(LogChannel, OneLinePerMessage) {
  boost::asio::io_context io;
  net::HttpClient http(io);
  config::ChannelConfig cfg;
  cfg.name = "console";
  cfg.type = config::ChannelType::log;
  auto ch = make_channel(cfg, http);
  auto m = sample_message("console");
  ::testing::internal::CaptureStdout();
  std::optional<Status> result;
  ch->deliver(m, [&](Status st) { result = st; });
  const std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok());
  EXPECT_EQ(out, "vigil notify console vigil-7-1-console triggered incident=#7 webserver-01/login down\n");
}

}  // namespace
}  // namespace vigil::notify
