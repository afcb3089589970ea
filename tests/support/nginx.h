// Nginx: a real nginx (Debian's /usr/sbin/nginx) for tests, on 127.0.0.1 and a free port,
// with its own temporary directory (config, pid, logs), started as a child process and
// stopped by its pid. Header-only so any test binary can use it.
//
//   vigil::testing::Nginx web;                 // started; throws std::runtime_error if it can't
//   web.url("/json")                           // "http://127.0.0.1:PORT/json"
//   web.stop(); ... web.start();               // down and up again on the same port
//
// Locations: /  → 200 "hello"        /status/500 → 500         /status/503 → 503
//            /redirect → 302 to /    /json → 200 {"user":{"id":7}} (application/json)
//            anything else → 404.    Options::extra_server_config adds more.
// Options::tls serves https with a fresh self-signed certificate (CN=localhost, valid
// cert_days days) made with the openssl command.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace vigil::testing {

// A port that was free a moment ago on 127.0.0.1 (bind port 0, read it, close).
inline std::uint16_t free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("bind 127.0.0.1:0: " + err);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// True when something accepts TCP connections on 127.0.0.1:port.
inline bool tcp_port_accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Runs argv[0] (a path) with stdin from /dev/null and stdout+stderr to `log`, no other fds
// inherited. Returns the child's pid.
inline pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // test sockets must not leak into the child
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("spawn " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Waits for the child to exit, up to `patience`; then SIGKILL. Returns the wait status.
inline int reap_process(pid_t pid, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return status;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

inline std::string read_text_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits (10 s at most) until the child `pid` accepts connections on 127.0.0.1:port. Throws with
// what its `logs` say if it exits first (pid becomes -1) or never listens (it is killed, reaped
// and pid becomes -1).
inline void await_listening(pid_t& pid, std::uint16_t port, const std::string& what,
                            const std::vector<std::filesystem::path>& logs) {
  auto log_text = [&] {
    std::string out;
    for (const auto& l : logs) out += read_text_file(l);
    return out;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!tcp_port_accepts(port)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      throw std::runtime_error(what + " exited at start:\n" + log_text());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGTERM);
      reap_process(pid, std::chrono::seconds(5));
      pid = -1;
      throw std::runtime_error(what + " did not listen on port " + std::to_string(port) + " within 10s:\n" + log_text());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

class Nginx {
 public:
  struct Options {
    bool tls = false;
    int cert_days = 30;
    // Inserted inside the server block, e.g. "location = /x { return 204; }".
    std::string extra_server_config;
    std::string binary = "/usr/sbin/nginx";
  };

  Nginx() : Nginx(Options{}) {}
  explicit Nginx(Options options) : options_(std::move(options)), port_(free_tcp_port()) {
    char tmpl[] = "/tmp/vigil-nginx-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ / "tmp");
    if (options_.tls) make_certificate();
    write_config();
    start();
  }

  ~Nginx() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  // Starts nginx (no-op when running) and returns once the port accepts connections.
  void start() {
    if (pid_ > 0) return;
    pid_ = spawn_process({options_.binary, "-p", dir_.string() + "/", "-c", (dir_ / "nginx.conf").string(), "-e",
                          (dir_ / "error.log").string()},
                         dir_ / "stderr.log");
    await_listening(pid_, port_, "nginx", {dir_ / "stderr.log", dir_ / "error.log"});
  }

  // Fast shutdown (SIGTERM to the master, which stops its workers), waiting for it to exit.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    reap_process(pid_, std::chrono::seconds(5));
    pid_ = -1;
  }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (https with Options::tls).
  std::string url(std::string_view path = "/") const {
    return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path access_log() const { return dir_ / "access.log"; }  // "combined" format
  std::filesystem::path error_log() const { return dir_ / "error.log"; }

 private:
  void make_certificate() {
    const pid_t pid = spawn_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                     "ec_paramgen_curve:prime256v1", "-nodes", "-days",
                                     std::to_string(options_.cert_days), "-subj", "/CN=localhost", "-keyout",
                                     (dir_ / "key.pem").string(), "-out", (dir_ / "cert.pem").string()},
                                    dir_ / "openssl.log");
    const int status = reap_process(pid, std::chrono::seconds(30));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("openssl req failed:\n" + read_text_file(dir_ / "openssl.log"));
  }

  void write_config() const {
    const std::string d = dir_.string();
    std::ostringstream c;
    c << "daemon off;\nmaster_process on;\nworker_processes 1;\n";
    // As root, nginx would switch its workers to "nobody", who cannot enter our 0700 temp dir.
    if (::geteuid() == 0) c << "user root;\n";
    c << "pid " << d << "/nginx.pid;\n"
      << "error_log " << d << "/error.log notice;\n"
      << "events { worker_connections 1024; }\n"
      << "http {\n"
      << "  access_log " << d << "/access.log combined;\n"
      << "  client_body_temp_path " << d << "/tmp/body;\n"
      << "  proxy_temp_path " << d << "/tmp/proxy;\n"
      << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n"
      << "  uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
      << "  scgi_temp_path " << d << "/tmp/scgi;\n"
      << "  default_type text/plain;\n"
      << "  absolute_redirect off;\n"
      << "  server {\n"
      << "    listen 127.0.0.1:" << port_ << (options_.tls ? " ssl" : "") << ";\n"
      << "    server_name localhost;\n"
      << "    root " << d << "/html;\n";
    if (options_.tls) {
      c << "    ssl_certificate " << d << "/cert.pem;\n"
        << "    ssl_certificate_key " << d << "/key.pem;\n";
    }
    c << "    location = / { return 200 \"hello\"; }\n"
      << "    location = /status/500 { return 500; }\n"
      << "    location = /status/503 { return 503; }\n"
      << "    location = /redirect { return 302 /; }\n"
      << "    location = /json { default_type application/json; return 200 '{\"user\":{\"id\":7}}'; }\n"
      << options_.extra_server_config << "\n"
      << "  }\n"
      << "}\n";
    std::ofstream(dir_ / "nginx.conf") << c.str();
  }

  Options options_;
  std::uint16_t port_ = 0;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

}  // namespace vigil::testing
