#include "cli/maintenance_cmd.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

namespace vigil::cli {
namespace json = boost::json;

namespace {

std::string services_of(const json::object& w) {
  std::string out;
  if (const auto* v = w.if_contains("services"); v && v->is_array())
    for (const auto& s : v->as_array())
      if (s.is_string()) out += (out.empty() ? "" : ",") + std::string(s.as_string());
  return out;
}

}  // namespace

MaintenanceCommands::MaintenanceCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_server,
                                         std::string default_actor)
    : actor_(std::move(default_actor)) {
  maintenance_ = app.add_subcommand("maintenance", "Maintenance windows: new incidents of a service page nobody meanwhile");
  maintenance_->require_subcommand(1);
  start_ = maintenance_->add_subcommand(
      "start", "Put SERVICEs in maintenance from --at (default now) for --for or until --until");
  start_->add_option("services", services_, "Service names from the config")->required();
  start_->add_option("--at", at_, "RFC 3339 start (default now), e.g. 2024-08-18T22:00:00+02:00");
  auto* until = start_->add_option("--until", until_, "RFC 3339 end");
  auto* len = start_->add_option("--for", for_, "How long instead of --until, e.g. 2h or 45m");
  until->excludes(len);
  start_->add_option("-d,--description", description_, "What the work is, e.g. \"Apache upgrade\"");
  start_->add_option("--as", actor_, "Who is starting it (default $USER)")->capture_default_str();
  list_ = maintenance_->add_subcommand("list", "Windows in progress or scheduled");
  list_->add_flag("--all", all_, "Ended ones too");
  end_ = maintenance_->add_subcommand("end", "End a window in progress now (or cancel a scheduled one)");
  end_->add_option("id", id_, "Window id (from `list`)")->required()->check(CLI::PositiveNumber);
  for (auto* sub : {start_, list_, end_}) add_server(sub);
}

std::optional<int> MaintenanceCommands::run(const ServerOptions& s) const {
  if (!*maintenance_) return std::nullopt;
  if (*start_) return start(s);
  if (*list_) return list(s);
  return end(s);
}

int MaintenanceCommands::start(const ServerOptions& s) const {
  if (until_.empty() && for_.empty()) return fmt::print(stderr, "vigil: say until when: --until TIME or --for DURATION\n"), 2;
  json::array services;
  for (const auto& name : services_) services.push_back(json::string(name));
  json::object body{{"services", std::move(services)}, {"actor", actor_}};
  if (!at_.empty()) body["start"] = at_;
  if (!until_.empty()) body["end"] = until_;
  if (!for_.empty()) body["duration"] = for_;
  if (!description_.empty()) body["description"] = description_;
  auto r = call_api(s, "POST", "/api/v1/maintenance", json::serialize(body));
  if (auto* code = std::get_if<int>(&r)) return *code;
  const auto& w = std::get<json::object>(r);
  if (!s.json)
    fmt::print("maintenance window {}: {} from {} to {}\n", w.at("id").as_int64(), services_of(w),
               string_field(w, "start"), string_field(w, "end"));
  return 0;
}

int MaintenanceCommands::list(const ServerOptions& s) const {
  auto r = call_api(s, "GET", std::string("/api/v1/maintenance") + (all_ ? "?all=true" : ""), "");
  if (auto* code = std::get_if<int>(&r)) return *code;
  if (s.json) return 0;
  const auto& list = std::get<json::object>(r).at("windows").as_array();
  if (list.empty()) return fmt::print("no maintenance windows{}\n", all_ ? "" : " in progress or scheduled"), 0;
  fmt::print("{:>5}  {:<11}  {:<24}  {:<24}  {:<20}  {:<10}  {}\n", "ID", "STATE", "START", "END", "SERVICES", "BY",
             "DESCRIPTION");
  for (const auto& v : list) {
    const auto& w = v.as_object();
    // An occurrence of a recurring window has no id (it is not stored): "-", and the config's name.
    const auto* id = w.if_contains("id");
    const bool recurring = !id || !id->is_int64();
    fmt::print("{:>5}  {:<11}  {:<24}  {:<24}  {:<20}  {:<10}  {}\n", recurring ? "-" : std::to_string(id->as_int64()),
               string_field(w, "state"), string_field(w, "start"), string_field(w, "end"), services_of(w),
               recurring ? "config:" + string_field(w, "recurring") : string_field(w, "created_by"),
               string_field(w, "description"));
  }
  return 0;
}

int MaintenanceCommands::end(const ServerOptions& s) const {
  auto r = call_api(s, "DELETE", fmt::format("/api/v1/maintenance/{}", id_), "");
  if (auto* code = std::get_if<int>(&r)) return *code;
  if (!s.json) fmt::print("maintenance window {} ended\n", id_);
  return 0;
}

}  // namespace vigil::cli
