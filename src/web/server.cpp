#include "web/server.h"

#include "web/response_head.h"
#include "web/server_stream.h"
#include "common/ascii.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <deque>
#include <optional>
#include <unordered_set>
#include <vector>

namespace vigil::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Beast's default is 8 KiB; browsers with a few cookies plus a bearer token exceed it.
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// A client that does not read its response for this long is dropped.
constexpr auto kWriteTimeout = std::chrono::seconds(30);
// After an error response we stop reading the request. Closing with unread bytes in the
// kernel buffer makes it send RST, which can destroy the error response before the client
// reads it, so we drain for a moment first ("lingering close", as Apache and nginx do).
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr std::size_t kLingerMaxBytes = 4 << 20;
// Streamed responses (Server-Sent Events): a heartbeat after this much silence; a client whose
// unsent backlog exceeds kStreamBacklog, or whose write is stuck for kWriteTimeout, is dropped.
constexpr auto kStreamHeartbeat = std::chrono::seconds(15);
constexpr std::size_t kStreamBacklog = 1 << 20;

class Session;

// What the listener and every session share. Sessions may outlive the HttpServer (a handler
// may still hold a Respond), so this is reference-counted. Touched on the io thread only.
struct Shared {
  ServerOptions options;
  Handler handler;
  std::shared_ptr<asio::ssl::context> tls;  // set: connections speak HTTPS
  bool stopping = false;
  std::unordered_set<Session*> sessions;
};

