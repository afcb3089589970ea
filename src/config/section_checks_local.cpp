// The checks that read this machine instead of probing an endpoint: access_log and error_log
// follow a log file, host reads /proc and statvfs, process looks for a running program.
#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "config/log_format.h"
#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

constexpr Duration kMinWindow = 10s;
constexpr Duration kMaxWindow = std::chrono::hours(24);

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void read_log_path(Context& ctx, MapView& m, CheckConfig& c) {
  if (const Field* v = m.require("path")) {
    if (auto p = read_absolute_path(ctx, *v)) c.path = *p;
  }
}

// Shorter than a few probe intervals has too few lines to say anything; longer than a day
// is a report, not a check (and memory the prober keeps per check).
void read_window(Context& ctx, const MapView& m, CheckConfig& c) {
  const Field* v = m.get("window");
  if (!v) return;
  auto d = read_duration(ctx, *v);
  if (!d) return;
  if (*d < kMinWindow) ctx.error(*v, fmt::format("must be at least {}, got {}", format_duration(kMinWindow), format_duration(*d)));
  else if (*d > kMaxWindow) ctx.error(*v, fmt::format("must be at most 24h, got {}", format_duration(*d)));
  else c.window = *d;
}

// Without a '%' it is the name of a format Apache ships; with one, a LogFormat string whose
// bad directives are reported at their character.
void read_log_format(Context& ctx, const Field& v, CheckConfig& c) {
  auto s = read_scalar(ctx, v);
  if (!s) return;
  const std::string& text = s->value();
  if (text.find('%') == std::string::npos) {
    if (text == "combined" || text == "common") {
      c.log_format = text;
      return;
    }
    std::string msg = fmt::format(
        "invalid value \"{}\": expected combined, common or an Apache LogFormat string, e.g. "
        "'%h %l %u %t \"%r\" %>s %b \"%{{Referer}}i\" \"%{{User-Agent}}i\" %D'",
        text);
    if (auto hint = closest(text, {"combined", "common"})) msg += fmt::format(" (did you mean \"{}\"?)", *hint);
    ctx.error(v, std::move(msg));
    return;
  }
  const auto problems = check_log_format(text);
  for (const LogFormatProblem& p : problems) {
    ctx.error(p.index == LogFormatProblem::kWhole ? v.pos : s->at(p.index), v.path, p.message);
  }
  if (problems.empty()) c.log_format = text;
}

// Compared with the path of each request ("/login" also counts "/login?next=/" and
// "/login/sso"): a path, so it starts with '/', and has no spaces, as a request line's has none.
Problem check_path_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.front() != '/') return fmt::format("a path prefix starts with '/', got \"{}\"", prefix);
  for (char ch : prefix) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == '\x7f')
      return fmt::format("a path prefix has no spaces or control characters, got \"{}\"", prefix);
  }
  return std::nullopt;
}

void read_path_prefixes(Context& ctx, const Field& f, CheckConfig& c) {
  for (const Field& item : read_list(ctx, f)) {
    auto s = read_string(ctx, item);
    if (!s) continue;
    if (auto p = check_path_prefix(*s)) ctx.error(item, *p);
    else if (contains(c.path_prefixes, *s)) ctx.error(item, fmt::format("\"{}\" is listed twice", *s));
    else c.path_prefixes.push_back(std::move(*s));
  }
}

// Conditions read a pattern's count as pattern.<name>, so the name is a word of the
// condition language.
Problem check_pattern_name(std::string_view name) {
  if (name.empty()) return "must not be empty";
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
      return fmt::format("invalid pattern name \"{}\": use only letters, digits and '_' (conditions read it as pattern.{})",
                         name, name);
  }
  return std::nullopt;
}

void read_pattern(Context& ctx, const Field& f, NameIndex& names, std::vector<LogPattern>& out) {
  MapView m(ctx, f, {"name", "regex"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  LogPattern p;
  if (const Field* v = m.require("name")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto problem = check_pattern_name(*s)) ctx.error(*v, *problem);
      else if (names.add(ctx, *v, *s)) p.name = *s;
    }
  }
  if (const Field* v = m.require("regex")) {
    if (auto s = read_scalar(ctx, *v, "a regular expression")) {
      const RE2 re(s->value(), RE2::Quiet);
      if (s->value().empty()) {
        ctx.error(*v, "must not be empty: it would match every line");
      } else if (!re.ok()) {
        // RE2 names the offending part of the expression: point at it.
        const std::size_t at = re.error_arg().empty() ? std::string::npos : s->value().find(re.error_arg());
        ctx.error(at == std::string::npos ? v->pos : s->at(at), v->path, fmt::format("invalid regular expression: {}", re.error()));
      } else {
        p.regex = s->value();
      }
    }
  }
  if (ctx.error_count() == errors_before) out.push_back(std::move(p));
}

