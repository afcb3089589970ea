// The one place vigil starts programs. posix_spawn (vfork-like, cheap for a big daemon), pipes
// with O_CLOEXEC so concurrent spawns on other workers do not leak each other's ends, a poll
// loop that feeds stdin and drains output while watching the deadline.
#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

extern char** environ;

namespace vigil {
namespace {

constexpr int kPollMs = 50;  // how often a quiet child is checked for having exited
constexpr std::size_t kReadChunk = 64 * 1024;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return true;
}

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

std::vector<std::string> environment(const SubprocessSpec& spec) {
  std::vector<std::string> env;
  if (spec.inherit_environment) {
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  } else {
    for (const auto& [k, v] : minimal_environment()) env.push_back(k + "=" + v);
  }
  for (const auto& kv : spec.env) {
    const std::string& k = kv.first;  // not a structured binding: clang 14 cannot capture one in a lambda
    std::erase_if(env, [&](const std::string& entry) { return name_of(entry) == k; });
    env.push_back(k + "=" + kv.second);
  }
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// argv[0] with a '/' is a path; a bare name is looked up in the child's PATH, absolute entries
// only (an empty or relative entry would mean the working directory: not a place to find a
// program that runs as the daemon's user).
Result<std::string> resolve_program(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string_view path;
  for (const auto& entry : env) {
    if (name_of(entry) == "PATH") path = std::string_view(entry).substr(5);
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const std::string_view dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir.front() != '/') continue;
    std::string candidate(dir);
    if (candidate.back() != '/') candidate += '/';
    candidate += name;
    if (is_executable_file(candidate)) return candidate;
  }
  return Error{fmt::format("{} could not start: not found in PATH ({})", name, path.empty() ? "unset" : path)};
}

// Writing to a pipe whose reader exited raises SIGPIPE, which would kill the daemon. It is
// blocked on this (worker) thread for the run, and a pending one is consumed afterwards.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (got_epipe_) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  void saw_epipe() { got_epipe_ = true; }

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool got_epipe_ = false;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> minimal_environment() {
  return {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, {"LANG", "C"}};
}

Result<SubprocessResult> run_subprocess(const SubprocessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return Error{"empty argv"};
  const std::string& name = spec.argv[0];
  std::vector<std::string> env_store = environment(spec);
  auto program = resolve_program(name, env_store);
  if (!program) return program.error();

  SigpipeGuard sigpipe;
  Fd in_read, in_write, out_read, out_write;
  if ((!spec.input.empty() && !make_pipe(in_read, in_write)) || !make_pipe(out_read, out_write)) {
    return Error{fmt::format("{} could not start: pipe: {}", name, std::strerror(errno))};
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (spec.input.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  } else {
    posix_spawn_file_actions_adddup2(&actions, in_read.get(), STDIN_FILENO);
  }
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // The daemon's sockets and database are none of the child's business.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A process group of its own: on timeout the whole group (a script and its children) is killed.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  // Signals the daemon ignores would stay ignored across exec.
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_store = spec.argv;
  auto argv = c_strings(argv_store);
  auto envp = c_strings(env_store);
  const auto started = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program->c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  in_read.reset();
  out_write.reset();
  if (rc != 0) return Error{fmt::format("{} could not start: {}", name, std::strerror(rc))};

  if (in_write.get() >= 0) ::fcntl(in_write.get(), F_SETFL, ::fcntl(in_write.get(), F_GETFL) | O_NONBLOCK);
  ::fcntl(out_read.get(), F_SETFL, ::fcntl(out_read.get(), F_GETFL) | O_NONBLOCK);

  const auto deadline = started + spec.timeout;
  SubprocessResult result;
  std::size_t written = 0;
  std::string buf(kReadChunk, '\0');

  // Bounded: a child (or a grandchild it left behind) writing without pause must not keep us
  // reading past the deadline or after the child is gone.
  auto drain = [&](int max_rounds) {
    for (int round = 0; round < max_rounds && out_read.get() >= 0; ++round) {
      const ssize_t n = ::read(out_read.get(), buf.data(), buf.size());
      if (n > 0) {
        const std::size_t room = spec.max_output - std::min(spec.max_output, result.output.size());
        const std::size_t keep = std::min(static_cast<std::size_t>(n), room);
        result.output.append(buf.data(), keep);
        result.truncated = result.truncated || keep < static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || errno != EAGAIN) out_read.reset();  // EOF (every writer is gone) or a real error
      return;
    }
  };

  int wstatus = 0;
  bool exited = false;
  while (!exited) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) break;
    pollfd fds[2];
    nfds_t nfds = 0;
    if (out_read.get() >= 0) fds[nfds++] = {out_read.get(), POLLIN, 0};
    if (in_write.get() >= 0) fds[nfds++] = {in_write.get(), POLLOUT, 0};
    const int wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), kPollMs));
    if (::poll(fds, nfds, wait_ms) < 0 && errno != EINTR) break;
    for (nfds_t i = 0; i < nfds; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == out_read.get()) {
        drain(16);
      } else if (fds[i].fd == in_write.get()) {
        const ssize_t n = ::write(in_write.get(), spec.input.data() + written, spec.input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 && errno == EPIPE) sigpipe.saw_epipe();
        // Done, or the child closed its stdin without reading it all: that is its call.
        if (written == spec.input.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) in_write.reset();
      }
    }
    // Polled rather than waited on EOF: a background grandchild may hold the output pipe open.
    const pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) exited = true;
    // Someone else in the process reaped it (a SIGCHLD handler calling waitpid(-1)).
    if (r < 0 && errno == ECHILD) {
      return Error{fmt::format("{} ended but its exit status was collected elsewhere in vigil", name)};
    }
  }

  if (!exited) {
    // The group id is the child's pid, still ours until it is reaped below: no reuse race.
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    result.timed_out = true;
  }
  result.duration =
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - started);
  drain(64);  // what the child wrote just before it ended (a pipe holds 64 KB by default)

  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.signal = WTERMSIG(wstatus);
  }
  return result;
}

Result<int> spawn_group_leader(const std::vector<std::string>& argv, const std::string& log, bool append) {
  if (argv.empty()) return Error{"nothing to start: empty argv"};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Error{fmt::format("cannot start {}: {}", argv[0], std::strerror(rc))};
  return static_cast<int>(pid);
}

}  // namespace vigil
