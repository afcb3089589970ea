#include "web/server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/socket.h>
#include <sys/time.h>

namespace vigil::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A server on an ephemeral port, its io_context running on a thread of its own.
class ServerTest : public ::testing::Test {
 protected:
  void start(Handler handler, ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(io_, options, std::move(handler));
    const Status st = server_->start();
    ASSERT_TRUE(st.ok()) << st.error().message;
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      std::promise<void> stopped;
      asio::post(io_, [&] {
        server_->stop();
        stopped.set_value();
      });
      stopped.get_future().wait();
      guard_.reset();
      io_.stop();
      thread_.join();
    }
    server_.reset();
  }

  // A blocking client socket that gives up after 5 s instead of hanging the test run.
  tcp::socket connect() {
    tcp::socket s(client_io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    timeval tv{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  }

  static void send(tcp::socket& s, std::string_view raw) { asio::write(s, asio::buffer(raw.data(), raw.size())); }

  static http::response<http::string_body> read_response(tcp::socket& s, beast::flat_buffer& buf) {
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return res;
  }

  // Everything until the server closes the connection.
  static std::string read_all(tcp::socket& s) {
    std::string out;
    char chunk[4096];
    for (;;) {
      beast::error_code ec;
      const std::size_t n = s.read_some(asio::buffer(chunk), ec);
      out.append(chunk, n);
      if (ec) break;
    }
    return out;
  }

  // True when the server closed the connection (EOF or reset), false on our 5 s receive timeout.
  static bool closed_by_server(tcp::socket& s) {
    char c;
    beast::error_code ec;
    s.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  asio::io_context client_io_;
};

// Records requests as the handler saw them (the handler runs on the server thread).
struct Recorder {
  std::mutex mu;
  std::vector<Request> requests;
  void add(const Request& r) {
    std::lock_guard lock(mu);
    requests.push_back(r);
  }
  std::vector<Request> all() {
    std::lock_guard lock(mu);
    return requests;
  }
};

Response text(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

TEST_F(ServerTest, GetWithQueryAndPathDecoding) {
  Recorder rec;
  start([&](Request req, Respond respond) {
    rec.add(req);
    respond(text("hello"));
  });
  auto s = connect();
  send(s,
       "GET /api/v1/inc%20idents?status=open&q=a+b%2Bc&amp=%26%3D&flag HTTP/1.1\r\n"
       "Host: localhost\r\nX-Custom-Thing: Yes\r\n\r\n");
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "hello");
  EXPECT_EQ(res[http::field::server], "vigil");
  EXPECT_EQ(res[http::field::content_type], "text/plain");
  EXPECT_EQ(res[http::field::content_length], "5");

  auto reqs = rec.all();
  ASSERT_EQ(reqs.size(), 1u);
  const Request& r = reqs[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/api/v1/inc%20idents?status=open&q=a+b%2Bc&amp=%26%3D&flag");
  EXPECT_EQ(r.path, "/api/v1/inc idents");
  EXPECT_EQ(r.query.at("status"), "open");
  EXPECT_EQ(r.query.at("q"), "a b+c");
  EXPECT_EQ(r.query.at("amp"), "&=");
  EXPECT_EQ(r.query.at("flag"), "");
  EXPECT_EQ(r.header("x-custom-thing"), "Yes");
  EXPECT_EQ(r.header("X-Custom-Thing"), "Yes");
  EXPECT_EQ(r.header("absent"), "");
  for (const auto& [name, value] : r.headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }
  EXPECT_EQ(r.remote.rfind("127.0.0.1:", 0), 0u) << r.remote;
}

TEST_F(ServerTest, PostBodyReachesHandler) {
  Recorder rec;
  start([&](Request req, Respond respond) {
    rec.add(req);
    Response r;
    r.status = 201;
    r.body = R"({"ok":true})";
    r.headers.emplace_back("Location", "/things/1");
    respond(r);
  });
  auto s = connect();
  const std::string body = R"({"name":"x"})";
  send(s, "POST /things HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res[http::field::location], "/things/1");
  auto reqs = rec.all();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].body, body);
  EXPECT_EQ(reqs[0].header("content-type"), "application/json");
}

TEST_F(ServerTest, DeferredRespondFromALaterHandler) {
  // Like a route that answers after a store commit: the handler returns at once and the
  // response is written from a timer callback on the same io_context.
  auto timer = std::make_shared<asio::steady_timer>(io_);
  start([&](Request req, Respond respond) {
    timer->expires_after(std::chrono::milliseconds(100));
    timer->async_wait([respond, path = req.path](beast::error_code) { respond(text("later " + path)); });
  });
  auto s = connect();
  send(s, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "later /slow");
}

TEST_F(ServerTest, RespondFromAnotherThreadAndSecondCallIgnored) {
  std::vector<std::thread> threads;
  std::mutex mu;
  start([&](Request, Respond respond) {
    std::lock_guard lock(mu);
    threads.emplace_back([respond] {
      respond(text("first"));
      respond(text("second"));
    });
  });
  auto s = connect();
  beast::flat_buffer buf;
  send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(read_response(s, buf).body(), "first");
  // The connection is still in a sane state: the stray second call wrote nothing.
  send(s, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(read_response(s, buf).body(), "first");
  std::lock_guard lock(mu);
  for (auto& t : threads) t.join();
}

TEST_F(ServerTest, OversizedBodyIs413AndNeverReachesHandler) {
  Recorder rec;
  ServerOptions opt;
  opt.max_body_bytes = 100;
  start(
      [&](Request req, Respond respond) {
        rec.add(req);
        respond(text("ok"));
      },
      opt);
  auto s = connect();
  send(s, "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'a'));
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  auto j = boost::json::parse(res.body()).as_object();
  EXPECT_NE(std::string(j.at("error").as_string()).find("100 bytes"), std::string::npos) << res.body();
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(rec.all().empty());

  // Chunked bodies have no Content-Length up front: the limit applies while reading.
  auto s2 = connect();
  send(s2, "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n80\r\n" + std::string(128, 'b') +
               "\r\n0\r\n\r\n");
  beast::flat_buffer buf2;
  EXPECT_EQ(read_response(s2, buf2).result_int(), 413);
  EXPECT_TRUE(rec.all().empty());
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  ServerOptions opt;
  opt.max_body_bytes = 100;
  start([&](Request req, Respond respond) { respond(text(std::to_string(req.body.size()))); }, opt);
  auto s = connect();
  send(s, "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'a'));
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "100");
}

TEST_F(ServerTest, GarbageIs400Json) {
  Recorder rec;
  start([&](Request req, Respond respond) {
    rec.add(req);
    respond(text("ok"));
  });
  auto s = connect();
  send(s, "this is not http\r\n\r\n");
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res[http::field::server], "vigil");
  auto j = boost::json::parse(res.body()).as_object();
  EXPECT_TRUE(j.contains("error"));
  EXPECT_FALSE(j.contains("field"));
  EXPECT_TRUE(closed_by_server(s));
  EXPECT_TRUE(rec.all().empty());
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  start([&](Request, Respond respond) { respond(text("ok")); });
  auto s = connect();
  send(s, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(20000, 'x') + "\r\n\r\n");
  beast::flat_buffer buf;
  EXPECT_EQ(read_response(s, buf).result_int(), 431);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Recorder rec;
  start([&](Request req, Respond respond) {
    rec.add(req);
    respond(text("path=" + req.path));
  });
  auto s = connect();
  beast::flat_buffer buf;
  send(s, "GET /one HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r1 = read_response(s, buf);
  EXPECT_TRUE(r1.keep_alive());
  EXPECT_EQ(r1.body(), "path=/one");
  send(s, "GET /two HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r2 = read_response(s, buf);
  EXPECT_EQ(r2.body(), "path=/two");
  auto reqs = rec.all();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].remote, reqs[1].remote);  // same client port: same connection
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start([&](Request req, Respond respond) { respond(text(req.path)); });
  auto s = connect();
  send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  beast::flat_buffer buf;
  EXPECT_EQ(read_response(s, buf).body(), "/a");
  auto r2 = read_response(s, buf);
  EXPECT_EQ(r2.body(), "/b");
  EXPECT_FALSE(r2.keep_alive());
  EXPECT_TRUE(closed_by_server(s));
}

TEST_F(ServerTest, ConnectionCloseAndHttp10AreHonoured) {
  start([&](Request, Respond respond) { respond(text("bye")); });
  auto s = connect();
  send(s, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  const std::string raw = read_all(s);
  EXPECT_NE(raw.find("Connection: close"), std::string::npos) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 3), "bye");

  auto s10 = connect();
  send(s10, "GET / HTTP/1.0\r\n\r\n");
  const std::string raw10 = read_all(s10);
  EXPECT_EQ(raw10.rfind("HTTP/1.0 200", 0), 0u) << raw10;
}

TEST_F(ServerTest, StalledClientIsClosedAfterReadTimeout) {
  ServerOptions opt;
  opt.read_timeout = std::chrono::milliseconds(300);
  start([&](Request, Respond respond) { respond(text("ok")); }, opt);
  auto s = connect();
  const auto t0 = std::chrono::steady_clock::now();
  send(s, "GET / HTTP/1.1\r\nHost:");  // and never finish the header
  EXPECT_TRUE(closed_by_server(s));
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(3));
}

TEST_F(ServerTest, SlowTrickleCannotExtendTheReadTimeout) {
  ServerOptions opt;
  opt.read_timeout = std::chrono::milliseconds(300);
  start([&](Request, Respond respond) { respond(text("ok")); }, opt);
  auto s = connect();
  const auto t0 = std::chrono::steady_clock::now();
  beast::error_code ec;
  for (int i = 0; i < 20 && !ec; ++i) {  // one byte every 100 ms: 2 s if never cut off
    asio::write(s, asio::buffer("G", 1), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(ec || closed_by_server(s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions opt;
  opt.idle_timeout = std::chrono::milliseconds(300);
  start([&](Request, Respond respond) { respond(text("ok")); }, opt);
  auto s = connect();
  beast::flat_buffer buf;
  send(s, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(read_response(s, buf).result_int(), 200);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_by_server(s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST_F(ServerTest, HeadSendsLengthButNoBody) {
  Recorder rec;
  start([&](Request req, Respond respond) {
    rec.add(req);
    respond(text("0123456789"));
  });
  auto s = connect();
  send(s, "HEAD /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  const std::string raw = read_all(s);
  EXPECT_NE(raw.find("Content-Length: 10\r\n"), std::string::npos) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 4), "\r\n\r\n") << raw;  // headers only
  auto reqs = rec.all();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "GET");
}

TEST_F(ServerTest, Expect100ContinueGetsTheInterimResponse) {
  start([&](Request req, Respond respond) { respond(text(req.body)); });
  auto s = connect();
  send(s, "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  char interim[64] = {};
  const std::size_t n = s.read_some(asio::buffer(interim));
  EXPECT_EQ(std::string(interim, n).rfind("HTTP/1.1 100", 0), 0u) << std::string(interim, n);
  send(s, "body");
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.body(), "body");
}

TEST_F(ServerTest, HandlerExceptionIs500) {
  start([&](Request, Respond) { throw std::runtime_error("boom"); });
  auto s = connect();
  send(s, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_NE(res.body().find("boom"), std::string::npos);
}

TEST_F(ServerTest, HandlerThatDropsRespondStillAnswers500) {
  start([&](Request, Respond) {});
  auto s = connect();
  send(s, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  beast::flat_buffer buf;
  EXPECT_EQ(read_response(s, buf).result_int(), 500);
}

TEST_F(ServerTest, StopAnswersTheRequestInFlightThenCloses) {
  auto timer = std::make_shared<asio::steady_timer>(io_);
  std::promise<void> got_request;
  start([&](Request, Respond respond) {
    got_request.set_value();
    timer->expires_after(std::chrono::milliseconds(200));
    timer->async_wait([respond](beast::error_code) { respond(text("finished")); });
  });
  auto busy = connect();
  auto idle = connect();
  send(busy, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  got_request.get_future().wait();
  std::promise<void> stopped;
  asio::post(io_, [&] {
    server_->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  EXPECT_TRUE(closed_by_server(idle));
  beast::flat_buffer buf;
  auto res = read_response(busy, buf);
  EXPECT_EQ(res.body(), "finished");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(closed_by_server(busy));
  beast::error_code ec;
  tcp::socket late(client_io_);
  late.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec) << "no longer accepting";
}

TEST_F(ServerTest, BindConflictIsAnErrorNotAnException) {
  start([&](Request, Respond respond) { respond(text("ok")); });
  asio::io_context other_io;
  ServerOptions opt;
  opt.listen = "127.0.0.1:" + std::to_string(server_->port());
  HttpServer second(other_io, opt, [](Request, Respond respond) { respond(Response{}); });
  const Status st = second.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("in use"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().field, "server.listen");
}

TEST(ServerListen, BadAddressesAreErrors) {
  asio::io_context io;
  for (const char* listen : {"nonsense", "127.0.0.1:http", "127.0.0.1:70000", "256.1.1.1:80x"}) {
    ServerOptions opt;
    opt.listen = listen;
    HttpServer s(io, opt, [](Request, Respond respond) { respond(Response{}); });
    const Status st = s.start();
    EXPECT_FALSE(st.ok()) << listen;
  }
}

TEST(ServerListen, Ipv6AndHostNames) {
  asio::io_context io;
  for (const char* listen : {"localhost:0", "[::1]:0"}) {
    ServerOptions opt;
    opt.listen = listen;
    HttpServer s(io, opt, [](Request, Respond respond) { respond(Response{}); });
    const Status st = s.start();
    if (!st.ok() && std::string(listen) == "[::1]:0") continue;  // host without IPv6
    EXPECT_TRUE(st.ok()) << listen << ": " << st.error().message;
    EXPECT_NE(s.port(), 0);
  }
}

TEST(JsonError, ShapeAndEscaping) {
  Response r = json_error(422, "bad \"value\"\n", "services[0].name");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = boost::json::parse(r.body).as_object();
  EXPECT_EQ(j.at("error").as_string(), "bad \"value\"\n");
  EXPECT_EQ(j.at("field").as_string(), "services[0].name");

  auto no_field = boost::json::parse(json_error(404, "no such incident").body).as_object();
  EXPECT_FALSE(no_field.contains("field"));
  EXPECT_EQ(no_field.size(), 1u);
}

}  // namespace
}  // namespace vigil::web
