// A few helpers to write SVG by hand that stays well-formed: every text goes through escape_markup(),
// numbers are written with one decimal at most, and a document always has its namespace,
// viewBox and an opaque light background (GitHub's dark theme would hide dark-on-clear lines).
#pragma once
#include <string>
#include <string_view>

namespace vigil::postmortem::svg {

// "12", "12.5": short, locale-free.
std::string num(double v);

// <svg ...> with xmlns, width, height, viewBox, a <title>, and a white background rect.
std::string open(int width, int height, std::string_view title);
inline std::string close() { return "</svg>\n"; }

// <text> element; anchor: start|middle|end.
std::string text(double x, double y, std::string_view content, std::string_view anchor = "start",
                 std::string_view extra_attrs = "");

// Shortens to at most `max` characters (UTF-8 aware), with "…" when cut.
std::string clip(std::string_view s, std::size_t max);

// Rough width in px of a label at 11px sans-serif: enough to keep labels from overlapping.
double text_width(std::string_view s, double font_px = 11);

}  // namespace vigil::postmortem::svg
