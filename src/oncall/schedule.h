// Schedule resolution with PagerDuty's model: layers of rotations (each with a virtual start,
// a rotation length and restrictions), later layers winning over earlier ones, overrides
// winning over all; every wall-clock rule evaluated in the schedule's IANA time zone so
// hand-offs stay at 09:00 local across DST changes. Pure: the instant is an argument.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "config/config.h"

namespace vigil::oncall {

struct Shift {
  std::string user;  // user id
  Time start{};
  Time end{};
  std::string layer;  // layer name, or "override"
};

class Schedule {
 public:
  // Error when the time zone is unknown to the system tzdata.
  static Result<Schedule> make(const config::ScheduleConfig& cfg);

  // The user on call at `at` (final schedule), or nullopt when nobody is (gaps are possible
  // with restrictions or a schedule that starts in the future).
  std::optional<std::string> on_call(Time at) const;

  // The final schedule in [from, to) as consecutive shifts of one user each (adjacent shifts
  // of the same user are merged; gaps are left out).
  std::vector<Shift> shifts(Time from, Time to) const;

  // The shifts of one layer alone in [from, to) (restrictions applied, no overrides).
  std::vector<Shift> layer_shifts(std::size_t layer, Time from, Time to) const;

  const config::ScheduleConfig& config() const { return cfg_; }

 private:
  config::ScheduleConfig cfg_;
  const void* zone_ = nullptr;  // const date::time_zone*; kept opaque so this header stays light
};

// iCalendar (RFC 5545) feed of the final schedule in [from, to): one VEVENT per shift with a
// stable UID, DTSTART/DTEND in UTC, SUMMARY "On call: <user name>". Lines folded at 75 octets,
// CRLF line ends, as Google Calendar and Thunderbird expect.
std::string to_ical(const Schedule& schedule, const std::vector<Shift>& shifts,
                    const std::vector<config::UserConfig>& users, Time generated_at);

}  // namespace vigil::oncall