std::string format_endpoint(const tcp::endpoint& ep) {
  const auto a = ep.address();
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket), shared->tls.get()), shared_(std::move(shared)) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = format_endpoint(ep);
    shared_->sessions.insert(this);
  }
  ~Session() { shared_->sessions.erase(this); }

  void start() {
    // The first request gets read_timeout from the connection's start, first byte included.
    deadline_ = std::chrono::steady_clock::now() + shared_->options.read_timeout;
    stream_.expires_at(deadline_);  // a TLS handshake counts against the first request's time
    stream_.async_handshake([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->close();
      self->read_header();
    });
  }

  // Server stop: idle and reading connections are closed now; one whose request is with the
  // handler (or whose response is being written) finishes it and closes afterwards.
  void stop() {
    if (state_ == State::reading || state_ == State::streaming) close();
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

  void write_response(Response r) {
    if (state_ != State::handling || !stream_.socket().is_open()) return;
    state_ = State::writing;
    if (r.status < 200 || r.status > 599) r = json_error(500, "handler returned an invalid status");
    if (r.stream) return start_stream(std::move(r));
    const bool bodiless = r.status == 204 || r.status == 304;
    keep_alive_ = keep_alive_ && !shared_->stopping;
    // HEAD: the length GET would have sent, no body.
    out_head_ = response_head(version_, r, bodiless ? std::nullopt : std::optional<std::size_t>(r.body.size()),
                              keep_alive_);
    out_body_.clear();
    if (!bodiless && !head_) out_body_ = std::move(r.body);
    stream_.expires_after(kWriteTimeout);
    const std::array<asio::const_buffer, 2> bufs{asio::buffer(out_head_), asio::buffer(out_body_)};
    asio::async_write(stream_, bufs, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

 private:
  enum class State { reading, handling, writing, streaming, closing };

  // ---- streamed responses ----------------------------------------------------------------
  // The head goes out as one buffer (response_head); the body is raw bytes until the connection
  // closes (no Content-Length, Connection: close), which is what EventSource expects.

  class Writer final : public StreamWriter {
   public:
    Writer(std::weak_ptr<Session> s, asio::any_io_executor ex) : session_(std::move(s)), ex_(std::move(ex)) {}
    void write(std::string chunk) override {
      if (closed_) return;
      asio::dispatch(ex_, [w = session_, c = std::move(chunk)]() mutable {
        if (auto s = w.lock()) s->stream_write(std::move(c));
      });
    }
    void close() override {
      asio::dispatch(ex_, [w = session_] {
        if (auto s = w.lock()) s->close();
      });
    }
    bool closed() const override { return closed_; }
    std::atomic<bool> closed_{false};

   private:
    std::weak_ptr<Session> session_;
    asio::any_io_executor ex_;
  };

  void start_stream(Response r) {
    state_ = State::streaming;
    keep_alive_ = false;
    stream_.expires_never();
    heartbeat_ = std::move(r.heartbeat);
    out_head_ = response_head(version_, r, std::nullopt, false);
    asio::async_write(stream_, asio::buffer(out_head_), [self = shared_from_this(), r = std::move(r)](beast::error_code ec, std::size_t) mutable {
      if (ec || self->head_) return self->close();
      self->last_write_ = std::chrono::steady_clock::now();
      self->writer_ = std::make_shared<Writer>(self->weak_from_this(), self->executor());
      self->watch_peer();
      self->arm_heartbeat();
      if (!r.body.empty()) self->stream_write(std::move(r.body));
      r.stream(self->writer_);
    });
  }

  // The client sends nothing more on a stream; a read completing means it went away.
  void watch_peer() {
    stream_.async_read_some(asio::buffer(peer_byte_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->watch_peer();
    });
  }

  void arm_heartbeat() {
    if (!heartbeat_timer_) heartbeat_timer_.emplace(executor());
    heartbeat_timer_->expires_after(std::chrono::seconds(1));
    heartbeat_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->state_ != State::streaming) return;
      const auto now = std::chrono::steady_clock::now();
      if (self->stream_writing_ && now - self->last_write_ > kWriteTimeout) return self->close();
      if (!self->stream_writing_ && now - self->last_write_ >= kStreamHeartbeat && !self->heartbeat_.empty())
        self->stream_write(self->heartbeat_);
      self->arm_heartbeat();
    });
  }

  void stream_write(std::string chunk) {
    if (state_ != State::streaming || chunk.empty()) return;
    backlog_ += chunk.size();
    if (backlog_ > kStreamBacklog) return close();  // too slow: drop it rather than buffer forever
    outbox_.push_back(std::move(chunk));
    if (!stream_writing_) stream_next();
  }

  void stream_next() {
    if (outbox_.empty() || state_ != State::streaming) {
      stream_writing_ = false;
      return;
    }
    stream_writing_ = true;
    last_write_ = std::chrono::steady_clock::now();
    asio::async_write(stream_, asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->backlog_ -= self->outbox_.front().size();
      self->outbox_.pop_front();
      self->last_write_ = std::chrono::steady_clock::now();
      self->stream_next();
    });
  }

  // Between keep-alive requests: wait up to idle_timeout for the first byte of the next request,
  // then give the whole request read_timeout.
  void wait_for_next_request() {
    state_ = State::reading;
    if (shared_->stopping) return close();
    if (buffer_.size() > 0) {  // pipelined request already buffered
      deadline_ = std::chrono::steady_clock::now() + shared_->options.read_timeout;
      return read_header();
    }
    stream_.expires_after(shared_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->close();  // idle timeout or client went away
                              self->deadline_ =
                                  std::chrono::steady_clock::now() + self->shared_->options.read_timeout;
                              self->read_header();
                            });
  }

  void read_header() {
    state_ = State::reading;
    parser_.emplace();
    parser_->body_limit(static_cast<std::uint64_t>(shared_->options.max_body_bytes));
    parser_->header_limit(kHeaderLimit);
    stream_.expires_at(deadline_);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    // curl sends "Expect: 100-continue" before larger bodies and waits a second for it.
    if (req.version() >= 11 && iequals(req[http::field::expect], "100-continue") && !parser_->is_done()) {
      continue_.emplace(http::status::continue_, 11);
      http::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->on_read_error(ec);
      self->handle_request();
    });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return send_error(413, "request body is larger than " + std::to_string(shared_->options.max_body_bytes) +
                                 " bytes");
    }
    if (ec == http::error::header_limit) return send_error(431, "request header fields too large");
    // Clean close between requests, a client that vanished mid-request, or the read timeout
    // (Beast has already closed the socket then, so no 408 can be written): just close.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || !is_http_parse_error(ec)) {
      return close();
    }
    send_error(400, "malformed HTTP request: " + ec.message());
  }

  void handle_request() {
    stream_.expires_never();  // the handler may take its time (store commit)
    state_ = State::handling;
    auto req = parser_->release();
    parser_.reset();
    version_ = req.version() == 10 ? 10 : 11;
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;

    Request r;
    r.method = head_ ? "GET" : std::string(req.method_string());
    r.target = std::string(req.target());
    auto url = boost::urls::parse_uri_reference(r.target);
    if (!url) {
      keep_alive_ = false;
      return write_response(json_error(400, "invalid request target"));
    }
    r.path = url->path();
    if (r.path.empty()) r.path = "/";
    // Form-style queries spell spaces as '+': ?q=a+b means "a b".
    for (const auto& p : url->params(boost::urls::encoding_opts(true))) {
      r.query.emplace(p.key, p.value);  // first occurrence wins
    }
    r.headers.reserve(std::distance(req.begin(), req.end()));
    for (const auto& f : req) {
      r.headers.emplace_back(ascii_lower(f.name_string()), std::string(f.value()));
    }
    r.body = std::move(req.body());
    r.remote = remote_;

    auto once = std::make_shared<Once>(shared_from_this());
    Respond respond = [once](Response res) { once->respond(std::move(res)); };
    try {
      shared_->handler(std::move(r), std::move(respond));
    } catch (const std::exception& e) {
      once->respond(json_error(500, std::string("internal error: ") + e.what()));
    } catch (...) {
      once->respond(json_error(500, "internal error"));
    }
  }

  // Guards the Respond callback: the first call wins, later ones are ignored; if every copy is
  // dropped without a call, the client gets a 500 instead of a connection that hangs forever.
  struct Once {
    explicit Once(std::shared_ptr<Session> s) : session(std::move(s)) {}
    ~Once() {
      if (!done.exchange(true)) {
        asio::post(session->executor(), [s = session] { s->write_response(json_error(500, "handler did not respond")); });
        return;
      }
      // The last copy of a Respond may die on a handler's thread; the session must still be
      // destroyed on the io thread, which owns the session set and the socket.
      auto s = std::move(session);
      auto ex = s->executor();
      asio::dispatch(ex, [s = std::move(s)] {});
    }
    void respond(Response r) {
      if (done.exchange(true)) return;
      // Normally already on the io thread; dispatch keeps it right if a handler answers from another.
      asio::dispatch(session->executor(), [s = session, r = std::move(r)]() mutable { s->write_response(std::move(r)); });
    }
    std::shared_ptr<Session> session;
    std::atomic<bool> done{false};
  };

  void on_write(beast::error_code ec) {
    out_body_ = std::string();
    if (ec) return close();
    if (!keep_alive_) return linger_close();
    wait_for_next_request();
  }

  void send_error(int status, const std::string& message) {
    state_ = State::handling;
    keep_alive_ = false;
    head_ = false;
    version_ = 11;
    write_response(json_error(status, message));
  }

  void linger_close() {
    state_ = State::closing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    stream_.expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16 * 1024), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kLingerMaxBytes) return self->close();
      self->drain();
    });
  }

  void close() {
    state_ = State::closing;
    if (writer_) writer_->closed_ = true;
    if (heartbeat_timer_) heartbeat_timer_->cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  ServerStream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Shared> shared_;
  std::string remote_;
  State state_ = State::reading;
  std::chrono::steady_clock::time_point deadline_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::string out_head_;  // the response being written: head and body
  std::string out_body_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  std::size_t drained_ = 0;
  // Streaming state (State::streaming only).
  std::shared_ptr<Writer> writer_;
  std::optional<asio::steady_timer> heartbeat_timer_;
  std::string heartbeat_;
  std::deque<std::string> outbox_;
  std::size_t backlog_ = 0;
  bool stream_writing_ = false;
  std::chrono::steady_clock::time_point last_write_;
  char peer_byte_[256];
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(tcp::acceptor acceptor, std::shared_ptr<Shared> shared)
      : acceptor_(std::move(acceptor)), retry_(acceptor_.get_executor()), shared_(std::move(shared)) {}

  void accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (!self->acceptor_.is_open() || ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of file descriptors and the like: back off instead of spinning on the error.
        self->retry_.expires_after(std::chrono::milliseconds(100));
        self->retry_.async_wait([self](beast::error_code ec) {
          if (!ec) self->accept();
        });
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), self->shared_)->start();
      self->accept();
    });
  }

  void close() {
    beast::error_code ec;
    acceptor_.close(ec);
    retry_.cancel();
  }

 private:
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::shared_ptr<Shared> shared_;
};

