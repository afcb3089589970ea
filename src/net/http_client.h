// HttpClient: asynchronous HTTP(S) requests on a Boost.Asio io_context through libcurl's
// multi_socket API (no thread per request, nothing blocks the loop). One client per
// io_context; used by HTTP probes and by notification channels alike. Curl and Asio types
// stay in the .cpp: including this header costs a forward declaration.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "probe/check_result.h"

namespace boost::asio {
class io_context;
}

namespace vigil::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Duration timeout = 10s;
  bool follow_redirects = false;
  bool tls_verify = true;
  bool fresh_connection = true;   // probes measure a new connection every time
  std::size_t max_body = probe::CheckResult::kMaxBody;
};

// The response is reported as a CheckResult: status, headers, body, timings, cert expiry,
// or reachable=false with curl's error text. check_id is left empty.
using HttpCallback = std::function<void(probe::CheckResult)>;

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io);
  ~HttpClient();  // aborts transfers in flight; their callbacks are not called
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts the request; `done` runs on the io_context's thread exactly once (unless the client
  // is destroyed first), never from inside fetch(). `done` may call fetch() again or destroy
  // the client. Call from the io_context's thread (or while it is not running).
  void fetch(HttpRequest request, HttpCallback done);
  std::size_t in_flight() const;  // requests started and not yet reported

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocking one-shot request for the CLI (`vigil check`, `vigil incidents`): runs its own
// io_context and client. Not for use on an event loop's thread.
probe::CheckResult fetch_blocking(HttpRequest request);

}  // namespace vigil::net
