// KeyIndex: dedup key → id of its open incident, a hash map that grows without a pause.
// std::unordered_map rehashes every key at once when it grows: ~90 ms at a million keys, on
// the engine thread that every event of an alert storm waits for (the p99.9 of ingestion).
// This one, past kIncremental keys, starts a map with room for twice as many and moves a few
// entries into it on every insert and erase (node handles: no allocation, no copy), looking in
// both meanwhile. Not thread-safe: IncidentBook guards it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace vigil::incident {

class KeyIndex {
 public:
  static constexpr std::size_t kIncremental = 4096;  // below this a rehash takes microseconds
  static constexpr int kMovesPerChange = 4;          // done long before the new map fills

  const std::int64_t* find(const std::string& key) const;
  void set(const std::string& key, std::int64_t id);  // inserts or overwrites
  void erase(const std::string& key);
  std::size_t size() const { return current_.size() + old_.size(); }
  bool growing() const { return !old_.empty(); }  // for tests

 private:
  void move_some();

  using Map = std::unordered_map<std::string, std::int64_t>;
  Map current_;
  Map old_;  // entries not yet moved into current_
};

}  // namespace vigil::incident
