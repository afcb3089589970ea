// Schedule: which check runs when, for one probe shard. Pure (DESIGN.md §2): every call takes
// the current steady time, so tests drive it through hours of cadence in microseconds; the
// shard owns the one timer that calls pop_due().
//
// Each check runs every `interval`, first at now + phase_offset(id) (a deterministic spread
// over interval*jitter, so restarts and peers agree and a fleet of checks does not fire in one
// burst). The cadence is kept under load: the next run is the previous due time + interval.
// A slot whose previous run of the same check is still going is skipped and counted; slots
// missed because the loop itself fell behind are skipped and counted too, never bunched.
//
// State is a slot per check plus a 16-byte heap entry: about 100 bytes a check, so 100k
// checks fit in ~10 MB.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "probe/shard.h"

namespace vigil::probe {

using SteadyTime = std::chrono::steady_clock::time_point;

// FNV-1a of the id, modulo interval*jitter (0 when that span is under 1 ms).
Duration phase_offset(std::string_view check_id, Duration interval, double jitter);

class Schedule {
 public:
  struct Slot {
    std::string check_id;
    std::shared_ptr<const config::CheckConfig> check;
    Duration interval{};
    double jitter = 0;
    std::uint32_t serial = 0;  // changes when the slot is freed, so late completions are recognised
    std::uint32_t epoch = 0;   // changes when the check is rescheduled, invalidating heap entries
    bool live = false;
    bool in_flight = false;
  };

  // A run to start now.
  struct Run {
    std::uint32_t slot;
    std::uint32_t serial;
    SteadyTime due;
    bool late;  // started more than 1 s after `due`
  };

  // Replaces the checks. A check whose id is kept keeps its slot, its in-flight state and,
  // unless its interval or jitter changed, its phase; new or retimed checks first run at
  // now + phase_offset. A zero interval means Defaults' 30 s.
  void replace(std::vector<ProbeTarget> targets, SteadyTime now);

  // Earliest due time, if any check is scheduled.
  std::optional<SteadyTime> next_due() const;

  // Appends every run due at `now` to `out`, marks those checks in flight and schedules their
  // next slots.
  void pop_due(SteadyTime now, std::vector<Run>& out);

  // Marks a run finished. False when the check was removed meanwhile (drop its result).
  bool finished(std::uint32_t slot, std::uint32_t serial);

  const Slot& slot(std::uint32_t index) const { return slots_[index]; }
  std::size_t size() const { return slots_.size() - free_.size(); }
  std::uint64_t skipped() const { return skipped_; }
  std::uint64_t late() const { return late_; }

 private:
  struct Entry {
    SteadyTime due;
    std::uint32_t slot;
    std::uint32_t epoch;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.due != b.due ? a.due > b.due : a.slot > b.slot;
    }
  };

  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::vector<Entry> heap_;  // min-heap on due through Later
  std::uint64_t skipped_ = 0;
  std::uint64_t late_ = 0;
};

}  // namespace vigil::probe
