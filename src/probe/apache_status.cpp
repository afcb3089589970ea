#include "probe/apache_status.h"

#include <charconv>
#include <cmath>
#include <cctype>

namespace vigil::probe {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<double> to_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

enum class Kind { text, number, seconds, millis };

struct KnownField {
  const char* key;
  const char* figure;
  Kind kind;
};

// Apache 2.4's server-status?auto fields (modules/generators/mod_status.c), in print order.
constexpr KnownField kKnown[] = {
    {"ServerVersion", "server_version", Kind::text},
    {"ServerMPM", "server_mpm", Kind::text},
    {"Server Built", "server_built", Kind::text},
    {"CurrentTime", "current_time", Kind::text},
    {"RestartTime", "restart_time", Kind::text},
    {"ParentServerConfigGeneration", "parent_server_config_generation", Kind::number},
    {"ParentServerMPMGeneration", "parent_server_mpm_generation", Kind::number},
    {"ServerUptimeSeconds", "server_uptime_seconds", Kind::number},
    {"ServerUptime", "server_uptime", Kind::text},
    {"Load1", "load1", Kind::number},
    {"Load5", "load5", Kind::number},
    {"Load15", "load15", Kind::number},
    {"Total Accesses", "total_accesses", Kind::number},
    {"Total kBytes", "total_kbytes", Kind::number},
    {"Total Duration", "total_duration", Kind::millis},  // milliseconds
    {"CPUUser", "cpu_user", Kind::number},               // seconds
    {"CPUSystem", "cpu_system", Kind::number},
    {"CPUChildrenUser", "cpu_children_user", Kind::number},
    {"CPUChildrenSystem", "cpu_children_system", Kind::number},
    {"CPULoad", "cpu_load", Kind::number},  // percent, as Apache prints it
    {"Uptime", "uptime", Kind::seconds},
    {"ReqPerSec", "req_per_sec", Kind::number},
    {"BytesPerSec", "bytes_per_sec", Kind::number},
    {"BytesPerReq", "bytes_per_req", Kind::number},
    {"DurationPerReq", "duration_per_req", Kind::millis},  // milliseconds
    {"BusyWorkers", "busy_workers", Kind::number},
    {"GracefulWorkers", "graceful_workers", Kind::number},
    {"IdleWorkers", "idle_workers", Kind::number},
    {"Processes", "processes", Kind::number},
    {"Stopping", "stopping", Kind::number},
    {"ConnsTotal", "conns_total", Kind::number},
    {"ConnsAsyncWaitIO", "conns_async_wait_io", Kind::number},
    {"ConnsAsyncWriting", "conns_async_writing", Kind::number},
    {"ConnsAsyncKeepAlive", "conns_async_keep_alive", Kind::number},
    {"ConnsAsyncClosing", "conns_async_closing", Kind::number},
};

const KnownField* known(std::string_view key) {
  for (const KnownField& k : kKnown)
    if (key == k.key) return &k;
  return nullptr;
}

// Keys a future Apache may add ("ConnsAsyncFoo: 3") get a figure of their own; keys with
// indexes or punctuation (ProxyBalancer[0]Worker[1]Elected, TLSSessionCacheStatus lines of
// mod_ssl) are kept in `fields` only.
bool plain_key(std::string_view key) {
  if (key.empty() || !std::isalpha(static_cast<unsigned char>(key.front()))) return false;
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ' ') return false;
  return true;
}

Duration millis(double ms) { return Duration(static_cast<Duration::rep>(std::llround(ms))); }

MetricSample make_sample(std::string name, const char* type, const char* help, double value,
                    std::vector<std::pair<std::string, std::string>> labels = {}) {
  MetricSample m;
  m.name = std::move(name);
  m.type = type;
  m.help = help;
  m.labels = std::move(labels);
  m.value = value;
  return m;
}

}  // namespace

const std::string* ApacheStatus::get(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

std::optional<double> ApacheStatus::number(std::string_view key) const {
  const std::string* v = get(key);
  return v ? to_number(*v) : std::nullopt;
}

Result<ApacheStatus> parse_apache_status(std::string_view text) {
  ApacheStatus out;
  bool first = true;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    line = trim(line);
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (first) out.host = std::string(line);
      first = false;
      continue;
    }
    first = false;
    out.fields.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  if (!out.get("Scoreboard") && !out.get("BusyWorkers") && !out.get("ServerVersion")) {
    return Error{"not mod_status ?auto output (no ServerVersion, BusyWorkers or Scoreboard line)"};
  }
  return out;
}

