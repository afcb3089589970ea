#include "postmortem/svg.h"
#include "common/escape.h"

#include <fmt/format.h>

#include <cmath>

namespace vigil::postmortem::svg {

std::string num(double v) {
  if (!std::isfinite(v)) return "0";
  const double r = std::round(v * 10) / 10;
  if (r == std::floor(r)) return fmt::format("{}", static_cast<long long>(r));
  return fmt::format("{:.1f}", r);
}

std::string open(int width, int height, std::string_view title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\" role=\"img\" "
      "aria-label=\"{2}\">\n<title>{2}</title>\n<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n",
      width, height, escape_markup(title));
}

std::string text(double x, double y, std::string_view content, std::string_view anchor, std::string_view extra) {
  return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}{}>{}</text>\n", num(x), num(y), anchor,
                     extra.empty() ? "" : " ", extra, escape_markup(content));
}

std::string clip(std::string_view s, std::size_t max) {
  // Byte offset where each character starts; cut on a character boundary, never inside one.
  std::size_t chars = 0, cut = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars + 1 == max) cut = i;
    if (++chars > max) return std::string(s.substr(0, cut)) + "…";
  }
  return std::string(s);
}

double text_width(std::string_view s, double font_px) {
  std::size_t chars = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
  return static_cast<double>(chars) * font_px * 0.58;
}

}  // namespace vigil::postmortem::svg
