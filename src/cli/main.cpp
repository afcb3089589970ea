// The `vigil` binary: one subcommand per verb of DESIGN.md §5.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "app/engine.h"
#include "cli/auth_commands.h"
#include "cli/client.h"
#include "cli/logs_analyze.h"
#include "cli/maintenance_cmd.h"
#include "cli/override_cmd.h"
#include "cli/postmortem_cmd.h"
#include "config/config.h"
#include "demo/demo.h"
#include "probe/report.h"
#include "probe/shard.h"
#include "rules/evaluator.h"

namespace {

std::string default_actor() {
  const char* u = std::getenv("USER");
  return u && *u ? u : "cli";
}

int config_check(const std::string& path) {
  auto r = vigil::config::load_config(path);
  if (!r.errors.empty()) {
    for (const auto& e : r.errors) fmt::print(stderr, "{}\n", vigil::config::to_string(e));
    fmt::print(stderr, "FAILED: {} error(s) in {}\n", r.errors.size(), path);
    return 1;
  }
  std::size_t checks = 0;
  for (const auto& s : r.config->services) checks += s.checks.size();
  fmt::print("SUCCESS: {} is valid: {} services, {} checks, {} channels\n", path, r.config->services.size(), checks,
             r.config->channels.size());
  return 0;
}

int check_once(const std::string& url, const std::string& timeout, const std::string& method,
               const std::vector<std::string>& headers, bool insecure, bool follow,
               const std::vector<std::string>& conditions) {
  vigil::config::CheckConfig c;
  c.name = "check";
  c.url = url;
  c.type = url.rfind("tcp://", 0) == 0   ? vigil::config::CheckType::tcp
           : url.rfind("tls://", 0) == 0 ? vigil::config::CheckType::tls
                                         : vigil::config::CheckType::http;
  c.method = method;
  auto t = vigil::parse_duration(timeout);
  if (!t.ok()) {
    fmt::print(stderr, "vigil check: --timeout: {}\n", t.error().message);
    return 2;
  }
  c.timeout = *t;
  c.interval = *t;
  c.tls_verify = !insecure;
  c.follow_redirects = follow;
  for (const auto& h : headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos) {
      fmt::print(stderr, "vigil check: --header \"{}\": expected \"Name: value\"\n", h);
      return 2;
    }
    std::string v = h.substr(colon + 1);
    v.erase(0, v.find_first_not_of(' '));
    c.headers.emplace_back(h.substr(0, colon), v);
  }
  vigil::rules::CheckRules rules;
  rules.check = "check";
  rules.check_type = c.type == vigil::config::CheckType::http ? "http" : "tcp";
  for (const auto& text : conditions) {
    auto parsed = vigil::rules::Condition::parse(text);
    if (auto* err = std::get_if<vigil::rules::ParseError>(&parsed)) {
      fmt::print(stderr, "vigil check: condition \"{}\": column {}: {}\n", text, err->column, err->message);
      return 2;
    }
    rules.conditions.push_back(std::move(std::get<vigil::rules::Condition>(parsed)));
  }
  auto result = vigil::probe::run_once(c);
  fmt::print("{}", vigil::probe::format_check_report(result));
  auto verdict = vigil::rules::judge(rules, result);
  if (verdict.passed) fmt::print("PASS\n");
  else fmt::print("FAIL: {}\n", verdict.reason);
  return verdict.passed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vigil: monitoring, on-call paging and postmortems for web servers, in one binary"};
  app.require_subcommand(1);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  std::string config_path = "vigil.yaml";
  auto* run = app.add_subcommand("run", "Run the daemon");
  run->add_option("-c,--config", config_path, "Config file")->capture_default_str();

  auto* cfg = app.add_subcommand("config", "Work with the config file");
  cfg->require_subcommand(1);
  auto* cfg_check = cfg->add_subcommand("check", "Validate; exit 1 with FILE:LINE:COL errors");
  cfg_check->add_option("-c,--config,file", config_path, "Config file")->capture_default_str();

  std::string url, timeout = "5s", method = "GET";
  std::vector<std::string> headers, conditions;
  bool insecure = false, follow = false;
  auto* check = app.add_subcommand("check", "Probe a URL once and print the timing breakdown");
  check->add_option("url", url, "http(s)://..., tcp://host:port or tls://host:port")->required();
  check->add_option("--timeout", timeout, "Timeout")->capture_default_str();
  check->add_option("-X,--method", method, "HTTP method")->capture_default_str();
  check->add_option("-H,--header", headers, "Request header \"Name: value\" (repeatable)");
  check->add_option("--condition", conditions, "Condition that must hold, e.g. 'status == 200' (repeatable)");
  check->add_flag("-k,--insecure", insecure, "Do not verify the TLS certificate");
  check->add_flag("-L,--follow", follow, "Follow redirects");

  vigil::cli::ServerOptions server;
  const char* env_server = std::getenv("VIGIL_SERVER");
  server.server = env_server && *env_server ? env_server : "http://127.0.0.1:8080";
  std::string token_file;
  std::vector<CLI::App*> client_commands;
  auto add_server = [&](CLI::App* sub) {
    client_commands.push_back(sub);
    sub->add_option("--token-file", token_file, "File holding the API token (env VIGIL_TOKEN_FILE, or VIGIL_TOKEN)");
    sub->add_option("--server", server.server, "vigil API base URL (env VIGIL_SERVER)")->capture_default_str();
    sub->add_flag("--json", server.json, "Print the API's JSON answer");
  };
  bool open_only = false;
  std::string service;
  auto* incidents = app.add_subcommand("incidents", "List incidents");
  incidents->add_flag("--open", open_only, "Only triggered or acknowledged incidents");
  incidents->add_option("--service", service, "Only this service");
  add_server(incidents);

