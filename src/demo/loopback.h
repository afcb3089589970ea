// Loopback helpers of the demo: pick a free port, see whether one accepts, and a tiny blocking
// HTTP/1.0 GET that can come *from* any 127.0.0.0/8 address, so the simulated visitors of the
// demo site show up in Apache's access log as distinct clients (the postmortem counts them).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace vigil::demo {

// A port the kernel just handed out on 127.0.0.1 (free a moment ago; bind soon).
Result<std::uint16_t> free_loopback_port();
bool tcp_port_accepts(std::uint16_t port);

struct GetReply {
  int status = 0;  // 0 when no HTTP answer came: `error` says why
  std::string body;
  std::string error;
};

// GET http://127.0.0.1:port/path from `source` (e.g. "127.0.0.23"; empty: the kernel's choice).
GetReply loopback_get(std::uint16_t port, std::string_view path, std::string_view source = {},
                      std::string_view user_agent = "vigil-demo", Duration timeout = std::chrono::seconds(5));

}  // namespace vigil::demo
