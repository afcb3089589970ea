// The access_log prober on a real file: scripted combined-format lines stamped "now", run,
// figures asserted (the window's own arithmetic is tested in logs_window_test.cpp).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <ctime>
#include <filesystem>
#include <optional>

#include "net/http_client.h"
#include "probe/prober.h"

namespace vigil::probe {
namespace {

namespace fs = std::filesystem;

// Apache's %t for the current time, in UTC.
std::string apache_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
  return buf;
}

std::string line(const std::string& client, const std::string& request, int status, int bytes = 512) {
  return client + " - - " + apache_now() + " \"" + request + "\" " + std::to_string(status) + " " +
         std::to_string(bytes) + " \"-\" \"curl/8.0\"\n";
}

class AccessLogProberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vigil-alog-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    path = (dir / "access.log").string();
    check.name = "apache-access";
    check.type = config::CheckType::access_log;
    check.path = path;
    check.log_format = "combined";
    check.window = std::chrono::minutes(5);
    check.path_prefixes = {"/login"};
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
    prober->run("web/apache-access", check, env, [&](CheckResult r) { out = std::move(r); });
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
  std::unique_ptr<Prober> prober = make_prober(config::CheckType::access_log);
};

TEST_F(AccessLogProberTest, FiguresOfTheLinesWrittenSinceItStarted) {
  ASSERT_NE(prober, nullptr);
  append(line("10.0.0.9", "GET /old HTTP/1.1", 500));  // before the first run: not counted
  CheckResult r = run();
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(fig(r, "requests"), 0);
  EXPECT_EQ(fig(r, "malformed"), 0);

  append(line("10.0.0.1", "GET /login HTTP/1.1", 200) + line("10.0.0.2", "POST /login HTTP/1.1", 503) +
         line("10.0.0.1", "GET /index.html HTTP/1.1", 200) + line("10.0.0.3", "GET /missing HTTP/1.1", 404) +
         "this is not an access log line\n" + line("10.0.0.4", "GET /login/help HTTP/1.1", 200));
  r = run();
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(fig(r, "requests"), 5);
  EXPECT_EQ(fig(r, "status.2xx"), 3);
  EXPECT_EQ(fig(r, "status.4xx"), 1);
  EXPECT_EQ(fig(r, "status.5xx"), 1);
  EXPECT_DOUBLE_EQ(fig(r, "error_rate"), 0.2);
  EXPECT_EQ(fig(r, "unique_clients"), 4);
  EXPECT_EQ(fig(r, "path:/login.requests"), 3);
  EXPECT_EQ(fig(r, "path:/login.status.5xx"), 1);
  EXPECT_EQ(fig(r, "malformed"), 1);
  EXPECT_EQ(fig(r, "behind"), 0);
  EXPECT_EQ(metric(r, "vigil_log_lines_total", "all"), 6);
  EXPECT_EQ(metric(r, "vigil_log_lines_total", "malformed"), 1);

  r = run();  // nothing new: the window keeps its figures
  EXPECT_EQ(fig(r, "requests"), 5);
  EXPECT_EQ(fig(r, "malformed"), 1);
}

TEST_F(AccessLogProberTest, AMissingFileIsUnreachable) {
  CheckResult r = run();
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error, "cannot open " + path + ": No such file or directory");
}

TEST_F(AccessLogProberTest, FollowsARenameRotation) {
  append("");
  (void)run();
  append(line("10.0.0.1", "GET / HTTP/1.1", 200));
  fs::rename(path, path + ".1");
  append(line("10.0.0.1", "GET / HTTP/1.1", 502));
  CheckResult r = run();
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(fig(r, "requests"), 2);
  EXPECT_EQ(fig(r, "status.5xx"), 1);
  EXPECT_EQ(metric(r, "vigil_log_rotations_total", "rename"), 1);
}

TEST_F(AccessLogProberTest, ABadFormatIsReported) {
  check.log_format = "%h %Z";
  CheckResult r = run();
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error.rfind("log_format: ", 0), 0u) << r.error;
}

TEST_F(AccessLogProberTest, ACustomFormatWithDuration) {
  check.log_format = "%h %l %u %t \"%r\" %>s %b %D";
  append("");
  (void)run();
  const std::string t = apache_now();
  append("10.0.0.1 - - " + t + " \"GET /a HTTP/1.1\" 200 10 1500\n" + "10.0.0.1 - - " + t +
         " \"GET /b HTTP/1.1\" 200 10 250000\n");
  CheckResult r = run();
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(fig(r, "requests"), 2);
  ASSERT_TRUE(r.figures.contains("p95"));
  const auto p95 = std::get<Duration>(r.figures.at("p95"));
  EXPECT_GT(p95, Duration(200));
  EXPECT_LT(p95, Duration(300));
}

}  // namespace
}  // namespace vigil::probe
