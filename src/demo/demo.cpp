#include "demo/demo.h"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "app/engine.h"
#include "demo/api.h"
#include "demo/apache_site.h"
#include "demo/loopback.h"
#include "demo/narrator.h"
#include "demo/pacer.h"
#include "demo/receiver.h"
#include "demo/scenario.h"
#include "demo/speed.h"
#include "demo/visitors.h"

namespace vigil::demo {
namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace {

// examples/demo.yaml from the working directory (the repository, as `make run` does), else
// next to the binary's build tree (build/<preset>/vigil → ../../examples).
std::optional<fs::path> find_config(const std::string& given) {
  if (!given.empty()) return fs::path(given);
  std::error_code ec;
  std::vector<fs::path> candidates = {"examples/demo.yaml"};
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path().parent_path() / "examples/demo.yaml");
    candidates.push_back(exe.parent_path().parent_path() / "share/vigil/examples/demo.yaml");
  }
  for (const auto& c : candidates)
    if (fs::exists(c, ec)) return c;
  return std::nullopt;
}

// Turns SIGINT/SIGTERM into pacer.stop() on a thread of its own: the signals are blocked in
// every thread (set before any starts), so neither Apache's group nor a worker sees them.
class SignalWatch {
 public:
  explicit SignalWatch(Pacer& pacer) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, &pacer] {
      const timespec tick{0, 200'000'000};
      while (!done_) {
        const int s = sigtimedwait(&set_, nullptr, &tick);
        if (s > 0) {
          signal_ = s;
          pacer.stop();
        }
      }
    });
  }
  ~SignalWatch() {
    done_ = true;
    thread_.join();
    pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
  }
  int signal() const { return signal_; }

 private:
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  std::thread thread_;
};

void narrate_message(Narrator& n, const ReceivedMessage& m) {
  if (m.event == "page") {
    n.event(fmt::format("PAGE to {} (rule {}): #{} {}", m.name, m.rule, m.incident, m.title));
    n.say(fmt::format("{}'s phone buzzes. The page carries signed Acknowledge and Resolve links.", m.name));
    return;
  }
  std::string text(m.text.substr(0, m.text.find('\n')));
  if (text.size() > 100) text = text.substr(0, 97) + "...";
  n.event(fmt::format("Team chat: #{} {}: {}", m.incident, m.event, text));
}

void remove_previous_store(const fs::path& db) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(db.string() + suffix, ec);
}

}  // namespace

