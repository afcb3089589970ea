// The HTTP contact adapters against a local receiver: what goes on the wire, and which
// answers count as delivered.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <optional>

#include "common/worker.h"
#include "net/http_client.h"
#include "notify/contact.h"
#include "notify/contact_render.h"
#include "notify/notifier.h"
#include "notify/payload.h"
#include "notify/test_receiver.h"
#include "store/store.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using vigil::testing::run_for;
using vigil::testing::run_until;
using vigil::testing::TestReceiver;

constexpr const char* kAck = "http://vigil.example/a/ack-token.sig";
constexpr const char* kResolve = "http://vigil.example/a/resolve-token.sig";

// A page for incident #7 as the engine enqueues it (payload.cpp + "page" + "links").
incident::OutboxMessage page_message(const std::string& kind = "triggered") {
  incident::Incident inc;
  inc.id = 7;
  inc.service = "webserver-01";
  inc.check = "login";
  inc.title = "webserver-01/login down";
  inc.detected_at = parse_rfc3339("2024-08-18T10:15:00Z").value();
  if (kind == "note") inc.status = incident::Status::triggered;
  incident::TimelineEntry e{1, inc.detected_at, kind, "check:login", "status 500"};
  auto m = outbox_for(inc, {e}, {"user:alice:0"}, "http://vigil.example", inc.detected_at).at(0);
  if (kind == "triggered") {
    json::object o = json::parse(m.payload).as_object();
    o["event"] = "page";
    o["page"] = json::object{{"user", "alice"}, {"name", "Alice"}, {"rule", 1}, {"round", 0}};
    o["links"] = json::object{{"acknowledge", kAck}, {"resolve", kResolve}};
    m.payload = json::serialize(o);
    m.event = "page";
  }
  return m;
}

std::uint16_t dead_port(boost::asio::io_context& io) {
  TestReceiver r(io);
  const auto port = r.start();
  r.stop();
  return port;
}

struct HttpKind {
  std::string type;
  std::string content_type;
  int success_status;  // what the real service answers on success
  std::function<std::string(const json::object&)> render;
};

std::vector<HttpKind> http_kinds() {
  return {
      {"slack", "application/json", 200, [](const json::object& p) { return slack_body(p); }},
      {"discord", "application/json", 204, [](const json::object& p) { return discord_body(p); }},
      {"msteams", "application/json", 200, [](const json::object& p) { return msteams_body(p); }},
      {"ntfy", "text/plain; charset=utf-8", 200, [](const json::object& p) { return ntfy_message(p).body; }},
      {"pagerduty", "application/json", 202, [](const json::object& p) { return *pagerduty_body(p, "RKEY"); }},
      {"webhook", "application/json", 200, [](const json::object& p) { return json::serialize(p); }},
  };
}

class ContactHttpTest : public ::testing::TestWithParam<HttpKind> {
 protected:
  config::ContactMethod contact(std::uint16_t port) {
    config::ContactMethod c;
    c.type = GetParam().type;
    // Path shaped like a real incoming-webhook URL: the token in it is a secret.
    c.url = "http://127.0.0.1:" + std::to_string(port) + "/services/T0/B0/SECRETTOKEN";
    c.routing_key = "RKEY";
    c.secret = "s3cret";
    return c;
  }

