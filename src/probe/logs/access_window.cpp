#include "probe/logs/access_window.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace vigil::probe::logs {

// ---- LatencyHistogram --------------------------------------------------------------------

std::size_t LatencyHistogram::bucket_of(std::uint64_t v) {
  constexpr std::uint64_t kExact = 1u << kSubBits;
  if (v < kExact) return static_cast<std::size_t>(v);
  const int msb = 63 - std::countl_zero(v);
  if (msb >= kMaxBits) return kBuckets - 1;
  const std::uint64_t sub = (v >> (msb - kSubBits)) & (kExact - 1);
  return (static_cast<std::size_t>(msb - kSubBits + 1) << kSubBits) + static_cast<std::size_t>(sub);
}

std::uint64_t LatencyHistogram::bucket_low(std::size_t b) {
  constexpr std::uint64_t kExact = 1u << kSubBits;
  if (b < kExact) return b;
  const std::size_t group = b >> kSubBits;  // >= 1
  const std::uint64_t sub = b & (kExact - 1);
  return (kExact + sub) << (group - 1);
}

std::uint64_t LatencyHistogram::bucket_high(std::size_t b) {
  if (b < (1u << kSubBits)) return b + 1;
  return bucket_low(b) + (std::uint64_t{1} << ((b >> kSubBits) - 1));
}

void LatencyHistogram::record(std::chrono::microseconds d, std::uint32_t count) {
  const std::int64_t v = d.count();
  counts_[bucket_of(v < 0 ? 0 : static_cast<std::uint64_t>(v))] += count;
  total_ += count;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
}

void LatencyHistogram::clear() {
  counts_.fill(0);
  total_ = 0;
}

std::chrono::microseconds LatencyHistogram::percentile(double q) const {
  if (total_ == 0) return std::chrono::microseconds(0);
  q = std::clamp(q, 0.0, 1.0);
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The midpoint of the integers the bucket holds: |error| ≤ width / 2 / low ≤ 1/32.
      const std::uint64_t lo = bucket_low(i), hi = bucket_high(i);
      return std::chrono::microseconds(static_cast<std::int64_t>((lo + hi - 1) / 2));
    }
  }
  return std::chrono::microseconds(static_cast<std::int64_t>(bucket_low(kBuckets - 1)));
}

// ---- AccessWindow ------------------------------------------------------------------------

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Clients are kept by a 64-bit hash of their address, not the text: no allocation per new
// client, and a collision among a window's clients (p ≈ n² / 2^65) is not worth a string.
std::uint64_t hash_client(std::string_view s) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  std::uint64_t w = 0;
  if (s.size() > i) std::memcpy(&w, s.data() + i, s.size() - i);
  h = (h ^ w) * 0x94D049BB133111EBull;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 32);
}

}  // namespace

struct AccessWindow::Series {
  struct Slot {
    std::int64_t index = INT64_MIN;  // slot number: seconds since the epoch / slot width
    std::uint64_t requests = 0;
    std::uint64_t bytes = 0;
    std::array<std::uint64_t, 6> status{};      // [1..5] = 1xx..5xx, [0] other
    std::unique_ptr<LatencyHistogram> latency;  // allocated at the slot's first timed record
  };
  std::vector<Slot> slots;                                // ring, by index % size
  std::unordered_map<std::uint64_t, std::int64_t> clients;  // hash → last seen (s since epoch)

  Slot& slot(std::int64_t index) {
    const auto n = static_cast<std::int64_t>(slots.size());
    std::int64_t at = index % n;
    if (at < 0) at += n;
    Slot& s = slots[static_cast<std::size_t>(at)];
    if (s.index != index) {
      s.index = index;
      s.requests = s.bytes = 0;
      s.status.fill(0);
      if (s.latency) s.latency->clear();
    }
    return s;
  }

  void add(std::int64_t index, std::int64_t second, const AccessRecord& rec, bool timed) {
    Slot& s = slot(index);
    ++s.requests;
    s.bytes += static_cast<std::uint64_t>(rec.bytes);
    const int cls = rec.status / 100;
    ++s.status[cls >= 1 && cls <= 5 ? cls : 0];
    if (timed && rec.has_duration) {
      if (!s.latency) s.latency = std::make_unique<LatencyHistogram>();
      s.latency->record(rec.duration);
    }
    if (!rec.client.empty()) {
      const std::uint64_t h = hash_client(rec.client);
      auto it = clients.find(h);
      if (it != clients.end()) {
        it->second = std::max(it->second, second);
      } else if (clients.size() < kMaxClients) {
        clients.emplace(h, second);
      }
    }
  }
};

AccessWindow::AccessWindow(Duration window, std::vector<std::string> path_prefixes, bool has_duration)
    : window_(window < std::chrono::seconds(1) ? Duration(std::chrono::seconds(1)) : window),
      prefixes_(std::move(path_prefixes)),
      has_duration_(has_duration) {
  const std::int64_t window_s = std::chrono::ceil<std::chrono::seconds>(window_).count();
  slot_width_ = std::chrono::seconds(std::max<std::int64_t>(1, (window_s + 59) / 60));
  // Slots inside the window, one for the edge, one for records a little ahead of `now`.
  slot_count_ = static_cast<std::size_t>((window_s + slot_width_.count() - 1) / slot_width_.count()) + 2;
  series_.reserve(1 + prefixes_.size());
  for (std::size_t i = 0; i < 1 + prefixes_.size(); ++i) {
    auto s = std::make_unique<Series>();
    s->slots.resize(slot_count_);
    series_.push_back(std::move(s));
  }
}

