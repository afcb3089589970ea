#include "demo/apache_site.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/subprocess.h"
#include "demo/loopback.h"


namespace vigil::demo {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kResumed = "resuming normal operations";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Status write_file(const fs::path& p, std::string_view text, fs::perms perms = fs::perms(0644)) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error{fmt::format("cannot write {}", p.string()), "--data"};
  fs::permissions(p, perms, ec);
  return Status::Ok();
}

bool alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// An Apache a previous demo left behind (it was kill -9'd): its pid file names a live apache2
// whose command line has our config path. Anything else is not ours to stop.
void stop_leftover(const ApacheSitePaths& paths) {
  const std::string text = read_file(paths.pid_file());
  const pid_t pid = static_cast<pid_t>(std::atoi(text.c_str()));
  if (pid <= 1 || !alive(pid)) return;
  std::string cmdline = read_file(fs::path("/proc") / std::to_string(pid) / "cmdline");
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  if (cmdline.find("apache2") == std::string::npos || cmdline.find(paths.main_conf().string()) == std::string::npos)
    return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

}  // namespace

std::optional<std::pair<std::string, std::string>> unprivileged_user_if_root() {
  if (::geteuid() != 0) return std::nullopt;
  const passwd* pw = ::getpwnam("nobody");
  if (!pw) pw = ::getpwnam("www-data");
  if (!pw) return std::pair<std::string, std::string>{"nobody", "nogroup"};
  const group* gr = ::getgrgid(pw->pw_gid);
  return std::pair<std::string, std::string>{pw->pw_name, gr ? gr->gr_name : std::to_string(pw->pw_gid)};
}

ApacheSite::ApacheSite(ApacheSitePaths paths, ApacheSiteOptions options)
    : paths_(std::move(paths)), options_(std::move(options)) {}

ApacheSite::~ApacheSite() { stop(); }

Status ApacheSite::write_files() {
  if (Status st = check_config_path(paths_.root); !st.ok()) return st;
  stop_leftover(paths_);
  std::error_code ec;
  for (const auto& d : {paths_.conf_dir(), paths_.htdocs(), paths_.run_dir(), paths_.logs(),
                        paths_.last_good().parent_path()}) {
    fs::create_directories(d, ec);
    if (ec) return Error{fmt::format("cannot create {}: {}", d.string(), ec.message()), "--data"};
  }
  const std::string good = site_conf_text(paths_, SiteVersion::good);
  struct File {
    fs::path path;
    std::string text;
    fs::perms perms = fs::perms(0644);
  };
  const File files[] = {
      {paths_.main_conf(), apache_conf_text(paths_, options_)},
      {paths_.site_conf(), good},
      {paths_.last_good(), good},
      {paths_.conf_dir() / "mime.types", "text/html html htm\ntext/css css\n"},
      {paths_.rollback(), rollback_script_text(paths_, options_), fs::perms(0755)},
      {paths_.htdocs() / "index.html",
       "<!doctype html>\n<title>WebServer-01</title>\n<h1>WebServer-01</h1>\n"
       "<p>Welcome back. Premium members: <a href=\"/login\">sign in</a>.</p>\n"},
      {paths_.htdocs() / "login",
       "<!doctype html>\n<title>Sign in - WebServer-01</title>\n<h1>Sign in</h1>\n"
       "<form method=\"post\"><input name=\"user\"> <input name=\"password\" type=\"password\">\n"
       "<button>Sign in</button></form>\n"},
  };
  for (const auto& f : files)
    if (Status st = write_file(f.path, f.text, f.perms); !st.ok()) return st;
  // A fresh story: the logs (and the figures and impact counted from them) start empty.
  fs::remove(paths_.access_log(), ec);
  fs::remove(paths_.error_log(), ec);
  if (options_.run_as) {
    // Apache's workers (nobody) must read the pages: make our tree world-readable.
    for (auto it = fs::recursive_directory_iterator(paths_.root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_directory()) fs::permissions(it->path(), fs::perms(0755), ec);
    fs::permissions(paths_.root, fs::perms(0755), ec);
  }
  return Status::Ok();
}

bool ApacheSite::running() const { return pid_ > 0 && alive(pid_); }

std::size_t ApacheSite::resumed_count() const {
  const std::string log = read_file(paths_.error_log());
  std::size_t n = 0;
  for (auto pos = log.find(kResumed); pos != std::string::npos; pos = log.find(kResumed, pos + 1)) ++n;
  return n;
}

Status ApacheSite::wait_resumed(std::size_t before, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (resumed_count() <= before || !tcp_port_accepts(options_.port)) {
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Error{"apache2 exited:\n" + read_file(paths_.run_dir() / "stderr.log") +
                   read_file(paths_.error_log())};
    }
    if (std::chrono::steady_clock::now() > deadline)
      return Error{fmt::format("apache2 did not come up on 127.0.0.1:{} within {}:\n{}", options_.port,
                               format_duration(timeout), read_file(paths_.error_log()))};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Ok();
}

Status ApacheSite::start(Duration timeout) {
  if (running()) return Status::Ok();
  const std::size_t before = resumed_count();
  auto pid = spawn_group_leader({options_.binary, "-f", paths_.main_conf().string(), "-DFOREGROUND"},
                                (paths_.run_dir() / "stderr.log").string());
  if (!pid.ok()) return pid.error();
  pid_ = *pid;
  Status st = wait_resumed(before, timeout);
  if (!st.ok()) stop();
  return st;
}

Status ApacheSite::deploy(SiteVersion version, Duration timeout) {
  if (Status st = write_file(paths_.site_conf(), site_conf_text(paths_, version)); !st.ok()) return st;
  if (!running()) return Error{"apache2 is not running"};
  const std::size_t before = resumed_count();
  ::kill(pid_, SIGUSR1);
  return wait_resumed(before, timeout);
}

void ApacheSite::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  // Wait for the exit without reaping (WNOWAIT): while the zombie exists its pid, and so its
  // process group id, cannot be reused, so the group SIGKILL below only reaches Apache.
  siginfo_t info{};
  bool exited = false;
  for (int i = 0; i < 200 && !exited; ++i) {  // 10 s
    info.si_pid = 0;
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno != EINTR) break;
    exited = info.si_pid == pid_;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::killpg(pid_, SIGKILL);  // workers of an old generation still finishing, or a hung parent
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace vigil::demo
