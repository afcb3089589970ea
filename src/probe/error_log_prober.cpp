// error_log checks: follow a web server's error log (rotation-safe, logs/tailer.h), count the
// new lines over the check's window (logs/error_log.h: levels, modules, AH codes, known
// signatures, configured patterns) and show the latest notable lines as the body.
#include <optional>
#include <unordered_map>

#include "probe/logs/error_log.h"
#include "probe/logs/tailer.h"
#include "probe/prober.h"

namespace vigil::probe {

namespace {

// Bytes read per run and check: an error flood is caught up over a few runs instead of
// stalling the shard (figure `behind` says so).
constexpr std::size_t kMaxBytesPerRun = 2 << 20;
constexpr std::size_t kMaxBody = 4096;

bool same_patterns(const std::vector<config::LogPattern>& a, const std::vector<config::LogPattern>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].regex != b[i].regex) return false;
  }
  return true;
}

class ErrorLogProber final : public Prober {
 public:
  void run(const std::string& check_id, const config::CheckConfig& check, ProbeEnv&,
           std::function<void(CheckResult)> done) override {
    done(poll(check_id, check, now_ms()));
  }

  void forget(const std::string& check_id) override { states_.erase(check_id); }

 private:
  struct State {
    std::string path;
    Duration window{};
    std::vector<config::LogPattern> patterns;
    logs::LogTailer tailer;
    std::optional<logs::ErrorLogWindow> counts;
    std::string setup_error;  // an invalid pattern: reported on every run
    std::uint64_t renames = 0, truncations = 0;

    explicit State(const config::CheckConfig& c)
        : path(c.path), window(c.window), patterns(c.patterns), tailer(c.path) {
      auto w = logs::ErrorLogWindow::create(c.window, c.patterns);
      if (w) counts.emplace(std::move(*w));
      else setup_error = "invalid pattern: " + w.error().message;
    }
  };

  State& state_for(const std::string& id, const config::CheckConfig& c) {
    auto it = states_.find(id);
    if (it != states_.end()) {
      State& s = *it->second;
      // A reload that changed what the check reads starts over (a new file, other counts).
      if (s.path == c.path && s.window == c.window && same_patterns(s.patterns, c.patterns)) return s;
      it->second = std::make_unique<State>(c);
      return *it->second;
    }
    return *states_.emplace(id, std::make_unique<State>(c)).first->second;
  }

  CheckResult poll(const std::string& id, const config::CheckConfig& check, Time now) {
    CheckResult r;
    r.check_id = id;
    r.started_at = now;
    State& s = state_for(id, check);
    if (!s.counts) {
      r.error = s.setup_error;
      return r;
    }
    logs::ErrorLogWindow& w = *s.counts;
    auto read = s.tailer.read([&](std::string_view line) { w.add(line, now); }, kMaxBytesPerRun);
    bool behind = false;
    if (read) {
      r.reachable = true;
      behind = read->more;
      s.renames += static_cast<std::uint64_t>(read->rotations);
      s.truncations += static_cast<std::uint64_t>(read->truncations);
    } else {
      r.error = read.error().message;
    }
    r.figures = w.figures(now);
    r.figures["behind"] = behind ? 1.0 : 0.0;
    r.body = w.recent(now, kMaxBody);

    const auto& t = w.totals();
    const std::string lines_help = "Lines read from the log file, by kind (all, error, warning, malformed)";
    r.metrics.push_back(counter_sample("vigil_log_lines_total", lines_help, "kind", "all", static_cast<double>(t.lines)));
    r.metrics.push_back(counter_sample("vigil_log_lines_total", lines_help, "kind", "error", static_cast<double>(t.errors)));
    r.metrics.push_back(counter_sample("vigil_log_lines_total", lines_help, "kind", "warning", static_cast<double>(t.warnings)));
    r.metrics.push_back(counter_sample("vigil_log_lines_total", lines_help, "kind", "malformed", static_cast<double>(t.malformed)));
    const std::string rot_help = "Log rotations followed, by style (rename: a new file; truncate: copytruncate)";
    r.metrics.push_back(counter_sample("vigil_log_rotations_total", rot_help, "style", "rename", static_cast<double>(s.renames)));
    r.metrics.push_back(counter_sample("vigil_log_rotations_total", rot_help, "style", "truncate", static_cast<double>(s.truncations)));
    return r;
  }

  std::unordered_map<std::string, std::unique_ptr<State>> states_;
};

}  // namespace

std::unique_ptr<Prober> make_error_log_prober() { return std::make_unique<ErrorLogProber>(); }

}  // namespace vigil::probe
