#include "cli/logs_analyze.h"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/time.h"
#include "probe/logs/access_format.h"
#include "probe/logs/analyze.h"

namespace vigil::cli {

namespace {

Error io_error(const char* what, const std::string& path) {
  return Error{fmt::format("cannot {} {}: {}", what, path == "-" ? "standard input" : path, std::strerror(errno)),
               "file"};
}

// A regular file is mapped a window at a time (16 MiB, grown for a longer line), each window
// ending at a line end: one pass, no copy, and memory that does not grow with the file.
Status analyze_mapped(int fd, std::size_t size, const std::string& path, probe::logs::Analyzer& analyzer) {
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
Status analyze_stream(int fd, const std::string& path, probe::logs::Analyzer& analyzer) {
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

Status analyze_path(const std::string& path, probe::logs::Analyzer& analyzer) {
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

Result<std::optional<probe::logs::sys_seconds>> parse_bound(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<probe::logs::sys_seconds>{};
  auto t = parse_rfc3339(text);
  if (!t)
    return Error{fmt::format("{}: {}", flag, t.error().message), flag};
  return std::optional<probe::logs::sys_seconds>{std::chrono::floor<std::chrono::seconds>(*t)};
}

}  // namespace

CLI::App* add_logs_command(CLI::App& app, LogsAnalyzeArgs& args) {
  auto* logs = app.add_subcommand("logs", "Work with web server logs");
  logs->require_subcommand(1);
  auto* analyze = logs->add_subcommand("analyze", "Summarize an access log: status mix, top paths, latency, busiest minute");
  analyze->add_option("file", args.file, "Access log file; - for standard input")->required();
  analyze->add_option("--format", args.format, "combined, common or an Apache LogFormat string")
      ->capture_default_str();
  analyze->add_option("--from", args.from, "Only requests at or after this RFC 3339 time");
  analyze->add_option("--to", args.to, "Only requests before this RFC 3339 time");
  analyze->add_option("--top", args.top, "Rows in each top list")->capture_default_str();
  analyze->add_flag("--json", args.json, "Print JSON");
  return analyze;
}

int logs_analyze(const LogsAnalyzeArgs& args) {
  auto format = probe::logs::AccessFormat::compile(args.format);
  if (!format) {
    std::fprintf(stderr, "vigil logs analyze: --format: %s\n", format.error().message.c_str());
    return 1;
  }
  probe::logs::AnalyzeOptions options;
  options.top = args.top;
  auto from = parse_bound(args.from, "--from");
  auto to = parse_bound(args.to, "--to");
  for (auto* b : {&from, &to}) {
    if (!*b) {
      std::fprintf(stderr, "vigil logs analyze: %s\n", b->error().message.c_str());
      return 1;
    }
  }
  options.from = *from;
  options.to = *to;

  probe::logs::Analyzer analyzer(*format, options);
  if (Status st = analyze_path(args.file, analyzer); !st) {
    std::fprintf(stderr, "vigil logs analyze: %s\n", st.error().message.c_str());
    return 1;
  }
  const probe::logs::Summary summary = analyzer.finish();
  const std::string out = args.json ? probe::logs::format_summary_json(summary, *format)
                                    : probe::logs::format_summary_text(summary, *format);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!args.json && summary.lines > 0 && summary.malformed == summary.lines)
    std::fprintf(stderr, "vigil logs analyze: no line matched the format \"%s\" (try --format)\n",
                 format->text().c_str());
  return 0;
}

}  // namespace vigil::cli
