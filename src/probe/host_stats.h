// The pure side of the host check: parsers of the /proc texts it reads and the arithmetic on
// them, so tests feed fixed texts. The prober (host_prober.cpp) reads the files, calls statvfs
// and keeps the previous CPU sample per check. Field reference: docs/checks.md.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::probe {

struct LoadAvg {
  double load1 = 0, load5 = 0, load15 = 0;
};
// /proc/loadavg: "0.89 1.06 2.04 1/99 21404".
std::optional<LoadAvg> parse_loadavg(std::string_view text);

// The aggregate "cpu" line of /proc/stat, in clock ticks. guest and guest_nice are already
// counted in user and nice, so they are not part of total().
struct CpuTimes {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  std::uint64_t total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
  std::uint64_t idle_total() const { return idle + iowait; }
};
std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view text);
int count_cpus(std::string_view proc_stat);  // "cpuN" lines; 0 when none
// Busy share of the time between two samples, 0..1; nullopt when no tick passed or the counters
// went backwards.
std::optional<double> cpu_usage(const CpuTimes& before, const CpuTimes& after);

// /proc/meminfo, in bytes. MemAvailable (Linux ≥ 3.14) is estimated as free + buffers + cached
// on kernels without it.
struct MemInfo {
  std::uint64_t total = 0, available = 0, swap_total = 0, swap_free = 0;
  double used_ratio() const;       // (total − available) / total; 0 when total is 0
  double swap_used_ratio() const;  // (swap_total − swap_free) / swap_total; 0 without swap
};
std::optional<MemInfo> parse_meminfo(std::string_view text);

// /proc/sys/fs/file-nr: "allocated  free  maximum".
struct FileNr {
  std::uint64_t open = 0;  // allocated − free
  std::uint64_t max = 0;
};
std::optional<FileNr> parse_file_nr(std::string_view text);

struct Mount {
  std::string device, mount_point, fstype;
};
// /proc/self/mounts (fstab format; octal escapes like \040 decoded).
std::vector<Mount> parse_mounts(std::string_view text);
// Whether an automatic listing reports this mount: not a pseudo or memory filesystem (proc,
// sysfs, tmpfs, cgroup, ...), not a network one (a hung NFS server would block statvfs), not a
// read-only image (squashfs: snaps, always full), and overlay only as the root of a container.
bool is_reported_filesystem(const Mount& m);
// The mounts to report when the check lists none: reported filesystems, once per mount point
// (the last mount on a path hides the earlier ones), in order.
std::vector<Mount> auto_mounts(const std::vector<Mount>& all);

struct DiskUsage {
  std::uint64_t size = 0;   // f_blocks × f_frsize
  std::uint64_t free = 0;   // f_bfree × f_frsize (root's view)
  std::uint64_t avail = 0;  // f_bavail × f_frsize (what an unprivileged user may still write)
  // used / (used + avail), as df's Use% computes it; 0 for an empty filesystem.
  double used_ratio() const;
};

}  // namespace vigil::probe
