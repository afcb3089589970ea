// A webhook receiver for notify tests: a small Beast HTTP/1.1 server on the test's io_context
// that records every request and answers with a settable status. (vigil_notify_tests does not
// link vigil_web, so web::HttpServer is not available here.)
#pragma once
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace vigil::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
};

class TestReceiver {
 public:
  explicit TestReceiver(asio::io_context& io) : io_(io), state_(std::make_shared<State>()) {}
  ~TestReceiver() { stop(); }

  // Listens on 127.0.0.1:port (0: any free port); returns the bound port.
  std::uint16_t start(std::uint16_t port = 0) {
    acceptor_ = std::make_unique<tcp::acceptor>(io_);
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor_->open(ep.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(ep);
    acceptor_->listen();
    accept();
    return acceptor_->local_endpoint().port();
  }

  // Closes the listener and every connection (kept-alive ones too), like a receiver crashing.
  void stop() {
    if (acceptor_) {
      beast::error_code ec;
      acceptor_->close(ec);
      acceptor_.reset();
    }
    for (auto& weak : state_->conns) {
      if (auto s = weak.lock()) {
        beast::error_code ec;
        s->close(ec);
      }
    }
    state_->conns.clear();
  }

  void set_status(int status) { state_->status = status; }
  void set_body(std::string body) { state_->body = std::move(body); }
  const std::vector<ReceivedRequest>& received() const { return state_->received; }
  int connections_accepted() const { return state_->accepted; }

 private:
  struct State {
    int status = 200;
    std::string body = "ok";
    std::vector<ReceivedRequest> received;
    int accepted = 0;
    std::list<std::weak_ptr<tcp::socket>> conns;
  };

  struct Conn : std::enable_shared_from_this<Conn> {
    Conn(tcp::socket s, std::shared_ptr<State> st)
        : socket(std::make_shared<tcp::socket>(std::move(s))), state(std::move(st)) {}
    std::shared_ptr<tcp::socket> socket;
    std::shared_ptr<State> state;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;

    void read() {
      req = {};
      http::async_read(*socket, buffer, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        ReceivedRequest r;
        r.method = std::string(self->req.method_string());
        r.target = std::string(self->req.target());
        for (const auto& f : self->req) {
          std::string name(f.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          r.headers.emplace_back(std::move(name), std::string(f.value()));
        }
        r.body = self->req.body();
        self->state->received.push_back(std::move(r));
        self->res = {};
        self->res.version(11);
        self->res.result(static_cast<unsigned>(self->state->status));
        self->res.set(http::field::content_type, "text/plain");
        const int st = self->state->status;
        if (st != 204 && st != 304) self->res.body() = self->state->body;
        self->res.keep_alive(self->req.keep_alive());
        self->res.prepare_payload();
        http::async_write(*self->socket, self->res, [self](beast::error_code ec, std::size_t) {
          if (ec || !self->res.keep_alive()) return;
          self->read();
        });
      });
    }
  };

  void accept() {
    acceptor_->async_accept([this, state = state_](beast::error_code ec, tcp::socket s) {
      if (ec) return;  // closed
      ++state->accepted;
      auto conn = std::make_shared<Conn>(std::move(s), state);
      state->conns.push_back(conn->socket);
      conn->read();
      accept();
    });
  }

  asio::io_context& io_;
  std::shared_ptr<State> state_;
  std::unique_ptr<tcp::acceptor> acceptor_;
};

// Runs the io_context until `done()` or the timeout; returns done().
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

inline void run_for(asio::io_context& io, std::chrono::milliseconds d) {
  run_until(io, [] { return false; }, d);
}

}  // namespace vigil::testing
