// `vigil maintenance start|list|end`: maintenance windows from a terminal (POST, GET and DELETE
// /api/v1/maintenance). While one covers a service, its new incidents page nobody.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/client.h"

namespace CLI {
class App;
}

namespace vigil::cli {

class MaintenanceCommands {
 public:
  // `add_server` gives each subcommand the --server/--json options every API command has.
  MaintenanceCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_server, std::string default_actor);
  // The exit code of the subcommand parsed, or nullopt when it was not `maintenance`.
  std::optional<int> run(const ServerOptions& s) const;

 private:
  int start(const ServerOptions& s) const;
  int list(const ServerOptions& s) const;
  int end(const ServerOptions& s) const;

  CLI::App* maintenance_ = nullptr;
  CLI::App* start_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* end_ = nullptr;
  std::vector<std::string> services_;
  std::string at_, until_, for_, description_, actor_;
  std::int64_t id_ = 0;
  bool all_ = false;
};

}  // namespace vigil::cli
