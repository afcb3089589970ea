#include "cli/override_cmd.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/time.h"

namespace vigil::cli {
namespace json = boost::json;
namespace {

std::string who(const json::object& o) {
  const auto* u = o.if_contains("user");
  if (!u || !u->is_object()) return "?";
  return fmt::format("{} ({})", string_field(u->as_object(), "name"), string_field(u->as_object(), "id"));
}

std::string overrides_path(const std::string& schedule) { return "/api/v1/schedules/" + schedule + "/overrides"; }

}  // namespace

OverrideCommands::OverrideCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_server,
                                   std::string default_actor)
    : actor_(std::move(default_actor)) {
  override_ = app.add_subcommand("override", "Put someone on call in a schedule for a while (overrides)");
  override_->require_subcommand(1);
  add_ = override_->add_subcommand("add", "Make an override: USER is on call in SCHEDULE from --start (default now)");
  add_->add_option("schedule", schedule_, "Schedule name")->required();
  add_->add_option("user", user_, "User id from the config")->required();
  add_->add_option("--start", start_, "RFC 3339 time (default now), e.g. 2024-08-18T09:00:00+02:00");
  auto* end = add_->add_option("--end", end_, "RFC 3339 time");
  auto* len = add_->add_option("--for", for_, "How long instead of --end, e.g. 8h or 2h30m");
  end->excludes(len);
  add_->add_option("--as", actor_, "Who is making it (default $USER)")->capture_default_str();
  list_ = override_->add_subcommand("list", "The overrides of SCHEDULE that have not ended");
  list_->add_option("schedule", schedule_, "Schedule name")->required();
  list_->add_flag("--all", all_, "Ended ones too");
  delete_ = override_->add_subcommand("delete", "Remove an override made with `add` (or the API)");
  delete_->add_option("schedule", schedule_, "Schedule name")->required();
  delete_->add_option("id", id_, "Override id (from `list`)")->required()->check(CLI::PositiveNumber);
  for (auto* sub : {add_, list_, delete_}) add_server(sub);
}

std::optional<int> OverrideCommands::run(const ServerOptions& s) const {
  if (!*override_) return std::nullopt;
  if (*add_) return add(s);
  if (*list_) return list(s);
  return remove(s);
}

int OverrideCommands::add(const ServerOptions& s) const {
  Time start = now_ms();
  if (!start_.empty()) {
    auto t = parse_rfc3339(start_);
    if (!t.ok()) return fmt::print(stderr, "vigil: --start: {}\n", t.error().message), 2;
    start = *t;
  }
  Time end{};
  if (!end_.empty()) {
    auto t = parse_rfc3339(end_);
    if (!t.ok()) return fmt::print(stderr, "vigil: --end: {}\n", t.error().message), 2;
    end = *t;
  } else if (!for_.empty()) {
    auto d = parse_duration(for_);
    if (!d.ok()) return fmt::print(stderr, "vigil: --for: {}\n", d.error().message), 2;
    end = start + *d;
  } else {
    return fmt::print(stderr, "vigil: say until when: --end TIME or --for DURATION\n"), 2;
  }
  const json::object body{{"user", user_}, {"start", format_rfc3339(start)}, {"end", format_rfc3339(end)},
                          {"actor", actor_}};
  auto r = call_api(s, "POST", overrides_path(schedule_), json::serialize(body));
  if (auto* code = std::get_if<int>(&r)) return *code;
  const auto& o = std::get<json::object>(r);
  if (!s.json)
    fmt::print("override {}: {} on call in {} from {} to {}\n", o.at("id").as_int64(), who(o), schedule_,
               string_field(o, "start"), string_field(o, "end"));
  return 0;
}

int OverrideCommands::list(const ServerOptions& s) const {
  auto r = call_api(s, "GET", overrides_path(schedule_) + (all_ ? "?all=true" : ""), "");
  if (auto* code = std::get_if<int>(&r)) return *code;
  if (s.json) return 0;
  const auto& list = std::get<json::object>(r).at("overrides").as_array();
  if (list.empty()) return fmt::print("no overrides in {}\n", schedule_), 0;
  fmt::print("{:>5}  {:<7}  {:<24}  {:<24}  {:<24}  {}\n", "ID", "SOURCE", "START", "END", "USER", "BY");
  for (const auto& v : list) {
    const auto& o = v.as_object();
    const auto& id = o.at("id");
    fmt::print("{:>5}  {:<7}  {:<24}  {:<24}  {:<24}  {}\n", id.is_int64() ? std::to_string(id.as_int64()) : "-",
               string_field(o, "source"), string_field(o, "start"), string_field(o, "end"), who(o), string_field(o, "created_by"));
  }
  return 0;
}

int OverrideCommands::remove(const ServerOptions& s) const {
  auto r = call_api(s, "DELETE", fmt::format("{}/{}", overrides_path(schedule_), id_), "");
  if (auto* code = std::get_if<int>(&r)) return *code;
  if (!s.json) fmt::print("override {} removed from {}\n", id_, schedule_);
  return 0;
}

}  // namespace vigil::cli
