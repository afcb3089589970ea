#include "config/log_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <array>

namespace vigil::config::detail {

namespace {

enum class Arg { none, optional, required };

struct Directive {
  std::string_view name;  // what follows the modifiers: "h", ">s" is "s" with a modifier, "^ti"
  Arg arg = Arg::none;
  std::array<std::string_view, 3> values = {};  // allowed {arg} values; none: any text
  std::string_view needs = {};  // for Arg::required: what the argument names
};

// mod_log_config's directives, plus mod_logio's (%I %O %S %^FU %^FB) and mod_ssl's (%{X}x,
// %{X}c). https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats
constexpr Directive kDirectives[] = {
    {"a", Arg::optional, {"c"}},  // %{c}a: the peer of the connection, not mod_remoteip's client
    {"A"},
    {"B"},
    {"b"},
    {"C", Arg::required, {}, "a cookie, e.g. %{session}C"},
    {"D"},
    {"e", Arg::required, {}, "an environment variable, e.g. %{UNIQUE_ID}e"},
    {"f"},
    {"h", Arg::optional, {"c"}},
    {"H"},
    {"i", Arg::required, {}, "a request header, e.g. %{User-Agent}i"},
    {"k"},
    {"l"},
    {"L"},
    {"m"},
    {"n", Arg::required, {}, "a note, e.g. %{forensic-id}n"},
    {"o", Arg::required, {}, "a response header, e.g. %{Content-Type}o"},
    {"p", Arg::optional, {"canonical", "local", "remote"}},
    {"P", Arg::optional, {"pid", "tid", "hextid"}},
    {"q"},
    {"r"},
    {"R"},
    {"s"},
    {"t", Arg::optional},  // %{sec}t, %{begin:msec}t, …: see is_readable_time
    {"T", Arg::optional, {"ms", "us", "s"}},
    {"u"},
    {"U"},
    {"v"},
    {"V"},
    {"X"},
    {"I"},
    {"O"},
    {"S"},
    {"x", Arg::required, {}, "an SSL variable, e.g. %{SSL_PROTOCOL}x"},
    {"c", Arg::required, {}, "an SSL variable, e.g. %{SSL_CIPHER}c"},
    {"^ti", Arg::required, {}, "a request trailer, e.g. %{Grpc-Status}^ti"},
    {"^to", Arg::required, {}, "a response trailer, e.g. %{Grpc-Status}^to"},
    {"^FU"},
    {"^FB"},
};

// Headers a line may log (%{X}i, %{X}o): what the access_log reader keeps per line.
constexpr int kMaxHeaders = 16;

// %{sec}t and its kin are numbers vigil reads; a strftime format (%{%d/%b/%Y}t) would need
// a parser per format. msec_frac and usec_frac are read past.
bool is_readable_time(std::string_view arg) {
  if (arg.starts_with("begin:")) arg.remove_prefix(6);
  else if (arg.starts_with("end:")) arg.remove_prefix(4);
  return arg == "sec" || arg == "msec" || arg == "usec" || arg == "msec_frac" || arg == "usec_frac";
}

const Directive* find_directive(std::string_view name) {
  for (const Directive& d : kDirectives) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace

std::vector<LogFormatProblem> check_log_format(std::string_view format) {
  std::vector<LogFormatProblem> problems;
  bool has_status = false;
  int headers = 0;
  // The directive just before, when no literal text has come since: a line is split at the
  // literal after each field, so two fields in a row cannot be told apart (%t excepted: it
  // is bracketed).
  std::string_view field_before;
  std::size_t i = 0;
  while (i < format.size()) {
    if (format[i] != '%') {
      field_before = {};
      ++i;
      continue;
    }
    const std::size_t start = i++;
    if (i < format.size() && format[i] == '%') {  // %%: a literal percent sign
      field_before = {};
      ++i;
      continue;
    }
    // Modifiers in any order, as mod_log_config reads them: status conditions (!200,304),
    // original/final request (< >) and the {argument}.
    std::string_view arg;
    bool has_arg = false;
    bool unterminated = false;
    while (i < format.size() && (std::isdigit(static_cast<unsigned char>(format[i])) ||
                                 std::string_view("!,<>{").find(format[i]) != std::string_view::npos)) {
      if (format[i] == '{') {
        const std::size_t close = format.find('}', i);
        if (close == std::string_view::npos) {
          unterminated = true;
          break;
        }
        arg = format.substr(i + 1, close - i - 1);
        has_arg = true;
        i = close + 1;
      } else {
        ++i;
      }
    }
    if (unterminated) {
      problems.push_back({start, R"(unterminated "%{": expected "}")"});
      break;
    }
    // Every directive is a letter (or ^ and two): anything else ends a directive too early.
    if (i >= format.size() || (!std::isalpha(static_cast<unsigned char>(format[i])) && format[i] != '^' &&
                               static_cast<unsigned char>(format[i]) < 0x80)) {
      const std::string_view written = format.substr(start, i - start);
      if (written == "%") {
        problems.push_back({start, "a lone '%': write %% for a percent sign"});
      } else if (has_arg) {
        problems.push_back({start, fmt::format("\"{}\" needs a directive letter after it, e.g. %{{{}}}i", written, arg)});
      } else {
        problems.push_back({start, fmt::format("\"{}\" needs a directive letter after it, e.g. {}s", written, written)});
      }
      continue;
    }
    std::size_t len = 1;
    if (format[i] == '^') len = std::min<std::size_t>(3, format.size() - i);
    else if (static_cast<unsigned char>(format[i]) >= 0x80) {  // a whole UTF-8 sequence, not a lone byte
      while (i + len < format.size() && (static_cast<unsigned char>(format[i + len]) & 0xC0) == 0x80) ++len;
    }
    const std::string_view name = format.substr(i, len);
    const std::string_view written = format.substr(start, i + len - start);
    i += len;
    const Directive* d = find_directive(name);
    if (d == nullptr) {
      problems.push_back({start, fmt::format("unknown LogFormat directive \"{}\"", written)});
      continue;
    }
    if (d->name == "s") has_status = true;
    if (!field_before.empty()) {
      problems.push_back({start, fmt::format("\"{}\" right after \"{}\": put literal text (a space) between them, or "
                                             "a line cannot be split into its fields",
                                             written, field_before)});
    }
    field_before = d->name == "t" && !has_arg ? std::string_view() : written;
    if ((d->name == "i" || d->name == "o") && ++headers == kMaxHeaders + 1) {
      problems.push_back({start, fmt::format("more than {} %{{…}}i and %{{…}}o directives", kMaxHeaders)});
    }
    if (d->name == "t" && has_arg && !is_readable_time(arg)) {
      problems.push_back({start, fmt::format("\"{}\": vigil reads the time as %t, %{{sec}}t, %{{msec}}t or %{{usec}}t "
                                             "(begin: or end: before sec, msec, usec allowed), not a strftime format",
                                             written)});
    } else if (has_arg && d->arg == Arg::none) {
      problems.push_back({start, fmt::format("\"{}\": %{} takes no {{…}} argument", written, d->name)});
    } else if (!has_arg && d->arg == Arg::required) {
      problems.push_back({start, fmt::format("\"{}\" needs a name: %{{Name}}{}, {}", written, d->name, d->needs)});
    } else if (has_arg && arg.empty() && d->arg == Arg::required) {
      problems.push_back({start, fmt::format("\"{}\": empty name, expected {}", written, d->needs)});
    } else if (has_arg && !d->values[0].empty() &&
               std::find(d->values.begin(), d->values.end(), arg) == d->values.end()) {
      std::vector<std::string> forms;
      for (std::string_view v : d->values) {
        if (!v.empty()) forms.push_back(fmt::format("%{{{}}}{}", v, d->name));
      }
      std::string list;
      for (std::size_t k = 0; k < forms.size(); ++k) {
        if (k > 0) list += k + 1 == forms.size() ? " or " : ", ";
        list += forms[k];
      }
      problems.push_back({start, fmt::format("\"{}\": expected %{} or {}", written, d->name, list)});
    }
  }
  if (!has_status && problems.empty()) {
    problems.push_back({LogFormatProblem::kWhole, "the format has no status (%>s or %s): vigil counts responses by their status"});
  }
  return problems;
}

}  // namespace vigil::config::detail
