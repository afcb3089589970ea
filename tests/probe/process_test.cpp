// The process check: parsers on fixed /proc texts, then the prober against child processes
// this test spawns (a copy of /bin/sleep under a name no other process has).
#include "probe/process_stats.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/io_context.hpp>

#include "net/http_client.h"
#include "probe/prober.h"
#include "support/nginx.h"  // spawn_process, reap_process

namespace vigil::probe {
namespace {

TEST(ProcessStats, ProcPidStat) {
  // comm with a space and a parenthesis; starttime is field 22.
  const char* text =
      "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 1234 0 5 0 10 20 0 0 20 0 3 0 987654 123456789 2048 "
      "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
  auto s = parse_proc_pid_stat(text);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->comm, "my (odd) proc");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 1);
  EXPECT_EQ(s->start_ticks, 987654u);
  EXPECT_FALSE(parse_proc_pid_stat("4242 (x) S 1 2 3"));  // cut short
  EXPECT_FALSE(parse_proc_pid_stat("garbage"));
  EXPECT_EQ(parse_proc_pid_stat("7 (z) Z 1 7 7 0 -1 4 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0")->state, 'Z');
}

TEST(ProcessStats, StatmAndUptime) {
  EXPECT_EQ(parse_statm_resident_pages("4123 1024 512 10 0 300 0\n"), 1024u);
  EXPECT_FALSE(parse_statm_resident_pages("4123"));
  EXPECT_EQ(parse_uptime_seconds("35.52 60.01\n"), 35.52);
  EXPECT_FALSE(parse_uptime_seconds(""));
}

TEST(ProcessStats, Argv0AndMatching) {
  using namespace std::string_view_literals;
  EXPECT_EQ(argv0_basename("/usr/sbin/apache2\0-k\0start\0"sv), "apache2");
  EXPECT_EQ(argv0_basename("sleep\0" "30\0"sv), "sleep");
  EXPECT_EQ(argv0_basename("nginx: worker process\0"sv), "nginx:");
  EXPECT_EQ(argv0_basename(""), "");
  EXPECT_TRUE(process_matches("apache2", "apache2", ""));
  EXPECT_FALSE(process_matches("apache", "apache2", "/usr/sbin/apache2\0"sv));  // whole names only
  // comm is cut to 15 bytes: the full name is found through argv[0].
  EXPECT_TRUE(process_matches("php-fpm-worker-pool", "php-fpm-worker-", "/usr/sbin/php-fpm-worker-pool\0-F\0"sv));
  EXPECT_TRUE(process_matches("myapp", "python3", "/opt/myapp\0--serve\0"sv));  // argv[0] says who it is
  EXPECT_FALSE(process_matches("python3", "kworker/0:1", ""));  // kernel threads have no cmdline
  EXPECT_FALSE(process_matches("", "", ""));
}

TEST(ProcessStats, RestartTracker) {
  RestartTracker t;
  t.observe(std::nullopt);  // not running at the first probe
  EXPECT_EQ(t.restarts, 0u);
  t.observe(ProcessIdentity{100, 5000});  // first seen: not a restart
  EXPECT_EQ(t.restarts, 0u);
  t.observe(ProcessIdentity{100, 5000});
  EXPECT_EQ(t.restarts, 0u);
  t.observe(ProcessIdentity{200, 6000});  // replaced between two probes
  EXPECT_EQ(t.restarts, 1u);
  t.observe(std::nullopt);  // down...
  t.observe(std::nullopt);
  t.observe(ProcessIdentity{300, 7000});  // ...and back: one restart
  EXPECT_EQ(t.restarts, 2u);
  t.observe(ProcessIdentity{300, 9000});  // pid reused by a new process
  EXPECT_EQ(t.restarts, 3u);
}