struct ListenAddress {
  std::string host;
  std::string port;
};

std::optional<ListenAddress> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  ListenAddress a{listen.substr(0, colon), listen.substr(colon + 1)};
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  if (a.host.empty()) a.host = "0.0.0.0";
  unsigned port = 0;
  const auto* end = a.port.data() + a.port.size();
  auto [p, err] = std::from_chars(a.port.data(), end, port);
  if (a.port.empty() || err != std::errc() || p != end || port > 65535) return std::nullopt;
  return a;
}

}  // namespace

struct HttpServer::Impl {
  asio::io_context& io;
  std::shared_ptr<Shared> shared;
  std::shared_ptr<Listener> listener;
  std::uint16_t port = 0;
};

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(Impl{io, std::make_shared<Shared>(), nullptr, 0})) {
  impl_->shared->options = std::move(options);
  impl_->shared->handler = std::move(handler);
}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  if (impl_->listener) return Error{"server already started", "server.listen"};
  const std::string& listen = impl_->shared->options.listen;
  const auto addr = split_listen(listen);
  if (!addr) return Error{"invalid listen address \"" + listen + "\": expected host:port", "server.listen"};
  if (impl_->shared->stopping) {  // restarted after stop(): fresh state, old sessions keep theirs
    auto fresh = std::make_shared<Shared>();
    fresh->options = impl_->shared->options;
    fresh->handler = impl_->shared->handler;
    fresh->tls = impl_->shared->tls;
    impl_->shared = std::move(fresh);
  }
  if (const auto& o = impl_->shared->options; !o.tls_cert.empty() && !impl_->shared->tls) {
    auto tls = make_tls_context(o.tls_cert, o.tls_key);
    if (!tls.ok()) return Error{tls.error().message, "server.tls_cert"};
    impl_->shared->tls = std::move(tls.value());
  }

  beast::error_code ec;
  tcp::endpoint endpoint;
  const auto ip = asio::ip::make_address(addr->host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(ip, 0);
  } else {
    // A host name ("localhost"): resolved once, at start-up, so blocking here is fine.
    tcp::resolver resolver(impl_->io);
    const auto results = resolver.resolve(addr->host, addr->port, ec);
    if (ec || results.empty()) {
      return Error{"cannot resolve listen host \"" + addr->host + "\": " + ec.message(), "server.listen"};
    }
    endpoint = results.begin()->endpoint();
  }
  endpoint.port(static_cast<std::uint16_t>(std::stoi(addr->port)));

  tcp::acceptor acceptor(impl_->io);
  auto fail = [&](const char* what) {
    return Status(Error{std::string("cannot listen on ") + listen + ": " + what + ": " + ec.message(), "server.listen"});
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open");
  // Lets a restarted daemon bind while old connections sit in TIME_WAIT; a live listener on
  // the port still makes bind fail with "address in use".
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail("setsockopt");
  if (acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen");
  impl_->port = acceptor.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");

  impl_->listener = std::make_shared<Listener>(std::move(acceptor), impl_->shared);
  impl_->listener->accept();
  return Status::Ok();
}

void HttpServer::stop() {
  if (!impl_->listener) return;
  impl_->shared->stopping = true;
  impl_->listener->close();
  impl_->listener.reset();
  std::vector<Session*> sessions(impl_->shared->sessions.begin(), impl_->shared->sessions.end());
  for (Session* s : sessions) s->stop();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

}  // namespace vigil::web
