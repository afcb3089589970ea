// TcpConnect: the tcp and tls probes. Resolves (numeric hosts skip the resolver), connects with
// a deadline, for tls completes a TLS handshake (SNI, chain and host name verified unless told
// not to), reports a CheckResult (reachable, timings.dns/connect/tls/total, remote_ip; for tls
// the certificate's expiry, figures tls_version, cipher, cert_subject, cert_issuer and the
// metrics probe_ssl_earliest_cert_expiry and probe_tls_version_info, blackbox_exporter's names)
// and closes the connection. Private to src/probe; Asio and OpenSSL stay in the .cpp.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"
#include "probe/check_result.h"

namespace boost::asio {
class io_context;
}

namespace vigil::probe {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "tcp://host:port", "tls://host:port", "host:port", "[2001:db8::1]:port"; a trailing "/" is tolerated.
Result<HostPort> parse_tcp_target(std::string_view target);

struct TlsOptions {
  std::string server_name;  // SNI and the name the certificate must match; empty: the target's host
  bool verify = true;       // chain and host name; false still reports the certificate
};

// The trusted CA store, loaded once and shared by the TLS probes of one thread.
class TlsContext {
 public:
  TlsContext();
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class TcpConnect {
 public:
  using Done = std::function<void(CheckResult)>;
  // Starts the attempt; `done` runs exactly once on io's thread, unless cancel() comes first.
  // With `tls` (and its `context`, which must outlive the attempt) a TLS handshake follows.
  static std::shared_ptr<TcpConnect> start(boost::asio::io_context& io, std::string_view target, Duration timeout,
                                           Done done, const TlsOptions* tls = nullptr, TlsContext* context = nullptr);
  virtual ~TcpConnect() = default;
  virtual void cancel() = 0;
};

}  // namespace vigil::probe
