#include "demo/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace vigil::demo {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

// Closes the descriptor on every path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<std::uint16_t> free_loopback_port() {
  Fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return Error{std::string("bind 127.0.0.1:0: ") + std::strerror(errno)};
  return static_cast<std::uint16_t>(ntohs(a.sin_port));
}

bool tcp_port_accepts(std::uint16_t port) {
  Fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return false;
  sockaddr_in a = loopback(port);
  return ::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

GetReply loopback_get(std::uint16_t port, std::string_view path, std::string_view source, std::string_view user_agent,
                      Duration timeout) {
  GetReply reply;
  Fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) {
    reply.error = std::string("socket: ") + std::strerror(errno);
    return reply;
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (!source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (::inet_pton(AF_INET, std::string(source).c_str(), &from.sin_addr) != 1 ||
        ::bind(s.fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      reply.error = fmt::format("bind {}: {}", source, std::strerror(errno));
      return reply;
    }
  }
  sockaddr_in to = loopback(port);
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    reply.error = std::string("connect: ") + std::strerror(errno);
    return reply;
  }
  const std::string req = fmt::format("GET {} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nUser-Agent: {}\r\n\r\n", path, port,
                                      user_agent);
  for (std::size_t sent = 0; sent < req.size();) {
    const ssize_t n = ::send(s.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      reply.error = std::string("send: ") + std::strerror(errno);
      return reply;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  const std::size_t end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/") || end == std::string::npos) {
    reply.error = "no HTTP answer";
    return reply;
  }
  reply.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  reply.body = raw.substr(end + 4);
  return reply;
}

}  // namespace vigil::demo