AccessWindow::AccessWindow(AccessWindow&&) noexcept = default;
AccessWindow& AccessWindow::operator=(AccessWindow&&) noexcept = default;
AccessWindow::~AccessWindow() = default;

void AccessWindow::add(const AccessRecord& rec) {
  std::int64_t second;
  if (rec.has_time) {
    second = rec.time.time_since_epoch().count();
  } else if (newest_slot_ != INT64_MIN) {
    second = newest_slot_ * slot_width_.count();
  } else {
    return;  // no time yet to place it at
  }
  std::int64_t index = floor_div(second, slot_width_.count());
  // A line stamped ahead of the caller's clock (skew, a bogus timestamp) counts at `now`: one
  // line from 2030 must not push every later line out of the window.
  if (now_slot_ != INT64_MIN && index > now_slot_ + 1) {
    index = now_slot_;
    second = now_slot_ * slot_width_.count();
  }
  if (newest_slot_ != INT64_MIN && index <= newest_slot_ - static_cast<std::int64_t>(slot_count_))
    return;  // older than the window: its slot has been reused
  newest_slot_ = std::max(newest_slot_, index);
  series_[0]->add(index, second, rec, has_duration_);
  for (std::size_t i = 0; i < prefixes_.size(); ++i)
    if (rec.path.starts_with(prefixes_[i])) series_[1 + i]->add(index, second, rec, has_duration_);
}

void AccessWindow::evict(Time now) {
  const std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  const std::int64_t window_s = std::chrono::ceil<std::chrono::seconds>(window_).count();
  const std::int64_t now_index = floor_div(now_s, slot_width_.count());
  now_slot_ = std::max(now_slot_, now_index);
  newest_slot_ = std::max(newest_slot_, now_index);
  const std::int64_t first = floor_div(now_s - window_s, slot_width_.count()) + 1;
  for (auto& s : series_) {
    for (auto& slot : s->slots) {
      if (slot.index != INT64_MIN && slot.index < first) {
        slot.index = INT64_MIN;
        slot.latency.reset();  // an idle check gives its memory back
      }
    }
    const std::int64_t first_second = first * slot_width_.count();
    std::erase_if(s->clients, [&](const auto& kv) { return kv.second < first_second; });
  }
}

std::map<std::string, FigureValue> AccessWindow::figures(Time now) const {
  std::map<std::string, FigureValue> out;
  const std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  const std::int64_t window_s = std::chrono::ceil<std::chrono::seconds>(window_).count();
  const std::int64_t width = slot_width_.count();
  // Slots whose start lies in (now - window, now], and any after now (clock skew).
  const std::int64_t first = floor_div(now_s - window_s, width) + 1;
  const std::int64_t first_second = first * width;
  // The span the counted slots cover, for rates: in (window - slot, window].
  const double span = std::max<double>(
      1.0, static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()) / 1000.0 -
               static_cast<double>(first_second));

  LatencyHistogram latency;
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const Series& s = *series_[i];
    const std::string prefix = i == 0 ? std::string() : "path:" + prefixes_[i - 1] + ".";
    std::uint64_t requests = 0, bytes = 0;
    std::array<std::uint64_t, 6> status{};
    latency.clear();
    for (const auto& slot : s.slots) {
      if (slot.index == INT64_MIN || slot.index < first) continue;
      requests += slot.requests;
      bytes += slot.bytes;
      for (std::size_t c = 0; c < status.size(); ++c) status[c] += slot.status[c];
      if (slot.latency) latency.merge(*slot.latency);
    }
    std::uint64_t clients = 0;
    for (const auto& kv : s.clients)
      if (kv.second >= first_second) ++clients;

    const double n = static_cast<double>(requests);
    auto share = [&](std::uint64_t k) { return requests ? static_cast<double>(k) / n : 0.0; };
    out[prefix + "requests"] = n;
    out[prefix + "request_rate"] = n / span;
    out[prefix + "error_rate"] = share(status[5]);
    out[prefix + "error_rate_4xx"] = share(status[4]);
    out[prefix + "error_rate_5xx"] = share(status[5]);
    out[prefix + "status.1xx"] = static_cast<double>(status[1]);
    out[prefix + "status.2xx"] = static_cast<double>(status[2]);
    out[prefix + "status.3xx"] = static_cast<double>(status[3]);
    out[prefix + "status.4xx"] = static_cast<double>(status[4]);
    out[prefix + "status.5xx"] = static_cast<double>(status[5]);
    out[prefix + "unique_clients"] = static_cast<double>(clients);
    out[prefix + "bytes"] = static_cast<double>(bytes);
    if (has_duration_) {
      auto ms = [](std::chrono::microseconds us) { return std::chrono::round<Duration>(us); };
      out[prefix + "p50"] = ms(latency.percentile(0.50));
      out[prefix + "p95"] = ms(latency.percentile(0.95));
      out[prefix + "p99"] = ms(latency.percentile(0.99));
    }
  }
  return out;
}

}  // namespace vigil::probe::logs
