// Command: runs a program of the user's (a pager gateway, an SMS script) with the JSON payload
// on stdin. argv is executed directly (posix_spawn), never through a shell, so nothing in an
// incident title can become a command. The child runs on the BlockingWorker, never the loop.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

extern char** environ;

namespace vigil::notify {
namespace {

constexpr std::size_t kMaxOutput = 4096;
constexpr int kPollMs = 50;  // how often a quiet child is checked for having exited

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

std::vector<std::string> environment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : extra) replaced = replaced || k == name;
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string describe_output(std::string output, bool truncated) {
  std::string s = one_line(output);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.empty()) return {};
  return ": " + s + (truncated ? "..." : "");
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
  void saw_epipe() { got_epipe_ = true; }

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool got_epipe_ = false;
};

class CommandChannel final : public Channel {
 public:
  CommandChannel(std::vector<std::string> argv, BlockingWorker& blocking, boost::asio::io_context& io, Duration timeout)
      : argv_(std::move(argv)), blocking_(blocking), io_(io), timeout_(timeout) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    CommandSpec spec;
    spec.argv = argv_;
    spec.input = message.payload;
    spec.timeout = timeout_;
    spec.env = {{"VIGIL_EVENT", message.event},
                {"VIGIL_INCIDENT_ID", std::to_string(message.incident_id)},
                {"VIGIL_MESSAGE_ID", message.id}};
    if (auto payload = parse_payload(message.payload); payload.ok()) {
      if (const auto v = view_of(*payload); v.page) spec.env.emplace_back("VIGIL_USER", v.page->user);
    }
    run_blocking(
        blocking_, io_, [spec = std::move(spec)] { return run_command(spec); }, std::move(done));
  }

 private:
  std::vector<std::string> argv_;
  BlockingWorker& blocking_;
  boost::asio::io_context& io_;
  Duration timeout_;
};

}  // namespace

Status run_command(const CommandSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return Error{"command: empty argv"};
  const std::string& name = spec.argv[0];
  SigpipeGuard sigpipe;

  Fd in_read, in_write, out_read, out_write;
  if (!make_pipe(in_read, in_write) || !make_pipe(out_read, out_write)) {
    return Error{fmt::format("command {}: pipe: {}", name, std::strerror(errno))};
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), STDIN_FILENO);
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
  std::vector<std::string> env_store = environment(spec.env);
  auto argv = c_strings(argv_store);
  auto envp = c_strings(env_store);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, name.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  in_read.reset();
  out_write.reset();
  if (rc != 0) return Error{fmt::format("command {} could not start: {}", name, std::strerror(rc))};

  ::fcntl(in_write.get(), F_SETFL, ::fcntl(in_write.get(), F_GETFL) | O_NONBLOCK);
  ::fcntl(out_read.get(), F_SETFL, ::fcntl(out_read.get(), F_GETFL) | O_NONBLOCK);

  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  std::string output;
  bool truncated = false;
  std::size_t written = 0;
  if (spec.input.empty()) in_write.reset();

  auto drain = [&] {
    char buf[4096];
    // Bounded: a child writing without pause must not keep us past the deadline.
    for (int round = 0; round < 16; ++round) {
      const ssize_t n = ::read(out_read.get(), buf, sizeof buf);
      if (n > 0) {
        const std::size_t keep = std::min<std::size_t>(static_cast<std::size_t>(n), kMaxOutput - output.size());
        output.append(buf, keep);
        truncated = truncated || keep < static_cast<std::size_t>(n);
        continue;
      }
      if (n == 0) out_read.reset();  // EOF: every writer is gone
      if (n < 0 && errno != EAGAIN && errno != EINTR) out_read.reset();
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
        drain();
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
      return Error{fmt::format("command {} ended but its exit status was collected elsewhere in vigil", name)};
    }
  }

  if (!exited) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (out_read.get() >= 0) drain();
    return Error{fmt::format("command {} timed out after {} and was killed{}", name, format_duration(spec.timeout),
                             describe_output(output, truncated))};
  }
  if (out_read.get() >= 0) drain();  // what the child wrote just before exiting

  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::Ok();
  if (WIFEXITED(wstatus)) {
    return Error{fmt::format("command {} exited with status {}{}", name, WEXITSTATUS(wstatus),
                             describe_output(output, truncated))};
  }
  if (WIFSIGNALED(wstatus)) {
    return Error{
        fmt::format("command {} killed by signal {}{}", name, WTERMSIG(wstatus), describe_output(output, truncated))};
  }
  return Error{fmt::format("command {} ended abnormally{}", name, describe_output(output, truncated))};
}

std::unique_ptr<Channel> make_command_contact(const ContactContext& ctx) {
  if (ctx.contact.command.empty() || ctx.contact.command[0].empty()) {
    return make_failing_channel("command contact has no command");
  }
  return std::make_unique<CommandChannel>(ctx.contact.command, ctx.blocking, ctx.io, ctx.options.command_timeout);
}

}  // namespace vigil::notify
