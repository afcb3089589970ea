// OpenIds: the ids of one service's open incidents, ascending, for the overview's "newest
// 100 and how many". Ids only grow, so opening one appends; closing one leaves a hole that a
// compaction removes once holes are half the vector. 8-16 bytes per open incident where a
// std::set costs 48: it matters at a million. Not thread-safe (IncidentBook's owner only).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil::incident {

class OpenIds {
 public:
  void add(std::int64_t id);     // ids > 0; out of order only at restore (then inserted in place)
  void remove(std::int64_t id);  // no-op when absent
  std::size_t size() const { return ids_.size() - holes_; }
  bool empty() const { return size() == 0; }
  std::vector<std::int64_t> newest(std::size_t limit) const;  // ascending

 private:
  std::vector<std::int64_t> ids_;
  std::size_t holes_ = 0;
};

}  // namespace vigil::incident
