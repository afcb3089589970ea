// One accepted connection's byte stream for HttpServer: plain TCP, or TLS over it when the
// server has a certificate (server.tls_cert / tls_key). The HTTP session is written once against
// this type, which forwards to whichever stream the connection has. Timeouts live on the TCP
// layer (beast::tcp_stream) in both cases, so they cover the TLS handshake and records too.
// Private to src/web (server.cpp): it includes Beast and OpenSSL.
#pragma once
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/result.h"

namespace vigil::web {

class ServerStream {
 public:
  using tcp = boost::asio::ip::tcp;
  using executor_type = boost::beast::tcp_stream::executor_type;

  // `tls`: the server's context, or null for plain HTTP. Must outlive the stream.
  ServerStream(tcp::socket socket, boost::asio::ssl::context* tls) {
    if (tls) tls_.emplace(std::move(socket), *tls);
    else plain_.emplace(std::move(socket));
  }

  executor_type get_executor() { return lowest().get_executor(); }
  tcp::socket& socket() { return lowest().socket(); }
  template <typename D>
  void expires_after(D d) { lowest().expires_after(d); }
  template <typename T>
  void expires_at(T t) { lowest().expires_at(t); }
  void expires_never() { lowest().expires_never(); }
  // Closes the socket without a TLS close_notify: HTTP/1.1 responses carry their length, so a
  // truncation cannot be mistaken for a complete answer.
  void close() { lowest().close(); }

  // Completes at once for plain TCP; for TLS, the server side of the handshake.
  template <typename Handler>
  void async_handshake(Handler&& h) {
    if (tls_) return tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(h));
    boost::asio::post(get_executor(), [h = std::forward<Handler>(h)]() mutable { h(boost::beast::error_code{}); });
  }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& b, Handler&& h) {
    if (tls_) return tls_->async_read_some(b, std::forward<Handler>(h));
    plain_->async_read_some(b, std::forward<Handler>(h));
  }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& b, Handler&& h) {
    if (tls_) return tls_->async_write_some(b, std::forward<Handler>(h));
    plain_->async_write_some(b, std::forward<Handler>(h));
  }

 private:
  boost::beast::tcp_stream& lowest() { return tls_ ? tls_->next_layer() : *plain_; }
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

// A TLS server context from PEM files (certificate chain, private key): TLS 1.2 and later,
// the system's default ciphers. Error says which file failed and why.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                                      const std::string& key_file);

}  // namespace vigil::web
