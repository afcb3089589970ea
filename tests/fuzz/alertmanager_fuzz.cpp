// Alertmanager webhook bodies (POST /api/v1/integrations/{name}/alertmanager): all or nothing,
// every accepted alert has a stable "am-" key, a bounded summary and a known severity.
#include <cstdint>
#include <string_view>

#include "check.h"
#include "incident/alertmanager.h"
#include "incident/events_v2.h"

using namespace vigil::incident;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const AlertmanagerResult r = parse_alertmanager(body);
  FUZZ_CHECK(r.errors.empty() || r.events.empty());
  for (const auto& msg : r.errors) FUZZ_CHECK(!msg.empty());
  for (const InboundEvent& e : r.events) {
    FUZZ_CHECK(e.dedup_key.rfind("am-", 0) == 0 && e.dedup_key.size() > 3);
    FUZZ_CHECK(e.action != InboundEvent::Action::acknowledge);
    FUZZ_CHECK(!e.summary.empty() && utf8_length(e.summary) <= kMaxSummaryChars);
    FUZZ_CHECK(e.severity == "critical" || e.severity == "error" || e.severity == "warning" || e.severity == "info");
    FUZZ_CHECK(e.origin == "alertmanager");
  }
  // The same body always gives the same keys (the fingerprint is a function of the labels).
  const AlertmanagerResult again = parse_alertmanager(body);
  FUZZ_CHECK(again.events.size() == r.events.size());
  for (std::size_t i = 0; i < r.events.size(); ++i) FUZZ_CHECK(again.events[i].dedup_key == r.events[i].dedup_key);
  return 0;
}
