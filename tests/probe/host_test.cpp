// The host check: parsers on fixed /proc texts, then live runs of the prober on this machine.
#include "probe/host_stats.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "net/http_client.h"
#include "probe/prober.h"

namespace vigil::probe {
namespace {

TEST(HostStats, LoadAvg) {
  auto l = parse_loadavg("0.89 1.06 2.04 1/99 21404\n");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->load1, 0.89);
  EXPECT_EQ(l->load5, 1.06);
  EXPECT_EQ(l->load15, 2.04);
  EXPECT_FALSE(parse_loadavg(""));
  EXPECT_FALSE(parse_loadavg("a b c"));
}

constexpr const char* kStatA =
    "cpu  380343 35096 87473 329393 1153 0 9211 110 0 0\n"
    "cpu0 189312 18529 41907 166551 226 0 4666 55 0 0\n"
    "cpu1 191030 16567 45566 162841 927 0 4545 55 0 0\n"
    "intr 1 2 3\nctxt 12345\nbtime 1700000000\n";
// 100 ticks later: 30 user, 10 system, 55 idle, 5 iowait.
constexpr const char* kStatB =
    "cpu  380373 35096 87483 329448 1158 0 9211 110 0 0\n"
    "cpu0 189327 18529 41912 166578 228 0 4666 55 0 0\n"
    "cpu1 191046 16567 45571 162870 930 0 4545 55 0 0\n";

TEST(HostStats, ProcStatCpu) {
  auto a = parse_proc_stat_cpu(kStatA);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->user, 380343u);
  EXPECT_EQ(a->steal, 110u);
  EXPECT_EQ(a->total(), 380343u + 35096 + 87473 + 329393 + 1153 + 0 + 9211 + 110);  // no guest columns
  EXPECT_EQ(count_cpus(kStatA), 2);
  auto b = parse_proc_stat_cpu(kStatB);
  ASSERT_TRUE(b);
  EXPECT_DOUBLE_EQ(*cpu_usage(*a, *b), 0.40);  // 40 busy of 100
  EXPECT_FALSE(cpu_usage(*a, *a));             // no tick passed
  EXPECT_FALSE(cpu_usage(*b, *a));             // backwards
  EXPECT_FALSE(parse_proc_stat_cpu("cpu0 1 2 3 4\n"));  // only the aggregate line counts
  auto old = parse_proc_stat_cpu("cpu 1 2 3 4\n");       // Linux 2.4: four columns
  ASSERT_TRUE(old);
  EXPECT_EQ(old->total(), 10u);
}

constexpr const char* kMeminfo =
    "MemTotal:       24684092 kB\n"
    "MemFree:        21669348 kB\n"
    "MemAvailable:   20000000 kB\n"
    "Buffers:            5128 kB\n"
    "Cached:          2586732 kB\n"
    "SwapCached:            0 kB\n"
    "SwapTotal:       2000000 kB\n"
    "SwapFree:        1500000 kB\n"
    "HugePages_Total:       0\n";

TEST(HostStats, Meminfo) {
  auto m = parse_meminfo(kMeminfo);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->total, 24684092ull * 1024);
  EXPECT_EQ(m->available, 20000000ull * 1024);
  EXPECT_DOUBLE_EQ(m->used_ratio(), (24684092.0 - 20000000.0) / 24684092.0);
  EXPECT_DOUBLE_EQ(m->swap_used_ratio(), 0.25);
  // Before Linux 3.14 there is no MemAvailable: free + buffers + cached.
  auto old = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->available, 400u * 1024);
  EXPECT_DOUBLE_EQ(old->used_ratio(), 0.6);
  EXPECT_EQ(old->swap_used_ratio(), 0);  // no swap: 0, not NaN
  EXPECT_FALSE(parse_meminfo("MemFree: 1 kB\n"));
}

