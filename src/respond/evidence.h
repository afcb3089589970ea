// Evidence: what an engineer would look at first when a service goes down — the tail of the
// error log, `apache2ctl -t`, server-status, what changed in the config since it last worked —
// captured the moment an incident triggers, so the timeline (and the postmortem) shows the
// state of the server then, not after someone restarted it.
//
// Everything here blocks (files, child processes, an HTTP request): the engine runs it on a
// BlockingWorker and posts the items back to its loop.
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "config/config.h"

namespace vigil::respond {

namespace detail {
struct CapturedTree;  // a file or directory tree as read (evidence.cpp)
}

struct EvidenceItem {
  std::string name;  // the item's configured name, or default_name()
  config::EvidenceConfig::Kind kind = config::EvidenceConfig::Kind::tail;
  std::string text;        // what was captured (may be partial when `error` is set)
  bool truncated = false;  // cut at the item's max_bytes (tail: older lines dropped; others: the end)
  std::string error;       // why it could not be (fully) gathered; empty when it was
  Duration took{0};
};

// "error.log tail", "apache2ctl -t", "http://127.0.0.1/server-status?auto", "config diff /etc/apache2".
std::string default_name(const config::EvidenceConfig& item);

// ConfigWatch remembers the last healthy state of watched config files and directory trees, so
// config_diff evidence can say what changed since the service last worked. Snapshots live in
// memory only: after a restart the first diff says "no healthy snapshot yet" until the
// service's checks pass again. Thread-safe.
class ConfigWatch {
 public:
  struct Limits {
    std::size_t max_file_bytes = 256 * 1024;  // a bigger file is recorded by its size only
    std::size_t max_path_bytes = 1024 * 1024;  // per watched path; later files by size only
    std::size_t max_files = 2000;              // per watched path
    std::size_t max_paths = 64;                // paths watched at once (total: max_paths x max_path_bytes)
    Duration min_interval = std::chrono::minutes(1);  // a path is re-read at most this often
  };
  ConfigWatch();
  explicit ConfigWatch(Limits limits);

  // The engine calls this when all of a service's checks pass, with the paths of its
  // config_diff items: each path (a file, or a directory read recursively) is read and kept as
  // the healthy state, unless its snapshot is younger than min_interval. Blocking: reads files.
  void snapshot_healthy(const std::vector<std::string>& paths, Time now);

  // When `path` was last snapshotted, if ever.
  std::optional<Time> snapshot_time(const std::string& path) const;

  // Unified diff of `path` now against its healthy snapshot, produced by `diff -u -r --new-file`
  // on temporary copies; file names in the headers are the real ones. "no changes since <time>"
  // when identical, "no healthy snapshot yet" when there is none.
  EvidenceItem diff(const std::string& path, Duration timeout, std::size_t max_bytes, Time now) const;

 private:
  Limits limits_;
  mutable std::mutex mu_;
  // Shared so a diff can use a snapshot after the lock is released.
  std::map<std::string, std::shared_ptr<const detail::CapturedTree>> snapshots_;
};

// Gathers every item in order; an item that fails says why in its `error` and the others are
// still gathered. `now` dates the "+++" side of a config diff. Blocking.
std::vector<EvidenceItem> gather(const std::vector<config::EvidenceConfig>& items, ConfigWatch& watch, Time now);

}  // namespace vigil::respond