  std::unique_ptr<Channel> make(const config::ContactMethod& c) {
    ContactOptions opts;
    opts.http_timeout = 2s;
    return make_contact_channel(c, smtp_, http_, worker_, io_, opts);
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
  BlockingWorker worker_;
  config::SmtpConfig smtp_;
  TestReceiver receiver_{io_};
};

TEST_P(ContactHttpTest, PostsTheRenderedBodyAndSucceedsOnTheServicesAnswer) {
  const auto& kind = GetParam();
  receiver_.set_status(kind.success_status);
  receiver_.set_body(kind.type == "msteams" ? "1" : "ok");
  auto ch = make(contact(receiver_.start()));
  const auto m = page_message();

  auto st = deliver_once(*ch, m);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->ok()) << st->error().message;
  ASSERT_EQ(receiver_.received().size(), 1u);
  const auto& r = receiver_.received()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/services/T0/B0/SECRETTOKEN");
  EXPECT_EQ(r.header("content-type"), kind.content_type);
  EXPECT_EQ(r.body, kind.render(json::parse(m.payload).as_object()));
  EXPECT_EQ(r.header("x-vigil-message-id"), m.id);
  if (kind.type == "webhook") {
    EXPECT_EQ(r.header("x-vigil-signature"), "sha256=" + hmac_sha256_hex("s3cret", r.body));
  }
  if (kind.type == "ntfy") {
    EXPECT_EQ(r.header("title"), "#7 triggered: webserver-01/login down");
    EXPECT_EQ(r.header("priority"), "5");
    EXPECT_EQ(r.header("click"), "http://vigil.example/api/v1/incidents/7");
    EXPECT_EQ(r.header("actions"), std::string("view, Acknowledge, ") + kAck + "; view, Resolve, " + kResolve);
  }
}

TEST_P(ContactHttpTest, ErrorOn500And429WithoutLeakingTheUrl) {
  for (int status : {500, 429}) {
    receiver_.set_status(status);
    receiver_.set_body("service said no");
    auto ch = make(contact(receiver_.start()));
    auto st = deliver_once(*ch, page_message());
    ASSERT_TRUE(st.has_value());
    ASSERT_FALSE(st->ok()) << status;
    const std::string& msg = st->error().message;
    EXPECT_NE(msg.find("HTTP " + std::to_string(status)), std::string::npos) << msg;
    EXPECT_NE(msg.find("service said no"), std::string::npos) << msg;
    if (status == 429 && GetParam().type != "webhook") {
      EXPECT_NE(msg.find("rate limited"), std::string::npos) << msg;
    }
    EXPECT_EQ(msg.find("SECRETTOKEN"), std::string::npos) << msg;
    receiver_.stop();
  }
}

TEST_P(ContactHttpTest, ErrorWhenNothingListens) {
  auto ch = make(contact(dead_port(io_)));
  auto st = deliver_once(*ch, page_message());
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  EXPECT_NE(st->error().message.find("unreachable"), std::string::npos) << st->error().message;
  EXPECT_EQ(st->error().message.find("SECRETTOKEN"), std::string::npos) << st->error().message;
}

INSTANTIATE_TEST_SUITE_P(Kinds, ContactHttpTest, ::testing::ValuesIn(http_kinds()),
                         [](const ::testing::TestParamInfo<HttpKind>& info) { return info.param.type; });

// ---- per-service quirks --------------------------------------------------------------------

class ContactQuirkTest : public ::testing::Test {
 protected:
  std::unique_ptr<Channel> make(config::ContactMethod c) {
    return make_contact_channel(c, smtp_, http_, worker_, io_, ContactOptions{2s, 2s, 2s});
  }
  std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  Status deliver_once(Channel& ch, const incident::OutboxMessage& m) {
    std::optional<Status> result;
    ch.deliver(m, [&](Status st) { result = st; });
    EXPECT_TRUE(run_until(io_, [&] { return result.has_value(); }));
    return result.value_or(Status(Error{"no answer"}));
  }

  boost::asio::io_context io_;
  net::HttpClient http_{io_};
  BlockingWorker worker_;
  config::SmtpConfig smtp_;
  TestReceiver receiver_{io_};
  std::uint16_t port_ = receiver_.start();
};

TEST_F(ContactQuirkTest, TeamsRefusalInsideA200IsAnError) {
  receiver_.set_body(
      "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId x");
  auto ch = make({.type = "msteams", .url = url("/webhookb2/abc")});
  const Status st = deliver_once(*ch, page_message());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("HTTP error 429"), std::string::npos) << st.error().message;
}

