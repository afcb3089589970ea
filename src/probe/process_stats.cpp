#include "probe/process_stats.h"

#include <charconv>

namespace vigil::probe {

namespace {

std::string_view next_field(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  std::size_t j = i;
  while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
  const std::string_view tok = s.substr(i, j - i);
  s.remove_prefix(j);
  return tok;
}

template <typename T>
std::optional<T> to_num(std::string_view s) {
  T v{};
  if (s.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<ProcStat> parse_proc_pid_stat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  ProcStat s;
  std::string_view head = text.substr(0, open);
  const auto pid = to_num<int>(next_field(head));
  if (!pid) return std::nullopt;
  s.pid = *pid;
  s.comm = std::string(text.substr(open + 1, close - open - 1));
  std::string_view rest = text.substr(close + 1);
  // Fields from 3 on: state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime(22).
  const std::string_view state = next_field(rest);
  if (state.size() != 1) return std::nullopt;
  s.state = state[0];
  const auto ppid = to_num<int>(next_field(rest));
  if (!ppid) return std::nullopt;
  s.ppid = *ppid;
  for (int field = 5; field < 22; ++field)
    if (next_field(rest).empty()) return std::nullopt;
  const auto start = to_num<std::uint64_t>(next_field(rest));
  if (!start) return std::nullopt;
  s.start_ticks = *start;
  return s;
}

std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view text) {
  if (next_field(text).empty()) return std::nullopt;
  return to_num<std::uint64_t>(next_field(text));
}

std::optional<double> parse_uptime_seconds(std::string_view text) { return to_num<double>(next_field(text)); }

std::string argv0_basename(std::string_view cmdline) {
  std::string_view argv0 = cmdline.substr(0, cmdline.find('\0'));
  // A process that rewrote its title into argv[0] ("sshd: root@pts/0") keeps a single string.
  if (cmdline.find('\0') == std::string_view::npos || cmdline.find('\0') == cmdline.size() - 1)
    argv0 = argv0.substr(0, argv0.find(' '));
  if (const std::size_t slash = argv0.rfind('/'); slash != std::string_view::npos) argv0.remove_prefix(slash + 1);
  return std::string(argv0);
}

bool process_matches(std::string_view name, std::string_view comm, std::string_view cmdline) {
  if (name.empty()) return false;
  if (comm == name) return true;
  // comm is cut to 15 bytes; anything longer, or a script run by an interpreter under another
  // comm, is recognised by argv[0].
  return !cmdline.empty() && argv0_basename(cmdline) == name;
}

void RestartTracker::observe(const std::optional<ProcessIdentity>& oldest) {
  if (!oldest) return;  // down: keep the identity so coming back counts once
  if (last && *last != *oldest) ++restarts;
  last = oldest;
}

}  // namespace vigil::probe
