// The mod_status ?auto parser, figures and exporter metrics, on pages captured from Debian's
// Apache 2.4.71 (event MPM under load; prefork with ExtendedStatus Off).
#include "probe/apache_status.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace vigil::probe {
namespace {

// curl -s 'http://127.0.0.1:PORT/server-status?auto' after 300 GETs, with two /slow requests
// in flight (tests/support/apache.h's config).
const std::string kEventPage = std::string(R"(127.0.0.1
ServerVersion: Apache/2.4.71 (Debian)
ServerMPM: event
Server Built: 2026-11-12T08:58:41
CurrentTime: Wednesday, 25-Nov-2026 15:55:15 UTC
RestartTime: Wednesday, 25-Nov-2026 15:55:11 UTC
ParentServerConfigGeneration: 1
ParentServerMPMGeneration: 0
ServerUptimeSeconds: 3
ServerUptime: 3 seconds
Load1: 2.50
Load5: 2.37
Load15: 2.19
Total Accesses: 300
Total kBytes: 90
Total Duration: 63
CPUUser: .05
CPUSystem: .04
CPUChildrenUser: 0
CPUChildrenSystem: 0
CPULoad: 3
Uptime: 3
ReqPerSec: 100
BytesPerSec: 30720
BytesPerReq: 307.2
DurationPerReq: .21
BusyWorkers: 3
GracefulWorkers: 0
IdleWorkers: 72
Processes: 3
Stopping: 0
ConnsTotal: 0
ConnsAsyncWaitIO: 0
ConnsAsyncWriting: 0
ConnsAsyncKeepAlive: 0
ConnsAsyncClosing: 0
Scoreboard: ________________________________________________W_______WW_________________)") +
                               std::string(325, '.') + "\n";

// Prefork with ExtendedStatus Off: no totals, no connection lines.
const std::string kPreforkPage = R"(127.0.0.1
ServerVersion: Apache/2.4.71 (Debian)
ServerMPM: prefork
Server Built: 2026-11-12T08:58:41
CurrentTime: Wednesday, 25-Nov-2026 15:46:45 UTC
RestartTime: Wednesday, 25-Nov-2026 15:46:44 UTC
ParentServerConfigGeneration: 1
ParentServerMPMGeneration: 0
ServerUptimeSeconds: 1
ServerUptime: 1 second
Load1: 0.65
Load5: 1.04
Load15: 2.06
BusyWorkers: 1
GracefulWorkers: 0
IdleWorkers: 4
Scoreboard: _W___......
)";

double num(const std::map<std::string, FigureValue>& f, const std::string& name) {
  auto it = f.find(name);
  if (it == f.end()) {
    ADD_FAILURE() << "no figure " << name;
    return -1;
  }
  if (!std::holds_alternative<double>(it->second)) {
    ADD_FAILURE() << name << " is not a number";
    return -1;
  }
  return std::get<double>(it->second);
}

const MetricSample* find_metric(const std::vector<MetricSample>& m, const std::string& name,
                                std::vector<std::pair<std::string, std::string>> labels = {}) {
  for (const auto& s : m)
    if (s.name == name && s.labels == labels) return &s;
  return nullptr;
}

TEST(ApacheStatusParse, ReadsEveryFieldOfARealPage) {
  auto parsed = parse_apache_status(kEventPage);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->host, "127.0.0.1");
  EXPECT_EQ(parsed->fields.size(), 36u);
  ASSERT_NE(parsed->get("Server Built"), nullptr);
  EXPECT_EQ(*parsed->get("Server Built"), "2026-11-12T08:58:41");  // the value keeps its colons
  EXPECT_EQ(*parsed->get("CurrentTime"), "Wednesday, 25-Nov-2026 15:55:15 UTC");
  EXPECT_EQ(parsed->number("CPUUser"), 0.05);  // Apache drops the leading zero
  EXPECT_EQ(parsed->number("Total Accesses"), 300);
  EXPECT_EQ(parsed->number("ServerVersion"), std::nullopt);
  EXPECT_EQ(parsed->number("NoSuchField"), std::nullopt);
}

