// A real DNS server for tests: Debian's dnsmasq (package dnsmasq-base, no system service) on
// 127.0.0.1:<free port>, answering only from the records given on its command line (`--local`
// makes every other name under those domains NXDOMAIN; nothing is forwarded anywhere). Started
// by the constructor, stopped by PID in the destructor.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "support/nginx.h"  // free_tcp_port, spawn_process, await_listening, reap_process

namespace vigil::testing {

class Dnsmasq {
 public:
  // `records`: dnsmasq options such as "--host-record=web.test,10.0.0.5" or
  // "--mx-host=mail.test,mx1.mail.test,10"; `local`: domains answered only from them.
  explicit Dnsmasq(std::vector<std::string> records, std::vector<std::string> local = {"test"})
      : records_(std::move(records)), local_(std::move(local)) {
    char tmpl[] = "/tmp/vigil-dnsmasq-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;
    port_ = free_tcp_port();
    start();
  }
  ~Dnsmasq() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  void start() {
    if (pid_ > 0) return;
    std::vector<std::string> argv = {"/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                                     "--no-resolv", "--no-hosts", "--no-poll", "--listen-address=127.0.0.1",
                                     "--bind-interfaces", "--port=" + std::to_string(port_), "--pid-file=",
                                     "--log-facility=-"};
    for (const auto& d : local_) argv.push_back("--local=/" + d + "/");
    argv.insert(argv.end(), records_.begin(), records_.end());
    pid_ = spawn_process(argv, dir_ / "dnsmasq.log");
    await_listening(pid_, port_, "dnsmasq", {dir_ / "dnsmasq.log"});  // it listens on TCP as well as UDP
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    reap_process(pid_, std::chrono::seconds(5));
    pid_ = -1;
  }

  std::uint16_t port() const { return port_; }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::vector<std::string> records_;
  std::vector<std::string> local_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vigil::testing
