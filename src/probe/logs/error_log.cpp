#include "probe/logs/error_log.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>
#include <deque>

#include "probe/logs/signatures.h"

namespace vigil::probe::logs {

namespace {

using namespace std::chrono;

constexpr std::string_view kLevelNames[kLevelCount] = {"emerg", "alert", "crit",  "error", "warn",
                                                       "notice", "info", "debug", "trace"};
constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

bool to_long(std::string_view s, long& out) {
  if (!all_digits(s) || s.size() > 18) return false;
  long v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  out = v;
  return true;
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits on runs of spaces.
std::size_t split_words(std::string_view s, std::string_view* out, std::size_t max) {
  std::size_t n = 0;
  while (true) {
    s = trim_left(s);
    if (s.empty()) return n;
    if (n == max) return max + 1;
    const std::size_t sp = s.find(' ');
    out[n++] = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp);
  }
}

// "10:15:00" or "10:15:00.123456"
bool parse_clock(std::string_view s, microseconds& out) {
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return false;
  long h, m, sec, us = 0;
  if (!to_long(s.substr(0, 2), h) || !to_long(s.substr(3, 2), m) || !to_long(s.substr(6, 2), sec)) return false;
  if (s.size() > 8) {
    if (s[8] != '.') return false;
    std::string_view frac = s.substr(9);
    if (frac.empty() || frac.size() > 6 || !all_digits(frac)) return false;
    to_long(frac, us);
    for (std::size_t k = frac.size(); k < 6; ++k) us *= 10;
  }
  if (h > 23 || m > 59 || sec > 60) return false;
  out = hours(h) + minutes(m) + seconds(sec) + microseconds(us);
  return true;
}

bool make_time(long y, unsigned mo, long d, microseconds clock, local_time<microseconds>& out) {
  const year_month_day ymd{year(static_cast<int>(y)), month(mo), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return false;
  out = local_days(ymd) + clock;
  return true;
}

// "YYYY-MM-DD" or "YYYY/MM/DD"
bool parse_date(std::string_view s, char sep, long& y, unsigned& mo, long& d) {
  long m;
  if (s.size() != 10 || s[4] != sep || s[7] != sep) return false;
  if (!to_long(s.substr(0, 4), y) || !to_long(s.substr(5, 2), m) || !to_long(s.substr(8, 2), d)) return false;
  mo = static_cast<unsigned>(m);
  return true;
}

// Apache's %t / %{u}t ("Sun Aug 18 10:15:00.123456 2024") or %{cu}t ("2024-08-18 10:15:00.123456").
bool parse_apache_time(std::string_view s, local_time<microseconds>& out) {
  std::string_view w[5];
  const std::size_t n = split_words(s, w, 5);
  microseconds clock;
  long y, d;
  unsigned mo;
  if (n == 2) {
    return parse_date(w[0], '-', y, mo, d) && parse_clock(w[1], clock) && make_time(y, mo, d, clock, out);
  }
  if (n != 5 || w[0].size() != 3) return false;
  const auto* m = std::find(std::begin(kMonths), std::end(kMonths), w[1]);
  if (m == std::end(kMonths)) return false;
  mo = static_cast<unsigned>(m - std::begin(kMonths)) + 1;
  if (w[2].size() > 2 || !to_long(w[2], d) || !to_long(w[4], y) || w[4].size() != 4) return false;
  return parse_clock(w[3], clock) && make_time(y, mo, d, clock, out);
}

// "[pid 1234:tid 5678]" / "[pid 1234]" content (without brackets)
bool parse_pid(std::string_view s, ErrorLine& out) {
  s.remove_prefix(4);  // "pid "
  const std::size_t colon = s.find(':');
  if (!to_long(s.substr(0, colon), out.pid)) return false;
  if (colon == std::string_view::npos) return true;
  std::string_view t = s.substr(colon + 1);
  if (!t.starts_with("tid ")) return false;
  return to_long(t.substr(4), out.tid);
}

// Apache's %E: "(13)Permission denied: " → "(13)Permission denied"; returns the length consumed.
std::size_t os_error_prefix(std::string_view s, std::string_view& out) {
  if (s.size() < 4 || s[0] != '(') return 0;
  std::size_t i = 1;
  if (s[i] == '-') ++i;
  const std::size_t digits = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == digits || i >= s.size() || s[i] != ')') return 0;
  const std::size_t end = s.find(": ", i);
  if (end == std::string_view::npos) return 0;
  out = s.substr(0, end);
  return end + 2;
}

// Apache's %F at debug level: "mod_ssl.c(123): " / "ssl_engine_kernel.c(2372): "
std::size_t source_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '.' || s[i] == '-')) ++i;
  if (i < 3 || i >= s.size() || s[i] != '(' || !s.substr(0, i).ends_with(".c")) return 0;
  std::size_t j = i + 1;
  while (j < s.size() && is_digit(s[j])) ++j;
  if (j == i + 1 || !s.substr(j).starts_with("): ")) return 0;
  return j + 3;
}

