// The host check: load, CPU, memory, swap, disks and file descriptors of the machine vigil
// runs on, read from /proc and statvfs on the shard's thread (a few small reads: well under a
// millisecond). cpu_usage needs the previous /proc/stat sample of the same check.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "probe/host_stats.h"
#include "probe/prober.h"

namespace vigil::probe {

namespace {

// Reads a whole (small, /proc) file; returns an error text on failure.
std::string read_proc(const char* path, std::string& out) {
  out.clear();
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string("cannot read ") + path + ": " + std::strerror(errno);
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string err = std::string("cannot read ") + path + ": " + std::strerror(errno);
      ::close(fd);
      return err;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (4u << 20)) break;  // /proc/self/mounts of a host with thousands of mounts
  }
  ::close(fd);
  return {};
}

MetricSample gauge(std::string name, std::string help, double value,
                   std::vector<std::pair<std::string, std::string>> labels = {}) {
  MetricSample m;
  m.name = std::move(name);
  m.type = "gauge";
  m.help = std::move(help);
  m.labels = std::move(labels);
  m.value = value;
  return m;
}

class HostProber final : public Prober {
 public:
  void run(const std::string& check_id, const config::CheckConfig& check, ProbeEnv&,
           std::function<void(CheckResult)> done) override {
    CheckResult r;
    r.started_at = now_ms();
    const auto t0 = std::chrono::steady_clock::now();
    r.reachable = true;
    std::string text;
    std::vector<std::string> errors;
    auto& f = r.figures;
    auto& m = r.metrics;

    if (auto e = read_proc("/proc/loadavg", text); !e.empty()) errors.push_back(e);
    else if (auto l = parse_loadavg(text)) {
      f["load1"] = l->load1;
      f["load5"] = l->load5;
      f["load15"] = l->load15;
      m.push_back(gauge("vigil_host_load1", "1m load average.", l->load1));
      m.push_back(gauge("vigil_host_load5", "5m load average.", l->load5));
      m.push_back(gauge("vigil_host_load15", "15m load average.", l->load15));
    } else {
      errors.push_back("/proc/loadavg not understood");
    }

    if (auto e = read_proc("/proc/stat", text); !e.empty()) errors.push_back(e);
    else if (auto cpu = parse_proc_stat_cpu(text)) {
      if (const int n = count_cpus(text); n > 0) {
        f["cpus"] = static_cast<double>(n);
        m.push_back(gauge("vigil_host_cpus", "Number of CPUs.", n));
      }
      auto [it, first] = cpu_.try_emplace(check_id, *cpu);
      if (!first) {
        if (auto u = cpu_usage(it->second, *cpu)) {
          f["cpu_usage"] = *u;
          m.push_back(gauge("vigil_host_cpu_usage_ratio", "Busy share of all CPUs since the previous probe (0..1).", *u));
        }
        it->second = *cpu;
      }
    } else {
      errors.push_back("/proc/stat not understood");
    }

    if (auto e = read_proc("/proc/meminfo", text); !e.empty()) errors.push_back(e);
    else if (auto mem = parse_meminfo(text)) {
      f["memory_total"] = static_cast<double>(mem->total);
      f["memory_available"] = static_cast<double>(mem->available);
      f["memory_used_ratio"] = mem->used_ratio();
      f["swap_used_ratio"] = mem->swap_used_ratio();
      m.push_back(gauge("vigil_host_memory_total_bytes", "Memory size (MemTotal).", static_cast<double>(mem->total)));
      m.push_back(gauge("vigil_host_memory_available_bytes", "Memory available for new work without swapping (MemAvailable).",
                        static_cast<double>(mem->available)));
      m.push_back(gauge("vigil_host_swap_total_bytes", "Swap size.", static_cast<double>(mem->swap_total)));
      m.push_back(gauge("vigil_host_swap_free_bytes", "Swap not in use.", static_cast<double>(mem->swap_free)));
    } else {
      errors.push_back("/proc/meminfo not understood");
    }

    if (auto e = read_proc("/proc/sys/fs/file-nr", text); !e.empty()) errors.push_back(e);
    else if (auto fd = parse_file_nr(text)) {
      f["open_fds"] = static_cast<double>(fd->open);
      f["fd_limit"] = static_cast<double>(fd->max);
      if (fd->max > 0) f["fd_used_ratio"] = static_cast<double>(fd->open) / static_cast<double>(fd->max);
      m.push_back(gauge("vigil_host_filefd_allocated", "File descriptors open on the host.", static_cast<double>(fd->open)));
      m.push_back(gauge("vigil_host_filefd_maximum", "The host's limit of open file descriptors (fs.file-max).",
                        static_cast<double>(fd->max)));
    } else {
      errors.push_back("/proc/sys/fs/file-nr not understood");
    }

    disks(check, r, errors, text);

    if (!errors.empty()) {
      r.reachable = false;
      for (const auto& e : errors) r.error += (r.error.empty() ? "" : "; ") + e;
    }
    r.timings.total = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    done(std::move(r));
  }

  void forget(const std::string& check_id) override { cpu_.erase(check_id); }

 private:
  static void disks(const config::CheckConfig& check, CheckResult& r, std::vector<std::string>& errors,
                    std::string& text) {
    std::vector<Mount> all;
    if (auto e = read_proc("/proc/self/mounts", text); e.empty()) all = parse_mounts(text);
    std::vector<Mount> targets;
    if (check.mounts.empty()) {
      for (Mount& mt : auto_mounts(all)) {
        struct stat st {};
        // Bind-mounted files (a container's /etc/hosts) are not disks of their own.
        if (::stat(mt.mount_point.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) targets.push_back(std::move(mt));
      }
    } else {
      for (const std::string& path : check.mounts) {
        Mount mt{"", path, ""};
        for (const Mount& a : all)  // the last mount on that path is the visible one
          if (a.mount_point == path) mt = a;
        targets.push_back(std::move(mt));
      }
    }
    for (const Mount& mt : targets) {
      struct statvfs sv {};
      if (::statvfs(mt.mount_point.c_str(), &sv) != 0) {
        errors.push_back("statvfs " + mt.mount_point + ": " + std::strerror(errno));
        continue;
      }
      const std::uint64_t unit = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
      DiskUsage d{static_cast<std::uint64_t>(sv.f_blocks) * unit, static_cast<std::uint64_t>(sv.f_bfree) * unit,
                  static_cast<std::uint64_t>(sv.f_bavail) * unit};
      const std::string prefix = "disk:" + mt.mount_point + ".";
      r.figures[prefix + "used_ratio"] = d.used_ratio();
      r.figures[prefix + "free_bytes"] = static_cast<double>(d.avail);
      r.figures[prefix + "size_bytes"] = static_cast<double>(d.size);
      std::vector<std::pair<std::string, std::string>> labels{
          {"device", mt.device}, {"fstype", mt.fstype}, {"mountpoint", mt.mount_point}};
      r.metrics.push_back(gauge("vigil_host_filesystem_size_bytes", "Filesystem size in bytes.", static_cast<double>(d.size), labels));
      r.metrics.push_back(gauge("vigil_host_filesystem_avail_bytes",
                                "Filesystem space available to non-root users in bytes.", static_cast<double>(d.avail),
                                std::move(labels)));
    }
  }

  std::unordered_map<std::string, CpuTimes> cpu_;  // previous /proc/stat sample per check
};

}  // namespace

std::unique_ptr<Prober> make_host_prober() { return std::make_unique<HostProber>(); }

}  // namespace vigil::probe
