#include "probe/host_stats.h"

#include <algorithm>
#include <charconv>

namespace vigil::probe {

namespace {

std::string_view next_token(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  std::size_t j = i;
  while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
  const std::string_view tok = s.substr(i, j - i);
  s.remove_prefix(j);
  return tok;
}

template <typename T>
std::optional<T> to_num(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Calls f(line) for each line.
template <typename F>
void for_each_line(std::string_view text, F f) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    f(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string unescape_octal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string_view oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::optional<LoadAvg> parse_loadavg(std::string_view text) {
  LoadAvg l;
  const auto a = to_num<double>(next_token(text));
  const auto b = to_num<double>(next_token(text));
  const auto c = to_num<double>(next_token(text));
  if (!a || !b || !c) return std::nullopt;
  l.load1 = *a;
  l.load5 = *b;
  l.load15 = *c;
  return l;
}

std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view text) {
  std::optional<CpuTimes> out;
  for_each_line(text, [&](std::string_view line) {
    if (out) return;
    std::string_view rest = line;
    if (next_token(rest) != "cpu") return;
    std::uint64_t v[8] = {};
    int n = 0;
    for (; n < 8; ++n) {
      const std::string_view tok = next_token(rest);
      if (tok.empty()) break;
      const auto x = to_num<std::uint64_t>(tok);
      if (!x) return;
      v[n] = *x;
    }
    if (n < 4) return;  // user nice system idle at least (iowait and later came with 2.5/2.6)
    out = CpuTimes{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
  });
  return out;
}

int count_cpus(std::string_view proc_stat) {
  int n = 0;
  for_each_line(proc_stat, [&](std::string_view line) {
    if (line.size() > 3 && line.starts_with("cpu") && line[3] >= '0' && line[3] <= '9') ++n;
  });
  return n;
}

std::optional<double> cpu_usage(const CpuTimes& before, const CpuTimes& after) {
  const std::uint64_t t0 = before.total(), t1 = after.total();
  const std::uint64_t i0 = before.idle_total(), i1 = after.idle_total();
  if (t1 <= t0) return std::nullopt;
  // iowait may go backwards on some kernels (it is an estimate); clamp rather than fail.
  const double dt = static_cast<double>(t1 - t0);
  const double didle = i1 >= i0 ? static_cast<double>(i1 - i0) : 0.0;
  return std::clamp(1.0 - didle / dt, 0.0, 1.0);
}

double MemInfo::used_ratio() const {
  if (total == 0) return 0;
  const std::uint64_t used = total > available ? total - available : 0;
  return static_cast<double>(used) / static_cast<double>(total);
}

double MemInfo::swap_used_ratio() const {
  if (swap_total == 0) return 0;
  const std::uint64_t used = swap_total > swap_free ? swap_total - swap_free : 0;
  return static_cast<double>(used) / static_cast<double>(swap_total);
}

std::optional<MemInfo> parse_meminfo(std::string_view text) {
  std::optional<std::uint64_t> total, available, free, buffers, cached, swap_total, swap_free;
  for_each_line(text, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view key = line.substr(0, colon);
    std::string_view rest = line.substr(colon + 1);
    auto value = to_num<std::uint64_t>(next_token(rest));
    if (!value) return;
    const std::string_view unit = next_token(rest);
    if (unit == "kB") *value *= 1024;
    if (key == "MemTotal") total = value;
    else if (key == "MemAvailable") available = value;
    else if (key == "MemFree") free = value;
    else if (key == "Buffers") buffers = value;
    else if (key == "Cached") cached = value;
    else if (key == "SwapTotal") swap_total = value;
    else if (key == "SwapFree") swap_free = value;
  });
  if (!total) return std::nullopt;
  MemInfo m;
  m.total = *total;
  if (available) m.available = *available;
  else if (free) m.available = *free + buffers.value_or(0) + cached.value_or(0);
  else return std::nullopt;
  m.available = std::min(m.available, m.total);
  m.swap_total = swap_total.value_or(0);
  m.swap_free = std::min(swap_free.value_or(0), m.swap_total);
  return m;
}

std::optional<FileNr> parse_file_nr(std::string_view text) {
  const auto allocated = to_num<std::uint64_t>(next_token(text));
  const auto free = to_num<std::uint64_t>(next_token(text));
  const auto max = to_num<std::uint64_t>(next_token(text));
  if (!allocated || !free || !max) return std::nullopt;
  return FileNr{*allocated >= *free ? *allocated - *free : 0, *max};
}

std::vector<Mount> parse_mounts(std::string_view text) {
  std::vector<Mount> out;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    const std::string_view dev = next_token(rest);
    const std::string_view dir = next_token(rest);
    const std::string_view type = next_token(rest);
    if (dev.empty() || dir.empty() || type.empty()) return;
    out.push_back(Mount{unescape_octal(dev), unescape_octal(dir), std::string(type)});
  });
  return out;
}

bool is_reported_filesystem(const Mount& m) {
  // node_exporter's default exclusions (pseudo filesystems), plus memory-backed and network
  // filesystems: memory is reported by memory_*, and statvfs on a dead NFS server hangs.
  static constexpr std::string_view kSkip[] = {
      "autofs",   "binfmt_misc", "bpf",       "cgroup",     "cgroup2",  "configfs", "debugfs",  "devpts",
      "devtmpfs", "efivarfs",    "fusectl",   "hugetlbfs",  "iso9660",  "mqueue",   "nsfs",     "proc",
      "procfs",   "pstore",      "rpc_pipefs", "securityfs", "selinuxfs", "squashfs", "erofs",   "sysfs",
      "tracefs",  "tmpfs",       "ramfs",     "nfs",        "nfs4",     "cifs",     "smb3",     "smbfs",
      "ceph",     "glusterfs",   "9p",        "fuse.sshfs", "fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal", "nfsd",
      "rootfs",
  };
  if (std::find(std::begin(kSkip), std::end(kSkip), m.fstype) != std::end(kSkip)) return false;
  if (m.fstype == "overlay") return m.mount_point == "/";  // a container's root; elsewhere another's layers
  static constexpr std::string_view kSkipUnder[] = {"/proc", "/sys", "/dev", "/run/credentials", "/var/lib/docker/",
                                                   "/var/lib/containers/storage/", "/snap/"};
  for (std::string_view p : kSkipUnder) {
    if (p.back() == '/') {
      if (m.mount_point.starts_with(p)) return false;
    } else if (m.mount_point == p || m.mount_point.starts_with(std::string(p) + "/")) {
      return false;
    }
  }
  return true;
}

std::vector<Mount> auto_mounts(const std::vector<Mount>& all) {
  std::vector<Mount> out;
  for (const Mount& m : all) {
    // A later mount on the same path hides the earlier one, whatever its type.
    out.erase(std::remove_if(out.begin(), out.end(), [&](const Mount& o) { return o.mount_point == m.mount_point; }),
              out.end());
    if (is_reported_filesystem(m)) out.push_back(m);
  }
  return out;
}

double DiskUsage::used_ratio() const {
  const std::uint64_t used = size > free ? size - free : 0;
  const std::uint64_t denom = used + avail;
  return denom == 0 ? 0.0 : static_cast<double>(used) / static_cast<double>(denom);
}

}  // namespace vigil::probe
