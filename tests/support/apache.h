// Apache: a real Apache httpd 2.4 (Debian's /usr/sbin/apache2) for tests, on 127.0.0.1 and a
// free port, with everything in its own temporary directory (config, pid, logs, document root),
// started in the foreground as a child process in its own process group and stopped by its pid.
// Header-only so any test binary can use it (shares helpers with support/nginx.h).
//
//   vigil::testing::Apache web;               // started; throws std::runtime_error if it can't
//   web.url("/login")                         // "http://127.0.0.1:PORT/login"
//   web.get("/login").status                  // 200 (a tiny blocking HTTP/1.0 client)
//   web.stop(); ... web.start();              // down and up again on the same port (counters reset)
//   web.crash();                              // SIGKILL to every apache process (an outage)
//   web.graceful();                           // SIGUSR1: re-reads apache2.conf, reopens the logs
//   web.restart();                            // SIGHUP: like graceful, but counters restart at 0
//
// Locations:   /        → 200 "hello"                  /login → 200 HTML page with "Sign in"
//              /json    → 200 {"user":{"id":7}}        /status/500, /status/503 → that status
//              /redirect → 302 to /                    /slow?SECONDS → 200 after sleeping (CGI,
//              /server-status (?auto) → mod_status,      keeps a worker busy: saturate
//                ExtendedStatus On                       MaxRequestWorkers with a few of these)
//              anything else → 404 (logged in error.log at LogLevel info and above)
//
// Options: mpm (event|worker|prefork), max_request_workers (default 10, small so tests can
// saturate it: Apache then logs "server reached MaxRequestWorkers setting"), log_level,
// log_format, and extra_config: text appended to apache2.conf (server context), e.g. the login
// outage of the seed postmortem:
//     opts.extra_config = "RewriteRule ^/login$ - [R=500]\n";   // RewriteEngine is already On
// To change the config of a running server: edit options(), write_config(), then graceful().
//
// Logs: access_log() uses LogFormat "combined" + " %D" (microseconds; access_log_format() gives
// the format string for vigil's access_log check), error_log() Apache's default ErrorLogFormat.
// Log rotation as logrotate does it: rename access_log() away, then graceful(): Apache reopens
// (recreates) the file. Both files are opened by the parent (root when tests run as root).
//
// Running as root (the usual case in CI containers): Apache refuses to serve as root (it would
// need a rebuild with -DBIG_SECURITY_HOLE), so the config says `User nobody` / `Group <nobody's
// group>` (www-data when there is no nobody). The temporary directory and everything served
// from it are made world-readable (0755/0644) so the workers can read them; the parent, still
// root, writes the pid file and logs. As another user, no User/Group line: everything runs as
// that user.
//
// The fixture never talks to the system Apache (/etc/apache2, port 80, systemd): ServerRoot is
// the temporary directory and every module is loaded by absolute path.
#pragma once

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "common/subprocess.h"
#include "support/nginx.h"  // free_tcp_port, tcp_port_accepts, reap_process, read_text_file

namespace vigil::testing {

// The child leads a new process group (so all of Apache's processes can be signalled at once,
// and none of them shares the test's group).
inline pid_t spawn_process_group(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  auto pid = spawn_group_leader(argv, log.string(), /*append=*/true);
  if (!pid.ok()) throw std::runtime_error(pid.error().message);
  return *pid;
}

// A reply of Apache::get(): status 0 when the request failed (error says why).
struct HttpReply {
  int status = 0;
  std::string headers;  // the header block, status line included
  std::string body;
  std::string error;
};

// Minimal blocking HTTP/1.0 GET to 127.0.0.1:port (Connection: close, read to EOF).
inline HttpReply http_get(std::uint16_t port, std::string_view path,
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  HttpReply reply;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    reply.error = std::string("socket: ") + std::strerror(errno);
    return reply;
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    reply.error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return reply;
  }
  std::string req = "GET " + std::string(path) + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\nUser-Agent: vigil-test\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  for (std::size_t sent = 0; sent < req.size();) {
    const ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      reply.error = std::string("send: ") + std::strerror(errno);
      ::close(fd);
      return reply;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      reply.error = std::string("recv: ") + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const std::size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos || !raw.starts_with("HTTP/")) {
    if (reply.error.empty()) reply.error = "no HTTP response";
    return reply;
  }
  reply.headers = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  const std::size_t sp = raw.find(' ');
  if (sp != std::string::npos) reply.status = std::atoi(raw.c_str() + sp + 1);
  return reply;
}

