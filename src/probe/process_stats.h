// The pure side of the process check: parsers of /proc/<pid>/{stat,statm,cmdline} and
// /proc/uptime, the name match, and the restart count. The prober (process_prober.cpp) walks
// /proc. Field reference: docs/checks.md.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::probe {

// The fields of /proc/<pid>/stat the check uses. comm is between the first '(' and the last
// ')' (it may hold spaces and parentheses).
struct ProcStat {
  int pid = 0;
  std::string comm;
  char state = '?';  // R S D Z T t X I ...
  int ppid = 0;
  std::uint64_t start_ticks = 0;  // field 22: start time after boot, in clock ticks
};
std::optional<ProcStat> parse_proc_pid_stat(std::string_view text);

// /proc/<pid>/statm: resident set size in pages (second field).
std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view text);

// /proc/uptime: seconds since boot (first field).
std::optional<double> parse_uptime_seconds(std::string_view text);

// Basename of argv[0] from /proc/<pid>/cmdline (NUL-separated): "/usr/sbin/apache2\0-k\0start"
// → "apache2". Empty for kernel threads. A program that rewrote its argv into one string with
// spaces ("nginx: worker process") yields its first word ("nginx:").
std::string argv0_basename(std::string_view cmdline);

// Whether a process is `name`: its comm equals it (comm is cut to 15 bytes by the kernel), or
// the basename of its argv[0] does.
bool process_matches(std::string_view name, std::string_view comm, std::string_view cmdline);

// The oldest process of the set, by start time (ties: the lower pid). A (pid, start) pair names
// one process even if the pid is later reused.
struct ProcessIdentity {
  int pid = 0;
  std::uint64_t start_ticks = 0;
  friend bool operator==(const ProcessIdentity&, const ProcessIdentity&) = default;
};

// Restart counting for one check. The oldest matching process is the service (Apache's parent,
// nginx's master); when it is a different process than at the previous probe, the service was
// restarted: restarts += 1. A service that is down keeps the last identity, so down-then-up is
// one restart; the first probe only records the identity.
struct RestartTracker {
  std::optional<ProcessIdentity> last;
  std::uint64_t restarts = 0;
  void observe(const std::optional<ProcessIdentity>& oldest);
};

}  // namespace vigil::probe
