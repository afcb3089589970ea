// The HTTPS listener's TLS context (web/server_stream.h).
#include "web/server_stream.h"

namespace vigil::web {

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                                      const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  // TLS 1.0/1.1 are deprecated (RFC 8996); compression leaks secrets (CRIME).
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return Error{"TLS options: " + ec.message(), "server.tls_cert"};
  if (ctx->use_certificate_chain_file(cert_file, ec); ec)
    return Error{"TLS certificate " + cert_file + ": " + ec.message(), "server.tls_cert"};
  if (ctx->use_private_key_file(key_file, ssl::context::pem, ec); ec)
    return Error{"TLS key " + key_file + ": " + ec.message(), "server.tls_key"};
  return ctx;
}

}  // namespace vigil::web
