// `vigil postmortem`, `vigil report` and `vigil action-items`: the postmortem API from a
// terminal (src/web/postmortem_routes.h). Each returns the process exit code.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cli/client.h"

namespace vigil::cli {

struct PostmortemArgs {
  std::int64_t id = 0;
  std::string out_dir;        // -o: DIR/README.md + DIR/images/*.svg (html: DIR/index.html)
  std::string format = "md";  // md | html
  bool edit = false;          // open $EDITOR on the sections, PUT those that changed
  std::string actor;
};
int postmortem_command(const ServerOptions& s, const PostmortemArgs& args);

// Per service: availability, incidents, MTTA, MTTR, pages, open action items.
int report_command(const ServerOptions& s, const std::string& since);

struct ActionItemArgs {
  std::string verb = "list";  // list | add | done
  std::string text;           // add
  std::int64_t id = 0;        // done
  std::int64_t incident = 0;  // add, list filter
  std::string owner, due, status;
};
int action_items_command(const ServerOptions& s, const ActionItemArgs& args);

}  // namespace vigil::cli

namespace CLI {
class App;
}

namespace vigil::cli {

// Registers postmortem, report and action-items on `app`; `add_server` gives each the
// --server/--json options every API command has. run() answers the exit code of the one parsed.
class PostmortemCommands {
 public:
  PostmortemCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_server, std::string default_actor);
  std::optional<int> run(const ServerOptions& s) const;

 private:
  CLI::App* postmortem_ = nullptr;
  CLI::App* report_ = nullptr;
  CLI::App* items_ = nullptr;
  CLI::App* items_add_ = nullptr;
  CLI::App* items_done_ = nullptr;
  PostmortemArgs pm_;
  std::string since_ = "30d";
  ActionItemArgs items_args_;
};

}  // namespace vigil::cli
