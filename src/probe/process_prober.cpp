// The process check: walks /proc on the shard's thread for the processes named
// check.process_name (comm, else argv[0]'s basename; zombies do not count), sums their memory,
// and counts restarts of the oldest one (probe/process_stats.h). Two small reads per process
// (stat, and cmdline when comm differs): a few milliseconds on a host with thousands.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "probe/process_stats.h"
#include "probe/prober.h"

namespace vigil::probe {

namespace {

// Reads a small /proc file into `out`; false when it cannot (the process may have exited).
bool read_small(const std::string& path, std::string& out) {
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() >= 64 * 1024) break;
  }
  ::close(fd);
  return true;
}

MetricSample make_sample(std::string name, const char* type, std::string help, double value,
                    std::vector<std::pair<std::string, std::string>> labels) {
  MetricSample m;
  m.name = std::move(name);
  m.type = type;
  m.help = std::move(help);
  m.labels = std::move(labels);
  m.value = value;
  return m;
}

struct Found {
  ProcStat stat;
  std::uint64_t rss_pages = 0;
};

std::vector<Found> find_processes(const std::string& name) {
  std::vector<Found> out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  std::string path, text, cmdline;
  while (const dirent* e = ::readdir(dir)) {
    const char* d = e->d_name;
    if (*d < '1' || *d > '9') continue;
    bool digits = true;
    for (const char* p = d; *p; ++p) digits = digits && *p >= '0' && *p <= '9';
    if (!digits) continue;
    const std::string base = std::string("/proc/") + d;
    if (!read_small(base + "/stat", text)) continue;
    auto st = parse_proc_pid_stat(text);
    if (!st || st->state == 'Z' || st->state == 'X') continue;  // exited, not yet reaped
    if (st->comm != name) {
      if (!read_small(base + "/cmdline", cmdline) || !process_matches(name, st->comm, cmdline)) continue;
    }
    Found f{std::move(*st), 0};
    if (read_small(base + "/statm", text)) f.rss_pages = parse_statm_resident_pages(text).value_or(0);
    out.push_back(std::move(f));
  }
  ::closedir(dir);
  return out;
}

class ProcessProber final : public Prober {
 public:
  void run(const std::string& check_id, const config::CheckConfig& check, ProbeEnv&,
           std::function<void(CheckResult)> done) override {
    CheckResult r;
    r.started_at = now_ms();
    const auto t0 = std::chrono::steady_clock::now();
    const std::string& name = check.process_name;
    if (name.empty()) {
      r.error = "process_name is not set";
      return done(std::move(r));
    }
    const std::vector<Found> procs = find_processes(name);
    static const long page = ::sysconf(_SC_PAGESIZE);
    static const long hz = ::sysconf(_SC_CLK_TCK);

    const Found* oldest = nullptr;
    std::uint64_t rss = 0;
    for (const Found& p : procs) {
      rss += p.rss_pages * static_cast<std::uint64_t>(page);
      if (!oldest || p.stat.start_ticks < oldest->stat.start_ticks ||
          (p.stat.start_ticks == oldest->stat.start_ticks && p.stat.pid < oldest->stat.pid))
        oldest = &p;
    }
    RestartTracker& tracker = restarts_[check_id];
    tracker.observe(oldest ? std::optional<ProcessIdentity>(ProcessIdentity{oldest->stat.pid, oldest->stat.start_ticks})
                           : std::nullopt);

    auto& f = r.figures;
    f["running"] = oldest ? 1.0 : 0.0;
    f["pids"] = static_cast<double>(procs.size());
    f["rss"] = static_cast<double>(rss);
    f["restarts"] = static_cast<double>(tracker.restarts);
    const std::vector<std::pair<std::string, std::string>> labels{{"groupname", name}};
    r.metrics.push_back(make_sample("namedprocess_namegroup_num_procs", "gauge", "number of processes in this group",
                               static_cast<double>(procs.size()), labels));
    r.metrics.push_back(make_sample("namedprocess_namegroup_memory_bytes", "gauge", "number of bytes of memory in use",
                               static_cast<double>(rss), {{"groupname", name}, {"memtype", "resident"}}));
    r.metrics.push_back(make_sample("vigil_process_restarts_total", "counter",
                               "Times the oldest process of this group was replaced, seen by this check.",
                               static_cast<double>(tracker.restarts), labels));
    if (oldest) {
      f["pid"] = static_cast<double>(oldest->stat.pid);
      std::string text;
      if (read_small("/proc/uptime", text)) {
        if (auto up = parse_uptime_seconds(text)) {
          const double age = std::max(0.0, *up - static_cast<double>(oldest->stat.start_ticks) / static_cast<double>(hz));
          f["uptime"] = Duration(static_cast<Duration::rep>(std::llround(age * 1000)));
          const double started = std::chrono::duration<double>(Clock::now().time_since_epoch()).count() - age;
          r.metrics.push_back(make_sample("namedprocess_namegroup_oldest_start_time_seconds", "gauge",
                                     "start time in seconds since 1970/01/01 of oldest process in group", started, labels));
        }
      }
      r.reachable = true;
    } else {
      r.reachable = false;
      r.error = "no process named " + name;
    }
    r.timings.total = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    done(std::move(r));
  }

  void forget(const std::string& check_id) override { restarts_.erase(check_id); }

 private:
  std::unordered_map<std::string, RestartTracker> restarts_;
};

}  // namespace

std::unique_ptr<Prober> make_process_prober() { return std::make_unique<ProcessProber>(); }

}  // namespace vigil::probe