std::map<char, int> count_scoreboard(std::string_view scoreboard) {
  std::map<char, int> counts;
  for (const ScoreboardState& s : kScoreboardStates) counts[s.symbol] = 0;
  for (char c : scoreboard) ++counts[c];
  return counts;
}

std::string apache_figure_name(std::string_view key) {
  if (const KnownField* k = known(key)) return k->figure;
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (c == ' ' || c == '-') {
      if (!out.empty() && out.back() != '_') out += '_';
      continue;
    }
    if (std::isupper(c) && i > 0 && !out.empty() && out.back() != '_') {
      const unsigned char prev = static_cast<unsigned char>(key[i - 1]);
      const bool next_lower = i + 1 < key.size() && std::islower(static_cast<unsigned char>(key[i + 1]));
      // aB → a_b; ABc → a_bc (the end of an acronym: MPMGeneration → mpm_generation)
      if (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower)) out += '_';
    }
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::map<std::string, FigureValue> apache_figures(const ApacheStatus& s) {
  std::map<std::string, FigureValue> f;
  for (const auto& [key, value] : s.fields) {
    if (key == "Scoreboard") continue;
    if (const KnownField* k = known(key)) {
      if (f.contains(k->figure)) continue;  // first occurrence wins
      if (k->kind == Kind::text) {
        f.emplace(k->figure, value);
        continue;
      }
      const auto n = to_number(value);
      if (!n) continue;
      switch (k->kind) {
        case Kind::number: f.emplace(k->figure, *n); break;
        case Kind::seconds: f.emplace(k->figure, millis(*n * 1000.0)); break;
        case Kind::millis: f.emplace(k->figure, millis(*n)); break;
        case Kind::text: break;
      }
      continue;
    }
    if (!plain_key(key)) continue;
    if (const auto n = to_number(value)) f.emplace(apache_figure_name(key), *n);
  }
  if (const std::string* board = s.get("Scoreboard")) {
    const auto counts = count_scoreboard(*board);
    for (const ScoreboardState& st : kScoreboardStates)
      f[std::string("scoreboard.") + st.figure] = static_cast<double>(counts.at(st.symbol));
  }
  const auto busy = s.number("BusyWorkers");
  const auto idle = s.number("IdleWorkers");
  if (busy && idle && *busy + *idle > 0) f["busy_workers_ratio"] = *busy / (*busy + *idle);
  return f;
}

MetricSample apache_up_metric(bool up) {
  return make_sample("apache_up", "gauge", "Could the apache server be reached", up ? 1 : 0);
}

std::optional<double> apache_version_number(std::string_view v) {
  // "Apache/2.4.71 (Debian)": the exporter turns major.minor.patch into major.MMPPP.
  const std::size_t slash = v.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  v = v.substr(slash + 1);
  v = v.substr(0, v.find(' '));
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), parts[i]);
    if (ec != std::errc() || parts[i] < 0) return std::nullopt;
    v.remove_prefix(static_cast<std::size_t>(end - v.data()));
    if (i < 2) {
      if (v.empty() || v.front() != '.') return std::nullopt;
      v.remove_prefix(1);
    }
  }
  return parts[0] + parts[1] / 100.0 + parts[2] / 100000.0;
}

