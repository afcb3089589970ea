// Escaping text into HTML, XML and SVG (pages, reports, charts, chat cards): one function, so
// every writer agrees on what is safe.
#pragma once
#include <string>
#include <string_view>

namespace vigil {

// & < > " ' as entities (safe in text and in quoted attribute values); control characters other
// than tab and newline dropped, since XML forbids them and they mean nothing on a page.
std::string escape_markup(std::string_view text);

}  // namespace vigil
