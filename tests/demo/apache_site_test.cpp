// The demo's Apache: the config text it writes (pure), and a real Apache2 started from it that
// serves /login, breaks the way the seed outage did, and comes back with the rollback runbook.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/subprocess.h"
#include "demo/apache_site.h"
#include "demo/loopback.h"

namespace vigil::demo {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

ApacheSitePaths paths() { return ApacheSitePaths{"/srv/data/demo"}; }

TEST(ApacheConfText, ServerOfItsOwnOnLoopback) {
  ApacheSiteOptions o;
  o.port = 18080;
  const std::string c = apache_conf_text(paths(), o);
  EXPECT_TRUE(contains(c, "ServerRoot \"/srv/data/demo/apache\"\n"));
  EXPECT_TRUE(contains(c, "Listen 127.0.0.1:18080\n"));
  EXPECT_TRUE(contains(c, "PidFile \"/srv/data/demo/apache/run/apache2.pid\"\n"));
  EXPECT_TRUE(contains(c, "ErrorLog \"/srv/data/demo/logs/error.log\"\n"));
  EXPECT_TRUE(contains(c, "CustomLog \"/srv/data/demo/logs/access.log\" combined_timed\n"));
  EXPECT_TRUE(contains(c, R"(LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D" combined_timed)"));
  EXPECT_TRUE(contains(c, "LoadModule mpm_event_module \"/usr/lib/apache2/modules/mod_mpm_event.so\"\n"));
  for (const char* m : {"authz_core", "dir", "mime", "rewrite", "status"})
    EXPECT_TRUE(contains(c, std::string("LoadModule ") + m + "_module \"/usr/lib/apache2/modules/mod_" + m + ".so\"\n"))
        << m;
  // Built into Debian's apache2: loading them unconditionally would be an error there.
  EXPECT_TRUE(contains(c, "<IfModule !log_config_module>"));
  EXPECT_TRUE(contains(c, "<IfModule !unixd_module>"));
  EXPECT_TRUE(contains(c, "<Location \"/server-status\">\n  SetHandler server-status\n</Location>\n"));
  EXPECT_TRUE(contains(c, "Include \"/srv/data/demo/apache/conf/site.conf\"\n"));
  EXPECT_FALSE(contains(c, "User "));
  EXPECT_FALSE(contains(c, "/etc/apache2"));
}

TEST(ApacheConfText, AsRootWorkersSwitchUser) {
  ApacheSiteOptions o;
  o.port = 1;
  o.run_as = std::pair<std::string, std::string>{"nobody", "nogroup"};
  const std::string c = apache_conf_text(paths(), o);
  EXPECT_TRUE(contains(c, "User nobody\nGroup nogroup\n"));
}

TEST(SiteConfText, GoodAndBrokenDifferOnlyByTheRewrite) {
  const std::string good = site_conf_text(paths(), SiteVersion::good);
  const std::string broken = site_conf_text(paths(), SiteVersion::broken);
  EXPECT_TRUE(contains(good, "DocumentRoot \"/srv/data/demo/apache/htdocs\"\n"));
  EXPECT_FALSE(contains(good, "Rewrite"));
  EXPECT_TRUE(contains(broken, "RewriteRule \"^login(.*)$\" \"login/premium$1\" [L]\n"));
  // The rule lives in <Directory>, where each rewrite is an internal redirect: that is the loop.
  EXPECT_LT(broken.find("<Directory"), broken.find("RewriteRule"));
  EXPECT_LT(broken.find("RewriteRule"), broken.find("</Directory>"));
}

TEST(RollbackScript, RestoresTestsAndReloadsGracefully) {
  ApacheSiteOptions o;
  const std::string s = rollback_script_text(ApacheSitePaths{"/srv/it's/demo"}, o);
  EXPECT_TRUE(s.starts_with("#!/bin/sh\n"));
  EXPECT_TRUE(contains(s, "set -eu\n"));
  EXPECT_TRUE(contains(s, "cp '/srv/it'\\''s/demo/apache/last-good/site.conf' '/srv/it'\\''s/demo/apache/conf/site.conf'\n"));
  EXPECT_TRUE(contains(s, "'/usr/sbin/apache2' -f '/srv/it'\\''s/demo/apache/conf/apache2.conf' -t\n"));
  EXPECT_TRUE(contains(s, "exec '/usr/sbin/apache2' -f '/srv/it'\\''s/demo/apache/conf/apache2.conf' -k graceful\n"));
}

TEST(CheckConfigPath, RefusesWhatCannotBeQuoted) {
  EXPECT_TRUE(check_config_path("/srv/data/demo").ok());
  EXPECT_FALSE(check_config_path("/srv/da\"ta").ok());
  EXPECT_FALSE(check_config_path("/srv/${HOME}").ok());
  EXPECT_FALSE(check_config_path("/srv/a\nb").ok());
}

// A real Apache2: up, broken by the seed's change, rolled back by the runbook script, stopped.
class LiveSite : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/sbin/apache2")) GTEST_SKIP() << "apache2 is not installed";
    dir_ = fs::temp_directory_path() / ("vigil-demo-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms(0755));  // as root, Apache's workers (nobody) read the pages
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(LiveSite, ServesBreaksAndRollsBack) {
  auto port = free_loopback_port();
  ASSERT_TRUE(port.ok());
  ApacheSite site(ApacheSitePaths{dir_ / "demo"}, ApacheSiteOptions{*port, "/usr/sbin/apache2",
                                                                    "/usr/lib/apache2/modules",
                                                                    unprivileged_user_if_root()});
  ASSERT_TRUE(site.write_files().ok());
  auto st = site.start();
  ASSERT_TRUE(st.ok()) << st.error().message;
  const pid_t pid = site.pid();
  ASSERT_GT(pid, 0);

  auto login = loopback_get(*port, "/login");
  EXPECT_EQ(login.status, 200) << login.error;
  EXPECT_TRUE(contains(login.body, "Sign in"));
  EXPECT_EQ(loopback_get(*port, "/").status, 200);
  EXPECT_EQ(loopback_get(*port, "/", "127.0.0.23").status, 200);  // a visitor of its own address
  EXPECT_TRUE(contains(loopback_get(*port, "/server-status?auto").body, "BusyWorkers"));

  st = site.deploy(SiteVersion::broken);
  ASSERT_TRUE(st.ok()) << st.error().message;
  // "resuming normal operations" is logged before every old-generation worker has stopped
  // accepting: on a loaded machine one may still answer a request with the good config.
  int broken = 0;
  for (int i = 0; i < 100 && broken != 500; ++i) {
    broken = loopback_get(*port, "/login").status;
    if (broken != 500) usleep(50'000);
  }
  EXPECT_EQ(broken, 500) << "the graceful reload did not break /login";
  EXPECT_EQ(loopback_get(*port, "/").status, 200);  // the home page stays up
  EXPECT_TRUE(contains(read(site.paths().error_log()), "AH00124"));
  EXPECT_TRUE(contains(read(site.paths().access_log()), "\"GET /login HTTP/1.0\" 500 "));

  // The runbook as vigil runs it: argv, no shell of vigil's, the minimal environment.
  SubprocessSpec spec;
  spec.argv = {site.paths().rollback().string()};
  auto r = run_subprocess(spec);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->succeeded()) << r->output;
  EXPECT_EQ(read(site.paths().site_conf()), site_conf_text(site.paths(), SiteVersion::good));
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = loopback_get(*port, "/login").status == 200;
    if (!back) usleep(50'000);
  }
  EXPECT_TRUE(back) << "the graceful reload did not bring /login back";

  site.stop();
  EXPECT_EQ(site.pid(), -1);
  EXPECT_NE(::kill(pid, 0), 0) << "apache2 is still running";
  EXPECT_FALSE(tcp_port_accepts(*port));
}

}  // namespace
}  // namespace vigil::demo
