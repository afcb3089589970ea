#include "incident/open_ids.h"

#include <algorithm>
#include <cstdlib>

namespace vigil::incident {

// A closed id stays in place as its negative (a hole), so the vector stays sorted by absolute
// value and every lookup is a binary search.
namespace {
bool below(std::int64_t slot, std::int64_t id) { return std::llabs(slot) < id; }
}  // namespace

void OpenIds::add(std::int64_t id) {
  if (ids_.empty() || std::llabs(ids_.back()) < id) return ids_.push_back(id);
  // Restore may hand ids in any order (rare): insert in place, or reopen a hole.
  auto it = std::lower_bound(ids_.begin(), ids_.end(), id, below);
  if (it != ids_.end() && std::llabs(*it) == id) {
    if (*it < 0) {
      *it = id;
      --holes_;
    }
    return;
  }
  ids_.insert(it, id);
}

void OpenIds::remove(std::int64_t id) {
  auto it = std::lower_bound(ids_.begin(), ids_.end(), id, below);
  if (it == ids_.end() || *it != id) return;
  *it = -id;
  ++holes_;
  while (!ids_.empty() && ids_.back() < 0) {  // the newest closed: shrink from the end
    ids_.pop_back();
    --holes_;
  }
  if (holes_ > 64 && holes_ * 2 > ids_.size()) {
    std::erase_if(ids_, [](std::int64_t v) { return v < 0; });
    holes_ = 0;
  }
}

std::vector<std::int64_t> OpenIds::newest(std::size_t limit) const {
  std::vector<std::int64_t> out;
  for (auto it = ids_.rbegin(); it != ids_.rend() && out.size() < limit; ++it)
    if (*it > 0) out.push_back(*it);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace vigil::incident
