// DnsClient: asynchronous DNS queries on a Boost.Asio io_context through c-ares (its sockets
// watched by Asio, its timeouts on an Asio timer: no thread per query). One client per
// io_context; the dns check type uses it. C-ares and Asio types stay in the .cpp.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/time.h"

namespace boost::asio {
class io_context;
}

namespace vigil::net {

struct DnsQuery {
  std::string name;         // www.example.com
  std::string type = "A";   // A | AAAA | MX | TXT | NS
  std::string server;       // "host:port", "host" (port 53) or "" (the system's resolv.conf)
  Duration timeout = 5s;    // all tries together
};

struct DnsAnswer {
  bool responded = false;   // a DNS answer arrived (whatever its rcode); false: error says why
  std::string rcode;        // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ... when it responded
  std::vector<std::string> records;  // A/AAAA: addresses; MX: "10 mx.example.com"; TXT: the text; NS: names
  std::string canonical_name;  // A/AAAA: the name the CNAME chain ends at (the name asked when none)
  std::string error;
  std::chrono::microseconds took{0};
};

using DnsCallback = std::function<void(DnsAnswer)>;

class DnsClient {
 public:
  explicit DnsClient(boost::asio::io_context& io);
  ~DnsClient();  // cancels queries in flight; their callbacks are not called
  DnsClient(const DnsClient&) = delete;
  DnsClient& operator=(const DnsClient&) = delete;

  // `done` runs on the io_context's thread exactly once (unless the client is destroyed first),
  // never from inside query(). Call from the io_context's thread.
  void query(DnsQuery q, DnsCallback done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// "A", "aaaa", ...: whether the client can ask for this type.
bool dns_type_supported(std::string_view type);

}  // namespace vigil::net
