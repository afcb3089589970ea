#include "respond/evidence.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/subprocess.h"
#include "net/http_client.h"

namespace vigil::respond {

namespace fs = std::filesystem;
using Kind = config::EvidenceConfig::Kind;

namespace detail {

struct CapturedTree {
  Time taken_at{};
  bool exists = false;
  bool is_directory = false;
  // Relative path → contents, or a bracketed note standing in for contents not kept. Sorted, so
  // two captures of the same tree under the same limits hold the same notes in the same places.
  std::map<std::string, std::string> files;
  std::size_t bytes = 0;
  std::vector<std::string> notes;  // what was left out of the capture, for the reader of the diff
};

}  // namespace detail

namespace {

using detail::CapturedTree;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Duration since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
}

// ---- tail ----------------------------------------------------------------------------------

struct TailText {
  std::string text;
  bool truncated = false;
};

// The last `lines` lines of a regular file, read backwards from the end in chunks so a 2 GB
// log costs what the answer costs. At most `max_bytes` are kept: when the lines are longer,
// the oldest are dropped (whole lines where possible) and the result is marked truncated.
Result<TailText> tail_file(const std::string& path, int lines, std::size_t max_bytes) {
  // O_NONBLOCK: a FIFO named in the config must not hang the worker at open().
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return Error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error{fmt::format("cannot stat {}: {}", path, std::strerror(errno))};
  if (!S_ISREG(st.st_mode)) return Error{fmt::format("{} is not a regular file", path)};
  if (lines <= 0 || max_bytes == 0 || st.st_size == 0) return TailText{};

  const auto size = static_cast<std::size_t>(st.st_size);
  // One byte beyond the cap tells whether the first kept byte starts a line.
  const std::size_t window = std::min(size, max_bytes + 1);
  std::string buf(window, '\0');
  constexpr std::size_t kChunk = 16 * 1024;
  // A final newline ends the last line; it does not start an empty one.
  std::size_t filled = 0;    // bytes read, at the end of buf
  std::size_t start = std::string::npos;  // where the wanted lines begin in buf
  int found = 0;
  while (filled < window && start == std::string::npos) {
    const std::size_t chunk = std::min(kChunk, window - filled);
    const std::size_t at = window - filled - chunk;  // in buf
    const auto offset = static_cast<off_t>(size - filled - chunk);
    std::size_t got = 0;
    while (got < chunk) {
      const ssize_t n = ::pread(fd.get(), buf.data() + at + got, chunk - got, offset + static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error{fmt::format("cannot read {}: {}", path, std::strerror(errno))};
      if (n == 0) return Error{fmt::format("{} shrank while being read (rotated or truncated?)", path)};
      got += static_cast<std::size_t>(n);
    }
    for (std::size_t i = at + chunk; i-- > at;) {
      if (buf[i] != '\n' || i == window - 1) continue;
      if (++found == lines) {
        start = i + 1;
        break;
      }
    }
    filled += chunk;
  }
  if (start != std::string::npos) return TailText{buf.substr(start), false};
  if (size <= max_bytes) return TailText{std::move(buf), false};  // the whole file has fewer lines

  // More than max_bytes for the wanted lines: keep the newest max_bytes, from a line start.
  std::string_view kept = std::string_view(buf).substr(1);
  if (buf[0] != '\n') {
    const auto nl = kept.find('\n');
    if (nl != std::string_view::npos && nl + 1 < kept.size()) kept.remove_prefix(nl + 1);
  }
  return TailText{std::string(kept), true};
}

EvidenceItem gather_tail(const config::EvidenceConfig& cfg) {
  EvidenceItem item;
  auto t = tail_file(cfg.path, cfg.lines, cfg.max_bytes);
  if (!t) {
    item.error = t.error().message;
  } else {
    item.text = std::move(t->text);
    item.truncated = t->truncated;
  }
  return item;
}

// ---- command -------------------------------------------------------------------------------

// The exit status is evidence too (`apache2ctl -t` says "Syntax error" and exits 1), so a
// command that ran is never an error; it only is when it could not start or ran out of time.
EvidenceItem gather_command(const config::EvidenceConfig& cfg) {
  EvidenceItem item;
  SubprocessSpec spec;
  spec.argv = cfg.command;
  spec.timeout = cfg.timeout;
  spec.max_output = cfg.max_bytes;
  auto r = run_subprocess(spec);
  if (!r) {
    item.error = r.error().message;
    return item;
  }
  item.text = std::move(r->output);
  item.truncated = r->truncated;
  if (r->timed_out) {
    item.error = fmt::format("timed out after {} and was killed", format_duration(cfg.timeout));
  } else if (r->signal != 0) {
    item.text += fmt::format("{}[killed by signal {}]", item.text.empty() || item.text.back() == '\n' ? "" : "\n",
                             r->signal);
  } else if (r->exit_code != 0) {
    item.text += fmt::format("{}[exit status {}]", item.text.empty() || item.text.back() == '\n' ? "" : "\n",
                             r->exit_code);
  }
  return item;
}

// ---- http ----------------------------------------------------------------------------------

EvidenceItem gather_http(const config::EvidenceConfig& cfg) {
  EvidenceItem item;
  net::HttpRequest req;
  req.url = cfg.url;
  req.timeout = cfg.timeout;
  req.max_body = cfg.max_bytes;
  const probe::CheckResult r = net::fetch_blocking(std::move(req));
  if (!r.reachable) {
    item.error = r.error.empty() ? "no response" : r.error;
    return item;
  }
  // An error page (503 from a struggling server) is evidence, not a failure to gather it.
  item.text = fmt::format("HTTP {}\n{}", r.status, r.body);
  item.truncated = r.body_truncated;
  return item;
}

// ---- config_diff ---------------------------------------------------------------------------

std::string read_capped(const fs::path& p, std::size_t limit, std::string& error) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return {};
  }
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

// Reads a file, or a directory tree recursively (regular files only, symlinks to files
// followed, sorted), under the watch's limits. Deterministic for a given tree, so a file kept
// as a note in the snapshot is a note in the current capture too and the diff stays honest.
CapturedTree capture(const std::string& path, const ConfigWatch::Limits& limits, Time now) {
  CapturedTree tree;
  tree.taken_at = now;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return tree;
  tree.exists = true;
  tree.is_directory = fs::is_directory(status);

  std::vector<std::pair<std::string, fs::path>> files;  // relative name, real path
  if (tree.is_directory) {
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      tree.notes.push_back(fmt::format("cannot read directory {}: {}", path, ec.message()));
      return tree;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) {
        tree.notes.push_back(fmt::format("stopped reading {}: {}", path, ec.message()));
        break;
      }
      std::error_code fec;
      if (!it->is_regular_file(fec)) continue;  // FIFOs, sockets, devices: never opened
      files.emplace_back(fs::relative(it->path(), path, fec).generic_string(), it->path());
    }
    std::sort(files.begin(), files.end());
  } else if (fs::is_regular_file(status)) {
    files.emplace_back(fs::path(path).filename().string(), fs::path(path));
  } else {
    tree.notes.push_back(fmt::format("{} is neither a regular file nor a directory", path));
    return tree;
  }

  if (files.size() > limits.max_files) {
    tree.notes.push_back(fmt::format("{} files under {}; the first {} (by name) were compared", files.size(), path,
                                     limits.max_files));
    files.resize(limits.max_files);
  }
  for (const auto& [name, real] : files) {
    std::error_code sec;
    const auto size = fs::file_size(real, sec);
    if (sec) {
      tree.files[name] = fmt::format("[vigil: not captured: {}]\n", sec.message());
      continue;
    }
    if (size > limits.max_file_bytes) {
      tree.files[name] = fmt::format("[vigil: not captured: {} bytes, over the {}-byte limit per file]\n", size,
                                     limits.max_file_bytes);
      continue;
    }
    if (tree.bytes + size > limits.max_path_bytes) {
      tree.files[name] = fmt::format("[vigil: not captured: {} bytes, over the {}-byte limit per watched path]\n",
                                     size, limits.max_path_bytes);
      continue;
    }
    std::string error;
    std::string content = read_capped(real, limits.max_file_bytes, error);
    if (!error.empty()) {
      tree.files[name] = fmt::format("[vigil: not captured: {}]\n", error);
      continue;
    }
    tree.bytes += content.size();
    tree.files[name] = std::move(content);
  }
  return tree;
}