std::vector<MetricSample> apache_metrics(const ApacheStatus& s) {
  std::vector<MetricSample> m;
  m.push_back(apache_up_metric(true));
  const std::string* version = s.get("ServerVersion");
  const std::string* mpm = s.get("ServerMPM");
  if (version) {
    if (auto v = apache_version_number(*version)) m.push_back(make_sample("apache_version", "gauge", "Apache server version", *v));
  }
  m.push_back(make_sample("apache_info", "gauge", "Apache version information", 1,
                     {{"version", version ? *version : "UNKNOWN"}, {"mpm", mpm ? *mpm : "UNKNOWN"}}));
  auto gauge = [&](const char* key, const char* name, const char* help,
                   std::vector<std::pair<std::string, std::string>> labels = {}) {
    if (auto v = s.number(key)) m.push_back(make_sample(name, "gauge", help, *v, std::move(labels)));
  };
  auto counter = [&](const char* key, const char* name, const char* help) {
    if (auto v = s.number(key)) m.push_back(make_sample(name, "counter", help, *v));
  };
  gauge("ParentServerConfigGeneration", "apache_generation", "Apache restart generation", {{"type", "config"}});
  gauge("ParentServerMPMGeneration", "apache_generation", "Apache restart generation", {{"type", "mpm"}});
  gauge("Load1", "apache_load", "Apache server load", {{"interval", "1min"}});
  gauge("Load5", "apache_load", "Apache server load", {{"interval", "5min"}});
  gauge("Load15", "apache_load", "Apache server load", {{"interval", "15min"}});
  counter("Total Accesses", "apache_accesses_total", "Current total apache accesses (*)");
  counter("Total kBytes", "apache_sent_kilobytes_total", "Current total kbytes sent (*)");
  counter("Total Duration", "apache_duration_ms_total", "Total duration of all registered requests in ms");
  const auto user = s.number("CPUUser"), cuser = s.number("CPUChildrenUser");
  const auto sys = s.number("CPUSystem"), csys = s.number("CPUChildrenSystem");
  if (user || cuser || sys || csys) {
    m.push_back(make_sample("apache_cpu_time_ms_total", "counter", "Apache CPU time", 1000 * (user.value_or(0) + cuser.value_or(0)),
                       {{"type", "user"}}));
    m.push_back(make_sample("apache_cpu_time_ms_total", "counter", "Apache CPU time", 1000 * (sys.value_or(0) + csys.value_or(0)),
                       {{"type", "system"}}));
  }
  gauge("CPULoad", "apache_cpuload",
        "The current percentage CPU used by each worker and in total by all workers combined (*)");
  counter("Uptime", "apache_uptime_seconds_total", "Current uptime in seconds (*)");
  gauge("BusyWorkers", "apache_workers", "Apache worker statuses", {{"state", "busy"}});
  gauge("IdleWorkers", "apache_workers", "Apache worker statuses", {{"state", "idle"}});
  gauge("Processes", "apache_processes", "Apache process count", {{"state", "all"}});
  gauge("Stopping", "apache_processes", "Apache process count", {{"state", "stopping"}});
  gauge("ConnsTotal", "apache_connections", "Apache connection statuses", {{"state", "total"}});
  gauge("ConnsAsyncWriting", "apache_connections", "Apache connection statuses", {{"state", "writing"}});
  gauge("ConnsAsyncKeepAlive", "apache_connections", "Apache connection statuses", {{"state", "keepalive"}});
  gauge("ConnsAsyncClosing", "apache_connections", "Apache connection statuses", {{"state", "closing"}});
  if (const std::string* board = s.get("Scoreboard")) {
    const auto counts = count_scoreboard(*board);
    for (const ScoreboardState& st : kScoreboardStates)
      m.push_back(make_sample("apache_scoreboard", "gauge", "Apache scoreboard statuses", counts.at(st.symbol),
                         {{"state", st.metric}}));
    for (const auto& [symbol, n] : counts) {  // a state this version does not know, as the exporter does
      bool listed = false;
      for (const ScoreboardState& st : kScoreboardStates) listed = listed || st.symbol == symbol;
      if (!listed)
        m.push_back(make_sample("apache_scoreboard", "gauge", "Apache scoreboard statuses", n, {{"state", std::string(1, symbol)}}));
    }
  }
  return m;
}

std::string apache_status_url(std::string_view url) {
  std::string_view base = url, fragment;
  if (const std::size_t hash = url.find('#'); hash != std::string_view::npos) {
    base = url.substr(0, hash);
    fragment = url.substr(hash);
  }
  const std::size_t q = base.find('?');
  if (q == std::string_view::npos) return std::string(base) + "?auto" + std::string(fragment);
  std::string_view query = base.substr(q + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param == "auto" || param.starts_with("auto=")) return std::string(url);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  const bool bare = base.back() == '?' || base.back() == '&';
  return std::string(base) + (bare ? "auto" : "&auto") + std::string(fragment);
}

}  // namespace vigil::probe
