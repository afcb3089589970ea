// Schedule resolution with PagerDuty's model: layers of rotations (each with a virtual start,
// a rotation length and restrictions), later layers winning over earlier ones, overrides
// winning over all; every wall-clock rule evaluated in the schedule's IANA time zone so
// hand-offs stay at 09:00 local across DST changes. Pure: the instant is an argument.
//
// Local wall times are converted to UTC with the zone; a local time that occurs twice (fall-back
// hour) takes its earlier instant, a local time that does not exist (spring-forward gap) takes
// the instant the gap ends (02:30 on a 02:00→03:00 day is 03:00 new time). So a daily 09:00
// hand-off lasts 23h on the spring-forward day and 25h on the fall-back day.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"

namespace vigil::oncall {

// Ranges longer than this are cut to [from, from + kMaxRange) by shifts() and layer_shifts().
inline constexpr Duration kMaxRange = std::chrono::hours(24 * 366);

struct Shift {
  std::string user;  // user id
  Time start{};
  Time end{};
  std::string layer;  // layer name ("Layer N", 1-based, when unnamed), or "override"

  friend bool operator==(const Shift&, const Shift&) = default;
};

class Schedule {
 public:
  // Error when the time zone is unknown to the system tzdata, a layer has no users or a
  // rotation shorter than one minute, or a restriction is out of range (start_time in
  // [0, 24h), start_day 1..7, duration in (0, 24h] daily / (0, 7d] weekly). Error::field is
  // relative to the schedule, e.g. "layers[0].restrictions[1].duration".
  // Overrides with end <= start are ignored.
  static Result<Schedule> make(const config::ScheduleConfig& cfg);

  // The user on call at `at` (final schedule), or nullopt when nobody is (gaps are possible
  // with restrictions or a schedule that starts in the future).
  std::optional<std::string> on_call(Time at) const;

  // The final schedule in [from, to) as consecutive shifts of one user each, sorted, clipped to
  // [from, to) (adjacent shifts of the same user are merged, even across layers/overrides: the
  // merged shift keeps the `layer` of its first piece; gaps are left out). Cost is linear in
  // the number of hand-offs, restriction windows and overrides in the range; a range longer
  // than kMaxRange is cut to kMaxRange.
  std::vector<Shift> shifts(Time from, Time to) const;

  // The shifts of one layer alone in [from, to) (restrictions applied, no overrides; adjacent
  // turns of the same user merged). Empty for an out-of-range layer index.
  std::vector<Shift> layer_shifts(std::size_t layer, Time from, Time to) const;

  const config::ScheduleConfig& config() const { return cfg_; }

 private:
  config::ScheduleConfig cfg_;
  const void* zone_ = nullptr;  // const date::time_zone*; kept opaque so this header stays light
};

// iCalendar (RFC 5545) feed of `shifts` (usually schedule.shifts(from, to)): one VEVENT per
// shift with a stable UID "<schedule>-<start epoch seconds>-<user>@vigil", DTSTAMP
// `generated_at`, DTSTART/DTEND in UTC (whole seconds), SUMMARY "On call: <user name, or id
// when the user is unknown or unnamed>". Text values escape backslash, ";", "," and newlines;
// lines are folded at 75 octets (never inside a UTF-8 sequence) and end in CRLF, as Google
// Calendar and Thunderbird expect.
std::string to_ical(const Schedule& schedule, const std::vector<Shift>& shifts,
                    const std::vector<config::UserConfig>& users, Time generated_at);

}  // namespace vigil::oncall