// path("/login") in a condition: the prefixes it names, with the index of each one's opening
// quote. String literals are skipped (`body contains "path(\"x\")"` names none); their only
// escapes are \" and \\, as in the condition language.
struct PrefixRef {
  std::size_t index;
  std::string prefix;
};
std::vector<PrefixRef> prefixes_named_in(std::string_view text) {
  std::vector<PrefixRef> out;
  const auto word_char = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.'; };
  // Reads the literal whose opening quote is at `i`; returns the index after its closing quote.
  const auto read_literal = [&](std::size_t i, std::string* value) {
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) ++i;
      if (value) *value += text[i];
    }
    return i + 1;
  };
  const auto skip_spaces = [&](std::size_t i) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    return i;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      i = read_literal(i, nullptr);
    } else if (word_char(text[i])) {
      const std::size_t begin = i;
      while (i < text.size() && word_char(text[i])) ++i;
      if (text.substr(begin, i - begin) != "path") continue;
      std::size_t j = skip_spaces(i);
      if (j >= text.size() || text[j] != '(') continue;
      j = skip_spaces(j + 1);
      if (j >= text.size() || text[j] != '"') continue;
      PrefixRef ref{j, {}};
      i = read_literal(j, &ref.prefix);
      out.push_back(std::move(ref));
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> read_absolute_path(Context& ctx, const Field& f) {
  auto s = read_string(ctx, f);
  if (!s) return std::nullopt;
  if (!std::filesystem::path(*s).is_absolute()) {
    ctx.error(f, fmt::format("must be an absolute path, got \"{}\"", *s));
    return std::nullopt;
  }
  return s;
}

void read_access_log_check(Context& ctx, MapView& m, CheckConfig& c) {
  read_log_path(ctx, m, c);
  if (const Field* v = m.get("log_format")) read_log_format(ctx, *v, c);
  read_window(ctx, m, c);
  if (const Field* v = m.get("path_prefixes")) read_path_prefixes(ctx, *v, c);
}

void read_error_log_check(Context& ctx, MapView& m, CheckConfig& c) {
  read_log_path(ctx, m, c);
  read_window(ctx, m, c);
  if (const Field* v = m.get("patterns")) {
    NameIndex names("pattern");
    for (const Field& item : read_list(ctx, *v)) read_pattern(ctx, item, names, c.patterns);
  }
}

void read_host_check(Context& ctx, MapView& m, CheckConfig& c) {
  const Field* v = m.get("mounts");
  if (!v) return;
  for (const Field& item : read_list(ctx, *v)) {
    auto p = read_absolute_path(ctx, item);
    if (!p) continue;
    if (contains(c.mounts, *p)) ctx.error(item, fmt::format("\"{}\" is listed twice", *p));
    else c.mounts.push_back(std::move(*p));
  }
}

void read_process_check(Context& ctx, MapView& m, CheckConfig& c) {
  const Field* v = m.require("process_name");
  if (!v) return;
  auto s = read_string(ctx, *v);
  if (!s) return;
  if (s->empty()) {
    ctx.error(*v, "must not be empty");
  } else if (s->find('/') != std::string::npos) {
    const std::string base = std::filesystem::path(*s).filename().string();
    ctx.error(*v, fmt::format("\"{}\" is a path: process_name is the program's name{}, matched against "
                              "/proc/PID/comm and argv[0]'s basename",
                              *s, base.empty() ? "" : fmt::format(" (\"{}\")", base)));
  } else {
    c.process_name = *s;
  }
}

void add_condition_prefixes(Context& ctx, const Scalar& condition, const std::string& key, CheckConfig& c) {
  for (PrefixRef& ref : prefixes_named_in(condition.value())) {
    if (auto p = check_path_prefix(ref.prefix)) ctx.error(condition.at(ref.index), key, *p);
    else if (!contains(c.path_prefixes, ref.prefix)) c.path_prefixes.push_back(std::move(ref.prefix));
  }
}

}  // namespace vigil::config::detail