TEST(ApacheStatusParse, ToleratesCrlfAndBlankLines) {
  auto parsed = parse_apache_status("host\r\n\r\nBusyWorkers: 2\r\nIdleWorkers: 8\r\nScoreboard: WW________\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->number("BusyWorkers"), 2);
  EXPECT_EQ(*parsed->get("Scoreboard"), "WW________");
}

TEST(ApacheStatusParse, RejectsWhatIsNotAutoOutput) {
  auto html = parse_apache_status("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html><head>\n"
                                  "<title>Apache Status</title>\n</head><body>\n<h1>Apache Server Status</h1>");
  ASSERT_FALSE(html);
  EXPECT_NE(html.error().message.find("not mod_status ?auto output"), std::string::npos);
  EXPECT_FALSE(parse_apache_status(""));
  EXPECT_FALSE(parse_apache_status("Sign in: here\nuser: x\n"));
}

TEST(ApacheStatusFigures, NamesEveryFieldInSnakeCase) {
  auto parsed = parse_apache_status(kEventPage);
  ASSERT_TRUE(parsed);
  const auto f = apache_figures(*parsed);
  EXPECT_EQ(std::get<std::string>(f.at("server_version")), "Apache/2.4.71 (Debian)");
  EXPECT_EQ(std::get<std::string>(f.at("server_mpm")), "event");
  EXPECT_EQ(std::get<std::string>(f.at("server_built")), "2026-11-12T08:58:41");
  EXPECT_EQ(std::get<std::string>(f.at("restart_time")), "Wednesday, 25-Nov-2026 15:55:11 UTC");
  EXPECT_EQ(std::get<std::string>(f.at("server_uptime")), "3 seconds");
  EXPECT_EQ(num(f, "parent_server_config_generation"), 1);
  EXPECT_EQ(num(f, "parent_server_mpm_generation"), 0);
  EXPECT_EQ(num(f, "server_uptime_seconds"), 3);
  EXPECT_EQ(num(f, "load1"), 2.5);
  EXPECT_EQ(num(f, "load5"), 2.37);
  EXPECT_EQ(num(f, "load15"), 2.19);
  EXPECT_EQ(num(f, "total_accesses"), 300);
  EXPECT_EQ(num(f, "total_kbytes"), 90);
  EXPECT_EQ(std::get<Duration>(f.at("total_duration")), 63ms);
  EXPECT_EQ(num(f, "cpu_user"), 0.05);
  EXPECT_EQ(num(f, "cpu_system"), 0.04);
  EXPECT_EQ(num(f, "cpu_children_user"), 0);
  EXPECT_EQ(num(f, "cpu_children_system"), 0);
  EXPECT_EQ(num(f, "cpu_load"), 3);
  EXPECT_EQ(std::get<Duration>(f.at("uptime")), 3s);
  EXPECT_EQ(num(f, "req_per_sec"), 100);
  EXPECT_EQ(num(f, "bytes_per_sec"), 30720);
  EXPECT_EQ(num(f, "bytes_per_req"), 307.2);
  EXPECT_EQ(std::get<Duration>(f.at("duration_per_req")), 0ms);  // .21 ms, to the millisecond
  EXPECT_EQ(num(f, "busy_workers"), 3);
  EXPECT_EQ(num(f, "graceful_workers"), 0);
  EXPECT_EQ(num(f, "idle_workers"), 72);
  EXPECT_EQ(num(f, "processes"), 3);
  EXPECT_EQ(num(f, "stopping"), 0);
  EXPECT_EQ(num(f, "conns_total"), 0);
  EXPECT_EQ(num(f, "conns_async_wait_io"), 0);
  EXPECT_EQ(num(f, "conns_async_writing"), 0);
  EXPECT_EQ(num(f, "conns_async_keep_alive"), 0);
  EXPECT_EQ(num(f, "conns_async_closing"), 0);
  EXPECT_DOUBLE_EQ(num(f, "busy_workers_ratio"), 3.0 / 75.0);
  EXPECT_FALSE(f.contains("request_rate"));  // needs two scrapes: the prober's job
  EXPECT_FALSE(f.contains("scoreboard"));
  EXPECT_EQ(std::get<std::string>(f.at("current_time")), "Wednesday, 25-Nov-2026 15:55:15 UTC");
}

TEST(ApacheStatusFigures, CountsTheScoreboardByState) {
  auto parsed = parse_apache_status(kEventPage);
  ASSERT_TRUE(parsed);
  const auto f = apache_figures(*parsed);
  EXPECT_EQ(num(f, "scoreboard.waiting"), 72);
  EXPECT_EQ(num(f, "scoreboard.sending"), 3);
  EXPECT_EQ(num(f, "scoreboard.open"), 325);
  for (const char* zero : {"starting", "reading", "keepalive", "dns", "closing", "logging", "graceful", "idle_cleanup"})
    EXPECT_EQ(num(f, std::string("scoreboard.") + zero), 0) << zero;

  const auto counts = count_scoreboard("_SRWKDCLGI.R?");
  EXPECT_EQ(counts.at('R'), 2);
  EXPECT_EQ(counts.at('?'), 1);  // unknown states are kept under their character
  EXPECT_EQ(counts.at('_'), 1);
}

TEST(ApacheStatusFigures, PreforkWithoutExtendedStatusHasWhatItPrints) {
  auto parsed = parse_apache_status(kPreforkPage);
  ASSERT_TRUE(parsed);
  const auto f = apache_figures(*parsed);
  EXPECT_EQ(std::get<std::string>(f.at("server_mpm")), "prefork");
  EXPECT_EQ(num(f, "busy_workers"), 1);
  EXPECT_DOUBLE_EQ(num(f, "busy_workers_ratio"), 0.2);
  EXPECT_EQ(num(f, "scoreboard.waiting"), 4);
  EXPECT_EQ(num(f, "scoreboard.open"), 6);
  for (const char* absent : {"total_accesses", "total_kbytes", "uptime", "req_per_sec", "conns_total", "cpu_load"})
    EXPECT_FALSE(f.contains(absent)) << absent;
}

TEST(ApacheStatusFigures, NoRatioWithoutWorkers) {
  auto parsed = parse_apache_status("BusyWorkers: 0\nIdleWorkers: 0\n");
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(apache_figures(*parsed).contains("busy_workers_ratio"));
}

TEST(ApacheStatusFigures, UnknownNumericFieldsGetAFigureAndOddKeysDoNot) {
  auto parsed = parse_apache_status(
      "ServerVersion: Apache/2.6.0\nConnsAsyncLingering: 4\nProxyBalancer[0]Worker[1]Elected: 12\n"
      "TLSSessionCacheStatus\nCacheType: SHMCB\nBusyWorkers: x\n");
  ASSERT_TRUE(parsed);
  const auto f = apache_figures(*parsed);
  EXPECT_EQ(num(f, "conns_async_lingering"), 4);
  EXPECT_FALSE(f.contains("busy_workers"));  // not a number: absent, not 0
  for (const auto& [name, v] : f) EXPECT_EQ(name.find('['), std::string::npos) << name;
}

TEST(ApacheStatusFigures, FigureNames) {
  EXPECT_EQ(apache_figure_name("ConnsAsyncKeepAlive"), "conns_async_keep_alive");
  EXPECT_EQ(apache_figure_name("Total kBytes"), "total_kbytes");
  EXPECT_EQ(apache_figure_name("ParentServerMPMGeneration"), "parent_server_mpm_generation");
  EXPECT_EQ(apache_figure_name("CPUChildrenSystem"), "cpu_children_system");
  EXPECT_EQ(apache_figure_name("Load15"), "load15");
  EXPECT_EQ(apache_figure_name("ConnsAsyncWaitIO"), "conns_async_wait_io");
  EXPECT_EQ(apache_figure_name("SomeNewIOField"), "some_new_io_field");
  EXPECT_EQ(apache_figure_name("Server Built"), "server_built");
}

TEST(ApacheStatusMetrics, NamedAsTheApacheExporterNamesThem) {
  auto parsed = parse_apache_status(kEventPage);
  ASSERT_TRUE(parsed);
  const auto m = apache_metrics(*parsed);
  auto value = [&](const std::string& name, std::vector<std::pair<std::string, std::string>> labels = {}) {
    const MetricSample* s = find_metric(m, name, labels);
    if (!s) {
      ADD_FAILURE() << "no sample " << name;
      return -1.0;
    }
    return s->value;
  };
  EXPECT_EQ(value("apache_up"), 1);
  EXPECT_DOUBLE_EQ(value("apache_version"), 2.04071);
  EXPECT_EQ(value("apache_info", {{"version", "Apache/2.4.71 (Debian)"}, {"mpm", "event"}}), 1);
  EXPECT_EQ(value("apache_generation", {{"type", "config"}}), 1);
  EXPECT_EQ(value("apache_generation", {{"type", "mpm"}}), 0);
  EXPECT_EQ(value("apache_load", {{"interval", "1min"}}), 2.5);
  EXPECT_EQ(value("apache_load", {{"interval", "5min"}}), 2.37);
  EXPECT_EQ(value("apache_load", {{"interval", "15min"}}), 2.19);
  EXPECT_EQ(value("apache_accesses_total"), 300);
  EXPECT_EQ(value("apache_sent_kilobytes_total"), 90);
  EXPECT_EQ(value("apache_duration_ms_total"), 63);
  EXPECT_DOUBLE_EQ(value("apache_cpu_time_ms_total", {{"type", "user"}}), 50);
  EXPECT_DOUBLE_EQ(value("apache_cpu_time_ms_total", {{"type", "system"}}), 40);
  EXPECT_EQ(value("apache_cpuload"), 3);
  EXPECT_EQ(value("apache_uptime_seconds_total"), 3);
  EXPECT_EQ(value("apache_workers", {{"state", "busy"}}), 3);
  EXPECT_EQ(value("apache_workers", {{"state", "idle"}}), 72);
  EXPECT_EQ(value("apache_processes", {{"state", "all"}}), 3);
  EXPECT_EQ(value("apache_processes", {{"state", "stopping"}}), 0);
  for (const char* st : {"total", "writing", "keepalive", "closing"})
    EXPECT_EQ(value("apache_connections", {{"state", st}}), 0) << st;
  EXPECT_EQ(value("apache_scoreboard", {{"state", "idle"}}), 72);
  EXPECT_EQ(value("apache_scoreboard", {{"state", "reply"}}), 3);
  EXPECT_EQ(value("apache_scoreboard", {{"state", "open_slot"}}), 325);
  for (const char* st : {"startup", "read", "keepalive", "dns", "closing", "logging", "graceful_stop", "idle_cleanup"})
    EXPECT_EQ(value("apache_scoreboard", {{"state", st}}), 0) << st;

  for (const auto& s : m) {
    EXPECT_TRUE(s.type == "gauge" || s.type == "counter") << s.name;
    EXPECT_FALSE(s.help.empty()) << s.name;
    EXPECT_EQ(s.name.ends_with("_total"), s.type == "counter") << s.name;
  }
}

TEST(ApacheStatusMetrics, PreforkHasNoConnectionOrCounterSamples) {
  auto parsed = parse_apache_status(kPreforkPage);
  ASSERT_TRUE(parsed);
  const auto m = apache_metrics(*parsed);
  EXPECT_EQ(std::count_if(m.begin(), m.end(), [](const MetricSample& s) { return s.name == "apache_connections"; }), 0);
  EXPECT_EQ(find_metric(m, "apache_accesses_total"), nullptr);
  EXPECT_NE(find_metric(m, "apache_workers", {{"state", "busy"}}), nullptr);
}

TEST(ApacheStatusMetrics, UpMetric) {
  EXPECT_EQ(apache_up_metric(false).name, "apache_up");
  EXPECT_EQ(apache_up_metric(false).value, 0);
  EXPECT_EQ(apache_up_metric(true).value, 1);
}

TEST(ApacheStatusMetrics, VersionNumber) {
  EXPECT_DOUBLE_EQ(*apache_version_number("Apache/2.4.71 (Debian)"), 2.04071);
  EXPECT_DOUBLE_EQ(*apache_version_number("Apache/2.4.6"), 2.04006);
  EXPECT_EQ(apache_version_number("Apache"), std::nullopt);
  EXPECT_EQ(apache_version_number("Apache/2.4"), std::nullopt);
}

TEST(ApacheStatusUrl, AddsAutoWhenMissing) {
  EXPECT_EQ(apache_status_url("http://h/server-status"), "http://h/server-status?auto");
  EXPECT_EQ(apache_status_url("http://h/server-status?auto"), "http://h/server-status?auto");
  EXPECT_EQ(apache_status_url("http://h/server-status?refresh=5&auto"), "http://h/server-status?refresh=5&auto");
  EXPECT_EQ(apache_status_url("http://h/server-status?x=1"), "http://h/server-status?x=1&auto");
  EXPECT_EQ(apache_status_url("http://h/server-status?"), "http://h/server-status?auto");
  EXPECT_EQ(apache_status_url("http://h/status?automatic=1"), "http://h/status?automatic=1&auto");
}

}  // namespace
}  // namespace vigil::probe
