// services[].evidence (what to capture when an incident triggers) and services[].runbooks
// (remediation, automatic or on demand). Both run programs: always an argv, never a shell,
// and never with incident text in it, so nothing an alert carries can become a command.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <tuple>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

constexpr long long kMaxTailLines = 10000;
constexpr long long kMaxEvidenceBytes = 1 << 20;

// argv[0] is an absolute path, or a bare program name found through the daemon's PATH at run
// time (execvp; DESIGN.md writes [apache2ctl, -t]). A relative path with a '/' would depend on
// the daemon's working directory, and a name with spaces is a command line nobody splits.
std::optional<std::vector<std::string>> read_argv(Context& ctx, const Field& f, std::string_view example) {
  if (f.node.IsScalar()) {
    ctx.error(f, fmt::format("expected a list [program, arg, …], got \"{}\" (no shell splits a command line into words)",
                             f.node.Scalar()));
    return std::nullopt;
  }
  const std::vector<Field> items = read_list(ctx, f);
  if (items.empty()) {
    if (empty_value(f.node) || f.node.IsSequence())
      ctx.error(f, fmt::format("must not be empty: the program and its arguments, e.g. {}", example));
    return std::nullopt;
  }
  std::vector<std::string> argv;
  bool ok = true;
  for (const Field& item : items) {
    auto s = read_string(ctx, item);
    if (!s) {
      ok = false;
      continue;
    }
    if (argv.empty()) {
      const std::filesystem::path program(*s);
      Problem p;
      if (s->empty()) {
        p = "the program must not be empty";
      } else if (!program.is_absolute() && s->find('/') != std::string::npos) {
        p = fmt::format("\"{}\" is a relative path: write an absolute path, or a bare name to look up in PATH", *s);
      } else if (std::any_of(s->begin(), s->end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }) &&
                 !program.is_absolute()) {
        p = fmt::format("\"{}\" is a command line, not a program: no shell splits it, write each word as an item", *s);
      }
      if (p) {
        ctx.error(item, *p);
        ok = false;
      }
    }
    argv.push_back(std::move(*s));
  }
  if (!ok) return std::nullopt;
  return argv;
}

std::string join_argv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// The keys naming an evidence item's kind; an item has exactly one.
constexpr std::array<std::string_view, 4> kEvidenceKinds = {"tail", "command", "http", "config_diff"};

