// The command contact: argv without a shell, the payload on stdin, a timeout that kills.
// The scripts are test fixtures written to a temp dir (the product never runs a shell).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "common/worker.h"
#include "net/http_client.h"
#include "notify/contact.h"
#include "notify/contact_kinds.h"
#include "notify/payload.h"
#include "notify/test_receiver.h"

namespace vigil::notify {
namespace {

namespace fs = std::filesystem;
using vigil::testing::run_until;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

incident::OutboxMessage message() {
  incident::Incident inc;
  inc.id = 42;
  inc.service = "webserver-01";
  inc.check = "login";
  inc.title = "webserver-01/login down";
  inc.detected_at = parse_rfc3339("2024-08-18T10:15:00Z").value();
  incident::TimelineEntry e{3, inc.detected_at, "triggered", "check:login", "status 500"};
  return outbox_for(inc, {e}, {"user:alice:2"}, "http://vigil.example", inc.detected_at).at(0);
}

class CommandContactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-command-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An executable script in the temp dir; `body` follows the #!/bin/sh line.
  std::string script(const std::string& name, const std::string& body) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(p, fs::perms::owner_all);
    return p.string();
  }

  std::unique_ptr<Channel> make(std::vector<std::string> argv, Duration timeout = 5s) {
    config::ContactMethod c{.type = "command", .command = std::move(argv)};
    return make_contact_channel(c, smtp_, http_, worker_, io_, ContactOptions{2s, 2s, timeout});
  }

  std::optional<Status> deliver_once(Channel& ch, const incident::OutboxMessage& m) {
    std::optional<Status> result;
    std::thread::id ran_on;
    bool returned = false;
    ch.deliver(m, [&](Status st) {
      ran_on = std::this_thread::get_id();
      EXPECT_TRUE(returned) << "done ran inside deliver(): the command blocked the loop";
      result = st;
    });
    returned = true;
    run_until(io_, [&] { return result.has_value(); });
    if (result) {
      EXPECT_EQ(ran_on, std::this_thread::get_id()) << "done() must run on the io thread";
    }
    return result;
  }

  fs::path dir_;
  boost::asio::io_context io_;
  net::HttpClient http_{io_};
  BlockingWorker worker_;
  config::SmtpConfig smtp_;
};

TEST_F(CommandContactTest, PayloadOnStdinAndVariablesInTheEnvironment) {
  const auto out = dir_ / "stdin.json";
  const auto env = dir_ / "env.txt";
  const auto cmd = script("capture.sh", "cat > '" + out.string() +
                                            "'\nprintf '%s|%s|%s' \"$VIGIL_EVENT\" "
                                            "\"$VIGIL_INCIDENT_ID\" \"$VIGIL_MESSAGE_ID\" > '" +
                                            env.string() + "'");
  auto ch = make({cmd});
  const auto m = message();
  auto st = deliver_once(*ch, m);
  ASSERT_TRUE(st.has_value());
  ASSERT_TRUE(st->ok()) << st->error().message;
  EXPECT_EQ(slurp(out), m.payload);
  EXPECT_EQ(slurp(env), "triggered|42|vigil-42-3-user:alice:2");
}

TEST_F(CommandContactTest, ArgumentsArePassedLiterallyWithoutAShell) {
  const auto out = dir_ / "arg.txt";
  const auto cmd = script("arg.sh", "printf '%s' \"$1\" > '" + out.string() + "'");
  const std::string hostile = "$(touch " + (dir_ / "pwned").string() + "); `id` ; echo hi";
  auto ch = make({cmd, hostile});
  auto st = deliver_once(*ch, message());
  ASSERT_TRUE(st.has_value() && st->ok());
  EXPECT_EQ(slurp(out), hostile);
  EXPECT_FALSE(fs::exists(dir_ / "pwned"));
}

TEST_F(CommandContactTest, NonZeroExitIsAnErrorWithTheOutput) {
  const auto cmd = script("fail.sh", "cat >/dev/null\necho 'gateway said no' >&2\nexit 3");
  auto st = deliver_once(*make({cmd}), message());
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  const auto& msg = st->error().message;
  EXPECT_NE(msg.find("exited with status 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("gateway said no"), std::string::npos) << msg;
}

TEST_F(CommandContactTest, OutputInTheErrorIsCapped) {
  const auto cmd = script("loud.sh",
                          "i=0\nwhile [ $i -lt 400 ]; do echo 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; "
                          "i=$((i+1)); done\nexit 1");
  auto st = deliver_once(*make({cmd}), message());
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  EXPECT_LE(st->error().message.size(), 4096u + 200u);
  EXPECT_NE(st->error().message.find("..."), std::string::npos);
}

TEST_F(CommandContactTest, HangingCommandIsKilledAfterTheTimeout) {
  const auto pidfile = dir_ / "child.pid";
  // The script starts a grandchild and waits for it: killing only the script would leave it.
  const auto cmd = script("hang.sh", "sleep 30 &\necho $! > '" + pidfile.string() + "'\nwait");
  const auto t0 = std::chrono::steady_clock::now();
  auto st = deliver_once(*make({cmd}, 300ms), message());
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  EXPECT_NE(st->error().message.find("timed out"), std::string::npos) << st->error().message;
  EXPECT_LT(took, 5s);
  EXPECT_GE(took, 250ms);

  // The grandchild went with the process group (gone, or a zombie awaiting its reaper).
  const pid_t grandchild = std::stoi(slurp(pidfile));
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    const std::string stat = slurp("/proc/" + std::to_string(grandchild) + "/stat");
    dead = stat.empty() || stat.find(") Z") != std::string::npos;
    if (!dead) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(dead) << "sleep " << grandchild << " survived the timeout";
  if (!dead) ::kill(grandchild, SIGKILL);
}

TEST_F(CommandContactTest, MissingProgramIsAnError) {
  auto st = deliver_once(*make({(dir_ / "no-such-program").string()}), message());
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  EXPECT_NE(st->error().message.find("could not start"), std::string::npos) << st->error().message;
}

TEST_F(CommandContactTest, ACommandThatIgnoresStdinDoesNotHurtTheDaemon) {
  // Exits at once without reading 1 MB of input: the write side sees EPIPE, not SIGPIPE.
  const auto cmd = script("deaf.sh", "exit 0");
  CommandSpec spec;
  spec.argv = {cmd};
  spec.input = std::string(1 << 20, 'x');
  spec.timeout = 5s;
  const Status st = run_command(spec);
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST_F(CommandContactTest, LargeInputIsDeliveredWhole) {
  const auto out = dir_ / "big.txt";
  const auto cmd = script("big.sh", "cat > '" + out.string() + "'");
  CommandSpec spec;
  spec.argv = {cmd};
  spec.input = std::string(300 * 1024, 'y');
  spec.timeout = 5s;
  const Status st = run_command(spec);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(fs::file_size(out), spec.input.size());
}

TEST_F(CommandContactTest, LoopStaysResponsiveWhileACommandRuns) {
  const auto cmd = script("slow.sh", "cat >/dev/null\nsleep 0.3");
  auto ch = make({cmd});
  int ticks = 0;
  boost::asio::steady_timer timer(io_);
  std::function<void()> tick = [&] {
    timer.expires_after(std::chrono::milliseconds(5));
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      ++ticks;
      tick();
    });
  };
  tick();
  auto st = deliver_once(*ch, message());
  timer.cancel();
  ASSERT_TRUE(st.has_value() && st->ok());
  EXPECT_GE(ticks, 10);
}

}  // namespace
}  // namespace vigil::notify