bool ah_code_prefix(std::string_view s) {
  if (s.size() < 8 || !s.starts_with("AH") || s[7] != ':') return false;
  return all_digits(s.substr(2, 5));
}

void finish_message(std::string_view s, ErrorLine& out) {
  s = trim_right(s);
  if (const std::size_t r = s.rfind(", referer: "); r != std::string_view::npos) {
    out.referer = s.substr(r + 11);
    s = s.substr(0, r);
  }
  out.message = s;
}

// 2024/08/18 10:15:00 [error] 1234#1234: *5 message, client: 10.0.0.1, server: ...
bool parse_nginx(std::string_view line, ErrorLine& out) {
  long y, d;
  unsigned mo;
  microseconds clock;
  if (line.size() < 20 || line[10] != ' ' || !parse_date(line.substr(0, 10), '/', y, mo, d)) return false;
  std::string_view rest = line.substr(11);
  const std::size_t sp = rest.find(' ');
  if (sp == std::string_view::npos || !parse_clock(rest.substr(0, sp), clock) || !make_time(y, mo, d, clock, out.time)) {
    return false;
  }
  rest = trim_left(rest.substr(sp));
  if (!rest.starts_with('[')) return false;
  const std::size_t close = rest.find(']');
  if (close == std::string_view::npos) return false;
  out.level_text = rest.substr(1, close - 1);
  if (!parse_level(out.level_text, out.level)) return false;
  rest = trim_left(rest.substr(close + 1));
  // pid#tid:
  const std::size_t hash = rest.find('#');
  const std::size_t colon = rest.find(": ");
  if (hash == std::string_view::npos || colon == std::string_view::npos || hash > colon) return false;
  if (!to_long(rest.substr(0, hash), out.pid) || !to_long(rest.substr(hash + 1, colon - hash - 1), out.tid)) return false;
  rest = rest.substr(colon + 2);
  if (rest.starts_with('*')) {  // connection id
    const std::size_t s2 = rest.find(' ');
    if (s2 != std::string_view::npos && all_digits(rest.substr(1, s2 - 1))) rest = rest.substr(s2 + 1);
  }
  if (const std::size_t c = rest.find(", client: "); c != std::string_view::npos) {
    std::string_view cl = rest.substr(c + 10);
    out.client = cl.substr(0, cl.find(','));
  }
  out.message = trim_right(rest);
  return true;
}

}  // namespace

std::string_view level_name(Level l) { return kLevelNames[static_cast<int>(l)]; }

