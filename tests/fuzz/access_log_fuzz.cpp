// Apache access-log lines (the access_log check, `vigil logs analyze`): a malformed line is
// refused (counted and skipped by the callers), never read out of bounds; every field of a
// parsed line is a view into that line. The first byte picks the LogFormat: common, combined,
// the combined format with %D, or (odd bytes) the rest of the input's first line as the format.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "check.h"
#include "probe/logs/access_format.h"

using namespace vigil::probe::logs;

namespace {

const AccessFormat& fixed(int which) {
  static const AccessFormat formats[] = {
      *AccessFormat::compile("common"),
      *AccessFormat::compile("combined"),
      *AccessFormat::compile(R"(%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D)"),
  };
  return formats[which % 3];
}

bool inside(std::string_view field, std::string_view line) {
  return field.empty() || (field.data() >= line.data() && field.data() + field.size() <= line.data() + line.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::optional<AccessFormat> own;
  if (data[0] & 1) {
    const auto nl = rest.find('\n');
    auto compiled = AccessFormat::compile(rest.substr(0, nl));
    if (!compiled.ok()) {
      FUZZ_CHECK(!compiled.error().message.empty());
      return 0;
    }
    own.emplace(std::move(*compiled));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  const AccessFormat& format = own ? *own : fixed(data[0] >> 1);
  // An exact-size copy: ASan sees any read past the line's end.
  const std::string line(rest);
  AccessRecord rec;
  if (!format.parse(line, rec)) return 0;
  const std::string_view l(line);
  for (std::string_view f : {rec.client, rec.ident, rec.user, rec.method, rec.path, rec.query, rec.protocol,
                             rec.request, rec.vhost, rec.local_ip, rec.referer, rec.user_agent})
    FUZZ_CHECK(inside(f, l));
  FUZZ_CHECK(rec.header_count <= AccessRecord::kMaxHeaders);
  for (std::size_t i = 0; i < rec.header_count; ++i) FUZZ_CHECK(inside(rec.headers[i].value, l));
  FUZZ_CHECK(!format.has_status() || (rec.status >= 100 && rec.status <= 999));
  FUZZ_CHECK(rec.bytes >= 0 && rec.bytes_in >= 0 && rec.duration.count() >= 0);
  return 0;
}
