// Error log lines: the parse table (Apache 2.4, 2.2, nginx, malformed) and ErrorLogWindow's
// figures over explicit times.
#include "probe/logs/error_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::probe::logs {
namespace {

using namespace std::chrono;

local_time<microseconds> at(int y, unsigned mo, unsigned d, int h, int mi, int s, int us = 0) {
  return local_days{year(y) / month(mo) / day(d)} + hours(h) + minutes(mi) + seconds(s) + microseconds(us);
}

struct Row {
  std::string line;
  local_time<microseconds> time;
  std::string module, level;
  Level lvl;
  long pid, tid;
  std::string os_error, client, ah_code, message, referer;
};

TEST(ErrorLine, ParsesTheFormsServersWrite) {
  const std::vector<Row> rows = {
      {"[Sun Aug 18 10:15:00.123456 2024] [mpm_event:error] [pid 1234:tid 5678] [client 10.0.0.1:51234] AH00161: "
       "server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting",
       at(2024, 8, 18, 10, 15, 0, 123456), "mpm_event", "error", Level::error, 1234, 5678, "", "10.0.0.1:51234", "AH00161",
       "server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting", ""},
      // no client, no tid
      {"[Sun Aug 18 10:15:00.000001 2024] [core:notice] [pid 1234] AH00094: Command line: '/usr/sbin/apache2'",
       at(2024, 8, 18, 10, 15, 0, 1), "core", "notice", Level::notice, 1234, 0, "", "", "AH00094",
       "Command line: '/usr/sbin/apache2'", ""},
      // %E before the client, then the code
      {"[Tue Feb 04 09:08:07.654321 2020] [core:error] [pid 1234:tid 140] (13)Permission denied: [client 1.2.3.4:5678] "
       "AH00035: access to /index.html denied (filesystem path '/var/www/html/index.html') because search permissions "
       "are missing on a component of the path",
       at(2020, 2, 4, 9, 8, 7, 654321), "core", "error", Level::error, 1234, 140, "(13)Permission denied", "1.2.3.4:5678",
       "AH00035",
       "access to /index.html denied (filesystem path '/var/www/html/index.html') because search permissions are "
       "missing on a component of the path",
       ""},
      // a referer suffix
      {"[Sun Aug 18 10:15:00.5 2024] [authz_core:error] [pid 9:tid 10] [client 10.0.0.9:4000] AH01630: client denied "
       "by server configuration: /var/www/html/.git, referer: http://example.com/",
       at(2024, 8, 18, 10, 15, 0, 500000), "authz_core", "error", Level::error, 9, 10, "", "10.0.0.9:4000", "AH01630",
       "client denied by server configuration: /var/www/html/.git", "http://example.com/"},
      // no code (mod_php)
      {"[Sun Aug 18 10:15:01.000000 2024] [php7:error] [pid 7] [client 10.0.0.1:2] PHP Fatal error:  Uncaught Error: "
       "Call to undefined function f() in /var/www/a.php:3",
       at(2024, 8, 18, 10, 15, 1), "php7", "error", Level::error, 7, 0, "", "10.0.0.1:2", "",
       "PHP Fatal error:  Uncaught Error: Call to undefined function f() in /var/www/a.php:3", ""},
      // trace level with the source file (%F)
      {"[Sun Aug 18 10:15:02.000000 2024] [ssl:trace3] [pid 1:tid 2] ssl_engine_kernel.c(2372): [client 1.2.3.4:5] "
       "OpenSSL: Handshake: done",
       at(2024, 8, 18, 10, 15, 2), "ssl", "trace3", Level::trace, 1, 2, "", "1.2.3.4:5", "", "OpenSSL: Handshake: done",
       ""},
      // %E without a client, proxy
      {"[Sun Aug 18 10:15:03.000000 2024] [proxy:error] [pid 3:tid 4] (111)Connection refused: AH00957: HTTP: attempt "
       "to connect to 127.0.0.1:8080 (*) failed",
       at(2024, 8, 18, 10, 15, 3), "proxy", "error", Level::error, 3, 4, "(111)Connection refused", "", "AH00957",
       "HTTP: attempt to connect to 127.0.0.1:8080 (*) failed", ""},
      // ISO time (%{cu}t)
      {"[2024-08-18 10:15:04.250000] [core:warn] [pid 1] AH00111: Config variable ${X} is not defined",
       at(2024, 8, 18, 10, 15, 4, 250000), "core", "warn", Level::warn, 1, 0, "", "", "AH00111",
       "Config variable ${X} is not defined", ""},
      // Apache 2.2
      {"[Sun Aug 18 10:15:05 2024] [error] [client 10.0.0.1] File does not exist: /var/www/favicon.ico",
       at(2024, 8, 18, 10, 15, 5), "", "error", Level::error, 0, 0, "", "10.0.0.1", "",
       "File does not exist: /var/www/favicon.ico", ""},
      {"[Sun Aug 18 10:15:06 2024] [notice] Apache/2.2.22 (Ubuntu) configured -- resuming normal operations",
       at(2024, 8, 18, 10, 15, 6), "", "notice", Level::notice, 0, 0, "", "", "",
       "Apache/2.2.22 (Ubuntu) configured -- resuming normal operations", ""},
      // a bracket that belongs to the message
      {"[Sun Aug 18 10:15:07 2024] [crit] [pid 5] [remote 10.1.1.1:80] [vhost x] broken",
       at(2024, 8, 18, 10, 15, 7), "", "crit", Level::crit, 5, 0, "", "", "", "[vhost x] broken", ""},
      // nginx
      {"2024/08/18 10:15:08 [error] 1234#1235: *5 connect() failed (111: Connection refused) while connecting to "
       "upstream, client: 10.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:9000/\"",
       at(2024, 8, 18, 10, 15, 8), "", "error", Level::error, 1234, 1235, "", "10.0.0.1", "",
       "connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: _, request: "
       "\"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:9000/\"",
       ""},
      {"2024/08/18 10:15:09 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)",
       at(2024, 8, 18, 10, 15, 9), "", "emerg", Level::emerg, 1, 1, "", "", "",
       "bind() to 0.0.0.0:80 failed (98: Address already in use)", ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.line);
    ErrorLine e;
    ASSERT_TRUE(parse_error_line(row.line, e));
    EXPECT_EQ(e.raw, row.line);
    EXPECT_EQ(e.time, row.time);
    EXPECT_EQ(e.module, row.module);
    EXPECT_EQ(e.level_text, row.level);
    EXPECT_EQ(e.level, row.lvl);
    EXPECT_EQ(e.pid, row.pid);
    EXPECT_EQ(e.tid, row.tid);
    EXPECT_EQ(e.os_error, row.os_error);
    EXPECT_EQ(e.client, row.client);
    EXPECT_EQ(e.ah_code, row.ah_code);
    EXPECT_EQ(e.message, row.message);
    EXPECT_EQ(e.referer, row.referer);
  }
}

TEST(ErrorLine, RejectsWhatIsNotAnErrorLogLine) {
  const std::vector<std::string> bad = {
      "",
      "   ",
      "PHP Fatal error:  Uncaught Error in /var/www/a.php:3",  // PHP's own stderr
      "Segmentation fault (core dumped)",
      "[not a time] [core:error] x",
      "[Sun Aug 18 10:15:00 2024]",                   // no level
      "[Sun Aug 18 10:15:00 2024] [bogus] x",         // unknown level
      "[Sun Aug 18 10:15:00 2024] [core:fatal] x",    // unknown level
      "[Sun Foo 18 10:15:00 2024] [error] x",         // month
      "[Fri Feb 30 10:15:00 2024] [error] x",         // no such day
      "[Sun Aug 18 25:15:00 2024] [error] x",         // hour
      "[Sun Aug 18 10:15:00.1234567 2024] [error] x",  // more than µs
      "[Sun Aug 18 10:15:00 2024] [core:error] [pid x] y",
      "[Sun Aug 18 10:15:00 2024] [core:error",       // truncated
      "10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] \"GET / HTTP/1.1\" 200 512",  // an access log line
      "2024/08/18 10:15:08 [error] no pid here",
  };
  for (const auto& line : bad) {
    ErrorLine e;
    EXPECT_FALSE(parse_error_line(line, e)) << line;
  }
}

TEST(ErrorLine, LevelNames) {
  Level l;
  EXPECT_TRUE(parse_level("warning", l));
  EXPECT_EQ(l, Level::warn);
  EXPECT_TRUE(parse_level("trace8", l));
  EXPECT_EQ(l, Level::trace);
  EXPECT_FALSE(parse_level("trace9", l));
  EXPECT_FALSE(parse_level("ERROR", l));
  EXPECT_EQ(level_name(Level::crit), "crit");
  EXPECT_TRUE(is_error(Level::emerg));
  EXPECT_TRUE(is_error(Level::error));
  EXPECT_FALSE(is_error(Level::warn));
}

// ---- ErrorLogWindow ----

const Time t0 = Time(std::chrono::sys_days(year(2024) / 8 / 18).time_since_epoch());

double fig(const std::map<std::string, FigureValue>& f, const std::string& name) {
  auto it = f.find(name);
  if (it == f.end()) {
    ADD_FAILURE() << "no figure " << name;
    return -1;
  }
  return std::get<double>(it->second);
}

const char* kMaxWorkers =
    "[Sun Aug 18 10:15:00.123456 2024] [mpm_event:error] [pid 1:tid 2] AH00484: server reached MaxRequestWorkers "
    "setting, consider raising the MaxRequestWorkers setting";
const char* kNotice = "[Sun Aug 18 10:15:00.123456 2024] [mpm_event:notice] [pid 1:tid 2] AH00489: Apache/2.4.57 "
                      "(Debian) configured -- resuming normal operations";
const char* kWarn = "[Sun Aug 18 10:15:00.123456 2024] [ssl:warn] [pid 1:tid 2] AH01909: www.example.com:443:0 "
                    "server certificate does NOT include an ID which matches the server name";
const char* kOom = "[Sun Aug 18 10:15:00.123456 2024] [php:notice] [pid 1] oom-killer invoked for apache2";

TEST(ErrorLogWindow, CountsLevelsModulesCodesSignaturesAndPatterns) {
  auto w = ErrorLogWindow::create(5min, {{"oom", "oom-kill(er)?"}, {"never", "xyzzy"}});
  ASSERT_TRUE(w.ok()) << w.error().message;
  w->add(kMaxWorkers, t0);
  w->add(kMaxWorkers, t0);
  w->add(kNotice, t0);
  w->add(kWarn, t0 + 10s);
  w->add(kOom, t0 + 10s);
  w->add("Segmentation fault (core dumped)", t0 + 20s);
  auto f = w->figures(t0 + 30s);
  EXPECT_EQ(fig(f, "lines"), 6);
  EXPECT_EQ(fig(f, "errors"), 2);
  EXPECT_EQ(fig(f, "warnings"), 1);
  EXPECT_EQ(fig(f, "malformed"), 1);
  EXPECT_EQ(fig(f, "count.error"), 2);
  EXPECT_EQ(fig(f, "count.notice"), 2);
  EXPECT_EQ(fig(f, "count.warn"), 1);
  EXPECT_EQ(fig(f, "count.emerg"), 0);  // every level is there, zero or not
  EXPECT_EQ(fig(f, "module.mpm_event"), 3);
  EXPECT_EQ(fig(f, "module.ssl"), 1);
  EXPECT_EQ(fig(f, "ah.AH00484"), 2);
  EXPECT_EQ(fig(f, "ah.AH00161"), 0);  // a known code, not seen: present as 0
  EXPECT_EQ(fig(f, "ah.AH01909"), 1);
  EXPECT_EQ(fig(f, "signature.max_workers"), 2);
  EXPECT_EQ(fig(f, "signature.resumed"), 1);
  EXPECT_EQ(fig(f, "signature.cert_name_mismatch"), 1);
  EXPECT_EQ(fig(f, "signature.segfault"), 1);  // malformed lines are still matched
  EXPECT_EQ(fig(f, "signature.disk_full"), 0);
  EXPECT_EQ(fig(f, "pattern.oom"), 1);
  EXPECT_EQ(fig(f, "pattern.never"), 0);
  EXPECT_EQ(fig(f, "module.php"), 1);
  EXPECT_EQ(w->totals().lines, 6u);
  EXPECT_EQ(w->totals().errors, 2u);

  // The notable lines, oldest first: errors, likely-cause signatures, patterns.
  const std::string body = w->recent(t0 + 30s);
  EXPECT_EQ(body, std::string(kMaxWorkers) + "\n" + kMaxWorkers + "\n" + kWarn + "\n" + kOom + "\n" +
                      "Segmentation fault (core dumped)\n");
  EXPECT_EQ(w->recent(t0 + 30s, 40), "Segmentation fault (core dumped)\n");  // the newest that fit
}

TEST(ErrorLogWindow, LinesLeaveTheWindow) {
  auto w = ErrorLogWindow::create(1min, {});
  ASSERT_TRUE(w.ok());
  w->add(kMaxWorkers, t0);
  w->add(kWarn, t0 + 30s);
  auto f = w->figures(t0 + 59s);
  EXPECT_EQ(fig(f, "lines"), 2);
  f = w->figures(t0 + 60s);  // t0's line is exactly a window old: gone
  EXPECT_EQ(fig(f, "lines"), 1);
  EXPECT_EQ(fig(f, "errors"), 0);
  EXPECT_EQ(fig(f, "signature.max_workers"), 0);
  EXPECT_FALSE(f.contains("module.mpm_event"));  // open names disappear with their lines
  EXPECT_EQ(fig(f, "module.ssl"), 1);
  EXPECT_EQ(w->recent(t0 + 60s), std::string(kWarn) + "\n");
  f = w->figures(t0 + 2min);
  EXPECT_EQ(fig(f, "lines"), 0);
  EXPECT_EQ(w->recent(t0 + 2min), "");
  EXPECT_EQ(w->totals().lines, 2u);  // counters never go down
}

TEST(ErrorLogWindow, OpenNamesAreCapped) {
  auto w = ErrorLogWindow::create(1min, {});
  ASSERT_TRUE(w.ok());
  for (std::size_t i = 0; i < ErrorLogWindow::kMaxOpenKeys + 50; ++i) {
    w->add("[Sun Aug 18 10:15:00 2024] [mod" + std::to_string(i) + ":info] [pid 1] x", t0);
  }
  auto f = w->figures(t0);
  std::size_t modules = 0;
  for (const auto& [name, v] : f) modules += name.starts_with("module.");
  EXPECT_EQ(modules, ErrorLogWindow::kMaxOpenKeys);
  EXPECT_EQ(fig(f, "lines"), ErrorLogWindow::kMaxOpenKeys + 50);
  // Once those lines left the window, new names get in again.
  w->add("[Sun Aug 18 10:15:00 2024] [fresh:info] [pid 1] x", t0 + 2min);
  f = w->figures(t0 + 2min);  // this evicts and makes room...
  w->add("[Sun Aug 18 10:15:00 2024] [fresh:info] [pid 1] x", t0 + 2min);
  f = w->figures(t0 + 2min);
  EXPECT_EQ(fig(f, "module.fresh"), 1);
}

TEST(ErrorLogWindow, AnInvalidPatternIsAnError) {
  auto w = ErrorLogWindow::create(1min, {{"broken", "oom("}});
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("pattern broken: "), std::string::npos) << w.error().message;
}

}  // namespace
}  // namespace vigil::probe::logs