int run_demo(const DemoOptions& o) {
  if (Status s = check_speed(o.speed); !s.ok()) {
    fmt::print(stderr, "vigil demo: {}: {}\n", s.error().field, s.error().message);
    return 2;
  }
  auto config_path = find_config(o.config_path);
  if (!config_path) {
    fmt::print(stderr, "vigil demo: examples/demo.yaml not found: run it from the repository, or pass --config\n");
    return 1;
  }
  Pacer pacer(o.speed);
  SignalWatch signals(pacer);

  std::error_code ec;
  const fs::path data = fs::absolute(o.data_dir, ec).lexically_normal();
  ApacheSitePaths paths{data / "demo"};
  auto apache_port = free_loopback_port();
  if (!apache_port.ok()) {
    fmt::print(stderr, "vigil demo: {}\n", apache_port.error().message);
    return 1;
  }
  ApacheSite site(paths, ApacheSiteOptions{*apache_port, "/usr/sbin/apache2", "/usr/lib/apache2/modules",
                                           unprivileged_user_if_root()});
  if (Status s = site.write_files(); !s.ok()) {
    fmt::print(stderr, "vigil demo: {}\n", s.error().message);
    return 1;
  }
  const fs::path store = paths.root / "vigil.db";
  remove_previous_store(store);  // each demo tells the story from incident #1

  asio::io_context io{1};
  std::optional<Narrator> narrator;
  Receiver receiver(io, [&narrator](const ReceivedMessage& m) {
    if (narrator) narrate_message(*narrator, m);
  });
  if (Status s = receiver.start(); !s.ok()) {
    fmt::print(stderr, "vigil demo: webhook receiver: {}\n", s.error().message);
    return 1;
  }
  ::setenv(kEnvListen, o.listen.c_str(), 1);
  ::setenv(kEnvSite, fmt::format("http://127.0.0.1:{}", *apache_port).c_str(), 1);
  ::setenv(kEnvReceiver, receiver.url().c_str(), 1);
  ::setenv(kEnvDir, paths.root.c_str(), 1);
  ::setenv(kEnvData, data.c_str(), 1);
  auto loaded = config::load_config(config_path->string());
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) fmt::print(stderr, "{}\n", config::to_string(e));
    return 1;
  }
  config::Config cfg = std::move(*loaded.config);
  scale_config(cfg, o.speed);
  narrator.emplace(stdout, o.quiet, cfg.postmortems.time_zone);
  Narrator& n = *narrator;

  // The engine's own log goes to a file: the terminal is for the story.
  const fs::path engine_log = paths.root / "vigil.log";
  try {
    spdlog::set_default_logger(spdlog::basic_logger_mt("vigil-demo", engine_log.string(), true));
    spdlog::flush_every(std::chrono::seconds(1));
  } catch (const spdlog::spdlog_ex& e) {
    fmt::print(stderr, "vigil demo: {}: {}\n", engine_log.string(), e.what());
  }

  n.event(fmt::format("vigil demo: the Apache2 outage on WebServer-01, replayed live{}.",
                      o.speed == 1 ? "" : fmt::format(" at {}x speed", o.speed)));
  n.say(fmt::format("Config: {} (ports and paths from VIGIL_DEMO_* variables). Engine log: {}", config_path->string(),
                    engine_log.string()));
  if (Status s = site.start(); !s.ok()) {
    fmt::print(stderr, "vigil demo: apache2: {}\n", s.error().message);
    return 1;
  }
  n.event(fmt::format("Apache2 started: http://127.0.0.1:{}/ (pid {}, config {}).", *apache_port, site.pid(),
                      paths.main_conf().string()));

  int code = 0;
  {
    app::Engine engine(io, cfg);
    if (Status s = engine.start(); !s.ok()) {
      fmt::print(stderr, "vigil demo: vigil could not start on {}: {}{}\n", o.listen, s.error().message,
                 " (is another vigil running? pick a free address with --listen)");
      site.stop();
      return 1;
    }
    std::thread loop([&io] { io.run(); });
    const std::string ui = "http://" + o.listen;
    n.event(fmt::format("vigil is watching. UI and API: {}/  (incidents: {}/api/v1/incidents)", ui, ui));
    Visitors visitors;
    visitors.start(*apache_port, std::max<Duration>(std::chrono::milliseconds(20), scaled(std::chrono::milliseconds(400), o.speed)));

    ApiClient api(ui);
    Stage stage{cfg, n, pacer, receiver, site, visitors, api};
    auto story = play_story(stage);
    visitors.stop();
    if (!story.ok()) {
      code = pacer.stopped() ? 130 : 1;
      if (!pacer.stopped()) n.event("The demo stopped early: " + story.error().message + ". See " + engine_log.string());
    } else {
      n.chapter("The end");
      if (story->postmortem.empty()) code = 1;
      else n.event(fmt::format("Read the postmortem: {}", story->postmortem.string()));
      n.event(fmt::format("Incident #{}: {}/incidents/{} (UI), {}/api/v1/incidents/{} (API)", story->incident, ui,
                          story->incident, ui, story->incident));
      if (!o.exit_when_done) {
        n.event("Still running: the UI and API stay up. Press Ctrl-C to stop Apache and vigil.");
        pacer.wait_stopped();
      }
    }
    if (signals.signal() != 0 && !story.ok()) code = 130;
    asio::post(io, [&] {
      engine.stop();
      receiver.stop();
    });
    // Engine::stop flushes on the loop; stop the loop only after it ran.
    asio::post(io, [&io] { io.stop(); });
    loop.join();
    engine.stop();
  }
  const pid_t apache_pid = site.pid();
  site.stop();
  n.event(fmt::format("Stopped Apache2 (pid {}) and vigil. Nothing of the demo is left running.", apache_pid));
  spdlog::default_logger()->flush();
  return code;
}

}  // namespace vigil::demo
