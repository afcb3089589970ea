// HttpServer: Boost.Beast HTTP/1.1 server on an io_context. Owns sockets, parsing, keep-alive,
// request size limits and read/idle timeouts; hands each well-formed request to one Handler.
// Malformed or oversized requests are answered (400/413/431) here and never reach the handler;
// a request not read within read_timeout is dropped (the socket is closed, no 408 can be sent).
// HEAD reaches the handler as GET; the server sends the headers and Content-Length, no body.
// Run the io_context on one thread; Respond may be called from any thread, once.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/time.h"
#include "web/http_types.h"

namespace boost::asio {
class io_context;
}

namespace vigil::web {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free port
  std::size_t max_body_bytes = 1 << 20;
  Duration read_timeout = 10s;  // whole request, headers and body
  Duration idle_timeout = 60s;  // keep-alive between requests
  // PEM files; both set: every connection speaks TLS (HTTPS), none plain HTTP.
  std::string tls_cert;
  std::string tls_key;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~HttpServer();
  // Binds and starts accepting. Error when the address is bad or in use.
  Status start();
  // Stops accepting and closes idle connections; a request already with the handler is
  // answered, then its connection closes. Call on the io_context's thread (or while it is idle).
  void stop();
  std::uint16_t port() const;  // the bound port (useful with port 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::web