TEST(HostStats, FileNr) {
  auto f = parse_file_nr("585\t0\t2466177\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->open, 585u);
  EXPECT_EQ(f->max, 2466177u);
  EXPECT_EQ(parse_file_nr("100 40 1000")->open, 60u);  // Linux 2.4 reported free handles
  EXPECT_FALSE(parse_file_nr("1 2"));
}

// A container host: pseudo filesystems, a bind-mounted file, overlay root, a network share,
// a snap, and a path mounted twice.
constexpr const char* kMounts =
    "overlay / overlay rw,relatime,lowerdir=/a,upperdir=/b,workdir=/c 0 0\n"
    "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
    "tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0\n"
    "devpts /dev/pts devpts rw,nosuid,noexec,relatime 0 0\n"
    "sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0\n"
    "cgroup /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec,relatime 0 0\n"
    "/dev/sda1 /etc/hosts ext4 rw,relatime 0 0\n"
    "/dev/sdb1 /srv/my\\040data xfs rw,relatime 0 0\n"
    "nas:/export /mnt/nas nfs4 rw,relatime 0 0\n"
    "/dev/loop3 /snap/core/123 squashfs ro 0 0\n"
    "overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0\n"
    "/dev/sdc1 /var/log ext4 rw 0 0\n"
    "tmpfs /var/log tmpfs rw 0 0\n"
    "tmpfs /run tmpfs rw 0 0\n";

TEST(HostStats, MountsAndTheAutomaticList) {
  const auto all = parse_mounts(kMounts);
  ASSERT_EQ(all.size(), 14u);
  EXPECT_EQ(all[7].mount_point, "/srv/my data");  // \040 decoded
  EXPECT_EQ(all[7].fstype, "xfs");
  const auto picked = auto_mounts(all);
  std::vector<std::string> points;
  for (const auto& m : picked) points.push_back(m.mount_point);
  // /etc/hosts stays here (a directory test in the prober drops bind-mounted files); /var/log is
  // hidden by the tmpfs mounted over it.
  EXPECT_EQ(points, (std::vector<std::string>{"/", "/etc/hosts", "/srv/my data"}));
}

TEST(HostStats, DiskUsageLikeDf) {
  // df: 100 blocks, 40 free, 35 available to users → used 60, Use% = 60 / (60 + 35).
  DiskUsage d{100, 40, 35};
  EXPECT_DOUBLE_EQ(d.used_ratio(), 60.0 / 95.0);
  EXPECT_EQ((DiskUsage{0, 0, 0}).used_ratio(), 0);
}

class HostProberTest : public ::testing::Test {
 protected:
  CheckResult probe(const config::CheckConfig& c, const std::string& id = "box/host") {
    std::optional<CheckResult> out;
    prober->run(id, c, env, [&](CheckResult r) { out = std::move(r); });
    EXPECT_TRUE(out) << "the host prober answers before run() returns";
    return out ? std::move(*out) : CheckResult{};
  }
  static double num(const CheckResult& r, const std::string& name) {
    auto it = r.figures.find(name);
    if (it == r.figures.end() || !std::holds_alternative<double>(it->second)) {
      ADD_FAILURE() << "no number figure " << name;
      return -1;
    }
    return std::get<double>(it->second);
  }

  boost::asio::io_context io;
  net::HttpClient http{io};
  ProbeEnv env{io, http};
  std::unique_ptr<Prober> prober = make_prober(config::CheckType::host);
};

TEST_F(HostProberTest, LiveFigures) {
  ASSERT_NE(prober, nullptr);
  config::CheckConfig c;
  c.type = config::CheckType::host;
  const CheckResult a = probe(c);
  ASSERT_TRUE(a.reachable) << a.error;
  EXPECT_GE(num(a, "load1"), 0);
  EXPECT_GE(num(a, "load15"), 0);
  EXPECT_GE(num(a, "cpus"), 1);
  EXPECT_FALSE(a.figures.contains("cpu_usage"));  // first run
  EXPECT_GT(num(a, "memory_available"), 0);
  EXPECT_GT(num(a, "memory_used_ratio"), 0);
  EXPECT_LT(num(a, "memory_used_ratio"), 1);
  EXPECT_GE(num(a, "swap_used_ratio"), 0);
  EXPECT_GT(num(a, "open_fds"), 0);
  EXPECT_GT(num(a, "fd_limit"), num(a, "open_fds"));
  // The root filesystem is a real one here (ext4, or overlay in a container).
  EXPECT_GE(num(a, "disk:/.used_ratio"), 0);
  EXPECT_LE(num(a, "disk:/.used_ratio"), 1);
  EXPECT_GT(num(a, "disk:/.free_bytes"), 0);
  for (const auto& [name, v] : a.figures) {
    EXPECT_EQ(name.find("disk:/proc"), std::string::npos);
    EXPECT_EQ(name.find("disk:/sys"), std::string::npos);
    EXPECT_EQ(name.find("disk:/dev"), std::string::npos);
  }
  bool load_metric = false;
  for (const auto& m : a.metrics) load_metric = load_metric || m.name == "vigil_host_load1";
  EXPECT_TRUE(load_metric);

  // Burn a little CPU so at least one tick passes between the samples.
  const auto until = std::chrono::steady_clock::now() + 50ms;
  volatile std::uint64_t spin = 0;
  while (std::chrono::steady_clock::now() < until) spin = spin + 1;
  const CheckResult b = probe(c);
  ASSERT_TRUE(b.reachable) << b.error;
  EXPECT_GT(num(b, "cpu_usage"), 0);
  EXPECT_LE(num(b, "cpu_usage"), 1);
}

TEST_F(HostProberTest, ListedMounts) {
  config::CheckConfig c;
  c.type = config::CheckType::host;
  c.mounts = {"/", "/tmp"};
  const CheckResult r = probe(c);
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_TRUE(r.figures.contains("disk:/.used_ratio"));
  EXPECT_TRUE(r.figures.contains("disk:/tmp.free_bytes"));  // a path on another filesystem's mount still reports

  c.mounts = {"/no/such/mount"};
  const CheckResult bad = probe(c, "box/bad");
  EXPECT_FALSE(bad.reachable);
  EXPECT_NE(bad.error.find("statvfs /no/such/mount"), std::string::npos) << bad.error;
  EXPECT_TRUE(bad.figures.contains("load1"));  // the rest is still reported
}

}  // namespace
}  // namespace vigil::probe
