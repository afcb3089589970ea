#include "probe/logs/tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace vigil::probe::logs {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

// pread until `n` bytes or EOF; -1 on error.
ssize_t pread_full(int fd, char* buf, std::size_t n, std::uint64_t at) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(at + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

LogTailer::LogTailer(std::string path, TailOptions options) : path_(std::move(path)), options_(options) {
  if (options_.max_line == 0) options_.max_line = 1;
}

LogTailer::~LogTailer() {
  close(cur_);
  close(old_);
}

LogTailer::LogTailer(LogTailer&& o) noexcept
    : path_(std::move(o.path_)),
      options_(o.options_),
      cur_(std::exchange(o.cur_, Source{})),
      old_(std::exchange(o.old_, Source{})),
      first_(o.first_) {}

LogTailer& LogTailer::operator=(LogTailer&& o) noexcept {
  if (this != &o) {
    close(cur_);
    close(old_);
    path_ = std::move(o.path_);
    options_ = o.options_;
    cur_ = std::exchange(o.cur_, Source{});
    old_ = std::exchange(o.old_, Source{});
    first_ = o.first_;
  }
  return *this;
}

void LogTailer::close(Source& s) {
  if (s.fd >= 0) ::close(s.fd);
  s = Source{};
}

Status LogTailer::open_current(bool at_end) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Error{"cannot open " + path_ + ": " + errno_text(errno)};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return Error{"cannot stat " + path_ + ": " + errno_text(e)};
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{"cannot follow " + path_ + ": not a regular file"};
  }
  cur_ = Source{};
  cur_.fd = fd;
  cur_.dev = st.st_dev;
  cur_.ino = st.st_ino;
  if (at_end && st.st_size > 0) {
    // Start at the beginning of the last line, so a line being written right now is read whole.
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(size, options_.max_line));
    std::string back(len, '\0');
    ssize_t n = pread_full(fd, back.data(), len, size - len);
    if (n != static_cast<ssize_t>(len)) {
      cur_.offset = size;  // raced with a truncate: the next read sorts it out
    } else {
      const auto nl = back.rfind('\n');
      std::size_t keep;  // bytes of `back` before the start offset
      if (nl != std::string::npos) {
        keep = nl + 1;
      } else if (len == size) {
        keep = 0;  // the whole file is one unterminated line
      } else {
        keep = len;  // inside a line longer than max_line: skip to its end
        cur_.cutting = true;
      }
      cur_.offset = size - len + keep;
      const std::size_t t = std::min(keep, kTail);
      cur_.tail.assign(back.data() + keep - t, t);
    }
  }
  return Status::Ok();
}

bool LogTailer::rewritten(Source& s) {
  if (s.tail.empty()) return false;
  char buf[kTail];
  const std::size_t n = s.tail.size();
  ssize_t r = pread_full(s.fd, buf, n, s.offset - n);
  return r != static_cast<ssize_t>(n) || std::memcmp(buf, s.tail.data(), n) != 0;
}

void LogTailer::restart(Source& s) {
  s.offset = 0;
  s.partial.clear();
  s.cutting = false;
  s.tail.clear();
}

void LogTailer::emit(Source& s, std::string_view line, const LineFn& on_line, TailRead& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++out.lines;
  on_line(line);
}

void LogTailer::consume(Source& s, const char* data, std::size_t n, const LineFn& on_line, TailRead& out) {
  const std::size_t max_line = options_.max_line;
  const char* p = data;
  const char* end = data + n;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const bool complete = nl != nullptr;
    std::string_view seg(p, static_cast<std::size_t>((complete ? nl : end) - p));
    p = complete ? nl + 1 : end;
    if (s.cutting) {  // the rest of a line already cut
      if (complete) s.cutting = false;
      continue;
    }
    if (complete && s.partial.empty() && seg.size() <= max_line) {
      emit(s, seg, on_line, out);
      continue;
    }
    const std::size_t room = max_line - s.partial.size();
    if (seg.size() > room) {
      s.partial.append(seg.data(), room);
      emit(s, s.partial, on_line, out);
      s.partial.clear();
      ++out.cut_lines;
      s.cutting = !complete;
      continue;
    }
    s.partial.append(seg);
    if (complete) {
      emit(s, s.partial, on_line, out);
      s.partial.clear();
    }
  }
}

