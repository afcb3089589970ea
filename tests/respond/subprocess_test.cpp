// run_subprocess (src/common/subprocess.h) with real programs. It lives with the respond tests
// because evidence and runbooks are its main users; notify's command contact covers the rest.
#include "common/subprocess.h"

#include <signal.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/test_dir.h"

namespace vigil {
namespace {

using vigil::testing::TestDir;

SubprocessResult run(SubprocessSpec spec) {
  auto r = run_subprocess(spec);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : SubprocessResult{};
}

TEST(Subprocess, RunsAProgramByPathAndCollectsItsOutput) {
  const auto r = run({.argv = {"/bin/echo", "hello", "world"}});
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.output, "hello world\n");
  EXPECT_FALSE(r.truncated);
}

TEST(Subprocess, ABareNameIsSearchedInTheChildsPath) {
  const auto r = run({.argv = {"echo", "found"}});
  EXPECT_EQ(r.output, "found\n");

  TestDir dir;
  dir.script("only-here", "echo from the test dir");
  const auto own = run({.argv = {"only-here"}, .env = {{"PATH", "/nonexistent:" + dir.path().string()}}});
  EXPECT_EQ(own.output, "from the test dir\n");
}

TEST(Subprocess, RelativeAndEmptyPathEntriesAreNotSearched) {
  TestDir dir;
  dir.script("tool", "echo should not run");
  // Relative to the working directory, which a bare name must never resolve into.
  const auto rel = std::filesystem::relative(dir.path(), std::filesystem::current_path()).string();
  auto r = run_subprocess({.argv = {"tool"}, .env = {{"PATH", rel + "::."}}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not found in PATH"), std::string::npos) << r.error().message;
}

TEST(Subprocess, MissingProgramIsAnError) {
  TestDir dir;
  auto r = run_subprocess({.argv = {(dir / "no-such-program").string()}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("could not start"), std::string::npos) << r.error().message;

  auto bare = run_subprocess({.argv = {"vigil-no-such-program"}});
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().message.find("not found in PATH"), std::string::npos) << bare.error().message;

  EXPECT_FALSE(run_subprocess({.argv = {}}).ok());
}

TEST(Subprocess, ArgumentsArePassedLiterally) {
  TestDir dir;
  const std::string hostile = "$(touch " + (dir / "pwned").string() + "); `id`; echo hi";
  const auto r = run({.argv = {"/bin/echo", hostile}});
  EXPECT_EQ(r.output, hostile + "\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "pwned"));
}

TEST(Subprocess, StdinFromAStringOrDevNull) {
  const auto fed = run({.argv = {"/bin/cat"}, .input = "line one\nline two\n"});
  EXPECT_EQ(fed.output, "line one\nline two\n");

  const auto none = run({.argv = {"/bin/readlink", "/proc/self/fd/0"}});
  EXPECT_EQ(none.output, "/dev/null\n");
  // cat of /dev/null ends at once instead of waiting for input that never comes.
  const auto cat = run({.argv = {"/bin/cat"}, .timeout = 5s});
  EXPECT_TRUE(cat.succeeded());
  EXPECT_EQ(cat.output, "");
}

TEST(Subprocess, StdoutAndStderrAreCapturedTogether) {
  TestDir dir;
  const auto sh = dir.script("both.sh", "echo out\necho err >&2\necho out again");
  const auto r = run({.argv = {sh}});
  EXPECT_EQ(r.output, "out\nerr\nout again\n");
}

TEST(Subprocess, ExitStatusAndSignalAreReported) {
  TestDir dir;
  const auto three = run({.argv = {dir.script("three.sh", "echo failing\nexit 3")}});
  EXPECT_FALSE(three.succeeded());
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.signal, 0);
  EXPECT_EQ(three.output, "failing\n");

  const auto killed = run({.argv = {dir.script("term.sh", "kill -TERM $$\nsleep 5")}});
  EXPECT_FALSE(killed.succeeded());
  EXPECT_EQ(killed.signal, SIGTERM);
  EXPECT_EQ(killed.exit_code, -1);
  EXPECT_FALSE(killed.timed_out);
}

TEST(Subprocess, EnvironmentIsMinimalAndExplicit) {
  ::setenv("VIGIL_TEST_DAEMON_SECRET", "s3cret", 1);
  const auto r = run({.argv = {"/usr/bin/env"}, .env = {{"EXTRA", "1"}, {"LANG", "C.UTF-8"}}});
  // The base first, then `env` in order; an entry of `env` replaces the base one of that name.
  EXPECT_EQ(r.output, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nEXTRA=1\nLANG=C.UTF-8\n");

  const auto inherited = run({.argv = {"/usr/bin/env"}, .env = {{"EXTRA", "1"}}, .inherit_environment = true});
  EXPECT_NE(inherited.output.find("VIGIL_TEST_DAEMON_SECRET=s3cret\n"), std::string::npos);
  EXPECT_NE(inherited.output.find("EXTRA=1\n"), std::string::npos);
  ::unsetenv("VIGIL_TEST_DAEMON_SECRET");
}

TEST(Subprocess, OutputIsCappedKeepingTheHead) {
  TestDir dir;
  // ~200 KB: more than a pipe holds, so the child only finishes if we keep reading past the cap.
  const auto loud = dir.script("loud.sh", "echo FIRST\ni=0\nwhile [ $i -lt 4000 ]; do "
                                          "echo 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; i=$((i+1)); done\n"
                                          "echo LAST");
  const auto r = run({.argv = {loud}, .timeout = 20s, .max_output = 1000});
  EXPECT_TRUE(r.succeeded());
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.output.size(), 1000u);
  EXPECT_TRUE(r.output.starts_with("FIRST\n"));
  EXPECT_EQ(r.output.find("LAST"), std::string::npos);
}

TEST(Subprocess, TimeoutKillsTheWholeProcessGroup) {
  TestDir dir;
  const auto pidfile = dir / "child.pid";
  // The script starts a grandchild and waits for it: killing only the script would leave it.
  const auto hang = dir.script("hang.sh", "echo started\nsleep 30 &\necho $! > '" + pidfile.string() + "'\nwait");
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run({.argv = {hang}, .timeout = 300ms});
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.output, "started\n");
  EXPECT_GE(r.duration, 250ms);
  EXPECT_LT(took, 5s);

  const pid_t grandchild = std::stoi(TestDir::read(pidfile));
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    const std::string stat = TestDir::read("/proc/" + std::to_string(grandchild) + "/stat");
    dead = stat.empty() || stat.find(") Z") != std::string::npos;
    if (!dead) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(dead) << "sleep " << grandchild << " survived the timeout";
  if (!dead) ::kill(grandchild, SIGKILL);
}

TEST(Subprocess, ABackgroundGrandchildHoldingTheOutputDoesNotDelayTheResult) {
  TestDir dir;
  const auto pidfile = dir / "bg.pid";
  const auto sh = dir.script("bg.sh", "sleep 5 &\necho $! > '" + pidfile.string() + "'\necho done");
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run({.argv = {sh}, .timeout = 10s});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, "done\n");
  ::kill(std::stoi(TestDir::read(pidfile)), SIGKILL);
}

}  // namespace
}  // namespace vigil
