#include "app/http_front.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <future>
#include <thread>

#include <sys/socket.h>
#include <sys/time.h>

namespace vigil::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr const char* kKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

std::string trigger(const std::string& dedup) {
  return std::string(R"({"routing_key":")") + kKey + R"(","event_action":"trigger","dedup_key":")" + dedup +
         R"(","payload":{"summary":"disk full","source":"db-1","severity":"critical"}})";
}

// A blocking client connection that gives up after 5 s instead of hanging the test run.
tcp::socket connect(asio::io_context& io, std::uint16_t port) {
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{5, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return s;
}

// An "engine" io_context on a thread of its own, and a front whose routes record which thread
// they ran on.
class HttpFrontTest : public ::testing::Test {
 protected:
  void start(std::function<bool(const std::string&)> is_open = nullptr) {
    web::ServerOptions o;
    o.listen = "127.0.0.1:0";
    front_ = std::make_unique<HttpFront>(
        engine_, o,
        [this](web::Request req, web::Respond respond) {
          api_on_engine_ = std::this_thread::get_id() == engine_thread_id_;
          web::Response r;
          r.body = "api " + req.path;
          respond(std::move(r));
        },
        [this](std::vector<QueuedEvent>& events) {
          events_on_engine_ = std::this_thread::get_id() == engine_thread_id_;
          for (auto& e : events) {
            ++events_;
            web::Response r;
            r.status = 202;
            r.body = e.parsed.event->dedup_key;
            e.respond(std::move(r));
          }
        });
    if (is_open) {
      front_->answer_repeats(std::move(is_open));
      config::IntegrationConfig events;
      events.type = config::IntegrationType::pagerduty_events_v2;
      events.key = kKey;
      front_->set_integrations({events});
    }
    ASSERT_TRUE(front_->start().ok());
    std::promise<std::thread::id> id;
    engine_thread_ = std::thread([this, &id] {
      id.set_value(std::this_thread::get_id());
      engine_.run();
    });
    engine_thread_id_ = id.get_future().get();
  }

  void TearDown() override {
    if (front_) front_->stop();
    guard_.reset();
    engine_.stop();
    if (engine_thread_.joinable()) engine_thread_.join();
    front_.reset();
  }

  http::response<http::string_body> request(http::verb verb, const std::string& target, const std::string& body = "") {
    tcp::socket s = connect(client_io_, front_->port());
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return res;
  }

  asio::io_context engine_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(engine_);
  std::thread engine_thread_;
  std::thread::id engine_thread_id_;
  std::unique_ptr<HttpFront> front_;
  asio::io_context client_io_;
  std::atomic<bool> api_on_engine_{false};
  std::atomic<bool> events_on_engine_{false};
  std::atomic<int> events_{0};
};

TEST_F(HttpFrontTest, RoutesRunOnTheEngineThread) {
  start();
  auto res = request(http::verb::get, "/api/v1/incidents");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "api /api/v1/incidents");
  EXPECT_TRUE(api_on_engine_);
  EXPECT_EQ(events_, 0);
}

TEST_F(HttpFrontTest, ParsedEventsReachTheEngineThreadAndAreAnswered) {
  start();
  auto res = request(http::verb::post, "/v2/enqueue", trigger("disk-db-1"));
  EXPECT_EQ(res.result_int(), 202);
  EXPECT_EQ(res.body(), "disk-db-1");
  EXPECT_TRUE(events_on_engine_);
  EXPECT_EQ(events_, 1);
}

TEST_F(HttpFrontTest, InvalidEventsAreAnsweredWithoutTheEngine) {
  start();
  auto res = request(http::verb::post, "/v2/enqueue", R"({"routing_key":"short","event_action":"explode"})");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find("invalid event"), std::string::npos) << res.body();
  EXPECT_EQ(events_, 0);
}

TEST_F(HttpFrontTest, OtherMethodsOnTheEventsPathGoToTheRoutes) {
  start();
  auto res = request(http::verb::get, "/v2/enqueue");
  EXPECT_EQ(res.body(), "api /v2/enqueue");  // the route answers 405, as before
  EXPECT_EQ(events_, 0);
}

TEST_F(HttpFrontTest, RepeatedTriggersOfOpenKeysAreAnsweredWithoutTheEngine) {
  start([](const std::string& key) { return key == "open-1"; });
  auto res = request(http::verb::post, "/v2/enqueue", trigger("open-1"));
  EXPECT_EQ(res.result_int(), 202);
  EXPECT_EQ(res.body(), R"({"status":"success","message":"Event processed","dedup_key":"open-1"})");
  EXPECT_EQ(events_, 0);
  // Not open: the engine decides.
  res = request(http::verb::post, "/v2/enqueue", trigger("new-1"));
  EXPECT_EQ(res.body(), "new-1");
  EXPECT_EQ(events_, 1);
  // A resolve of an open key changes it: the engine's.
  res = request(http::verb::post, "/v2/enqueue",
                std::string(R"({"routing_key":")") + kKey + R"(","event_action":"resolve","dedup_key":"open-1"})");
  EXPECT_EQ(res.body(), "open-1");
  EXPECT_EQ(events_, 2);
  // Another routing key (the engine answers 400 for an unknown one): the engine's.
  std::string other = trigger("open-1");
  other.replace(other.find(kKey), 32, std::string(32, 'a'));
  res = request(http::verb::post, "/v2/enqueue", other);
  EXPECT_EQ(events_, 3);
}

TEST_F(HttpFrontTest, ManyConcurrentEventsAreEachAnsweredOnce) {
  start();
  constexpr int kClients = 8, kEach = 25;
  std::vector<std::thread> clients;
  std::atomic<int> accepted{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      asio::io_context io;
      tcp::socket s = connect(io, front_->port());
      beast::flat_buffer buf;
      for (int i = 0; i < kEach; ++i) {  // keep-alive: one connection per client
        const std::string key = "k-" + std::to_string(c) + "-" + std::to_string(i);
        http::request<http::string_body> req{http::verb::post, "/v2/enqueue", 11};
        req.set(http::field::host, "127.0.0.1");
        req.body() = trigger(key);
        req.prepare_payload();
        http::write(s, req);
        http::response<http::string_body> res;
        http::read(s, buf, res);
        if (res.result_int() == 202 && res.body() == key) ++accepted;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(accepted, kClients * kEach);
  EXPECT_EQ(events_, kClients * kEach);
}

TEST_F(HttpFrontTest, AnswersGivenAfterStopAreDropped) {
  start();
  // The engine holds the answer (a commit in flight) while the front stops.
  std::promise<web::Respond> held;
  auto fut = held.get_future();
  front_.reset();  // a fresh front whose event sink keeps the Respond
  web::ServerOptions o;
  o.listen = "127.0.0.1:0";
  front_ = std::make_unique<HttpFront>(
      engine_, o, [](web::Request, web::Respond) {},
      [&held](std::vector<QueuedEvent>& events) { held.set_value(std::move(events.front().respond)); });
  ASSERT_TRUE(front_->start().ok());
  std::thread client([&] {
    try {
      (void)request(http::verb::post, "/v2/enqueue", trigger("late"));
    } catch (const std::exception&) {
      // closed without an answer: expected
    }
  });
  web::Respond respond = fut.get();
  front_->stop();
  web::Response r;
  r.status = 202;
  respond(std::move(r));  // must neither crash nor write after the stop
  respond = nullptr;
  front_.reset();  // the connection closes with its io_context: the client sees EOF
  client.join();
}

}  // namespace
}  // namespace vigil::app
