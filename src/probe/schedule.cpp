#include "probe/schedule.h"

#include <algorithm>
#include <unordered_map>

namespace vigil::probe {

namespace {

constexpr auto kLateAfter = std::chrono::seconds(1);

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Duration effective_interval(const ProbeTarget& t) {
  const Duration d = t.check ? t.check->interval : Duration{};
  return d > Duration::zero() ? d : config::Defaults{}.interval;
}

}  // namespace

Duration phase_offset(std::string_view check_id, Duration interval, double jitter) {
  if (!(jitter > 0)) return Duration::zero();
  const auto span = static_cast<std::uint64_t>(static_cast<double>(interval.count()) * std::min(jitter, 1.0));
  if (span == 0) return Duration::zero();
  return Duration{static_cast<Duration::rep>(fnv1a(check_id) % span)};
}

void Schedule::replace(std::vector<ProbeTarget> targets, SteadyTime now) {
  // Pass 1: match targets to live slots by id (views into slots_, which does not grow here).
  std::unordered_map<std::string_view, std::uint32_t> by_id;
  by_id.reserve(size());
  for (std::uint32_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].live) by_id.emplace(slots_[i].check_id, i);
  std::vector<std::int64_t> match(targets.size(), -1);
  std::vector<bool> kept(slots_.size(), false);
  for (std::size_t t = 0; t < targets.size(); ++t) {
    auto it = by_id.find(targets[t].check_id);
    if (it != by_id.end() && !kept[it->second]) {  // a duplicate id gets a slot of its own
      kept[it->second] = true;
      match[t] = it->second;
    }
  }
  by_id.clear();

  // Pass 2: free the slots of removed checks.
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].live || kept[i]) continue;
    Slot& s = slots_[i];
    s.live = false;
    s.in_flight = false;
    s.check.reset();
    s.check_id = std::string();
    ++s.serial;
    ++s.epoch;
    free_.push_back(i);
  }

  // Pass 3: update kept slots, fill new ones.
  std::vector<Entry> fresh;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    ProbeTarget& target = targets[t];
    const Duration interval = effective_interval(target);
    std::uint32_t index;
    if (match[t] >= 0) {
      index = static_cast<std::uint32_t>(match[t]);
      Slot& s = slots_[index];
      s.check = std::move(target.check);
      if (s.interval == interval && s.jitter == target.jitter) continue;  // phase kept
      s.interval = interval;
      s.jitter = target.jitter;
      ++s.epoch;
    } else {
      if (!free_.empty()) {
        index = free_.back();
        free_.pop_back();
      } else {
        index = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
      }
      Slot& s = slots_[index];
      s.check_id = std::move(target.check_id);
      s.check = std::move(target.check);
      s.interval = interval;
      s.jitter = target.jitter;
      s.live = true;
      s.in_flight = false;
      ++s.epoch;
    }
    const Slot& s = slots_[index];
    fresh.push_back({now + phase_offset(s.check_id, s.interval, s.jitter), index, s.epoch});
  }

  // Rebuild the heap: entries of kept, unchanged checks stay; stale ones go.
  std::erase_if(heap_, [&](const Entry& e) { return !slots_[e.slot].live || slots_[e.slot].epoch != e.epoch; });
  heap_.insert(heap_.end(), fresh.begin(), fresh.end());
  std::make_heap(heap_.begin(), heap_.end(), Later{});
  heap_.shrink_to_fit();
}

std::optional<SteadyTime> Schedule::next_due() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().due;
}

void Schedule::pop_due(SteadyTime now, std::vector<Run>& out) {
  while (!heap_.empty() && heap_.front().due <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Entry e = heap_.back();
    heap_.pop_back();
    Slot& s = slots_[e.slot];
    if (!s.live || s.epoch != e.epoch) continue;
    // Whole intervals the loop fell behind: skip them instead of running them back to back.
    const auto behind = now - e.due;
    if (behind >= s.interval) {
      const auto missed = behind / s.interval;
      skipped_ += static_cast<std::uint64_t>(missed);
      e.due += missed * s.interval;
    }
    if (s.in_flight) {
      ++skipped_;
    } else {
      s.in_flight = true;
      const bool late = now - e.due > kLateAfter;
      if (late) ++late_;
      out.push_back({e.slot, s.serial, e.due, late});
    }
    e.due += s.interval;
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
}

bool Schedule::finished(std::uint32_t slot, std::uint32_t serial) {
  if (slot >= slots_.size()) return false;
  Slot& s = slots_[slot];
  if (!s.live || s.serial != serial) return false;
  s.in_flight = false;
  return true;
}

}  // namespace vigil::probe
