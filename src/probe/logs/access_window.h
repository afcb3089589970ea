// AccessWindow: the sliding-window figures of an access_log check (requests, rates, status mix,
// latency percentiles, unique clients, bytes), overall and per configured path prefix.
// Pure: it never reads a clock; the caller passes record times (from the log) and `now`.
//
//   AccessWindow w(check.window, check.path_prefixes, fmt.has_duration());
//   w.add(rec);                          // O(1 + prefixes); records older than the window dropped
//   w.evict(now);                        // frees slots and clients that left the window
//   result.figures = w.figures(now);     // "requests", "error_rate", "path:/login.p95", ...
//
// Figures (each also as "path:<prefix>.<name>" for every prefix, e.g. "path:/login.error_rate"):
//   requests         requests in the window                               (double)
//   request_rate     requests per second over the window                  (double)
//   error_rate       5xx share of requests, 0..1 (0 when no requests)     (double)
//   error_rate_4xx   4xx share, error_rate_5xx: 5xx share (= error_rate)  (double)
//   status.1xx..5xx  counts per status class                              (double)
//   p50, p95, p99    request duration percentiles (Duration, ms; present only when the format
//                    has %D or %T; 0ms with no requests)
//   unique_clients   distinct clients (%a/%h) seen in the window          (double)
//   bytes            response bytes in the window                         (double)
//
// Time resolution: the window is a ring of slots of max(1s, ceil(window / 60)) each (1s for
// windows up to a minute, 5s for the default 5m); a slot leaves the window as a whole, so the
// window edge is exact to one slot. Latency: LatencyHistogram below, ≤ 3.2% relative error.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "probe/check_result.h"
#include "probe/logs/access_format.h"

namespace vigil::probe::logs {

// HDR-style log-linear histogram of durations in microseconds: values 0..15 exact, then each
// power of two split into 16 equal sub-buckets (bucket width ≤ 1/16 of its lower bound).
// A percentile reports the bucket's midpoint: relative error ≤ 1/32 ≈ 3.2%. Values above
// 2^32 µs (≈ 71 min) count in the last bucket. record() is a few integer ops, no log().
class LatencyHistogram {
 public:
  static constexpr int kSubBits = 4;
  static constexpr int kMaxBits = 32;
  static constexpr std::size_t kBuckets = (kMaxBits - kSubBits + 1) << kSubBits;  // 464

  static std::size_t bucket_of(std::uint64_t micros);
  static std::uint64_t bucket_low(std::size_t bucket);   // smallest value in the bucket
  static std::uint64_t bucket_high(std::size_t bucket);  // one past the largest value

  void record(std::chrono::microseconds d, std::uint32_t count = 1);
  void merge(const LatencyHistogram& other);
  void clear();
  std::uint64_t total() const { return total_; }
  // q in [0, 1]; 0µs when empty. The value v with at least ceil(q × total) values ≤ v's bucket.
  std::chrono::microseconds percentile(double q) const;

 private:
  std::array<std::uint32_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
};

class AccessWindow {
 public:
  // `path_prefixes` match the start of the record's path ("/login" matches "/login" and
  // "/login/x", also "/loginx": a prefix is text, as in the config's `path_prefixes`).
  AccessWindow(Duration window, std::vector<std::string> path_prefixes, bool has_duration = true);
  AccessWindow(AccessWindow&&) noexcept;
  AccessWindow& operator=(AccessWindow&&) noexcept;
  ~AccessWindow();

  // Counts a parsed record at rec.time (rec.has_time false: counted at the newest time seen).
  // A record older than the window (relative to the newest record or evict() time) is dropped;
  // one stamped after the last evict(now) by more than a slot counts at that `now`.
  void add(const AccessRecord& rec);
  // Forgets slots and clients that ended before now - window. Cheap when nothing expires.
  void evict(Time now);
  // The figures over (now - window, now]; records after `now` count too (clock skew).
  std::map<std::string, FigureValue> figures(Time now) const;

  Duration window() const { return window_; }
  std::chrono::seconds slot_width() const { return slot_width_; }
  const std::vector<std::string>& path_prefixes() const { return prefixes_; }
  // Distinct clients kept per series (overall and per prefix); beyond it unique_clients
  // stops growing (a flood of spoofed addresses must not eat the daemon's memory).
  static constexpr std::size_t kMaxClients = 1'000'000;

 private:
  struct Series;
  Duration window_;
  std::chrono::seconds slot_width_;
  std::size_t slot_count_;
  std::vector<std::string> prefixes_;
  bool has_duration_;
  std::int64_t newest_slot_ = INT64_MIN;  // newest slot written or evicted up to
  std::int64_t now_slot_ = INT64_MIN;     // slot of the latest evict(now)
  std::vector<std::unique_ptr<Series>> series_;  // [0] overall, [1 + i] prefix i
};

}  // namespace vigil::probe::logs