class Apache {
 public:
  struct Options {
    std::string mpm = "event";     // event | worker | prefork
    int max_request_workers = 10;  // rounded up to a multiple of threads_per_child (event/worker)
    int threads_per_child = 5;     // event/worker
    std::string log_level = "warn";
    // "combined" + request duration in microseconds.
    std::string log_format = R"(%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D)";
    std::string extra_config;  // appended to apache2.conf, server context
    bool cgi = true;           // /slow through mod_cgid (a daemon process of its own)
    std::string binary = "/usr/sbin/apache2";
    std::string modules_dir = "/usr/lib/apache2/modules";
    std::chrono::seconds start_timeout{15};
  };

  Apache() : Apache(Options{}) {}
  explicit Apache(Options options) : options_(std::move(options)) {
    char tmpl[] = "/tmp/vigil-apache-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;
    try {
      make_tree();
      // The port is free "a moment ago": another test may take it first. Retry with a new one.
      for (int attempt = 0;; ++attempt) {
        port_ = free_tcp_port();
        write_config();
        try {
          start();
          break;
        } catch (const std::runtime_error& e) {
          if (attempt >= 2 || std::string(e.what()).find("Address already in use") == std::string::npos) throw;
        }
      }
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      throw;
    }
  }

  ~Apache() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Apache(const Apache&) = delete;
  Apache& operator=(const Apache&) = delete;