bool parse_level(std::string_view text, Level& out) {
  for (int i = 0; i < kLevelCount; ++i) {
    if (text == kLevelNames[i]) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  if (text == "warning") {
    out = Level::warn;
    return true;
  }
  if (text.size() == 6 && text.starts_with("trace") && text[5] >= '1' && text[5] <= '8') {
    out = Level::trace;
    return true;
  }
  return false;
}

bool parse_error_line(std::string_view line, ErrorLine& out) {
  out = ErrorLine{};
  out.raw = line;
  line = trim_right(line);
  if (line.empty()) return false;
  if (is_digit(line.front())) return parse_nginx(line, out);
  if (line.front() != '[') return false;

  std::size_t close = line.find(']');
  if (close == std::string_view::npos || !parse_apache_time(line.substr(1, close - 1), out.time)) return false;
  std::string_view rest = trim_left(line.substr(close + 1));

  // [module:level] (2.4) or [level] (2.2)
  if (!rest.starts_with('[') || (close = rest.find(']')) == std::string_view::npos) return false;
  std::string_view ml = rest.substr(1, close - 1);
  if (const std::size_t colon = ml.rfind(':'); colon != std::string_view::npos) {
    out.module = ml.substr(0, colon);
    out.level_text = ml.substr(colon + 1);
  } else {
    out.level_text = ml;
  }
  if (!parse_level(out.level_text, out.level)) return false;
  rest = trim_left(rest.substr(close + 1));

  // Optional parts, in Apache's order but tolerant: [pid], %F, %E, [client], [remote].
  for (int guard = 0; guard < 8; ++guard) {
    if (rest.starts_with('[')) {
      close = rest.find(']');
      if (close == std::string_view::npos) break;
      std::string_view inner = rest.substr(1, close - 1);
      if (inner.starts_with("pid ")) {
        if (!parse_pid(inner, out)) return false;
      } else if (inner.starts_with("client ")) {
        out.client = inner.substr(7);
      } else if (!inner.starts_with("remote ")) {
        break;  // a bracket of the message itself
      }
      rest = trim_left(rest.substr(close + 1));
      continue;
    }
    if (std::size_t n = os_error_prefix(rest, out.os_error)) {
      rest = rest.substr(n);
      continue;
    }
    if (std::size_t n = source_prefix(rest)) {
      rest = rest.substr(n);
      continue;
    }
    break;
  }
  if (ah_code_prefix(rest)) {
    out.ah_code = rest.substr(0, 7);
    rest = trim_left(rest.substr(8));
  }
  finish_message(rest, out);
  return true;
}

// ---- ErrorLogWindow ----------------------------------------------------------------------

struct ErrorLogWindow::Impl {
  struct Bucket {
    Time start{};
    std::vector<double> counts;  // by key id
  };
  struct Recent {
    Time at{};
    std::string line;
  };
  static constexpr std::size_t kMaxRecent = 64;

  Duration window{};
  Duration granularity{};
  std::vector<std::string> pattern_names;
  std::unique_ptr<RE2::Set> patterns;  // null when none

  std::vector<std::string> key_names;  // by id
  std::vector<bool> always;            // shown even when zero
  std::map<std::string, int, std::less<>> key_ids;
  std::vector<double> sums;            // over the buckets in the window
  std::size_t open_keys = 0;
  std::deque<Bucket> buckets;
  std::deque<Recent> recent;
  Totals totals;

  // Fixed key ids
  int k_lines = 0, k_errors = 0, k_warnings = 0, k_malformed = 0;
  int k_level[kLevelCount] = {};
  std::vector<int> k_signature;  // by table index
  std::vector<int> k_pattern;    // by pattern index

  std::string scratch;
  std::vector<const Signature*> sig_hits;
  std::vector<int> pattern_hits;

  int intern(std::string name, bool fixed) {
    auto [it, inserted] = key_ids.try_emplace(std::move(name), static_cast<int>(key_names.size()));
    if (inserted) {
      key_names.push_back(it->first);
      always.push_back(fixed);
      sums.push_back(0);
    } else if (fixed) {
      always[static_cast<std::size_t>(it->second)] = true;
    }
    return it->second;
  }

  // An open-ended key (module.*, ah.*): -1 when the cap is reached.
  int open_key(std::string_view prefix, std::string_view name) {
    scratch.assign(prefix);
    scratch.append(name);
    if (auto it = key_ids.find(scratch); it != key_ids.end()) return it->second;
    if (open_keys >= kMaxOpenKeys) return -1;  // until evict() makes room
    ++open_keys;
    return intern(scratch, false);
  }

  void bump(Bucket& b, int id) {
    if (id < 0) return;
    const auto i = static_cast<std::size_t>(id);
    if (b.counts.size() <= i) b.counts.resize(key_names.size(), 0.0);
    b.counts[i] += 1;
    sums[i] += 1;
  }

  Bucket& bucket_for(Time now) {
    if (buckets.empty() || now >= buckets.back().start + granularity) buckets.push_back(Bucket{now, {}});
    return buckets.back();
  }

  void evict(Time now) {
    const Time cutoff = now - window;
    while (!buckets.empty() && buckets.front().start <= cutoff) {
      const Bucket& b = buckets.front();
      for (std::size_t i = 0; i < b.counts.size(); ++i) {
        sums[i] -= b.counts[i];
        if (sums[i] < 0.5) sums[i] = 0;  // counts are whole numbers; no drift
      }
      buckets.pop_front();
    }
    while (!recent.empty() && recent.front().at <= cutoff) recent.pop_front();
    if (open_keys >= kMaxOpenKeys) compact();
  }

  // Forgets the open keys no bucket counts any more, so new names can come in. Fixed keys
  // were interned first and are all kept, so their ids do not move.
  void compact() {
    std::vector<int> remap(key_names.size(), -1);
    std::vector<std::string> names;
    std::vector<bool> keep_always;
    std::vector<double> new_sums;
    for (std::size_t i = 0; i < key_names.size(); ++i) {
      if (!always[i] && sums[i] <= 0) continue;
      remap[i] = static_cast<int>(names.size());
      names.push_back(std::move(key_names[i]));
      keep_always.push_back(always[i]);
      new_sums.push_back(sums[i]);
    }
    for (Bucket& b : buckets) {
      std::vector<double> c(names.size(), 0.0);
      for (std::size_t i = 0; i < b.counts.size(); ++i) {
        if (remap[i] >= 0) c[static_cast<std::size_t>(remap[i])] = b.counts[i];
      }
      b.counts = std::move(c);
    }
    key_names = std::move(names);
    always = std::move(keep_always);
    sums = std::move(new_sums);
    key_ids.clear();
    open_keys = 0;
    for (std::size_t i = 0; i < key_names.size(); ++i) {
      key_ids.emplace(key_names[i], static_cast<int>(i));
      if (!always[i]) ++open_keys;
    }
  }
};

ErrorLogWindow::ErrorLogWindow(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ErrorLogWindow::ErrorLogWindow(ErrorLogWindow&&) noexcept = default;
ErrorLogWindow& ErrorLogWindow::operator=(ErrorLogWindow&&) noexcept = default;
ErrorLogWindow::~ErrorLogWindow() = default;

Result<ErrorLogWindow> ErrorLogWindow::create(Duration window, const std::vector<config::LogPattern>& patterns) {
  auto impl = std::make_unique<Impl>();
  impl->window = window > Duration::zero() ? window : Duration(std::chrono::minutes(5));
  impl->granularity = std::max<Duration>(Duration(1000), impl->window / 100);
  if (!patterns.empty()) {
    RE2::Options opts;
    opts.set_log_errors(false);
    impl->patterns = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
    for (const auto& p : patterns) {
      std::string err;
      if (impl->patterns->Add(p.regex, &err) < 0) {
        return Error{"pattern " + p.name + ": " + err, "patterns"};
      }
      impl->pattern_names.push_back(p.name);
    }
    if (!impl->patterns->Compile()) return Error{"patterns: too large to compile", "patterns"};
  }
  Impl& m = *impl;
  m.k_lines = m.intern("lines", true);
  m.k_errors = m.intern("errors", true);
  m.k_warnings = m.intern("warnings", true);
  m.k_malformed = m.intern("malformed", true);
  for (int i = 0; i < kLevelCount; ++i) m.k_level[i] = m.intern("count." + std::string(level_name(static_cast<Level>(i))), true);
  for (const Signature& s : signatures()) m.k_signature.push_back(m.intern("signature." + std::string(s.key), true));
  for (std::string_view c : signature_codes()) m.intern("ah." + std::string(c), true);
  for (const auto& name : m.pattern_names) m.k_pattern.push_back(m.intern("pattern." + name, true));
  return ErrorLogWindow(std::move(impl));
}

void ErrorLogWindow::add(std::string_view line, Time now) {
  Impl& m = *impl_;
  Impl::Bucket& b = m.bucket_for(now);
  ++m.totals.lines;
  m.bump(b, m.k_lines);

  ErrorLine e;
  bool notable = false;
  if (parse_error_line(line, e)) {
    m.bump(b, m.k_level[static_cast<int>(e.level)]);
    if (is_error(e.level)) {
      ++m.totals.errors;
      m.bump(b, m.k_errors);
      notable = true;
    } else if (e.level == Level::warn) {
      ++m.totals.warnings;
      m.bump(b, m.k_warnings);
    }
    if (!e.module.empty()) m.bump(b, m.open_key("module.", e.module));
    if (!e.ah_code.empty()) m.bump(b, m.open_key("ah.", e.ah_code));
  } else {
    ++m.totals.malformed;
    m.bump(b, m.k_malformed);
  }

  match_signatures(line, m.sig_hits);
  const Signature* first = signatures().data();
  for (const Signature* s : m.sig_hits) {
    m.bump(b, m.k_signature[static_cast<std::size_t>(s - first)]);
    if (s->cause) notable = true;
  }
  if (m.patterns) {
    m.pattern_hits.clear();
    if (m.patterns->Match(re2::StringPiece(line.data(), line.size()), &m.pattern_hits)) {
      for (int p : m.pattern_hits) m.bump(b, m.k_pattern[static_cast<std::size_t>(p)]);
      notable = true;
    }
  }
  if (notable) {
    if (m.recent.size() == Impl::kMaxRecent) m.recent.pop_front();
    m.recent.push_back({now, std::string(line.substr(0, kMaxRecentLine))});
  }
}

std::map<std::string, FigureValue> ErrorLogWindow::figures(Time now) {
  Impl& m = *impl_;
  m.evict(now);
  std::map<std::string, FigureValue> out;
  for (std::size_t i = 0; i < m.key_names.size(); ++i) {
    if (m.always[i] || m.sums[i] > 0) out.emplace(m.key_names[i], m.sums[i]);
  }
  return out;
}

std::string ErrorLogWindow::recent(Time now, std::size_t max_bytes) {
  Impl& m = *impl_;
  m.evict(now);
  std::size_t used = 0, first = m.recent.size();
  while (first > 0 && used + m.recent[first - 1].line.size() + 1 <= max_bytes) {
    used += m.recent[first - 1].line.size() + 1;
    --first;
  }
  std::string out;
  out.reserve(used);
  for (std::size_t i = first; i < m.recent.size(); ++i) {
    out += m.recent[i].line;
    out += '\n';
  }
  return out;
}

const ErrorLogWindow::Totals& ErrorLogWindow::totals() const { return impl_->totals; }

}  // namespace vigil::probe::logs
