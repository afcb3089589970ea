#include "cli/logs_analyze.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "common/time.h"
#include "probe/logs/access_format.h"
#include "probe/logs/analyze.h"

namespace vigil::cli {

namespace {

Result<std::optional<probe::logs::sys_seconds>> parse_bound(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<probe::logs::sys_seconds>{};
  auto t = parse_rfc3339(text);
  if (!t)
    return Error{fmt::format("{}: {}", flag, t.error().message), flag};
  return std::optional<probe::logs::sys_seconds>{std::chrono::floor<std::chrono::seconds>(*t)};
}

}  // namespace

CLI::App* add_logs_command(CLI::App& app, LogsAnalyzeArgs& args) {
  auto* logs = app.add_subcommand("logs", "Work with web server logs");
  logs->require_subcommand(1);
  auto* analyze = logs->add_subcommand("analyze", "Summarize an access log: status mix, top paths, latency, busiest minute");
  analyze->add_option("file", args.file, "Access log file; - for standard input")->required();
  analyze->add_option("--format", args.format, "combined, common or an Apache LogFormat string")
      ->capture_default_str();
  analyze->add_option("--from", args.from, "Only requests at or after this RFC 3339 time");
  analyze->add_option("--to", args.to, "Only requests before this RFC 3339 time");
  analyze->add_option("--top", args.top, "Rows in each top list")->capture_default_str();
  analyze->add_flag("--json", args.json, "Print JSON");
  return analyze;
}

int logs_analyze(const LogsAnalyzeArgs& args) {
  auto format = probe::logs::AccessFormat::compile(args.format);
  if (!format) {
    std::fprintf(stderr, "vigil logs analyze: --format: %s\n", format.error().message.c_str());
    return 1;
  }
  probe::logs::AnalyzeOptions options;
  options.top = args.top;
  auto from = parse_bound(args.from, "--from");
  auto to = parse_bound(args.to, "--to");
  for (auto* b : {&from, &to}) {
    if (!*b) {
      std::fprintf(stderr, "vigil logs analyze: %s\n", b->error().message.c_str());
      return 1;
    }
  }
  options.from = *from;
  options.to = *to;

  probe::logs::Analyzer analyzer(*format, options);
  if (Status st = probe::logs::analyze_file(args.file, analyzer); !st) {
    std::fprintf(stderr, "vigil logs analyze: %s\n", st.error().message.c_str());
    return 1;
  }
  const probe::logs::Summary summary = analyzer.finish();
  const std::string out = args.json ? probe::logs::format_summary_json(summary, *format)
                                    : probe::logs::format_summary_text(summary, *format);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!args.json && summary.lines > 0 && summary.malformed == summary.lines)
    std::fprintf(stderr, "vigil logs analyze: no line matched the format \"%s\" (try --format)\n",
                 format->text().c_str());
  return 0;
}

}  // namespace vigil::cli
