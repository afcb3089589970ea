// vigil.yaml: any text is either a config or a list of errors, each FILE:LINE:COL: key: message
// with its place inside the text (the promise of `vigil config check`), never an exception.
#include <cstdint>
#include <string>

#include "check.h"
#include "config/config.h"

using namespace vigil::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // A path in a directory that does not exist: *_file secrets named relative to it cannot be read.
  const LoadResult r = load_config_text(text, "/nonexistent/fuzz.yaml");
  FUZZ_CHECK(r.config.has_value() == r.errors.empty());
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const ConfigError& e : r.errors) {
    FUZZ_CHECK(e.file == "/nonexistent/fuzz.yaml");
    FUZZ_CHECK(!e.message.empty());
    FUZZ_CHECK(e.line >= 0 && static_cast<std::size_t>(e.line) <= lines + 1);
    FUZZ_CHECK(e.line == 0 || e.column >= 1);
    FUZZ_CHECK(to_string(e).rfind("/nonexistent/fuzz.yaml:", 0) == 0);
  }
  return 0;
}
