// LogTailer: follows one log file by name the way `tail -F` does, across logrotate's two
// styles, and hands out complete lines. Polled (fstat/stat each read, no inotify): a prober
// calls read() once per check interval with a byte budget, so each call is short.
//
// Rotation:
//  - rename + create (logrotate's default): the file at `path` becomes another inode. The
//    tailer finishes the old inode through the descriptor it holds, then reads the new file
//    from offset 0. The old descriptor stays open and is drained first on every read until it
//    has been quiet for a few reads: a server keeps writing to the old inode until it reopens
//    its logs (Apache: until the postrotate `reload`), and those lines are not lost.
//    Its final unterminated line, if any, is delivered when the old file is let go.
//  - copytruncate: the same inode shrinks below the read offset (or its bytes just before the
//    offset change: truncated and refilled between two reads); the tailer restarts at 0.
//    Lines written before the copy but not read yet are in the copy: when `PATH.1` exists
//    (logrotate's name without dateext, before compression: `delaycompress`) and holds the
//    bytes just before the read offset, it is drained from that offset like a renamed file.
//    Otherwise (dateext, immediate compress) those unread lines are skipped. Lines the server
//    wrote between logrotate's copy and its truncate are in neither file: that loss is
//    inherent to copytruncate, not something a reader can recover. A copytruncate while the
//    tailer has read nothing of the file yet (offset 0) looks like no change at all.
//  - two rotations between two reads skip the middle file (the path only names the newest).
//
// Start: on the first successful open the tailer starts at the end of the file (from the
// beginning of the last, possibly still growing, line), like tail -F; TailOptions::from_start
// reads the whole file (tests, `vigil logs analyze`). A file that did not exist at the first
// read is read from its beginning when it appears. Nothing is persisted: after a restart
// vigil starts at the end again, so lines written while it was down are not counted.
//
// A line is handed out without its '\n' (and without a trailing '\r'). A line longer than
// TailOptions::max_line is cut to that length (the rest is dropped) so memory stays bounded.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace vigil::probe::logs {

struct TailOptions {
  bool from_start = false;          // read existing content on the first open (default: tail)
  std::size_t max_line = 64 * 1024;  // longer lines are cut to this many bytes
  int retire_after_idle_reads = 2;   // reads without new bytes before a rotated file is let go
};

struct TailRead {
  std::size_t bytes = 0;      // bytes consumed by this read
  std::size_t lines = 0;      // complete lines handed out
  bool more = false;          // the byte budget ran out before the end: call again for the rest
  int rotations = 0;          // renames seen by this read (a new file at the path)
  int truncations = 0;        // copytruncate-style restarts seen by this read
  std::size_t cut_lines = 0;  // lines longer than max_line, cut
};

class LogTailer {
 public:
  using LineFn = std::function<void(std::string_view line)>;

  explicit LogTailer(std::string path, TailOptions options = {});
  ~LogTailer();
  LogTailer(const LogTailer&) = delete;
  LogTailer& operator=(const LogTailer&) = delete;
  LogTailer(LogTailer&& other) noexcept;
  LogTailer& operator=(LogTailer&& other) noexcept;

  // Reads at most `max_bytes` new bytes (across the rotated and the current file) and calls
  // `on_line` for every line completed by them, in file order. The error ("cannot open PATH:
  // No such file or directory", "... Permission denied", "... is not a regular file") is
  // returned only when nothing at all can be read: while a rotated file is still being drained
  // a missing or unreadable new file is retried on the next read.
  Result<TailRead> read(const LineFn& on_line, std::size_t max_bytes = 1 << 20);

  const std::string& path() const { return path_; }
  // Offset reached in the file currently followed (bytes consumed, a pending partial line
  // included). For tests and diagnostics.
  std::uint64_t offset() const { return cur_.offset; }
  bool draining_rotated() const { return old_.fd >= 0; }

 private:
  struct Source {
    int fd = -1;
    dev_t dev = 0;
    ino_t ino = 0;
    std::uint64_t offset = 0;  // next byte to read
    std::string partial;       // bytes of the unterminated last line
    bool cutting = false;      // inside a line longer than max_line: drop bytes until '\n'
    std::string tail;          // last consumed bytes (≤ kTail), to notice a file rewritten in place
    int idle_reads = 0;
  };
  static constexpr std::size_t kTail = 64;

  Status open_current(bool at_end);
  void close(Source& s);
  // Reads `s` until EOF or the budget. Each chunk is checked against the bytes before it
  // (Source::tail) before its lines go out: a file truncated and refilled between the size
  // check and the read would otherwise be read from the middle.
  enum class Drain { eof, budget, rewritten, error };
  Drain drain(Source& s, const LineFn& on_line, std::size_t& budget, TailRead& out);
  void consume(Source& s, const char* data, std::size_t n, const LineFn& on_line, TailRead& out);
  void emit(Source& s, std::string_view line, const LineFn& on_line, TailRead& out);
  bool rewritten(Source& s);
  void restart(Source& s);
  // After a copytruncate: drains the unread end of the copy (PATH.1) when it is ours.
  void adopt_copy(const LineFn& on_line, std::size_t& budget, TailRead& out);
  void retire_old(const LineFn& on_line, TailRead& out);

  std::string path_;
  TailOptions options_;
  Source cur_;
  Source old_;          // a rotated file still being drained
  bool first_ = true;   // no read attempted yet: the first open starts at the end
  std::string buf_;     // read buffer, reused
};

}  // namespace vigil::probe::logs
