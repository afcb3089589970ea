// TcpConnect: the tcp probe. Resolves (numeric hosts skip the resolver), connects with a
// deadline, reports a CheckResult (reachable, timings.dns/connect/total, remote_ip) and
// closes the connection. Private to src/probe; Asio stays in the .cpp.
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

// "tcp://host:port", "host:port", "[2001:db8::1]:port"; a trailing "/" is tolerated.
Result<HostPort> parse_tcp_target(std::string_view target);

class TcpConnect {
 public:
  using Done = std::function<void(CheckResult)>;
  // Starts the attempt; `done` runs exactly once on io's thread, unless cancel() comes first.
  static std::shared_ptr<TcpConnect> start(boost::asio::io_context& io, std::string_view target, Duration timeout,
                                           Done done);
  virtual ~TcpConnect() = default;
  virtual void cancel() = 0;
};

}  // namespace vigil::probe