void read_evidence_item(Context& ctx, const Field& f, NameIndex& names, std::vector<EvidenceConfig>& out) {
  MapView m(ctx, f, {"tail", "command", "http", "config_diff", "name", "lines", "timeout", "max_bytes"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  EvidenceConfig e;
  const Field* name_field = m.get("name");
  if (name_field) {
    if (auto s = read_string(ctx, *name_field)) {
      if (s->empty()) ctx.error(*name_field, "must not be empty (leave name out for a description of the item)");
      else e.name = *s;
    }
  }

  // The kind is the first kind key in the file; any other one is a mistake.
  const Field* kind_field = nullptr;
  std::string_view kind;
  for (std::string_view k : kEvidenceKinds) {
    const Field* v = m.get(k);
    if (v && (!kind_field || std::tie(v->key_pos.line, v->key_pos.column) <
                                 std::tie(kind_field->key_pos.line, kind_field->key_pos.column))) {
      kind_field = v;
      kind = k;
    }
  }
  if (!kind_field) {
    ctx.error(f, "an evidence item needs one of tail, command, http, config_diff");
    return;
  }
  for (std::string_view k : kEvidenceKinds) {
    const Field* v = m.get(k);
    if (v && v != kind_field) {
      ctx.error(v->key_pos, v->path,
                fmt::format("an evidence item is one of tail, command, http, config_diff: this one is already \"{}\"", kind));
    }
  }

  if (kind == "tail") {
    e.kind = EvidenceConfig::Kind::tail;
    if (auto p = read_absolute_path(ctx, *kind_field)) e.path = *p;
  } else if (kind == "command") {
    e.kind = EvidenceConfig::Kind::command;
    if (auto argv = read_argv(ctx, *kind_field, "[apache2ctl, -t]")) e.command = std::move(*argv);
  } else if (kind == "http") {
    e.kind = EvidenceConfig::Kind::http;
    if (auto s = read_string(ctx, *kind_field)) {
      if (auto p = check_http_url(*s)) ctx.error(*kind_field, *p);
      else e.url = *s;
    }
  } else {
    e.kind = EvidenceConfig::Kind::config_diff;
    if (auto p = read_absolute_path(ctx, *kind_field)) e.path = *p;
  }

  if (const Field* v = m.get("lines")) {
    if (kind != "tail") ctx.error(v->key_pos, v->path, "\"lines\" applies only to tail evidence");
    else if (auto n = read_int(ctx, *v, 1, kMaxTailLines)) e.lines = static_cast<int>(*n);
  }
  if (const Field* v = m.get("timeout")) {
    if (kind != "command" && kind != "http") ctx.error(v->key_pos, v->path, "\"timeout\" applies only to command and http evidence");
    else if (auto d = read_duration(ctx, *v)) e.timeout = *d;
  }
  if (const Field* v = m.get("max_bytes")) {
    if (auto n = read_int(ctx, *v, 1, kMaxEvidenceBytes)) e.max_bytes = static_cast<std::size_t>(*n);
  }
  if (ctx.error_count() != errors_before) return;

  // The timeline shows every item by its name: without one, say what it is.
  if (!name_field) {
    switch (e.kind) {
      case EvidenceConfig::Kind::tail: e.name = fmt::format("last {} lines of {}", e.lines, e.path); break;
      case EvidenceConfig::Kind::command: e.name = join_argv(e.command); break;
      case EvidenceConfig::Kind::http: e.name = "GET " + e.url; break;
      case EvidenceConfig::Kind::config_diff: e.name = "changes to " + e.path; break;
    }
  }
  // Two items with one name could not be told apart on the timeline.
  if (!names.add(ctx, name_field ? *name_field : *kind_field, e.name)) return;
  out.push_back(std::move(e));
}

void read_runbook(Context& ctx, const Field& f, NameIndex& names, std::vector<RunbookConfig>& out) {
  MapView m(ctx, f, {"name", "command", "auto", "timeout", "max_attempts", "cooldown", "flap_limit", "flap_window"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  RunbookConfig r;
  if (const Field* v = m.require("name")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_name(*s)) ctx.error(*v, *p);
      else if (names.add(ctx, *v, *s)) r.name = *s;
    }
  }
  if (const Field* v = m.require("command")) {
    if (auto argv = read_argv(ctx, *v, "[/usr/sbin/apachectl, graceful]")) r.command = std::move(*argv);
  }
  if (const Field* v = m.get("auto")) {
    if (auto b = read_bool(ctx, *v)) r.automatic = *b;
  }
  if (const Field* v = m.get("timeout")) {
    if (auto d = read_duration(ctx, *v)) r.timeout = *d;
  }
  // max_attempts and flap_* only matter with auto: true; they are accepted without it, so that
  // switching automation off (during maintenance) is one line.
  if (const Field* v = m.get("max_attempts")) {
    if (auto n = read_int(ctx, *v, 1, 10)) r.max_attempts = static_cast<int>(*n);
  }
  if (const Field* v = m.get("cooldown")) {
    if (auto d = read_duration(ctx, *v, /*allow_zero=*/true)) r.cooldown = *d;
  }
  if (const Field* v = m.get("flap_limit")) {
    if (auto n = read_int(ctx, *v, 1, 100)) r.flap_limit = static_cast<int>(*n);
  }
  if (const Field* v = m.get("flap_window")) {
    if (auto d = read_duration(ctx, *v)) r.flap_window = *d;
  }
  if (ctx.error_count() == errors_before) out.push_back(std::move(r));
}

}  // namespace

void read_evidence(Context& ctx, const Field& f, std::vector<EvidenceConfig>& out) {
  NameIndex names("evidence");
  for (const Field& item : read_list(ctx, f)) read_evidence_item(ctx, item, names, out);
}

void read_runbooks(Context& ctx, const Field& f, std::vector<RunbookConfig>& out) {
  NameIndex names("runbook");
  for (const Field& item : read_list(ctx, f)) read_runbook(ctx, item, names, out);
}

}  // namespace vigil::config::detail
