#include "web/response_head.h"
#include "common/ascii.h"

#include <boost/beast/http/status.hpp>

#include <charconv>
#include <string_view>

namespace vigil::web {
namespace {

bool unsafe(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

void field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

void number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

}  // namespace

std::string response_head(unsigned version, const Response& r, std::optional<std::size_t> content_length,
                          bool keep_alive) {
  std::string out;
  out.reserve(160 + r.content_type.size() + r.headers.size() * 48);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  number(out, static_cast<std::size_t>(r.status));
  out.push_back(' ');
  out.append(boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status)));
  out.append("\r\n");
  bool server = false, type = false;
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || unsafe(name) || unsafe(value)) continue;
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection")) continue;
    server = server || iequals(name, "server");
    type = type || iequals(name, "content-type");
    field(out, name, value);
  }
  if (!server) field(out, "Server", "vigil");
  if (!type) {
    const bool ok = !r.content_type.empty() && !unsafe(r.content_type);
    field(out, "Content-Type", ok ? std::string_view(r.content_type) : "application/octet-stream");
  }
  if (content_length) {
    out.append("Content-Length: ");
    number(out, *content_length);
    out.append("\r\n");
  }
  if (version == 10 && keep_alive) field(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) field(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

}  // namespace vigil::web
