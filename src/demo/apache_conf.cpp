// The demo's Apache config, site and rollback script as text (pure; see apache_site.h).
#include <fmt/format.h>

#include "demo/apache_site.h"

namespace vigil::demo {
namespace fs = std::filesystem;

namespace {

// Single-quoted for sh: every ' becomes '\''.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Status check_config_path(const fs::path& path) {
  const std::string s = path.string();
  if (s.find_first_of("\"\\\n\r$%") != std::string::npos)
    return Error{fmt::format("{}: a path with \", \\, $, % or a newline cannot go into Apache's config", s), "--data"};
  return Status::Ok();
}

std::string apache_conf_text(const ApacheSitePaths& p, const ApacheSiteOptions& o) {
  std::string log_format;
  for (char c : kAccessLogFormat) log_format += c == '"' ? std::string("\\\"") : std::string(1, c);
  std::string c = fmt::format(
      "# WebServer-01 of `vigil demo`: a real Apache2 run as you, from this directory (no root, none\n"
      "# of the system Apache's config). Written by vigil demo at each start; the site is site.conf.\n"
      "ServerRoot \"{apache}\"\n"
      "ServerName 127.0.0.1\n"
      "Listen 127.0.0.1:{port}\n"
      "PidFile \"{pid}\"\n"
      "DefaultRuntimeDir \"{run}\"\n"
      "LoadModule mpm_event_module \"{mods}/mod_mpm_event.so\"\n"
      "# Built into Debian's apache2 (apache2 -l); loaded only where they are modules.\n"
      "<IfModule !log_config_module>\n  LoadModule log_config_module \"{mods}/mod_log_config.so\"\n</IfModule>\n"
      "<IfModule !unixd_module>\n  LoadModule unixd_module \"{mods}/mod_unixd.so\"\n</IfModule>\n",
      fmt::arg("apache", p.apache().string()), fmt::arg("port", o.port), fmt::arg("pid", p.pid_file().string()),
      fmt::arg("run", p.run_dir().string()), fmt::arg("mods", o.modules_dir));
  for (const char* m : {"authz_core", "dir", "mime", "rewrite", "status"})
    c += fmt::format("LoadModule {}_module \"{}/mod_{}.so\"\n", m, o.modules_dir, m);
  if (o.run_as) c += fmt::format("# Started as root: the workers run as an unprivileged user.\nUser {}\nGroup {}\n",
                                 o.run_as->first, o.run_as->second);
  c += fmt::format(
      "ErrorLog \"{error_log}\"\n"
      "LogLevel warn\n"
      "LogFormat \"{format}\" combined_timed\n"
      "CustomLog \"{access_log}\" combined_timed\n"
      "TypesConfig \"{conf}/mime.types\"\n"
      "# Small on purpose: one process of 10 threads, room for a graceful reload's overlap.\n"
      "StartServers 1\nServerLimit 3\nThreadLimit 10\nThreadsPerChild 10\n"
      "MinSpareThreads 5\nMaxSpareThreads 20\nMaxRequestWorkers 20\n"
      "<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n"
      "ExtendedStatus On\n"
      "<Location \"/server-status\">\n  SetHandler server-status\n</Location>\n"
      "Include \"{site}\"\n",
      fmt::arg("error_log", p.error_log().string()), fmt::arg("format", log_format),
      fmt::arg("access_log", p.access_log().string()), fmt::arg("conf", p.conf_dir().string()),
      fmt::arg("site", p.site_conf().string()));
  return c;
}

std::string site_conf_text(const ApacheSitePaths& p, SiteVersion version) {
  std::string c = fmt::format(
      "# WebServer-01: the home page and the sign-in page.\n"
      "DocumentRoot \"{htdocs}\"\n"
      "DirectoryIndex index.html\n"
      "<Directory \"{htdocs}\">\n"
      "  Require all granted\n"
      "  <Files \"login\">\n"
      "    ForceType text/html\n"
      "  </Files>\n",
      fmt::arg("htdocs", p.htdocs().string()));
  if (version == SiteVersion::broken) {
    // The mistake is the classic one: the rule's target (login/premium...) matches its own
    // pattern, and in a <Directory> every rewrite is an internal redirect, so each /login loops
    // until Apache gives up after 10 with a 500 and logs AH00124. The home page is untouched.
    c += "  # Change 2024-08-18: premium members sign in through the new flow.\n"
         "  RewriteEngine On\n"
         "  RewriteCond \"%{HTTP_COOKIE}\" \"!plan=basic\"\n"
         "  RewriteRule \"^login(.*)$\" \"login/premium$1\" [L]\n";
  }
  c += "</Directory>\n";
  return c;
}

std::string rollback_script_text(const ApacheSitePaths& p, const ApacheSiteOptions& o) {
  return fmt::format(
      "#!/bin/sh\n"
      "# rollback-config: put back the site config that last worked, check it, and reload Apache\n"
      "# gracefully (requests in flight finish; nobody is cut off). Written by `vigil demo`; vigil\n"
      "# runs it as the runbook of webserver-01 (no shell is involved on vigil's side).\n"
      "set -eu\n"
      "cp {last_good} {site}\n"
      "{apache2} -f {conf} -t\n"
      "exec {apache2} -f {conf} -k graceful\n",
      fmt::arg("last_good", sh_quote(p.last_good().string())), fmt::arg("site", sh_quote(p.site_conf().string())),
      fmt::arg("apache2", sh_quote(o.binary)), fmt::arg("conf", sh_quote(p.main_conf().string())));
}

}  // namespace vigil::demo
