#include "probe/tcp_connect.h"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>

namespace vigil::probe {

namespace asio = boost::asio;
using asio::ip::tcp;

Result<HostPort> parse_tcp_target(std::string_view target) {
  std::string_view s = target;
  if (s.starts_with("tcp://")) s.remove_prefix(6);
  if (s.ends_with("/")) s.remove_suffix(1);
  std::string_view host, port;
  if (s.starts_with("[")) {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return Error{fmt::format("tcp target \"{}\": expected [ipv6]:port", target)};
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return Error{fmt::format("tcp target \"{}\": expected host:port", target)};
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (host.empty()) return Error{fmt::format("tcp target \"{}\": empty host", target)};
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return Error{fmt::format("tcp target \"{}\": port must be 1-65535", target)};
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

namespace {

class Attempt final : public TcpConnect, public std::enable_shared_from_this<Attempt> {
 public:
  Attempt(asio::io_context& io, Done done) : resolver_(io), socket_(io), deadline_(io), done_(std::move(done)) {}

  void begin(std::string_view target, Duration timeout) {
    result_.started_at = now_ms();
    start_ = std::chrono::steady_clock::now();
    auto parsed = parse_tcp_target(target);
    if (!parsed.ok()) {
      asio::post(socket_.get_executor(), [self = shared_from_this(), msg = parsed.error().message] { self->fail(msg); });
      return;
    }
    target_ = fmt::format("{}:{}", parsed->host, parsed->port);
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this(), timeout](const boost::system::error_code& ec) {
      if (ec) return;
      self->fail(fmt::format("connect to {} timed out after {}", self->target_, format_duration(timeout)));
    });
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(parsed->host, ec);
    if (!ec) {  // numeric host: no resolver round trip
      connect(tcp::endpoint(address, parsed->port));
      return;
    }
    resolver_.async_resolve(parsed->host, std::to_string(parsed->port),
                            [self = shared_from_this()](const boost::system::error_code& ec,
                                                        tcp::resolver::results_type results) {
                              if (self->finished_) return;
                              if (ec) {
                                self->fail(fmt::format("resolve {}: {}", self->target_, ec.message()));
                                return;
                              }
                              self->result_.timings.dns = self->elapsed();
                              asio::async_connect(self->socket_, results,
                                                  [self](const boost::system::error_code& ec, const tcp::endpoint& ep) {
                                                    self->connected(ec, ep);
                                                  });
                            });
  }

  void cancel() override {
    finished_ = true;
    done_ = nullptr;
    stop_io();
  }

 private:
  void connect(const tcp::endpoint& ep) {
    socket_.async_connect(ep, [self = shared_from_this(), ep](const boost::system::error_code& ec) {
      self->connected(ec, ep);
    });
  }

  void connected(const boost::system::error_code& ec, const tcp::endpoint& ep) {
    if (finished_) return;
    if (ec) {
      fail(fmt::format("connect to {}: {}", target_, ec.message()));
      return;
    }
    result_.reachable = true;
    result_.remote_ip = ep.address().to_string();
    result_.timings.connect = elapsed();
    finish();
  }

  void fail(std::string error) {
    if (finished_) return;
    result_.reachable = false;
    result_.error = std::move(error);
    finish();
  }

  void finish() {
    finished_ = true;
    result_.timings.total = elapsed();
    stop_io();
    if (auto done = std::move(done_)) done(std::move(result_));
  }

  void stop_io() {
    boost::system::error_code ignored;
    deadline_.cancel();
    resolver_.cancel();
    socket_.close(ignored);
  }

  std::chrono::microseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_);
  }

  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer deadline_;
  Done done_;
  CheckResult result_;
  std::string target_;
  std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<TcpConnect> TcpConnect::start(asio::io_context& io, std::string_view target, Duration timeout,
                                              Done done) {
  auto attempt = std::make_shared<Attempt>(io, std::move(done));
  attempt->begin(target, timeout);
  return attempt;
}

}  // namespace vigil::probe