  std::int64_t id = 0;
  std::string note, actor = default_actor(), text;
  auto* ack = app.add_subcommand("ack", "Acknowledge an incident");
  auto* resolve = app.add_subcommand("resolve", "Resolve an incident");
  for (auto* sub : {ack, resolve}) {
    sub->add_option("id", id, "Incident number")->required()->check(CLI::PositiveNumber);
    sub->add_option("--note", note, "Note recorded on the timeline");
    sub->add_option("--as", actor, "Who is acting (default $USER)")->capture_default_str();
    add_server(sub);
  }
  auto* add_note = app.add_subcommand("note", "Add a note to an incident's timeline");
  add_note->add_option("id", id, "Incident number")->required()->check(CLI::PositiveNumber);
  add_note->add_option("text", text, "The note")->required();
  add_note->add_option("--as", actor, "Who is writing (default $USER)")->capture_default_str();
  add_server(add_note);
  std::string reassign_user;
  auto* reassign = app.add_subcommand("reassign", "Hand an incident to a user and page them now");
  reassign->add_option("id", id, "Incident number")->required()->check(CLI::PositiveNumber);
  reassign->add_option("user", reassign_user, "User id from the config")->required();
  reassign->add_option("--as", actor, "Who is acting (default $USER)")->capture_default_str();
  add_server(reassign);
  std::string urgency_level;
  auto* urgency = app.add_subcommand("urgency", "Raise an incident to high urgency (it pages and escalates) or lower it to low");
  urgency->add_option("id", id, "Incident number")->required()->check(CLI::PositiveNumber);
  urgency->add_option("urgency", urgency_level, "high or low")->required()->check(CLI::IsMember({"high", "low"}));
  urgency->add_option("--as", actor, "Who is acting (default $USER)")->capture_default_str();
  add_server(urgency);

  std::string oncall_at, oncall_schedule;
  auto* oncall = app.add_subcommand("oncall", "Who is on call now (or --at a time)");
  oncall->add_option("--at", oncall_at, "RFC 3339 time, e.g. 2024-08-18T03:00:00Z");
  oncall->add_option("--schedule", oncall_schedule, "Only this schedule");
  add_server(oncall);

  vigil::cli::LogsAnalyzeArgs logs_args;
  auto* logs_analyze = vigil::cli::add_logs_command(app, logs_args);

  std::string runbook_name;
  auto* runbook = app.add_subcommand("runbook", "Run a runbook of an incident's service now");
  runbook->add_option("id", id, "Incident number")->required()->check(CLI::PositiveNumber);
  runbook->add_option("name", runbook_name, "Runbook name")->required();
  runbook->add_option("--as", actor, "Who is running it (default $USER)")->capture_default_str();
  add_server(runbook);

  vigil::demo::DemoOptions demo_opts;
  auto* demo = app.add_subcommand("demo", "Replay the seed outage live: a real local Apache2, paging, escalation, "
                                          "rollback, postmortem (data/postmortems/<n>/README.md)");
  demo->add_option("--speed", demo_opts.speed, "Divide every interval, delay and escalation time by N")
      ->capture_default_str();
  demo->add_option("--listen", demo_opts.listen, "vigil's UI/API address")->capture_default_str();
  demo->add_option("--data", demo_opts.data_dir, "Directory for the demo's Apache, store and postmortems")
      ->capture_default_str();
  demo->add_option("-c,--config", demo_opts.config_path, "Config (default: examples/demo.yaml)");
  demo->add_flag("--exit-when-done", demo_opts.exit_when_done, "Exit after the story instead of keeping the UI up");
  demo->add_flag("-q,--quiet", demo_opts.quiet, "Print only what happens, not the story around it");

  vigil::cli::AuthCommands auth_commands(app, config_path);

  vigil::cli::PostmortemCommands postmortem_commands(app, add_server, default_actor());
  vigil::cli::OverrideCommands override_commands(app, add_server, default_actor());
  vigil::cli::MaintenanceCommands maintenance_commands(app, add_server, default_actor());

  CLI11_PARSE(app, argc, argv);

  if (auto rc = auth_commands.run()) return *rc;
  for (auto* sub : client_commands) {
    if (!*sub) continue;
    auto token = vigil::cli::resolve_token(token_file);
    if (!token.error.empty()) return fmt::print(stderr, "vigil: {}\n", token.error), 2;
    server.token = token.token;
  }

  if (auto rc = postmortem_commands.run(server)) return *rc;
  if (auto rc = override_commands.run(server)) return *rc;
  if (auto rc = maintenance_commands.run(server)) return *rc;
  if (*run) return vigil::app::run_daemon(config_path);
  if (*demo) return vigil::demo::run_demo(demo_opts);
  if (*cfg_check) return config_check(config_path);
  if (*check) return check_once(url, timeout, method, headers, insecure, follow, conditions);
  if (*incidents) return vigil::cli::list_incidents(server, open_only, service);
  if (*ack) return vigil::cli::incident_action(server, id, "acknowledge", actor, note);
  if (*resolve) return vigil::cli::incident_action(server, id, "resolve", actor, note);
  if (*runbook) return vigil::cli::run_runbook(server, id, runbook_name, actor);
  if (*oncall) return vigil::cli::show_oncall(server, oncall_at, oncall_schedule);
  if (*add_note) return vigil::cli::incident_action(server, id, "notes", actor, text);
  if (*reassign) return vigil::cli::incident_action(server, id, "reassign", actor, reassign_user);
  if (*urgency) return vigil::cli::incident_action(server, id, "urgency", actor, urgency_level);
  if (*logs_analyze) return vigil::cli::logs_analyze(logs_args);
  return 2;
}