TEST_F(ContactQuirkTest, PagerDutyRejectsABadEventAndSkipsNotes) {
  receiver_.set_status(400);
  receiver_.set_body(R"({"status":"invalid event","message":"Event object is invalid"})");
  auto ch = make({.type = "pagerduty", .url = url("/v2/enqueue"), .routing_key = "bad"});
  Status st = deliver_once(*ch, page_message());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("rejected"), std::string::npos) << st.error().message;

  receiver_.set_status(202);
  st = deliver_once(*ch, page_message("note"));
  EXPECT_TRUE(st.ok()) << "PagerDuty has no notes: nothing to send is done";
  EXPECT_EQ(receiver_.received().size(), 1u) << "the note was not sent";

  st = deliver_once(*ch, page_message("resolved"));
  EXPECT_TRUE(st.ok());
  ASSERT_EQ(receiver_.received().size(), 2u);
  const auto e = json::parse(receiver_.received()[1].body);
  EXPECT_EQ(e.at("event_action").as_string(), "resolve");
  EXPECT_EQ(e.at("dedup_key").as_string(), "vigil-7");
  EXPECT_EQ(e.at("routing_key").as_string(), "bad");
}

TEST_F(ContactQuirkTest, MisconfiguredContactsFailEveryDeliverySayingWhy) {
  struct Case {
    config::ContactMethod contact;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{.type = "sms", .url = url("/")}, "unknown contact type \"sms\""},
      {{.type = "slack"}, "no url"},
      {{.type = "pagerduty"}, "routing_key"},
      {{.type = "email", .address = "alice@example.com"}, "smtp.url"},
      {{.type = "command"}, "no command"},
  };
  for (const auto& c : cases) {
    auto ch = make(c.contact);
    ASSERT_NE(ch, nullptr);
    const Status st = deliver_once(*ch, page_message());
    ASSERT_FALSE(st.ok()) << c.contact.type;
    EXPECT_NE(st.error().message.find(c.says), std::string::npos) << st.error().message;
  }
  EXPECT_TRUE(receiver_.received().empty());
}

// ---- through the Notifier: a receiver that is down gets the page once it is back -------------

class ContactNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-contact-notifier-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::open_sqlite((dir_ / "vigil.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  void TearDown() override {
    notifier_.reset();
    worker_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  std::int64_t pending() {
    auto n = store_->outbox_pending();
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

TEST_F(ContactNotifierTest, SlackPageIsRetriedWhileDownAndDeliveredWhenBack) {
  const std::uint16_t port = receiver_.start();
  receiver_.stop();  // Slack is unreachable when the page is enqueued

  config::ContactMethod c{.type = "slack", .url = "http://127.0.0.1:" + std::to_string(port) + "/services/x"};
  const config::SmtpConfig smtp;
  std::map<std::string, std::unique_ptr<Channel>> channels;
  channels.emplace("user:alice:0", make_contact_channel(c, smtp, http_, *worker_, io_, ContactOptions{2s, 2s, 2s}));
  notifier_ = std::make_unique<Notifier>(io_, *worker_, *store_, std::move(channels), 200ms);

  auto m = page_message();
  incident::IncidentChange change;
  change.incident.id = 7;
  change.incident.dedup_key = "webserver-01/login";
  change.incident.service = "webserver-01";
  change.incident.check = "login";
  change.incident.title = "webserver-01/login down";
  change.incident.started_at = change.incident.detected_at = now_ms();
  change.new_entries = {{1, now_ms(), "triggered", "check:login", "status 500"}};
  m.created_at = now_ms();
  change.outbox = {m};
  ASSERT_TRUE(store_->apply(change).ok());

  notifier_->start();
  ASSERT_TRUE(run_until(io_, [&] { return notifier_->stats().failed_attempts >= 1; }));
  EXPECT_EQ(pending(), 1) << "delayed, not dropped";
  EXPECT_EQ(notifier_->stats().delivered, 0);

  receiver_.start(port);
  ASSERT_TRUE(run_until(
      io_, [&] { return pending() == 0; }, 15s));
  run_for(io_, 500ms);
  ASSERT_EQ(receiver_.received().size(), 1u);
  const auto body = json::parse(receiver_.received()[0].body);
  EXPECT_EQ(body.at("text").as_string(), "#7 triggered: webserver-01/login down");
  EXPECT_EQ(receiver_.received()[0].header("x-vigil-message-id"), m.id);
  EXPECT_EQ(notifier_->stats().delivered, 1);
}

}  // namespace
}  // namespace vigil::notify
