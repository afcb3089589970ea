// POST /v2/enqueue bodies: any bytes are either one valid event or a 400 listing errors, and
// both answers are well-formed JSON (what Alertmanager and PagerDuty clients parse).
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "incident/events_v2.h"

namespace json = boost::json;
using namespace vigil::incident;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto now = vigil::Time{std::chrono::milliseconds{1'724'000'000'000}};
  const EventsV2Result r = parse_events_v2(body, now);
  FUZZ_CHECK(r.event.has_value() == r.errors.empty());
  if (r.event) {
    const InboundEvent& e = *r.event;
    FUZZ_CHECK(!e.dedup_key.empty());
    FUZZ_CHECK(utf8_length(e.dedup_key) <= kMaxDedupKeyChars);
    FUZZ_CHECK(utf8_length(e.summary) <= kMaxSummaryChars);
    FUZZ_CHECK(e.action != InboundEvent::Action::trigger || !e.summary.empty());
    FUZZ_CHECK(e.severity == "critical" || e.severity == "error" || e.severity == "warning" || e.severity == "info");
    if (!e.custom_details_json.empty()) {
      boost::system::error_code ec;
      (void)json::parse(e.custom_details_json, ec);
      FUZZ_CHECK(!ec);  // kept serialized, read back by the UI and the API
    }
    const json::value ok = json::parse(events_v2_success_body(e.dedup_key));
    FUZZ_CHECK(ok.at("dedup_key").as_string() == e.dedup_key);
  } else {
    const json::value bad = json::parse(events_v2_error_body(r.errors));
    FUZZ_CHECK(bad.at("errors").as_array().size() == r.errors.size());
    for (const auto& msg : r.errors) FUZZ_CHECK(!msg.empty());
  }
  return 0;
}
