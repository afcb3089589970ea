#include "respond/runbook.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace vigil::respond {
namespace {

// "3m12s", "45s": whole seconds are plenty for a person reading why a run was refused.
std::string ago(Duration d) {
  if (d < Duration::zero()) d = Duration::zero();
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d);
  return format_duration(s < std::chrono::seconds(1) ? d : Duration(s));
}

// "250ms", "1.2s", "1m5s".
std::string took(Duration d) {
  if (d < std::chrono::seconds(1)) return format_duration(d);
  if (d < std::chrono::minutes(1)) return fmt::format("{:.1f}s", static_cast<double>(d.count()) / 1000.0);
  return format_duration(std::chrono::duration_cast<std::chrono::seconds>(d));
}

// The first line(s) of output as one line, whitespace collapsed, at most `limit` characters.
std::string head(const std::string& output, bool truncated, std::size_t limit = 200) {
  std::string s;
  bool space = false;
  for (const char c : output) {
    const bool ws = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (ws) {
      space = !s.empty();
      continue;
    }
    if (space) s += ' ';
    space = false;
    s += c;
    if (s.size() >= limit) {
      truncated = true;
      break;
    }
  }
  if (s.empty()) return {};
  return ": " + s + (truncated ? "..." : "");
}

}  // namespace

Decision RunbookLedger::decide(const config::RunbookConfig& runbook, const std::string& service,
                               std::int64_t incident, bool automatic, Time now) const {
  const auto h = history_.find({service, runbook.name});
  const History* hist = h == history_.end() ? nullptr : &h->second;

  if (!automatic) {
    if (hist && hist->ran && now - hist->last_run < kManualRunGuard) {
      return Decision::refuse(fmt::format("double-click guard: last run {} ago; manual runs wait {} after any run",
                                          ago(now - hist->last_run), format_duration(kManualRunGuard)));
    }
    return Decision::allow();
  }

  if (hist && runbook.flap_limit > 0) {
    const auto recent = std::count_if(hist->automatic_runs.begin(), hist->automatic_runs.end(),
                                      [&](Time t) { return now - t < runbook.flap_window; });
    if (recent >= runbook.flap_limit) {
      return Decision::refuse(fmt::format(
          "stop rule: {} automatic runs within {}; a flapping server is not restarted forever; run it by hand to "
          "resume",
          recent, format_duration(runbook.flap_window)));
    }
  }
  const auto a = attempts_.find({incident, service, runbook.name});
  if ((a == attempts_.end() ? 0 : a->second) >= runbook.max_attempts) {
    return Decision::refuse(fmt::format("max_attempts {} reached for incident #{}", runbook.max_attempts, incident));
  }
  if (hist && hist->ran && now - hist->last_run < runbook.cooldown) {
    return Decision::refuse(fmt::format("cooldown: last run {} ago, cooldown {}", ago(now - hist->last_run),
                                        format_duration(runbook.cooldown)));
  }
  return Decision::allow();
}

void RunbookLedger::record(const config::RunbookConfig& runbook, const std::string& service, std::int64_t incident,
                           bool automatic, Time now) {
  History& h = history_[{service, runbook.name}];
  if (!h.ran || now > h.last_run) h.last_run = now;  // replayed history may arrive out of order
  h.ran = true;
  if (!automatic) {
    // A person looked and chose to run it: the flapping count starts again.
    h.automatic_runs.clear();
    return;
  }
  h.automatic_runs.insert(std::upper_bound(h.automatic_runs.begin(), h.automatic_runs.end(), now), now);
  std::erase_if(h.automatic_runs, [&](Time t) { return h.last_run - t >= runbook.flap_window; });
  ++attempts_[{incident, service, runbook.name}];
}

void RunbookLedger::forget_incident(std::int64_t incident) {
  std::erase_if(attempts_, [&](const auto& entry) { return std::get<0>(entry.first) == incident; });
}

RunbookOutcome run_runbook(const config::RunbookConfig& runbook) {
  RunbookOutcome outcome;
  outcome.runbook = runbook.name;
  SubprocessSpec spec;
  spec.argv = runbook.command;  // from the config only; see runbook.h on why nothing else
  spec.timeout = runbook.timeout;
  spec.max_output = kRunbookMaxOutput;
  auto r = run_subprocess(spec);
  if (!r) {
    outcome.error = r.error().message;
    return outcome;
  }
  outcome.process = std::move(*r);
  return outcome;
}

std::string describe(const RunbookOutcome& o) {
  if (!o.error.empty()) return fmt::format("{} did not run: {}", o.runbook, o.error);
  const SubprocessResult& p = o.process;
  const std::string out = head(p.output, p.truncated);
  if (p.timed_out) return fmt::format("{} timed out after {} and was killed{}", o.runbook, took(p.duration), out);
  if (p.signal != 0) {
    return fmt::format("{} killed by signal {} after {}{}", o.runbook, p.signal, took(p.duration), out);
  }
  return fmt::format("{} exited {} after {}{}", o.runbook, p.exit_code, took(p.duration), out);
}

}  // namespace vigil::respond
