#include "incident/key_index.h"

namespace vigil::incident {

const std::int64_t* KeyIndex::find(const std::string& key) const {
  if (auto it = current_.find(key); it != current_.end()) return &it->second;
  if (old_.empty()) return nullptr;
  auto it = old_.find(key);
  return it == old_.end() ? nullptr : &it->second;
}

void KeyIndex::set(const std::string& key, std::int64_t id) {
  if (!old_.empty()) {
    if (auto it = old_.find(key); it != old_.end()) {
      it->second = id;
      return move_some();
    }
  } else if (current_.size() >= kIncremental &&
             current_.size() + 1 > current_.max_load_factor() * static_cast<float>(current_.bucket_count())) {
    // The next insert would rehash everything: start a larger map instead. reserve() only
    // allocates its bucket array (zeroed pages, touched as they fill).
    old_.swap(current_);
    current_.reserve(2 * old_.size());
  }
  current_.insert_or_assign(key, id);
  move_some();
}

void KeyIndex::erase(const std::string& key) {
  if (current_.erase(key) == 0 && !old_.empty()) old_.erase(key);
  move_some();
}

void KeyIndex::move_some() {
  for (int i = 0; i < kMovesPerChange && !old_.empty(); ++i) current_.insert(old_.extract(old_.begin()));
  if (old_.empty() && old_.bucket_count() > 1) Map().swap(old_);  // give its bucket array back
}

}  // namespace vigil::incident
