#include "app/metrics_text.h"

#include <fmt/format.h>

#include <cmath>

namespace vigil::app {
namespace {

void append_escaped(std::string& out, const std::string& v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

void append_value(std::string& out, double v) {
  if (std::isinf(v)) out += v > 0 ? "+Inf" : "-Inf";
  else if (std::isnan(v)) out += "NaN";
  else fmt::format_to(std::back_inserter(out), "{}", v);
}

}  // namespace

void MetricsText::family(const std::string& name, const std::string& type, const std::string& help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void MetricsText::labels(const Labels& ls, const char* extra_name, const std::string& extra_value) {
  if (ls.empty() && !extra_name) return;
  out_ += '{';
  bool first = true;
  for (const auto& [k, v] : ls) {
    if (!first) out_ += ',';
    first = false;
    out_ += k;
    out_ += "=\"";
    append_escaped(out_, v);
    out_ += '"';
  }
  if (extra_name) {
    if (!first) out_ += ',';
    out_ += extra_name;
    out_ += "=\"";
    out_ += extra_value;
    out_ += '"';
  }
  out_ += '}';
}

void MetricsText::sample(const std::string& name, const Labels& ls, double value) {
  out_ += name;
  labels(ls);
  out_ += ' ';
  append_value(out_, value);
  out_ += '\n';
}

void MetricsText::histogram(const std::string& name, const Labels& ls, std::span<const double> bounds,
                            std::span<const std::uint64_t> counts, std::uint64_t total, double sum) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    out_ += name;
    out_ += "_bucket";
    labels(ls, "le", fmt::format("{}", bounds[i]));
    fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
  }
  out_ += name;
  out_ += "_bucket";
  labels(ls, "le", "+Inf");
  fmt::format_to(std::back_inserter(out_), " {}\n", total);
  out_ += name;
  out_ += "_sum";
  labels(ls);
  out_ += ' ';
  append_value(out_, sum);
  out_ += '\n';
  out_ += name;
  out_ += "_count";
  labels(ls);
  fmt::format_to(std::back_inserter(out_), " {}\n", total);
}

}  // namespace vigil::app
