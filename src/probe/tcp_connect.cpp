#include "probe/tcp_connect.h"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <ctime>
#include <optional>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/cert_expiry.h"

namespace vigil::probe {

namespace asio = boost::asio;
using asio::ip::tcp;

Result<HostPort> parse_tcp_target(std::string_view target) {
  std::string_view s = target;
  if (s.starts_with("tcp://") || s.starts_with("tls://")) s.remove_prefix(6);
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

// Two contexts: OpenSSL builds the peer's chain in every handshake, verifying or not, and with
// set_default_verify_paths() OpenSSL 3 looks issuers up through a directory store that reads
// all of /etc/ssl/certs each time (a profile showed readdir on top, 640 µs of CPU a probe and
// 240 MB resident at 1,000 probes/s). So the verifying context loads the system bundle into
// memory once, as curl does, and the other one has no store to search.
struct TlsContext::Impl {
  asio::ssl::context verifying{asio::ssl::context::tls_client};
  asio::ssl::context trusting{asio::ssl::context::tls_client};
  Impl() {
    for (auto* c : {&verifying, &trusting})
      c->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3);
    boost::system::error_code ec;  // no bundle: every verified handshake fails, and says why
    verifying.load_verify_file(X509_get_default_cert_file(), ec);
    if (ec) verifying.add_verify_path(X509_get_default_cert_dir(), ec);
  }
  asio::ssl::context& for_options(const TlsOptions& o) { return o.verify ? verifying : trusting; }
};

TlsContext::TlsContext() : impl_(std::make_unique<Impl>()) {}
TlsContext::~TlsContext() = default;

namespace {

std::string common_name(X509_NAME* name) {
  char buf[256] = {};
  if (!name || X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof buf) < 0) return "";
  return buf;
}

// "TLSv1.3" as blackbox_exporter labels it: "TLS 1.3".
std::string blackbox_version(std::string_view v) {
  if (v.starts_with("TLSv")) return "TLS " + std::string(v.substr(4));
  return std::string(v);
}

class Attempt final : public TcpConnect, public std::enable_shared_from_this<Attempt> {
 public:
  Attempt(asio::io_context& io, Done done) : resolver_(io), socket_(io), deadline_(io), done_(std::move(done)) {}

  void use_tls(const TlsOptions& options, TlsContext& context) {
    tls_options_ = options;
    tls_.emplace(socket_, context.impl().for_options(options));
  }

  void begin(std::string_view target, Duration timeout) {
    result_.started_at = now_ms();
    start_ = std::chrono::steady_clock::now();
    auto parsed = parse_tcp_target(target);
    if (!parsed.ok()) {
      asio::post(socket_.get_executor(), [self = shared_from_this(), msg = parsed.error().message] { self->fail(msg); });
      return;
    }
    target_ = fmt::format("{}:{}", parsed->host, parsed->port);
    host_ = parsed->host;
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this(), timeout](const boost::system::error_code& ec) {
      if (ec) return;
      self->fail(fmt::format("{} {} timed out after {}", self->connected_ ? "TLS handshake with" : "connect to",
                             self->target_, format_duration(timeout)));
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
    result_.remote_ip = ep.address().to_string();
    result_.timings.connect = elapsed();
    connected_ = true;
    if (tls_) return handshake();
    result_.reachable = true;
    finish();
  }

  void handshake() {
    const std::string name = tls_options_.server_name.empty() ? host_ : tls_options_.server_name;
    SSL* ssl = tls_->native_handle();
    boost::system::error_code ec;
    asio::ip::make_address(name, ec);
    if (ec) SSL_set_tlsext_host_name(ssl, name.c_str());  // SNI is for names, not addresses
    if (tls_options_.verify) {
      tls_->set_verify_mode(asio::ssl::verify_peer, ec);
      tls_->set_verify_callback(asio::ssl::host_name_verification(name), ec);
    } else {
      tls_->set_verify_mode(asio::ssl::verify_none, ec);
    }
    tls_->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](const boost::system::error_code& ec) {
      self->shaken(ec);
    });
  }

  void shaken(const boost::system::error_code& ec) {
    if (finished_) return;
    SSL* ssl = tls_->native_handle();
    if (ec) {
      const long verify = SSL_get_verify_result(ssl);
      if (tls_options_.verify && verify != X509_V_OK)
        fail(fmt::format("TLS handshake with {}: certificate not trusted: {}", target_,
                         X509_verify_cert_error_string(verify)));
      else
        fail(fmt::format("TLS handshake with {}: {}", target_, ec.message()));
      return;
    }
    result_.timings.tls = elapsed();
    X509* leaf = SSL_get0_peer_certificate(ssl);
    result_.cert_expires_at = net::cert_not_after(leaf);
    std::optional<Time> earliest = result_.cert_expires_at;
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
      for (int i = 0; i < sk_X509_num(chain); ++i) {
        if (auto t = net::cert_not_after(sk_X509_value(chain, i)); t && (!earliest || *t < *earliest)) earliest = t;
      }
    }
    const std::string version = SSL_get_version(ssl);
    result_.figures.emplace("tls_version", version);
    result_.figures.emplace("cipher", std::string(SSL_get_cipher_name(ssl)));
    result_.figures.emplace("cert_subject", common_name(leaf ? X509_get_subject_name(leaf) : nullptr));
    result_.figures.emplace("cert_issuer", common_name(leaf ? X509_get_issuer_name(leaf) : nullptr));
    if (earliest) {
      result_.metrics.push_back(MetricSample{"probe_ssl_earliest_cert_expiry", "gauge",
                                             "Earliest expiry of the certificates the server sent (Unix time).",
                                             {}, epoch_seconds(*earliest)});
    }
    result_.metrics.push_back(MetricSample{"probe_tls_version_info", "gauge", "The TLS version the handshake agreed.",
                                           {{"version", blackbox_version(version)}}, 1});
    result_.reachable = true;
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
  std::optional<asio::ssl::stream<tcp::socket&>> tls_;
  TlsOptions tls_options_;
  std::string host_;
  asio::steady_timer deadline_;
  Done done_;
  CheckResult result_;
  std::string target_;
  std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
  bool connected_ = false;
};

}  // namespace

std::shared_ptr<TcpConnect> TcpConnect::start(asio::io_context& io, std::string_view target, Duration timeout,
                                              Done done, const TlsOptions* tls, TlsContext* context) {
  auto attempt = std::make_shared<Attempt>(io, std::move(done));
  if (tls && context) attempt->use_tls(*tls, *context);
  attempt->begin(target, timeout);
  return attempt;
}

}  // namespace vigil::probe
