#include "probe/logs/analyze.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstring>
#include <map>
#include <memory>

#include "common/time.h"
#include "probe/logs/access_window.h"

namespace vigil::probe::logs {

namespace {

// A fast 64-bit hash for short keys (paths, addresses): 8 bytes per multiply-xorshift round.
inline std::uint64_t hash_bytes(const char* p, std::size_t n) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull);
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  std::uint64_t w = 0;
  if (n) std::memcpy(&w, p, n);  // p may be null for an empty key
  h = (h ^ w) * 0x94D049BB133111EBull;
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 32);
}

inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  for (; n >= 8; a += 8, b += 8, n -= 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
  }
  for (; n; --n)
    if (*a++ != *b++) return false;
  return true;
}

// Open-addressing table of path → counts; it grows (doubling) at half load. Each distinct key
// is copied once into a compact arena for the comparisons: the first occurrence in the text
// is long out of the cache when the key comes back (that was a miss on every line).
class PathTable {
 public:
  struct Entry {
    std::uint64_t hash = 0;
    const char* key = nullptr;  // the copy in the arena; nullptr: empty slot
    std::uint64_t len : 24 = 0;  // paths longer than 16 MiB are cut; see find_or_add
    std::uint64_t e4xx : 40 = 0;
    std::uint64_t requests = 0;
    std::uint64_t e5xx = 0;
  };

  static constexpr std::size_t kMaxLen = std::size_t{1} << 24;
  PathTable() : entries_(1024), mask_(1023) {}

  void prefetch(std::uint64_t h) const { __builtin_prefetch(&entries_[h & mask_]); }
  Entry& find_or_add(std::string_view k) { return find_or_add(k, hash_bytes(k.data(), k.size())); }
  Entry& find_or_add(std::string_view k, std::uint64_t h) {
    if (k.size() >= kMaxLen) k = k.substr(0, kMaxLen - 1);  // counted with their first 16 MiB
    std::size_t i = h & mask_;
    for (;;) {
      Entry& e = entries_[i];
      if (e.key == nullptr) {
        if ((size_ + 1) * 2 > entries_.size()) {
          grow();
          return find_or_add(k, h);
        }
        e.hash = h;
        e.key = copy(k);
        e.len = k.size();
        ++size_;
        return e;
      }
      if (e.hash == h && e.len == k.size() && same_bytes(e.key, k.data(), k.size())) return e;
      i = (i + 1) & mask_;
    }
  }

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  void grow() {
    std::vector<Entry> old(entries_.size() * 2);
    old.swap(entries_);
    mask_ = entries_.size() - 1;
    for (const Entry& e : old) {
      if (!e.key) continue;
      std::size_t i = e.hash & mask_;
      while (entries_[i].key) i = (i + 1) & mask_;
      entries_[i] = e;
    }
  }

  const char* copy(std::string_view k) {
    constexpr std::size_t kBlock = 64 * 1024;
    if (k.size() > kBlock - used_ || blocks_.empty()) {
      blocks_.push_back(std::make_unique<char[]>(std::max(kBlock, k.size())));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    if (!k.empty()) std::memcpy(at, k.data(), k.size());
    used_ += k.size();
    return at;
  }

  std::vector<Entry> entries_;
  std::size_t mask_;
  std::size_t size_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_ = 0;
};

// Distinct clients by a 64-bit hash of their address (a collision among n clients has
// probability ≈ n² / 2^65: for a million clients, one in 37 million).
class HashSet {
 public:
  HashSet() : slots_(4096, 0), mask_(4095) {}
  void prefetch(std::uint64_t h) const { __builtin_prefetch(&slots_[(h ? h : 1) & mask_]); }
  void insert(std::uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    std::size_t i = h & mask_;
    for (;;) {
      std::uint64_t& s = slots_[i];
      if (s == h) return;
      if (s == 0) {
        s = h;
        if (++size_ * 2 > slots_.size()) grow();
        return;
      }
      i = (i + 1) & mask_;
    }
  }
  std::size_t size() const { return size_; }

