// access_log checks: follow a web server's access log (rotation-safe, logs/tailer.h), parse
// the new lines with the check's LogFormat (logs/access_format.h) and keep the sliding-window
// figures (logs/access_window.h: requests, error_rate, p95, per path prefix...). Lines the
// format cannot parse are counted in the figure `malformed` (same window) and a metric.
#include <deque>
#include <optional>
#include <unordered_map>

#include "probe/logs/access_format.h"
#include "probe/logs/access_window.h"
#include "probe/logs/tailer.h"
#include "probe/prober.h"

namespace vigil::probe {

namespace {

// Bytes read per run and check (a busy server's backlog is caught up over a few runs; the
// figure `behind` says so).
constexpr std::size_t kMaxBytesPerRun = 4 << 20;

class AccessLogProber final : public Prober {
 public:
  void run(const std::string& check_id, const config::CheckConfig& check, ProbeEnv&,
           std::function<void(CheckResult)> done) override {
    done(poll(check_id, check, now_ms()));
  }

  void forget(const std::string& check_id) override { states_.erase(check_id); }

 private:
  struct State {
    std::string path;
    std::string log_format;
    Duration window{};
    std::vector<std::string> prefixes;
    logs::LogTailer tailer;
    std::optional<logs::AccessFormat> format;
    std::optional<logs::AccessWindow> requests;
    std::string setup_error;  // a format that does not compile: reported on every run
    logs::AccessRecord record;  // reused: it caches the last %t
    std::deque<std::pair<Time, std::uint64_t>> malformed;  // per run, within the window
    std::uint64_t malformed_in_window = 0;
    std::uint64_t lines_total = 0, malformed_total = 0, renames = 0, truncations = 0;

    explicit State(const config::CheckConfig& c)
        : path(c.path), log_format(c.log_format), window(c.window), prefixes(c.path_prefixes), tailer(c.path) {
      auto f = logs::AccessFormat::compile(c.log_format.empty() ? "combined" : c.log_format);
      if (!f) {
        setup_error = "log_format: " + f.error().message;
        return;
      }
      format.emplace(std::move(*f));
      requests.emplace(c.window, c.path_prefixes, format->has_duration());
    }

    bool same_config(const config::CheckConfig& c) const {
      return path == c.path && log_format == c.log_format && window == c.window && prefixes == c.path_prefixes;
    }
  };

  State& state_for(const std::string& id, const config::CheckConfig& c) {
    auto it = states_.find(id);
    if (it != states_.end()) {
      if (it->second->same_config(c)) return *it->second;
      it->second = std::make_unique<State>(c);  // a reload changed what the check reads
      return *it->second;
    }
    return *states_.emplace(id, std::make_unique<State>(c)).first->second;
  }

  CheckResult poll(const std::string& id, const config::CheckConfig& check, Time now) {
    CheckResult r;
    r.check_id = id;
    r.started_at = now;
    State& s = state_for(id, check);
    if (!s.format) {
      r.error = s.setup_error;
      return r;
    }
    s.requests->evict(now);  // first, so a line stamped in the future counts at `now`
    std::uint64_t bad = 0;
    auto read = s.tailer.read(
        [&](std::string_view line) {
          if (line.empty()) return;
          ++s.lines_total;
          if (s.format->parse(line, s.record)) s.requests->add(s.record);
          else ++bad;
        },
        kMaxBytesPerRun);
    bool behind = false;
    if (read) {
      r.reachable = true;
      behind = read->more;
      s.renames += static_cast<std::uint64_t>(read->rotations);
      s.truncations += static_cast<std::uint64_t>(read->truncations);
    } else {
      r.error = read.error().message;
    }
    s.malformed_total += bad;
    if (bad > 0) {
      s.malformed.emplace_back(now, bad);
      s.malformed_in_window += bad;
    }
    while (!s.malformed.empty() && s.malformed.front().first <= now - s.window) {
      s.malformed_in_window -= s.malformed.front().second;
      s.malformed.pop_front();
    }

    s.requests->evict(now);
    r.figures = s.requests->figures(now);
    r.figures["malformed"] = static_cast<double>(s.malformed_in_window);
    r.figures["behind"] = behind ? 1.0 : 0.0;

    const std::string lines_help = "Lines read from the log file, by kind (all, malformed)";
    r.metrics.push_back(counter_sample("vigil_log_lines_total", lines_help, "kind", "all", static_cast<double>(s.lines_total)));
    r.metrics.push_back(counter_sample("vigil_log_lines_total", lines_help, "kind", "malformed", static_cast<double>(s.malformed_total)));
    const std::string rot_help = "Log rotations followed, by style (rename: a new file; truncate: copytruncate)";
    r.metrics.push_back(counter_sample("vigil_log_rotations_total", rot_help, "style", "rename", static_cast<double>(s.renames)));
    r.metrics.push_back(counter_sample("vigil_log_rotations_total", rot_help, "style", "truncate", static_cast<double>(s.truncations)));
    return r;
  }

  std::unordered_map<std::string, std::unique_ptr<State>> states_;
};

}  // namespace

std::unique_ptr<Prober> make_access_log_prober() { return std::make_unique<AccessLogProber>(); }

}  // namespace vigil::probe
