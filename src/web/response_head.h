// The status line and header block of a response, as bytes ready for the socket. The server
// writes this and the body itself (two buffers, one write): Beast's serializer spent more
// instructions on a 150-byte 202 than reading and parsing the request did.
// Framing is the server's: Content-Length, Transfer-Encoding and Connection from the handler
// are ignored, and a header whose name or value holds CR, LF or NUL is dropped (no response
// splitting through a value that came from a request).
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "web/http_types.h"

namespace vigil::web {

// `version`: 10 or 11. `content_length`: absent for a streamed body (the connection closes
// when it ends). `keep_alive` is spelt the HTTP/1.x way: "Connection: close" on 1.1 when
// false, "Connection: keep-alive" on 1.0 when true.
std::string response_head(unsigned version, const Response& r, std::optional<std::size_t> content_length,
                          bool keep_alive);

}  // namespace vigil::web
