// What vigil reads from Apache: error-log lines (the error_log check, evidence, likely causes)
// and mod_status's `?auto` page (the apache_status check). The first byte picks which. A line
// that is not an error-log line is refused (counted and skipped); fields are views inside it;
// a status page either parses into figures or is refused.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "check.h"
#include "probe/apache_status.h"
#include "probe/logs/error_log.h"

using namespace vigil::probe;

namespace {
bool inside(std::string_view field, std::string_view line) {
  return field.empty() || (field.data() >= line.data() && field.data() + field.size() <= line.data() + line.size());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);  // exact size: ASan sees overreads
  if (data[0] & 1) {
    auto status = parse_apache_status(text);
    if (!status.ok()) {
      FUZZ_CHECK(!status.error().message.empty());
      return 0;
    }
    for (const auto& [name, value] : apache_figures(*status)) {
      FUZZ_CHECK(!name.empty());
      if (const double* d = std::get_if<double>(&value)) FUZZ_CHECK(!std::isnan(*d) || name != "busy_workers_ratio");
    }
    (void)apache_metrics(*status);
    return 0;
  }
  const std::string_view line(text);
  logs::ErrorLine e;
  if (!logs::parse_error_line(line, e)) return 0;
  for (std::string_view f : {e.raw, e.module, e.level_text, e.os_error, e.client, e.ah_code, e.message, e.referer})
    FUZZ_CHECK(inside(f, line));
  FUZZ_CHECK(e.ah_code.empty() || (e.ah_code.size() == 7 && e.ah_code.substr(0, 2) == "AH"));
  FUZZ_CHECK(e.pid >= 0 && e.tid >= 0);
  return 0;
}
