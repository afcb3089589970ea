#include <fmt/format.h>

#include "config/config.h"

namespace vigil::config {

// FILE:LINE:COL: key: message — the shape compilers and promtool print, so editors and CI
// annotators can jump to the spot. Parts that do not apply are left out rather than printed
// empty: a file that cannot be read has no line, a YAML syntax error has no key.
std::string to_string(const ConfigError& e) {
  std::string out = e.file.empty() ? std::string("<config>") : e.file;
  if (e.line > 0) out += fmt::format(":{}:{}", e.line, e.column);
  out += ": ";
  if (!e.key.empty()) out += e.key + ": ";
  out += e.message;
  return out;
}

}  // namespace vigil::config