 private:
  void grow() {
    std::vector<std::uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (std::uint64_t h : old) {
      if (!h) continue;
      std::size_t i = h & mask_;
      while (slots_[i]) i = (i + 1) & mask_;
      slots_[i] = h;
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t mask_;
  std::size_t size_ = 0;
};

// Requests per minute, as an array from the first minute seen; a minute far outside the
// array's range (a bogus timestamp years away) goes to a map instead of growing it.
class MinuteCounts {
 public:
  void add(std::int64_t minute) {
    if (counts_.empty()) base_ = minute - 60;  // room for slightly out-of-order lines
    std::int64_t at = minute - base_;
    if (at >= 0 && at < static_cast<std::int64_t>(counts_.size())) {
      ++counts_[static_cast<std::size_t>(at)];
      return;
    }
    add_slow(minute);
  }
  // (minute, requests) of the busiest minute; the earliest on a tie.
  std::pair<std::int64_t, std::uint64_t> busiest() const {
    std::pair<std::int64_t, std::uint64_t> best{0, 0};
    for (std::size_t i = 0; i < counts_.size(); ++i)
      if (counts_[i] > best.second) best = {base_ + static_cast<std::int64_t>(i), counts_[i]};
    for (const auto& [m, c] : outliers_)
      if (c > best.second || (c == best.second && c > 0 && m < best.first)) best = {m, c};
    return best;
  }

 private:
  static constexpr std::int64_t kMaxMinutes = std::int64_t{1} << 22;  // ≈ 8 years, 16 MiB
  void add_slow(std::int64_t minute) {
    std::int64_t at = minute - base_;
    if (counts_.empty()) {
      counts_.assign(4096, 0);
      at = minute - base_;
    } else if (at >= 0 && at < kMaxMinutes) {
      std::size_t n = counts_.size();
      while (static_cast<std::int64_t>(n) <= at) n *= 2;
      counts_.resize(n, 0);
    } else if (at < 0 && static_cast<std::int64_t>(counts_.size()) - at < kMaxMinutes) {
      const std::size_t shift = static_cast<std::size_t>(-at) + 60;
      counts_.insert(counts_.begin(), shift, 0);
      base_ -= static_cast<std::int64_t>(shift);
      at = minute - base_;
    } else {
      ++outliers_[minute];
      return;
    }
    ++counts_[static_cast<std::size_t>(at)];
  }
  std::vector<std::uint32_t> counts_;
  std::int64_t base_ = 0;
  std::map<std::int64_t, std::uint64_t> outliers_;
};

std::string thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string human_micros(std::chrono::microseconds d) {
  const auto us = d.count();
  if (us < 1000) return fmt::format("{}µs", us);
  if (us < 1'000'000) return fmt::format("{:.1f}ms", static_cast<double>(us) / 1e3);
  return fmt::format("{:.2f}s", static_cast<double>(us) / 1e6);
}

std::string human_bytes(std::uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string rfc3339(sys_seconds t) { return format_rfc3339(std::chrono::time_point_cast<Duration>(t)); }

std::string rfc3339_seconds(sys_seconds t) {
  std::string s = rfc3339(t);  // 2024-08-18T10:15:00.000Z
  if (s.size() > 5 && s.compare(s.size() - 5, 5, ".000Z") == 0) s.replace(s.size() - 5, 5, "Z");
  return s;
}

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

struct Analyzer::State {
  State(const AccessFormat& f, AnalyzeOptions o)
      : format(f),
        options(std::move(o)),
        filter(options.from.has_value() || options.to.has_value()),
        from(options.from.value_or(sys_seconds::min())),
        to(options.to.value_or(sys_seconds::max())) {}

  // A line's table lookups, done while the next line is parsed (see add()).
  struct Pending {
    bool valid = false;
    bool has_client = false;
    int status_class = 0;
    std::uint64_t client_hash = 0;
    std::uint64_t path_hash = 0;
    std::string_view path;
  };

  void settle(const Pending& l) {
    if (!l.valid) return;
    if (l.has_client) clients.insert(l.client_hash);
    if (l.has_client && l.status_class == 5) clients_5xx.insert(l.client_hash);
    PathTable::Entry& e = paths.find_or_add(l.path, l.path_hash);
    ++e.requests;
    if (l.status_class == 5) ++e.e5xx;
    else if (l.status_class == 4) ++e.e4xx;
  }

  const AccessFormat& format;
  const AnalyzeOptions options;
  const bool filter;
  const sys_seconds from, to;
  Summary s;
  AccessRecord rec;
  PathTable paths;
  HashSet clients;
  HashSet clients_5xx;
  MinuteCounts minutes;
  LatencyHistogram latency;
  std::array<std::uint64_t, 1000> statuses{};
  std::int64_t first = INT64_MAX, last = INT64_MIN;
};

Analyzer::Analyzer(const AccessFormat& format, AnalyzeOptions options)
    : state_(std::make_unique<State>(format, std::move(options))) {}

Analyzer::~Analyzer() = default;

void Analyzer::add(std::string_view text) {
  State& st = *state_;
  Summary& s = st.s;
  AccessRecord& rec = st.rec;
  const AccessFormat& format = st.format;
  State::Pending pending;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* line_end = nl ? nl : end;
    std::string_view line(p, static_cast<std::size_t>(line_end - p));
    p = nl ? nl + 1 : end;
    if (line.empty() || (line.size() == 1 && line[0] == '\r')) continue;
    ++s.lines;
    if (!format.parse(line, rec)) {
      ++s.malformed;
      continue;
    }
    if (st.filter && (!rec.has_time || rec.time < st.from || rec.time >= st.to)) {
      ++s.filtered;
      continue;
    }
    ++s.requests;
    ++st.statuses[static_cast<std::size_t>(rec.status)];  // 0 or 100..999: parse() checked
    s.bytes += static_cast<std::uint64_t>(rec.bytes);
    if (rec.has_time) {
      const std::int64_t t = rec.time.time_since_epoch().count();
      st.first = std::min(st.first, t);
      st.last = std::max(st.last, t);
      st.minutes.add(t >= 0 ? t / 60 : (t - 59) / 60);
    }
    if (rec.has_duration) st.latency.record(rec.duration);
    // The two table lookups of a line usually miss the cache (20k clients, thousands of
    // paths): prefetch this line's slots and do the previous line's lookups, so the memory
    // latency overlaps with parsing instead of stalling it.
    State::Pending next;
    next.valid = true;
    next.has_client = !rec.client.empty();
    next.client_hash = next.has_client ? hash_bytes(rec.client.data(), rec.client.size()) : 0;
    next.path = rec.path;
    next.path_hash = hash_bytes(rec.path.data(), rec.path.size());
    next.status_class = rec.status / 100;
    if (next.has_client) st.clients.prefetch(next.client_hash);
    st.paths.prefetch(next.path_hash);
    st.settle(pending);
    pending = next;
  }
  st.settle(pending);  // before returning: the path points into `text`
}

Summary Analyzer::finish() {
  State& st = *state_;
  Summary s = std::move(st.s);
  const AnalyzeOptions& options = st.options;
  s.has_duration = st.format.has_duration();
  for (int code = 0; code < 1000; ++code) {
    const std::uint64_t n = st.statuses[static_cast<std::size_t>(code)];
    if (!n) continue;
    const int cls = code / 100;
    s.status_class[cls >= 1 && cls <= 5 ? static_cast<std::size_t>(cls) : 0] += n;
    s.top_statuses.emplace_back(code, n);
  }
  std::sort(s.top_statuses.begin(), s.top_statuses.end(),
            [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (s.top_statuses.size() > options.top) s.top_statuses.resize(options.top);

  struct Row {
    std::string_view path;
    std::uint64_t count, requests;
  };
  auto top_by = [&](auto count_of) {
    std::vector<Row> v;
    for (const auto& e : st.paths.entries()) {
      if (!e.key) continue;
      const std::uint64_t c = count_of(e);
      if (c) v.push_back({std::string_view(e.key, e.len), c, e.requests});
    }
    auto less = [](const Row& a, const Row& b) { return a.count != b.count ? a.count > b.count : a.path < b.path; };
    const std::size_t k = std::min(options.top, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), less);
    std::vector<Summary::PathCount> out;
    for (std::size_t i = 0; i < k; ++i) out.push_back({std::string(v[i].path), v[i].count, v[i].requests});
    return out;
  };
  s.top_paths = top_by([](const PathTable::Entry& e) { return e.requests; });
  s.top_5xx_paths = top_by([](const PathTable::Entry& e) { return e.e5xx; });
  s.top_4xx_paths = top_by([](const PathTable::Entry& e) { return e.e4xx; });

  if (s.has_duration && st.latency.total()) {
    s.p50 = st.latency.percentile(0.50);
    s.p95 = st.latency.percentile(0.95);
    s.p99 = st.latency.percentile(0.99);
  }
  s.unique_clients = st.clients.size();
  s.unique_clients_5xx = st.clients_5xx.size();
  if (st.first != INT64_MAX) {
    s.first = sys_seconds(std::chrono::seconds(st.first));
    s.last = sys_seconds(std::chrono::seconds(st.last));
    auto [minute, n] = st.minutes.busiest();
    s.busiest_minute = sys_seconds(std::chrono::seconds(minute * 60));
    s.busiest_minute_requests = n;
  }
  return s;
}

Summary analyze(std::string_view text, const AccessFormat& format, const AnalyzeOptions& options) {
  Analyzer a(format, options);
  a.add(text);
  return a.finish();
}

std::string format_summary_text(const Summary& s, const AccessFormat& format) {
  std::string out;
  auto line = [&](std::string_view label, const std::string& value) {
    out += fmt::format("{:<16} {}\n", label, value);
  };
  std::string lines = thousands(s.lines);
  if (s.malformed || s.filtered) {
    lines += fmt::format(" ({} malformed", thousands(s.malformed));
    if (s.filtered) lines += fmt::format(", {} outside --from/--to", thousands(s.filtered));
    lines += ")";
  }
  line("format", format.text());
  line("lines", lines);
  if (s.first) {
    auto span = std::chrono::duration_cast<Duration>(*s.last - *s.first);
    line("time span", fmt::format("{} .. {} ({})", rfc3339_seconds(*s.first), rfc3339_seconds(*s.last),
                                  format_duration(span)));
  }
  line("requests", thousands(s.requests));
  std::string mix;
  static constexpr const char* kClass[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (std::size_t c : {2u, 3u, 4u, 5u, 1u, 0u}) {
    if (!s.status_class[c] && (c == 0 || c == 1)) continue;
    if (!mix.empty()) mix += "  ";
    mix += fmt::format("{} {:.1f}% ({})", kClass[c], percent(s.status_class[c], s.requests),
                       thousands(s.status_class[c]));
  }
  line("status", mix);
  std::string statuses;
  for (const auto& [code, n] : s.top_statuses) {
    if (!statuses.empty()) statuses += "  ";
    statuses += fmt::format("{} {}", code, thousands(n));
  }
  if (!statuses.empty()) line("top statuses", statuses);
  if (s.has_duration)
    line("latency", fmt::format("p50 {}  p95 {}  p99 {}", human_micros(s.p50), human_micros(s.p95),
                                human_micros(s.p99)));
  else
    line("latency", "- (the format has no %D or %T)");
  line("unique clients", s.unique_clients_5xx
                             ? fmt::format("{} ({} got a 5xx)", thousands(s.unique_clients), thousands(s.unique_clients_5xx))
                             : thousands(s.unique_clients));
  if (s.busiest_minute)
    line("busiest minute", fmt::format("{} ({} requests)", rfc3339_seconds(*s.busiest_minute),
                                       thousands(s.busiest_minute_requests)));
  line("bytes", s.bytes >= 1024 ? fmt::format("{} ({})", human_bytes(s.bytes), thousands(s.bytes))
                                : thousands(s.bytes));

  auto table = [&](std::string_view title, const std::vector<Summary::PathCount>& rows, bool errors) {
    if (rows.empty()) return;
    out += fmt::format("\n{}\n", title);
    for (const auto& r : rows) {
      std::string_view path = r.path.empty() ? std::string_view("(none)") : r.path;
      if (errors)
        out += fmt::format("  {:>12}  {:>5.1f}% of {:<12} {}\n", thousands(r.count), percent(r.count, r.requests),
                           thousands(r.requests), path);
      else
        out += fmt::format("  {:>12}  {:>5.1f}%  {}\n", thousands(r.count), percent(r.count, s.requests), path);
    }
  };
  table("top paths", s.top_paths, false);
  table("top 5xx paths", s.top_5xx_paths, true);
  table("top 4xx paths", s.top_4xx_paths, true);
  return out;
}

std::string format_summary_json(const Summary& s, const AccessFormat& format) {
  namespace json = boost::json;
  json::object o;
  o["format"] = format.text();
  o["lines"] = s.lines;
  o["malformed"] = s.malformed;
  o["filtered"] = s.filtered;
  o["requests"] = s.requests;
  o["first"] = s.first ? json::value(rfc3339_seconds(*s.first)) : json::value(nullptr);
  o["last"] = s.last ? json::value(rfc3339_seconds(*s.last)) : json::value(nullptr);
  json::object cls;
  static constexpr const char* kClass[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (std::size_t c = 0; c < 6; ++c) cls[kClass[c]] = s.status_class[c];
  o["status_class"] = std::move(cls);
  json::array statuses;
  for (const auto& [code, n] : s.top_statuses) statuses.push_back(json::object{{"status", code}, {"count", n}});
  o["top_statuses"] = std::move(statuses);
  auto rows = [](const std::vector<Summary::PathCount>& v, bool errors) {
    json::array a;
    for (const auto& r : v) {
      json::object row{{"path", r.path}, {"count", r.count}};
      if (errors) row["requests"] = r.requests;
      a.push_back(std::move(row));
    }
    return a;
  };
  o["top_paths"] = rows(s.top_paths, false);
  o["top_5xx_paths"] = rows(s.top_5xx_paths, true);
  o["top_4xx_paths"] = rows(s.top_4xx_paths, true);
  if (s.has_duration)
    o["latency_us"] = json::object{{"p50", s.p50.count()}, {"p95", s.p95.count()}, {"p99", s.p99.count()}};
  else
    o["latency_us"] = nullptr;
  o["unique_clients"] = s.unique_clients;
  o["unique_clients_5xx"] = s.unique_clients_5xx;
  if (s.busiest_minute)
    o["busiest_minute"] = json::object{{"start", rfc3339_seconds(*s.busiest_minute)},
                                       {"requests", s.busiest_minute_requests}};
  else
    o["busiest_minute"] = nullptr;
  o["bytes"] = s.bytes;
  return json::serialize(o) + "\n";
}

}  // namespace vigil::probe::logs
