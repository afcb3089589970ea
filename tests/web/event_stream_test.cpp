// The live stream end to end: EventHub behind a real HttpServer on loopback, read by a raw
// socket as EventSource would (headers, then frames until the server closes).
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <future>
#include <thread>

#include <sys/socket.h>
#include <sys/time.h>

#include "web/event_hub.h"
#include "web/server.h"

namespace vigil::web {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class EventStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(io_, o, [this](Request req, Respond respond) {
      if (req.path == "/api/v1/stream") return respond(hub_.open_stream());
      respond(json_error(404, "no such route"));
    });
    ASSERT_TRUE(server_->start().ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    stop_server();
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  void stop_server() {
    std::promise<void> done;
    asio::post(io_, [&] {
      if (server_) server_->stop();
      done.set_value();
    });
    done.get_future().wait();
  }

  tcp::socket open_stream() {
    tcp::socket s(client_io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    timeval tv{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string req = "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
    asio::write(s, asio::buffer(req));
    return s;
  }

  // Reads until `needle` has arrived (or the connection ends / 5 s pass); returns all read.
  static std::string read_until(tcp::socket& s, std::string_view needle, bool* closed = nullptr) {
    std::string out;
    char buf[4096];
    while (out.find(needle) == std::string::npos) {
      boost::system::error_code ec;
      const std::size_t n = s.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) {
        if (closed) *closed = ec == asio::error::eof || ec == asio::error::connection_reset;
        break;
      }
    }
    return out;
  }

  // Streams register once their headers are out: wait for the hub to see them.
  void wait_streams(std::size_t n) {
    for (int i = 0; i < 500 && hub_.streams() != n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(hub_.streams(), n);
  }

  EventHub hub_{2};
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  asio::io_context client_io_;
};

TEST(EventHubFrame, IsOneSseEventWithNewlinesFlattened) {
  EXPECT_EQ(EventHub::frame("incident", R"({"id":1})"), "event: incident\ndata: {\"id\":1}\n\n");
  EXPECT_EQ(EventHub::frame("x", "a\nb\rc"), "event: x\ndata: a b c\n\n");
}

TEST_F(EventStreamTest, HeadersThenEventsInOrder) {
  auto s = open_stream();
  const std::string head = read_until(s, "vigil live updates\n\n");
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << "a stream has no length";
  EXPECT_NE(head.find("retry: 3000"), std::string::npos);
  wait_streams(1);
  hub_.publish("incident", R"({"id":7,"status":"triggered"})");
  hub_.publish("service", R"({"name":"web","status":"down"})");
  const std::string body = read_until(s, "\"down\"}\n\n");
  const auto a = body.find("event: incident\ndata: {\"id\":7,\"status\":\"triggered\"}\n\n");
  const auto b = body.find("event: service\ndata: {\"name\":\"web\",\"status\":\"down\"}\n\n");
  ASSERT_NE(a, std::string::npos) << body;
  ASSERT_NE(b, std::string::npos) << body;
  EXPECT_LT(a, b);
}

TEST_F(EventStreamTest, BoundedNumberOfStreams) {
  auto s1 = open_stream();
  auto s2 = open_stream();
  read_until(s1, "updates\n\n");
  read_until(s2, "updates\n\n");
  wait_streams(2);
  auto s3 = open_stream();
  const std::string third = read_until(s3, "}");
  EXPECT_NE(third.find("HTTP/1.1 503"), std::string::npos) << third;
  EXPECT_NE(third.find("Retry-After"), std::string::npos) << third;
}

TEST_F(EventStreamTest, ClientGoneIsForgotten) {
  {
    auto s = open_stream();
    read_until(s, "updates\n\n");
    wait_streams(1);
  }  // closed by the client
  for (int i = 0; i < 20 && hub_.streams() != 0; ++i) {
    hub_.publish("incident", "{}");  // a write to a closed socket fails too
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(hub_.streams(), 0u);
}

TEST_F(EventStreamTest, ServerStopClosesStreams) {
  auto s = open_stream();
  read_until(s, "updates\n\n");
  wait_streams(1);
  stop_server();
  bool closed = false;
  read_until(s, "never comes", &closed);
  EXPECT_TRUE(closed) << "the stream ends when the server stops";
}

TEST_F(EventStreamTest, HubCloseAllEndsStreams) {
  auto s = open_stream();
  read_until(s, "updates\n\n");
  wait_streams(1);
  hub_.close_all();
  bool closed = false;
  read_until(s, "never comes", &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(hub_.streams(), 0u);
}

}  // namespace
}  // namespace vigil::web