Status write_tree(const CapturedTree& tree, const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Error{fmt::format("cannot create {}: {}", root.string(), ec.message())};
  for (const auto& [name, content] : tree.files) {
    const fs::path p = root / name;
    fs::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) return Error{fmt::format("cannot write {}: {}", p.string(), std::strerror(errno))};
  }
  return Status::Ok();
}

// A private directory for the two copies, removed when the diff is done.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "vigil-config-diff-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;  // mode 0700: config may hold secrets
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// diff's output names the temporary copies and their mtimes; the reader wants the real paths
// and which side is which. Only header lines are touched: a removed line "-- x" reads "--- x"
// in a hunk, so "---"/"+++" are headers only at the start and right after a "diff " line.
std::string present(const std::string& raw, const std::string& old_root, const std::string& new_root,
                    const std::string& shown_root, Time healthy_at, Time now) {
  std::string out;
  out.reserve(raw.size());
  bool header_expected = true;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t eol = raw.find('\n', pos);
    if (eol == std::string::npos) eol = raw.size();
    std::string line = raw.substr(pos, eol - pos);
    const bool had_newline = eol < raw.size();
    pos = eol + 1;

    if (line.starts_with("diff ")) {
      header_expected = true;
      continue;  // the command line with temporary paths: the headers below say it all
    }
    const bool old_header = header_expected && line.starts_with("--- ");
    const bool new_header = header_expected && line.starts_with("+++ ");
    if (old_header || new_header || line.starts_with("Binary files ") || line.starts_with("Only in ") ||
        line.starts_with("File ")) {
      // --new-file dates a file missing on one side at the epoch; the copies are all new.
      bool absent = false;
      if (old_header || new_header) {
        const auto tab = line.find('\t');
        absent = tab != std::string::npos && line.compare(tab + 1, 10, "1970-01-01") == 0;
        line = line.substr(0, tab);
      }
      replace_all(line, old_root, shown_root);
      replace_all(line, new_root, shown_root);
      const std::string missing = absent ? "absent at " : "";
      if (old_header) line += "\t(" + missing + "last healthy, " + format_rfc3339(healthy_at) + ")";
      if (new_header) {
        line += "\t(" + (absent ? std::string("absent now") : "now, " + format_rfc3339(now)) + ")";
        header_expected = false;
      }
    } else {
      header_expected = false;
    }
    out += line;
    if (had_newline) out += '\n';
  }
  return out;
}