  // Starts Apache (no-op when running) and returns once the port accepts connections.
  void start() {
    if (pid_ > 0) return;
    const auto before = count_in_error_log(kResumed);
    pid_ = spawn_process_group({options_.binary, "-f", config_path().string(), "-DFOREGROUND"}, dir_ / "stderr.log");
    const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    while (!tcp_port_accepts(port_) || count_in_error_log(kResumed) == before) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        ::killpg(pid_, SIGKILL);
        pid_ = -1;
        throw std::runtime_error("apache2 exited at start:\n" + read_text_file(dir_ / "stderr.log") +
                                 read_text_file(error_log()));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        throw std::runtime_error("apache2 did not listen on port " + std::to_string(port_) + " within " +
                                 std::to_string(options_.start_timeout.count()) + "s:\n" + read_text_file(error_log()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Graceful stop of the whole server: SIGTERM to the parent, which stops its children; after
  // 10 s, SIGKILL to the process group. Returns when no Apache process of this fixture is left.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!wait_exited(std::chrono::seconds(10))) ::killpg(pid_, SIGKILL);
    finish();
  }

  // Kills every process of this Apache at once (SIGKILL to the group), as a crash or the OOM
  // killer would; the pid file and the cgid socket are left behind, as they would be.
  void crash() {
    if (pid_ <= 0) return;
    ::killpg(pid_, SIGKILL);
    finish();
  }

  // SIGUSR1: graceful restart. Re-reads apache2.conf, reopens the logs, replaces the workers
  // once their requests finish; counters (Total Accesses) keep counting. Returns once Apache
  // says it resumed.
  void graceful() { signal_and_wait(SIGUSR1, "graceful"); }
  // SIGHUP: restart. Like graceful but requests in flight are cut and the counters restart.
  void restart() { signal_and_wait(SIGHUP, "restart"); }

  // Rewrites apache2.conf from options(); takes effect at the next start(), graceful() or restart().
  void write_config() const {
    const std::string d = dir_.string();
    const std::string mods = options_.modules_dir;
    std::ostringstream c;
    c << "# Written by tests/support/apache.h\n"
      << "ServerRoot \"" << d << "\"\n"
      << "ServerName 127.0.0.1\n"
      << "Listen 127.0.0.1:" << port_ << "\n"
      << "PidFile \"" << d << "/apache2.pid\"\n"
      << "DefaultRuntimeDir \"" << d << "/run\"\n"
      << "LoadModule mpm_" << options_.mpm << "_module \"" << mods << "/mod_mpm_" << options_.mpm << ".so\"\n"
      << "<IfModule !log_config_module>\n  LoadModule log_config_module \"" << mods << "/mod_log_config.so\"\n</IfModule>\n"
      << "<IfModule !unixd_module>\n  LoadModule unixd_module \"" << mods << "/mod_unixd.so\"\n</IfModule>\n";
    for (const char* m : {"authz_core", "mime", "dir", "status", "rewrite", "alias"})
      c << "LoadModule " << m << "_module \"" << mods << "/mod_" << m << ".so\"\n";
    if (options_.cgi) c << "LoadModule cgid_module \"" << mods << "/mod_cgid.so\"\n";
    if (::geteuid() == 0) {
      const auto [user, group] = unprivileged_user();
      c << "User " << user << "\nGroup " << group << "\n";
    }
    c << "ErrorLog \"" << error_log().string() << "\"\n"
      << "LogLevel " << options_.log_level << "\n"
      << "LogFormat \"" << options_.log_format << "\" vigil\n"
      << "CustomLog \"" << access_log().string() << "\" vigil\n"
      << "TypesConfig \"" << d << "/mime.types\"\n"
      << "DocumentRoot \"" << d << "/html\"\n"
      << "DirectoryIndex index.html\n"
      << "<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n"
      << "<Directory \"" << d << "/html\">\n  Require all granted\n</Directory>\n"
      << "<Directory \"" << d << "/cgi-bin\">\n  Require all granted\n</Directory>\n"
      << "ExtendedStatus On\n"
      << "<Location \"/server-status\">\n  SetHandler server-status\n</Location>\n"
      << "AliasMatch \"^/login$\" \"" << d << "/html/login.html\"\n"
      << "AliasMatch \"^/json$\" \"" << d << "/html/user.json\"\n";
    if (options_.cgi) {
      c << "ScriptSock \"" << d << "/run/cgid.sock\"\n"
        << "ScriptAliasMatch \"^/slow$\" \"" << d << "/cgi-bin/slow\"\n";
    }
    c << "RewriteEngine On\n"
      << "RewriteRule \"^/status/500$\" - [R=500]\n"
      << "RewriteRule \"^/status/503$\" - [R=503]\n"
      << "RewriteRule \"^/redirect$\" \"/\" [R=302,L]\n";
    const int mrw = std::max(1, options_.max_request_workers);
    if (options_.mpm == "prefork") {
      c << "StartServers " << std::min(2, mrw) << "\nMinSpareServers 1\nMaxSpareServers " << std::max(2, mrw)
        << "\nServerLimit " << mrw << "\nMaxRequestWorkers " << mrw << "\nMaxConnectionsPerChild 0\n";
    } else {
      const int tpc = std::max(1, std::min(options_.threads_per_child, mrw));
      const int servers = (mrw + tpc - 1) / tpc;
      // One spare ServerLimit slot: after a graceful restart old processes finishing their
      // requests hold theirs while the new ones start.
      c << "StartServers " << servers << "\nServerLimit " << servers + 1 << "\nThreadLimit " << tpc
        << "\nThreadsPerChild " << tpc << "\nMinSpareThreads " << tpc << "\nMaxSpareThreads " << servers * tpc
        << "\nMaxRequestWorkers " << servers * tpc << "\nMaxConnectionsPerChild 0\n";
    }
    c << "# extra_config\n" << options_.extra_config << "\n";
    std::ofstream(config_path()) << c.str();
  }

  // A blocking GET of `path` on this server (see http_get).
  HttpReply get(std::string_view path, const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    return http_get(port_, path, headers);
  }

  Options& options() { return options_; }
  const Options& options() const { return options_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // the parent (pid file); its children share its process group
  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::string status_url() const { return url("/server-status?auto"); }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "apache2.conf"; }
  std::filesystem::path docroot() const { return dir_ / "html"; }  // files must stay world-readable
  std::filesystem::path access_log() const { return dir_ / "access.log"; }
  std::filesystem::path error_log() const { return dir_ / "error.log"; }
  std::filesystem::path pid_file() const { return dir_ / "apache2.pid"; }
  // The LogFormat of access_log(), for an access_log check's log_format.
  std::string access_log_format() const {
    std::string f;  // options_.log_format is written with \" escapes for apache2.conf
    for (std::size_t i = 0; i < options_.log_format.size(); ++i) {
      if (options_.log_format[i] == '\\' && i + 1 < options_.log_format.size() && options_.log_format[i + 1] == '"') continue;
      f += options_.log_format[i];
    }
    return f;
  }

 private:
  // Logged at notice level (always written, whatever LogLevel) when a start or restart is done;
  // its AH code differs per MPM (event AH00489, prefork AH00163, worker AH00292).
  static constexpr std::string_view kResumed = "configured -- resuming normal operations";

  static std::pair<std::string, std::string> unprivileged_user() {
    for (const char* name : {"nobody", "www-data", "daemon"}) {
      const passwd* pw = ::getpwnam(name);
      if (!pw) continue;
      const group* gr = ::getgrgid(pw->pw_gid);
      return {pw->pw_name, gr ? std::string(gr->gr_name) : "#" + std::to_string(pw->pw_gid)};
    }
    throw std::runtime_error("running as root and no unprivileged user (nobody, www-data, daemon) for Apache's workers");
  }

  void make_tree() const {
    std::filesystem::create_directories(dir_ / "html");
    std::filesystem::create_directories(dir_ / "cgi-bin");
    std::filesystem::create_directories(dir_ / "run");
    std::ofstream(dir_ / "mime.types") << "text/html html htm\ntext/plain txt\napplication/json json\n"
                                          "text/css css\napplication/javascript js\n";
    std::ofstream(dir_ / "html" / "index.html") << "hello";
    std::ofstream(dir_ / "html" / "login.html")
        << "<!doctype html>\n<html><head><title>Sign in</title></head>\n<body><h1>Sign in</h1>\n"
           "<form method=\"post\"><input name=\"user\"><input name=\"password\" type=\"password\">"
           "<button>Sign in</button></form></body></html>\n";
    std::ofstream(dir_ / "html" / "user.json") << R"({"user":{"id":7}})";
    std::ofstream(dir_ / "cgi-bin" / "slow")
        << "#!/bin/sh\n"
           "# /slow?SECONDS: holds a worker for SECONDS (default 1), then 200.\n"
           "s=\"${QUERY_STRING:-1}\"\n"
           "case \"$s\" in ''|*[!0-9.]*) s=1 ;; esac\n"
           "sleep \"$s\"\n"
           "printf 'Content-Type: text/plain\\r\\n\\r\\nslept %s\\n' \"$s\"\n";
    // Workers run as nobody when we are root: everything they serve must be readable by others.
    namespace fs = std::filesystem;
    const auto dir_perms = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec;
    const auto file_perms = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
    fs::permissions(dir_, dir_perms);
    fs::permissions(dir_ / "html", dir_perms);
    fs::permissions(dir_ / "cgi-bin", dir_perms);
    fs::permissions(dir_ / "run", dir_perms);
    for (const char* f : {"index.html", "login.html", "user.json"}) fs::permissions(dir_ / "html" / f, file_perms);
    fs::permissions(dir_ / "mime.types", file_perms);
    fs::permissions(dir_ / "cgi-bin" / "slow", dir_perms);
  }

  std::size_t count_in_error_log(std::string_view needle) const {
    const std::string text = read_text_file(error_log());
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
  }

  void signal_and_wait(int sig, const char* what) {
    if (pid_ <= 0) throw std::runtime_error(std::string("apache2 ") + what + ": not running");
    const auto before = count_in_error_log(kResumed);
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    while (count_in_error_log(kResumed) == before) {
      if (wait_exited(std::chrono::milliseconds(0))) {
        finish();
        throw std::runtime_error(std::string("apache2 exited on ") + what + ":\n" + read_text_file(dir_ / "stderr.log") +
                                 read_text_file(error_log()));
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(std::string("apache2 ") + what + " did not complete:\n" + read_text_file(error_log()));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // True once the parent has exited (it is left as a zombie: its pid, and so the process group
  // id, cannot be reused until finish() reaps it).
  bool wait_exited(std::chrono::milliseconds patience) const {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (true) {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_)
        return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // Kills stragglers of the group, reaps the parent and waits until the port is closed (a
  // killed child closes the listening socket as it exits; waiting for the group to be empty
  // could wait on zombies that a container's init never reaps).
  void finish() {
    ::killpg(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (tcp_port_accepts(port_) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  Options options_;
  std::uint16_t port_ = 0;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

}  // namespace vigil::testing