LogTailer::Drain LogTailer::drain(Source& s, const LineFn& on_line, std::size_t& budget, TailRead& out) {
  while (budget > 0) {
    const std::size_t want = std::min(budget, kChunk);
    if (buf_.size() < want) buf_.resize(want);
    ssize_t r = ::pread(s.fd, buf_.data(), want, static_cast<off_t>(s.offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Drain::error;
    }
    if (r == 0) return Drain::eof;
    // Still the file whose start we read? (Checked after the read: a truncation before it
    // shows here, one after it did not affect these bytes.)
    if (rewritten(s)) return Drain::rewritten;
    const auto n = static_cast<std::size_t>(r);
    s.offset += n;
    budget -= n;
    out.bytes += n;
    if (n >= kTail) {
      s.tail.assign(buf_.data() + n - kTail, kTail);
    } else {
      s.tail.append(buf_.data(), n);
      if (s.tail.size() > kTail) s.tail.erase(0, s.tail.size() - kTail);
    }
    consume(s, buf_.data(), n, on_line, out);
  }
  struct stat st {};
  if (::fstat(s.fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) > s.offset) out.more = true;
  return Drain::budget;
}

void LogTailer::retire_old(const LineFn& on_line, TailRead& out) {
  // The rotated file is complete: its unterminated last line, if any, is all there will be.
  if (!old_.partial.empty() && !old_.cutting) emit(old_, old_.partial, on_line, out);
  close(old_);
}

void LogTailer::adopt_copy(const LineFn& on_line, std::size_t& budget, TailRead& out) {
  if (cur_.offset == 0) return;
  const std::string copy = path_ + ".1";
  int fd = ::open(copy.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  struct stat st {};
  Source s;
  s.fd = fd;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_dev == cur_.dev && st.st_ino == cur_.ino) ||
      static_cast<std::uint64_t>(st.st_size) < cur_.offset) {
    close(s);
    return;
  }
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.offset = cur_.offset;
  s.tail = cur_.tail;
  if (s.tail.empty() || rewritten(s)) {  // not a copy of what was read: leave it alone
    close(s);
    return;
  }
  s.partial = std::move(cur_.partial);
  s.cutting = cur_.cutting;
  if (old_.fd >= 0) retire_old(on_line, out);
  old_ = std::move(s);
  // Its lines precede the truncated file's new ones: read them first, then like a renamed
  // file on the next reads until it is quiet.
  const Drain d = drain(old_, on_line, budget, out);
  if (d == Drain::error || d == Drain::rewritten) retire_old(on_line, out);
}

Result<TailRead> LogTailer::read(const LineFn& on_line, std::size_t max_bytes) {
  TailRead out;
  std::size_t budget = std::max<std::size_t>(max_bytes, 1);
  const bool first = std::exchange(first_, false);

  // A rotated file first: what the server still writes there precedes the new file's lines.
  if (old_.fd >= 0) {
    const std::size_t before = out.bytes;
    const Drain d = drain(old_, on_line, budget, out);
    if (d == Drain::error || d == Drain::rewritten) {
      retire_old(on_line, out);
    } else if (out.bytes == before) {
      if (++old_.idle_reads >= options_.retire_after_idle_reads) retire_old(on_line, out);
    } else {
      old_.idle_reads = 0;
    }
    if (budget == 0) return out;
  }

  if (cur_.fd < 0) {
    Status st = open_current(first && !options_.from_start);
    if (!st) {
      if (old_.fd >= 0) return out;  // still draining the rotated file; retried next read
      return st.error();
    }
  }

  for (int guard = 0; guard < 8; ++guard) {
    struct stat fst {};
    if (::fstat(cur_.fd, &fst) != 0) return Error{"cannot stat " + path_ + ": " + errno_text(errno)};
    const bool shrunk = static_cast<std::uint64_t>(fst.st_size) < cur_.offset || rewritten(cur_);
    const Drain d = shrunk ? Drain::rewritten : drain(cur_, on_line, budget, out);
    if (d == Drain::rewritten) {
      // copytruncate (or rewritten in place): the unread end is in the copy, if any; the file
      // starts over.
      adopt_copy(on_line, budget, out);
      restart(cur_);
      ++out.truncations;
      if (budget == 0) {
        out.more = true;
        break;
      }
      continue;
    }
    if (d == Drain::error) {
      const int e = errno;
      close(cur_);
      if (old_.fd >= 0) return out;
      return Error{"cannot read " + path_ + ": " + errno_text(e)};
    }
    if (d == Drain::budget) break;  // bounded: the rest (and any rotation check) waits for the next read
    // At the end of the file: is the path still this file?
    struct stat pst {};
    if (::stat(path_.c_str(), &pst) != 0) break;  // renamed, not yet recreated: keep the descriptor
    if (pst.st_dev == cur_.dev && pst.st_ino == cur_.ino) break;
    // Renamed and a new file created: the current one becomes the rotated one, drained until quiet.
    if (old_.fd >= 0) retire_old(on_line, out);  // a second rotation before the first went quiet
    old_ = std::exchange(cur_, Source{});
    old_.idle_reads = 0;
    ++out.rotations;
    Status st = open_current(false);
    if (!st) break;  // e.g. created with a mode vigil cannot read: retried on the next read
  }
  return out;
}

}  // namespace vigil::probe::logs
