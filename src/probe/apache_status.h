// Apache mod_status, machine-readable form (`/server-status?auto`): the pure side of the
// apache_status check. parse_apache_status() reads the text; apache_figures() names what it
// found for conditions (busy_workers, req_per_sec, scoreboard.waiting, uptime, ...) and
// apache_metrics() for /metrics, named as prometheus apache_exporter (Lusitaniae) names them.
// The prober (apache_status_prober.cpp) adds the HTTP fetch and the figures that need the
// previous result (request_rate). Field reference: docs/checks.md.
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "probe/check_result.h"

namespace vigil::probe {

struct ApacheStatus {
  std::string host;  // the first line when it is not "Key: value" (Apache prints its ServerName)
  // Every "Key: value" line, in order, values trimmed ("Total Accesses" → "1234").
  std::vector<std::pair<std::string, std::string>> fields;

  const std::string* get(std::string_view key) const;       // first field with that key
  std::optional<double> number(std::string_view key) const;  // nullopt: absent or not a number
};

// Parses server-status?auto output. Fails when the text is not that output (an HTML page, an
// error page, a login form): it must have a Scoreboard, BusyWorkers or ServerVersion line.
Result<ApacheStatus> parse_apache_status(std::string_view text);

// Workers per scoreboard state, counted from the Scoreboard line. Every known state is present
// (0 when absent); an unknown character is counted under its own character.
struct ScoreboardState {
  char symbol;
  const char* figure;  // scoreboard.<figure>: Apache's legend (waiting, sending, ...)
  const char* metric;  // apache_scoreboard{state="<metric>"}: the exporter's label
};
inline constexpr ScoreboardState kScoreboardStates[] = {
    {'_', "waiting", "idle"},          {'S', "starting", "startup"},      {'R', "reading", "read"},
    {'W', "sending", "reply"},         {'K', "keepalive", "keepalive"},   {'D', "dns", "dns"},
    {'C', "closing", "closing"},       {'L', "logging", "logging"},       {'G', "graceful", "graceful_stop"},
    {'I', "idle_cleanup", "idle_cleanup"}, {'.', "open", "open_slot"},
};
std::map<char, int> count_scoreboard(std::string_view scoreboard);

// "ConnsAsyncKeepAlive" → "conns_async_keep_alive", "Total kBytes" → "total_kbytes".
std::string apache_figure_name(std::string_view key);

// Figures of one scrape: every numeric or textual field under its snake_case name (durations
// as Duration: uptime, total_duration, duration_per_req), scoreboard.<state> counts and
// busy_workers_ratio = busy / (busy + idle). No request_rate (needs two scrapes).
std::map<std::string, FigureValue> apache_figures(const ApacheStatus& s);

// The exporter's samples for a successful scrape, apache_up 1 included.
std::vector<MetricSample> apache_metrics(const ApacheStatus& s);
// apache_up: 1 for a successful scrape, 0 when the status page could not be read.
MetricSample apache_up_metric(bool up);

// "Apache/2.4.71 (Debian)" → 2.04071 (the exporter's apache_version); nullopt if not that shape.
std::optional<double> apache_version_number(std::string_view server_version);

// The scrape URL of a check url: "?auto" appended when the query has no `auto` parameter.
std::string apache_status_url(std::string_view url);

}  // namespace vigil::probe
