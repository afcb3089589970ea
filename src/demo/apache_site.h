// ApacheSite: the demo's WebServer-01, a real Apache2 (Debian's /usr/sbin/apache2) run as the
// current user from its own tree under <data>/demo/ — never /etc/apache2, port 80 or systemd:
//
//   <data>/demo/apache/conf/apache2.conf   server: modules by absolute path, loopback Listen,
//                                          PidFile, logs, mod_status, then Include site.conf
//   <data>/demo/apache/conf/site.conf      the site: what a deploy changes (the seed's outage)
//   <data>/demo/apache/last-good/site.conf the last release that worked
//   <data>/demo/apache/rollback            the rollback runbook (sh): restore, test, graceful
//   <data>/demo/apache/htdocs/             / (home page) and /login ("Sign in")
//   <data>/demo/apache/run/apache2.pid     and Apache's runtime files
//   <data>/demo/logs/access.log, error.log
//
// Apache runs in the foreground (-DFOREGROUND) as our child, leading its own process group, and
// is stopped by that PID (SIGTERM, then SIGKILL to the group). As root (CI containers) Apache
// refuses root workers, so the config then says User nobody and the tree is made world-readable.
// The *_text functions are pure (apache_conf.cpp, tested); the class does the I/O.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace vigil::demo {

struct ApacheSitePaths {
  std::filesystem::path root;  // <data>/demo

  std::filesystem::path apache() const { return root / "apache"; }
  std::filesystem::path conf_dir() const { return apache() / "conf"; }
  std::filesystem::path main_conf() const { return conf_dir() / "apache2.conf"; }
  std::filesystem::path site_conf() const { return conf_dir() / "site.conf"; }
  std::filesystem::path last_good() const { return apache() / "last-good" / "site.conf"; }
  std::filesystem::path rollback() const { return apache() / "rollback"; }
  std::filesystem::path htdocs() const { return apache() / "htdocs"; }
  std::filesystem::path run_dir() const { return apache() / "run"; }
  std::filesystem::path pid_file() const { return run_dir() / "apache2.pid"; }
  std::filesystem::path logs() const { return root / "logs"; }
  std::filesystem::path access_log() const { return logs() / "access.log"; }
  std::filesystem::path error_log() const { return logs() / "error.log"; }
};

struct ApacheSiteOptions {
  std::uint16_t port = 0;
  std::string binary = "/usr/sbin/apache2";
  std::string modules_dir = "/usr/lib/apache2/modules";
  // Set when running as root: the unprivileged user and group Apache's workers switch to.
  std::optional<std::pair<std::string, std::string>> run_as;
};

// Apache's "combined" plus %D (microseconds taken); examples/demo.yaml reads the log with it.
inline constexpr std::string_view kAccessLogFormat =
    R"(%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D)";

enum class SiteVersion {
  good,    // the release that works
  broken,  // the seed's change: a rewrite for premium sign-ins that loops on /login (500, AH00124)
};

std::string apache_conf_text(const ApacheSitePaths& paths, const ApacheSiteOptions& options);
std::string site_conf_text(const ApacheSitePaths& paths, SiteVersion version);
std::string rollback_script_text(const ApacheSitePaths& paths, const ApacheSiteOptions& options);
// Error when `path` cannot be written into an Apache config or sh script as a quoted string.
Status check_config_path(const std::filesystem::path& path);

class ApacheSite {
 public:
  ApacheSite(ApacheSitePaths paths, ApacheSiteOptions options);
  ~ApacheSite();  // stops Apache if it still runs
  ApacheSite(const ApacheSite&) = delete;
  ApacheSite& operator=(const ApacheSite&) = delete;

  // Writes the whole tree (good site, last-good copy, rollback script, pages), replacing the
  // previous one's config; stops an Apache a previous demo left running from this tree.
  Status write_files();
  // Starts Apache; returns once it answers on its port (or why it could not start).
  Status start(Duration timeout = std::chrono::seconds(15));
  // Replaces site.conf (a deploy), then graceful reload by PID (SIGUSR1): in-flight requests
  // finish; returns once Apache says it resumed with the new config.
  Status deploy(SiteVersion version, Duration timeout = std::chrono::seconds(10));
  // SIGTERM, up to 10 s, then SIGKILL to the process group; reaps it. Safe to call twice.
  void stop();
  pid_t pid() const { return pid_; }
  bool running() const;
  const ApacheSitePaths& paths() const { return paths_; }
  const ApacheSiteOptions& options() const { return options_; }

 private:
  Status wait_resumed(std::size_t before, Duration timeout);
  std::size_t resumed_count() const;

  ApacheSitePaths paths_;
  ApacheSiteOptions options_;
  pid_t pid_ = -1;
};

// The unprivileged user/group Apache's workers run as when we are root (nobody, its group).
std::optional<std::pair<std::string, std::string>> unprivileged_user_if_root();

}  // namespace vigil::demo
