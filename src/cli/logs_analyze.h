// `vigil logs analyze FILE`: the one-pass summary of an access log (probe/logs/analyze.h) from
// the command line. A file is mapped window by window, not read; FILE "-" reads standard input.
// Exit 0, or 1 with a message on stderr for an unreadable file, a bad --format or --from/--to.
#pragma once
#include <cstddef>
#include <string>

namespace CLI {
class App;
}

namespace vigil::cli {

struct LogsAnalyzeArgs {
  std::string file;
  std::string format = "combined";  // combined | common | an Apache LogFormat string
  std::string from, to;             // RFC 3339; empty: unbounded
  std::size_t top = 10;
  bool json = false;
};

// Adds `logs` with its `analyze` sub-command to `app`; returns `analyze` (test it with *ptr).
CLI::App* add_logs_command(CLI::App& app, LogsAnalyzeArgs& args);
int logs_analyze(const LogsAnalyzeArgs& args);

}  // namespace vigil::cli
