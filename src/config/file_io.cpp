#include "config/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::config::detail {

// POSIX rather than ifstream: ifstream does not say *why* it failed, and "cannot read
// /etc/vigil/hook.key: Permission denied" is the message an operator needs.
Result<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{std::strerror(errno)};
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Error{std::strerror(err)};
    }
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxFileBytes) {
      ::close(fd);
      return Error{"larger than 16 MiB: not a config or secret file"};
    }
  }
  ::close(fd);
  return out;
}

}  // namespace vigil::config::detail
