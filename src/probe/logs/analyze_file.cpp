// analyze_file: a whole log into an Analyzer, in pieces that each end at a line end.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "probe/logs/analyze.h"

namespace vigil::probe::logs {
namespace {

Error io_error(const char* what, const std::string& path) {
  return Error{fmt::format("cannot {} {}: {}", what, path == "-" ? "standard input" : path, std::strerror(errno)),
               "file"};
}

// A regular file is mapped a window at a time (16 MiB, grown for a longer line), each window
// ending at a line end: one pass, no copy, and memory that does not grow with the file.
Status analyze_mapped(int fd, std::size_t size, const std::string& path, Analyzer& analyzer) {
  constexpr std::size_t kWindow = std::size_t{16} << 20;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::size_t done = 0;  // bytes analyzed
  while (done < size) {
    const std::size_t map_at = done / page * page;
    std::size_t len = std::min(kWindow, size - map_at);
    for (;;) {
      void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, static_cast<off_t>(map_at));
      if (m == MAP_FAILED) return io_error("map", path);
      ::madvise(m, len, MADV_SEQUENTIAL);
      const char* base = static_cast<const char*>(m) + (done - map_at);
      const std::size_t avail = map_at + len - done;
      std::size_t take = avail;
      if (map_at + len < size) {
        const void* nl = ::memrchr(base, '\n', avail);
        if (!nl) {  // one line longer than the window: map more of it
          ::munmap(m, len);
          len = std::min(len * 2, size - map_at);
          continue;
        }
        take = static_cast<std::size_t>(static_cast<const char*>(nl) - base) + 1;
      }
      analyzer.add(std::string_view(base, take));
      ::munmap(m, len);
      done += take;
      break;
    }
  }
  return Status::Ok();
}

// A pipe or standard input (`zcat access.log.2.gz | vigil logs analyze -`): read in 1 MiB
// pieces, each handed over up to its last line end.
Status analyze_stream(int fd, const std::string& path, Analyzer& analyzer) {
  std::vector<char> buf(std::size_t{1} << 20);
  std::size_t have = 0;
  for (;;) {
    if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
    const ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path);
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
    const void* nl = ::memrchr(buf.data(), '\n', have);
    if (!nl) continue;
    const std::size_t take = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
    analyzer.add(std::string_view(buf.data(), take));
    std::memmove(buf.data(), buf.data() + take, have - take);
    have -= take;
  }
  if (have) analyzer.add(std::string_view(buf.data(), have));
  return Status::Ok();
}

}  // namespace

Status analyze_file(const std::string& path, Analyzer& analyzer) {
  const bool stdin_ = path == "-";
  const int fd = stdin_ ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open", path);
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = io_error("stat", path);
  } else if (S_ISDIR(st.st_mode)) {
    status = Error{fmt::format("{} is a directory", path), "file"};
  } else if (S_ISREG(st.st_mode) && st.st_size > 0) {
    status = analyze_mapped(fd, static_cast<std::size_t>(st.st_size), path, analyzer);
  } else if (!S_ISREG(st.st_mode)) {
    status = analyze_stream(fd, path, analyzer);
  }
  if (!stdin_) ::close(fd);
  return status;
}

}  // namespace vigil::probe::logs
