// Calendar values of the on-call sections: dates and wall-clock times, times of day, week
// days and IANA time zones. The parsers are pure and return the problem as a message; the
// zone lookups read the system tzdata. Private to src/config.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace date {
class time_zone;
}

namespace vigil::config::detail {

using LocalMs = std::chrono::local_time<std::chrono::milliseconds>;

// "2024-08-12", "2024-08-12T09:00", "2024-08-12T09:00:00[.250]" (a space may replace the T),
// optionally followed by "Z" or "+02:00" / "-05:30" (RFC 3339).
struct DateTime {
  LocalMs local{};                        // as written, without the offset applied
  bool has_time = false;                  // false: a date alone, meaning 00:00
  std::optional<std::chrono::minutes> offset;  // set when an offset (or Z) was written
};
Result<DateTime> parse_datetime(std::string_view text);
// "2024-08-12T09:00:00" — how a wall-clock time is shown back in messages.
std::string format_local(LocalMs t);

// "HH:MM", 00:00 to 23:59 (one-digit hours too: "9:00").
Result<std::chrono::minutes> parse_time_of_day(std::string_view text);
// ISO day number 1 (Monday) ... 7 (Sunday) from "monday", "Mon" or "1".
Result<int> parse_weekday(std::string_view text);

// The zone, or an error with a "did you mean" hint. Never throws.
Result<const date::time_zone*> find_time_zone(std::string_view name);
// The instant a wall-clock time names in `zone`; an error when the clocks skip it (DST starts)
// or show it twice (DST ends), naming the offsets to choose from.
Result<Time> local_to_sys(const date::time_zone* zone, LocalMs local);

}  // namespace vigil::config::detail
