// The error_log prober on a real file: a scripted log, run, figures asserted.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "net/http_client.h"
#include "probe/prober.h"

namespace vigil::probe {
namespace {

namespace fs = std::filesystem;

class ErrorLogProberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vigil-elog-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    path = (dir / "error.log").string();
    check.name = "apache-errors";
    check.type = config::CheckType::error_log;
    check.path = path;
    check.window = std::chrono::minutes(5);
    check.patterns = {{"oom", "oom-kill"}};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  void append(std::string_view text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }

  CheckResult run() {
    std::optional<CheckResult> out;
    ProbeEnv env{io, http};
    prober->run("web/apache-errors", check, env, [&](CheckResult r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "done was not called from run()";
    return out ? std::move(*out) : CheckResult{};
  }

  static double fig(const CheckResult& r, const std::string& name) {
    auto it = r.figures.find(name);
    if (it == r.figures.end()) {
      ADD_FAILURE() << "no figure " << name;
      return -1;
    }
    return std::get<double>(it->second);
  }

  static double metric(const CheckResult& r, const std::string& name, const std::string& label_value) {
    for (const auto& m : r.metrics) {
      if (m.name == name && !m.labels.empty() && m.labels[0].second == label_value) return m.value;
    }
    ADD_FAILURE() << "no metric " << name << " " << label_value;
    return -1;
  }

  fs::path dir;
  std::string path;
  config::CheckConfig check;
  boost::asio::io_context io;
  net::HttpClient http{io};
  std::unique_ptr<Prober> prober = make_prober(config::CheckType::error_log);
};

#define T "[Sun Aug 18 10:15:00.123456 2024] "

TEST_F(ErrorLogProberTest, CountsTheLinesWrittenSinceItStarted) {
  ASSERT_NE(prober, nullptr);
  append(T "[mpm_event:error] [pid 1:tid 2] AH00484: server reached MaxRequestWorkers setting (old, not counted)\n");
  CheckResult r = run();
  EXPECT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(r.check_id, "web/apache-errors");
  EXPECT_EQ(fig(r, "lines"), 0);  // tail semantics: what was there before is history

  append(T "[mpm_event:error] [pid 1:tid 2] [client 10.0.0.1:5] AH00484: server reached MaxRequestWorkers setting, "
           "consider raising the MaxRequestWorkers setting\n" T
           "[mpm_event:error] [pid 1:tid 2] AH00484: server reached MaxRequestWorkers setting, consider raising the "
           "MaxRequestWorkers setting\n" T
           "[core:notice] [pid 1:tid 2] AH00052: child pid 77 exit signal Segmentation fault (11)\n" T
           "[ssl:warn] [pid 1:tid 2] AH01909: www.example.com:443:0 server certificate does NOT include an ID which "
           "matches the server name\n" T "[core:notice] [pid 1] AH00094: Command line: '/usr/sbin/apache2'\n"
           "PHP Warning:  oom-kill seen by a script\n"
           "[Sun Aug 18 10:15:01.000000 2024] [proxy_fcgi:error] [pid 3] [client 10.0.0.2:6] AH01071: Got error 'PHP "
           "message: PHP Fatal error:  Allowed memory size of 1 bytes exhausted'\n"
           "[Sun Aug 18 10:15:02.000000 2024] [core:crit] [pid 3] partial line still being writ");
  r = run();
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(fig(r, "lines"), 7);
  EXPECT_EQ(fig(r, "errors"), 3);
  EXPECT_EQ(fig(r, "warnings"), 1);
  EXPECT_EQ(fig(r, "malformed"), 1);
  EXPECT_EQ(fig(r, "count.error"), 3);
  EXPECT_EQ(fig(r, "count.notice"), 2);
  EXPECT_EQ(fig(r, "count.crit"), 0);  // the unfinished line waits for its newline
  EXPECT_EQ(fig(r, "module.mpm_event"), 2);
  EXPECT_EQ(fig(r, "module.proxy_fcgi"), 1);
  EXPECT_EQ(fig(r, "ah.AH00484"), 2);
  EXPECT_EQ(fig(r, "ah.AH00161"), 0);
  EXPECT_EQ(fig(r, "ah.AH01071"), 1);
  EXPECT_EQ(fig(r, "signature.max_workers"), 2);
  EXPECT_EQ(fig(r, "signature.child_crash"), 1);
  EXPECT_EQ(fig(r, "signature.segfault"), 1);
  EXPECT_EQ(fig(r, "signature.cert_name_mismatch"), 1);
  EXPECT_EQ(fig(r, "signature.startup"), 1);
  EXPECT_EQ(fig(r, "signature.php_memory_limit"), 1);
  EXPECT_EQ(fig(r, "signature.fcgi_error"), 1);
  EXPECT_EQ(fig(r, "signature.disk_full"), 0);
  EXPECT_EQ(fig(r, "pattern.oom"), 1);
  EXPECT_EQ(fig(r, "behind"), 0);
  // The body shows the notable lines for the incident, not the informational ones.
  EXPECT_NE(r.body.find("AH00484"), std::string::npos);
  EXPECT_NE(r.body.find("AH00052"), std::string::npos);
  EXPECT_NE(r.body.find("oom-kill"), std::string::npos);
  EXPECT_EQ(r.body.find("AH00094"), std::string::npos);
  EXPECT_LE(r.body.size(), 4096u);
  EXPECT_EQ(metric(r, "vigil_log_lines_total", "all"), 7);
  EXPECT_EQ(metric(r, "vigil_log_lines_total", "error"), 3);
  EXPECT_EQ(metric(r, "vigil_log_lines_total", "malformed"), 1);

  append("ten\n");  // completes the partial crit line
  r = run();
  EXPECT_EQ(fig(r, "lines"), 8);  // the window still holds the earlier lines
  EXPECT_EQ(fig(r, "count.crit"), 1);
  EXPECT_EQ(fig(r, "errors"), 4);
}

TEST_F(ErrorLogProberTest, AMissingFileIsUnreachableAndReadFromItsStartOnceCreated) {
  CheckResult r = run();
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error, "cannot open " + path + ": No such file or directory");
  append(T "[core:error] [pid 1] AH00015: Unable to open logs\n");
  r = run();
  EXPECT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(fig(r, "lines"), 1);
  EXPECT_EQ(fig(r, "signature.logs_unopenable"), 1);
}

TEST_F(ErrorLogProberTest, FollowsARenameRotation) {
  append("");
  (void)run();
  append(T "[core:error] [pid 1] before\n");
  fs::rename(path, path + ".1");
  append(T "[core:error] [pid 1] after\n");
  CheckResult r = run();
  EXPECT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(fig(r, "errors"), 2);
  EXPECT_EQ(metric(r, "vigil_log_rotations_total", "rename"), 1);
  EXPECT_EQ(metric(r, "vigil_log_rotations_total", "truncate"), 0);
}

TEST_F(ErrorLogProberTest, AnInvalidPatternIsReported) {
  check.patterns = {{"broken", "oom("}};
  CheckResult r = run();
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error.rfind("invalid pattern: pattern broken: ", 0), 0u) << r.error;
}

TEST_F(ErrorLogProberTest, AChangedConfigStartsOverAndForgetDropsTheState) {
  append("");
  (void)run();
  append(T "[core:error] [pid 1] one\n");
  EXPECT_EQ(fig(run(), "errors"), 1);
  check.window = std::chrono::minutes(1);  // a reload changed the window: new counts
  append(T "[core:error] [pid 1] two\n");
  EXPECT_EQ(fig(run(), "errors"), 0);  // started over at the end of the file
  append(T "[core:error] [pid 1] three\n");
  EXPECT_EQ(fig(run(), "errors"), 1);
  prober->forget("web/apache-errors");
  append(T "[core:error] [pid 1] four\n");
  EXPECT_EQ(fig(run(), "errors"), 0);
}

}  // namespace
}  // namespace vigil::probe