EvidenceItem gather_config_diff(const config::EvidenceConfig& cfg, const ConfigWatch& watch, Time now) {
  return watch.diff(cfg.path, cfg.timeout, cfg.max_bytes, now);
}

std::string basename_of(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

std::string default_name(const config::EvidenceConfig& item) {
  switch (item.kind) {
    case Kind::tail: return basename_of(item.path) + " tail";
    case Kind::command: {
      std::string s;
      for (const auto& a : item.command) s += (s.empty() ? "" : " ") + a;
      return s.empty() ? "command" : s;
    }
    case Kind::http: return item.url;
    case Kind::config_diff: return "config diff " + item.path;
  }
  return "evidence";
}

ConfigWatch::ConfigWatch() : ConfigWatch(Limits{}) {}
ConfigWatch::ConfigWatch(Limits limits) : limits_(limits) {}

void ConfigWatch::snapshot_healthy(const std::vector<std::string>& paths, Time now) {
  for (const auto& path : paths) {
    {
      std::lock_guard lock(mu_);
      const auto it = snapshots_.find(path);
      if (it != snapshots_.end() && now - it->second->taken_at < limits_.min_interval) continue;
      if (it == snapshots_.end() && snapshots_.size() >= limits_.max_paths) continue;
    }
    // Read without the lock: a slow disk must not hold up a diff of another path.
    auto tree = std::make_shared<const CapturedTree>(capture(path, limits_, now));
    std::lock_guard lock(mu_);
    if (snapshots_.size() >= limits_.max_paths && !snapshots_.contains(path)) continue;
    snapshots_[path] = std::move(tree);
  }
}

std::optional<Time> ConfigWatch::snapshot_time(const std::string& path) const {
  std::lock_guard lock(mu_);
  const auto it = snapshots_.find(path);
  if (it == snapshots_.end()) return std::nullopt;
  return it->second->taken_at;
}

EvidenceItem ConfigWatch::diff(const std::string& path, Duration timeout, std::size_t max_bytes, Time now) const {
  EvidenceItem item;
  item.kind = Kind::config_diff;
  std::shared_ptr<const CapturedTree> healthy;
  {
    std::lock_guard lock(mu_);
    if (const auto it = snapshots_.find(path); it != snapshots_.end()) healthy = it->second;
  }
  if (!healthy) {
    item.text = "no healthy snapshot yet";
    return item;
  }
  const CapturedTree current = capture(path, limits_, now);

  TempDir tmp;
  if (tmp.path().empty()) {
    item.error = fmt::format("cannot create a temporary directory: {}", std::strerror(errno));
    return item;
  }
  const fs::path old_dir = tmp.path() / "healthy";
  const fs::path new_dir = tmp.path() / "now";
  for (const auto& [tree, dir] : {std::pair{healthy.get(), &old_dir}, std::pair{&current, &new_dir}}) {
    if (auto st = write_tree(*tree, *dir); !st) {
      item.error = st.error().message;
      return item;
    }
  }

  SubprocessSpec spec;
  spec.argv = {"diff", "-u", "-r", "--new-file", old_dir.string(), new_dir.string()};
  spec.timeout = timeout;
  spec.max_output = max_bytes;
  auto r = run_subprocess(spec);
  if (!r) {
    item.error = r.error().message + " (config_diff needs GNU diffutils)";
    return item;
  }
  if (r->timed_out) {
    item.error = fmt::format("diff timed out after {} and was killed", format_duration(timeout));
    return item;
  }
  if (r->exit_code == 0) {
    item.text = fmt::format("no changes since {} (last healthy snapshot)", format_rfc3339(healthy->taken_at));
  } else if (r->exit_code == 1) {
    // For a watched file the copies are <dir>/<name>, shown as the file's own directory.
    std::string shown_root = path;
    while (shown_root.size() > 1 && shown_root.back() == '/') shown_root.pop_back();
    if (!healthy->is_directory && !current.is_directory) {
      shown_root = fs::path(shown_root).parent_path().string();
      if (shown_root.empty()) shown_root = ".";
    }
    item.text = present(r->output, old_dir.string(), new_dir.string(), shown_root, healthy->taken_at, now);
    item.truncated = r->truncated;
  } else {
    item.error = fmt::format("diff failed (status {}): {}", r->exit_code, r->output);
    return item;
  }

  std::vector<std::string> notes;
  if (healthy->exists && !current.exists) notes.push_back(path + " no longer exists");
  if (!healthy->exists && current.exists) notes.push_back(path + " did not exist at the last healthy snapshot");
  if (healthy->exists && current.exists && healthy->is_directory != current.is_directory) {
    notes.push_back(fmt::format("{} was a {} and is now a {}", path, healthy->is_directory ? "directory" : "file",
                                current.is_directory ? "directory" : "file"));
  }
  for (const auto& n : healthy->notes) notes.push_back("healthy snapshot: " + n);
  for (const auto& n : current.notes) notes.push_back("now: " + n);
  for (const auto& n : notes) item.text += (item.text.empty() || item.text.back() == '\n' ? "" : "\n") + n + "\n";
  return item;
}

std::vector<EvidenceItem> gather(const std::vector<config::EvidenceConfig>& items, ConfigWatch& watch, Time now) {
  std::vector<EvidenceItem> out;
  out.reserve(items.size());
  for (const auto& cfg : items) {
    const auto start = std::chrono::steady_clock::now();
    EvidenceItem item;
    switch (cfg.kind) {
      case Kind::tail: item = gather_tail(cfg); break;
      case Kind::command: item = gather_command(cfg); break;
      case Kind::http: item = gather_http(cfg); break;
      case Kind::config_diff: item = gather_config_diff(cfg, watch, now); break;
    }
    item.kind = cfg.kind;
    item.name = cfg.name.empty() ? default_name(cfg) : cfg.name;
    item.took = since(start);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace vigil::respond
