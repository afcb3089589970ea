#include "app/postmortem_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigil::app {
namespace fs = std::filesystem;
namespace {

Error os_error(const char* what, const fs::path& p) {
  return Error{fmt::format("cannot {} {}: {}", what, p.string(), std::strerror(errno)), p.string()};
}

Status write_one(const fs::path& target, const std::string& content) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Error{fmt::format("cannot create {}: {}", target.parent_path().string(), ec.message()), target.string()};
  const fs::path tmp = target.string() + fmt::format(".tmp-{}", ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("create", tmp);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = os_error("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    Error e = os_error("flush", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    Error e = os_error("rename into", target);
    ::unlink(tmp.c_str());
    return e;
  }
  return Status::Ok();
}

}  // namespace

Status write_files_atomically(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [name, content] : files)
    if (Status st = write_one(fs::path(dir) / name, content); !st.ok()) return st;
  return Status::Ok();
}

}  // namespace vigil::app
