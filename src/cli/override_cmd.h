// `vigil override add|list|delete`: schedule overrides made at run time, from a terminal
// (POST, GET and DELETE /api/v1/schedules/{name}/overrides).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cli/client.h"

namespace CLI {
class App;
}

namespace vigil::cli {

class OverrideCommands {
 public:
  // `add_server` gives each subcommand the --server/--json options every API command has.
  OverrideCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_server, std::string default_actor);
  // The exit code of the subcommand parsed, or nullopt when it was not `override`.
  std::optional<int> run(const ServerOptions& s) const;

 private:
  int add(const ServerOptions& s) const;
  int list(const ServerOptions& s) const;
  int remove(const ServerOptions& s) const;

  CLI::App* override_ = nullptr;
  CLI::App* add_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* delete_ = nullptr;
  std::string schedule_, user_, start_, end_, for_, actor_;
  std::int64_t id_ = 0;
  bool all_ = false;
};

}  // namespace vigil::cli