// A copy of /bin/sleep named uniquely, so no other process on the machine matches.
class ProcessProberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigil-proc-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    name = "vgl" + std::to_string(::getpid() % 100000);  // ≤ 15 bytes: comm matches
    binary = dir / name;
    std::filesystem::copy_file("/bin/sleep", binary);
    std::filesystem::permissions(binary, std::filesystem::perms::owner_all);
    check.name = "proc";
    check.type = config::CheckType::process;
    check.process_name = name;
  }
  void TearDown() override {
    for (pid_t p : children) stop(p);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  pid_t launch() {
    const pid_t p = testing::spawn_process({binary.string(), "30"}, dir / "out.log");
    children.push_back(p);
    // posix_spawn returns once the child exists; wait until it has exec'd (comm is the new name).
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (testing::read_text_file("/proc/" + std::to_string(p) + "/comm") != name + "\n" &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(2ms);
    return p;
  }
  void stop(pid_t p) {
    ::kill(p, SIGKILL);
    testing::reap_process(p, 5s);
    children.erase(std::remove(children.begin(), children.end(), p), children.end());
  }
  CheckResult probe(const std::string& id = "svc/proc") {
    std::optional<CheckResult> out;
    prober->run(id, check, env, [&](CheckResult r) { out = std::move(r); });
    EXPECT_TRUE(out) << "the process prober answers before run() returns";
    return out ? std::move(*out) : CheckResult{};
  }
  static double num(const CheckResult& r, const std::string& figure) {
    auto it = r.figures.find(figure);
    if (it == r.figures.end() || !std::holds_alternative<double>(it->second)) {
      ADD_FAILURE() << "no number figure " << figure;
      return -1;
    }
    return std::get<double>(it->second);
  }

  std::filesystem::path dir, binary;
  std::string name;
  std::vector<pid_t> children;
  config::CheckConfig check;
  boost::asio::io_context io;
  net::HttpClient http{io};
  ProbeEnv env{io, http};
  std::unique_ptr<Prober> prober = make_prober(config::CheckType::process);
};

TEST_F(ProcessProberTest, AbsentIsAFailureWithRunningZero) {
  ASSERT_NE(prober, nullptr);
  const CheckResult r = probe();
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error, "no process named " + name);
  EXPECT_EQ(num(r, "running"), 0);
  EXPECT_EQ(num(r, "pids"), 0);
  EXPECT_EQ(num(r, "rss"), 0);
  EXPECT_FALSE(r.figures.contains("uptime"));
}

TEST_F(ProcessProberTest, RunningProcessesAndTheirMemory) {
  const pid_t first = launch();
  std::this_thread::sleep_for(30ms);
  launch();
  const CheckResult r = probe();
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(num(r, "running"), 1);
  EXPECT_EQ(num(r, "pids"), 2);
  EXPECT_EQ(num(r, "pid"), first);  // the oldest
  EXPECT_GT(num(r, "rss"), 2 * 4096);
  EXPECT_EQ(num(r, "restarts"), 0);
  const Duration up = std::get<Duration>(r.figures.at("uptime"));
  EXPECT_GE(up, 0ms);
  EXPECT_LT(up, 10s);
  bool procs_metric = false;
  for (const auto& m : r.metrics)
    if (m.name == "namedprocess_namegroup_num_procs") {
      procs_metric = true;
      EXPECT_EQ(m.value, 2);
      EXPECT_EQ(m.labels, (std::vector<std::pair<std::string, std::string>>{{"groupname", name}}));
    }
  EXPECT_TRUE(procs_metric);
}

TEST_F(ProcessProberTest, KilledAndRestartedCountsRestarts) {
  pid_t p = launch();
  EXPECT_EQ(num(probe(), "restarts"), 0);
  EXPECT_EQ(num(probe(), "restarts"), 0);  // same process

  stop(p);  // killed and reaped: gone
  CheckResult down = probe();
  EXPECT_FALSE(down.reachable);
  EXPECT_EQ(num(down, "running"), 0);
  EXPECT_EQ(num(down, "restarts"), 0);

  p = launch();  // back
  CheckResult up = probe();
  EXPECT_TRUE(up.reachable);
  EXPECT_EQ(num(up, "restarts"), 1);
  EXPECT_EQ(num(up, "pid"), p);

  // Replaced between two probes (never seen down).
  stop(p);
  p = launch();
  EXPECT_EQ(num(probe(), "restarts"), 2);
  // Another check of the same name counts from its own first probe.
  EXPECT_EQ(num(probe("svc/other"), "restarts"), 0);
  prober->forget("svc/proc");
  EXPECT_EQ(num(probe(), "restarts"), 0);
}

TEST_F(ProcessProberTest, ZombiesDoNotCount) {
  const pid_t p = launch();
  ::kill(p, SIGKILL);
  // Not reaped yet: a zombie until waitpid.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (testing::read_text_file("/proc/" + std::to_string(p) + "/stat").find(") Z") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(2ms);
  EXPECT_EQ(num(probe(), "running"), 0);
}

TEST_F(ProcessProberTest, LongNamesMatchThroughArgv0) {
  // comm keeps 15 bytes of the file name; the check names the whole name.
  const std::string long_name = "vigil-long-name-" + std::to_string(::getpid() % 100000);
  std::filesystem::copy_file("/bin/sleep", dir / long_name);
  std::filesystem::permissions(dir / long_name, std::filesystem::perms::owner_all);
  const pid_t p = testing::spawn_process({(dir / long_name).string(), "30"}, dir / "out.log");
  children.push_back(p);
  check.process_name = long_name;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  CheckResult r;
  do {
    r = probe();
  } while (!r.reachable && std::chrono::steady_clock::now() < deadline);
  EXPECT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(num(r, "pids"), 1);
}

TEST_F(ProcessProberTest, NoNameIsAnError) {
  check.process_name.clear();
  const CheckResult r = probe();
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error, "process_name is not set");
}

}  // namespace
}  // namespace vigil::probe
