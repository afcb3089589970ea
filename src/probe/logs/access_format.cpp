#include "probe/logs/access_format.h"
#include "common/ascii.h"

#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vigil::probe::logs {

enum class AccessFormat::Field : std::uint8_t {
  literal,
  skip,         // a directive whose value nothing reads (%e, %f, %k, %P, ...)
  client_host,  // %h
  client_ip,    // %a
  ident,        // %l
  user,         // %u
  time,         // %t  [18/Aug/2024:10:15:00 +0200]
  time_sec,     // %{sec}t
  time_msec,    // %{msec}t
  time_usec,    // %{usec}t
  time_strftime,  // %{%Y-%m-%dT%H:%M:%S%z}t: Step::literal holds the strftime format
  request,      // %r
  method,       // %m
  url_path,     // %U
  query,        // %q
  protocol,     // %H
  status,       // %s %>s %<s
  bytes_clf,    // %b ("-" for 0)
  bytes,        // %B
  bytes_out,    // %O
  bytes_in,     // %I
  duration_us,  // %D
  duration_ms,  // %{ms}T
  duration_s,   // %T, %{s}T
  req_header,   // %{X}i
  referer,      // %{Referer}i
  user_agent,   // %{User-Agent}i
  resp_header,  // %{X}o
  vhost,        // %v %V
  port,         // %p
  local_ip,     // %A
};

namespace {

using Field = AccessFormat::Field;

constexpr std::string_view kCommon = R"(%h %l %u %t "%r" %>s %b)";
constexpr std::string_view kCombined = R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i")";

bool is_numeric(Field f) {
  switch (f) {
    case Field::status: case Field::bytes_clf: case Field::bytes: case Field::bytes_out:
    case Field::bytes_in: case Field::duration_us: case Field::duration_ms: case Field::duration_s:
    case Field::port: case Field::time_sec: case Field::time_msec: case Field::time_usec:
      return true;
    default:
      return false;
  }
}

// Apache's LogFormat as written in apache2.conf: "…\"%r\"…" with escaped inner quotes.
std::string unescape_config_text(std::string_view f) {
  if (f.find("\\\"") == std::string_view::npos) return std::string(f);
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"' && f[f.size() - 2] != '\\')
    f = f.substr(1, f.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '\\' && i + 1 < f.size()) {
      char c = f[++i];
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
    } else {
      out += f[i];
    }
  }
  return out;
}

Error format_error(std::string message) { return Error{std::move(message), "log_format"}; }

// Digits only ("-" allowed when dash_ok, as 0). At most 18 digits: no overflow.
// %T and %{ms}T longer than this (about 31 years) are malformed, not durations.
constexpr std::int64_t kMaxDurationSeconds = 1'000'000'000;

inline bool parse_uint(const char* p, const char* e, std::int64_t& out, bool dash_ok) {
  const std::size_t n = static_cast<std::size_t>(e - p);
  if (n == 1 && *p == '-') {
    out = 0;
    return dash_ok;
  }
  if (n == 0 || n > 18) return false;
  std::int64_t v = 0;
  for (; p < e; ++p) {
    unsigned d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

inline std::string_view dash_empty(const char* p, const char* e) {
  if (e - p == 1 && *p == '-') return {};
  return {p, static_cast<std::size_t>(e - p)};
}

inline int two(const char* p) {
  unsigned a = static_cast<unsigned char>(p[0]) - '0', b = static_cast<unsigned char>(p[1]) - '0';
  return a > 9 || b > 9 ? -1 : static_cast<int>(a * 10 + b);
}

inline int month_of(const char* p) {
  std::uint32_t k = (static_cast<std::uint32_t>(static_cast<unsigned char>(p[0]) | 0x20) << 16) |
                    (static_cast<std::uint32_t>(static_cast<unsigned char>(p[1]) | 0x20) << 8) |
                    static_cast<std::uint32_t>(static_cast<unsigned char>(p[2]) | 0x20);
  constexpr auto m = [](const char* s) {
    return (static_cast<std::uint32_t>(s[0]) << 16) | (static_cast<std::uint32_t>(s[1]) << 8) |
           static_cast<std::uint32_t>(s[2]);
  };
  switch (k) {
    case m("jan"): return 1;
    case m("feb"): return 2;
    case m("mar"): return 3;
    case m("apr"): return 4;
    case m("may"): return 5;
    case m("jun"): return 6;
    case m("jul"): return 7;
    case m("aug"): return 8;
    case m("sep"): return 9;
    case m("oct"): return 10;
    case m("nov"): return 11;
    case m("dec"): return 12;
    default: return 0;
  }
}

// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
inline std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// "[dd/Mon/yyyy:hh:mm:ss ±hhmm]" starting at p; returns the byte after ']' or nullptr.
// The text of the previous line's time, its seconds masked out, is cached in `cache` with its
// value: consecutive lines almost always share their minute, so the common case is four word
// compares and two digits.
constexpr std::size_t kTimeLen = 28;
constexpr std::size_t kZoneAt = 22;       // offset of "±hhmm" from '['
constexpr std::size_t kCacheKeyLen = 26;  // "dd/Mon/yyyy:hh:mm:ss ±hhmm", from p + 1

inline std::uint64_t seconds_mask() {  // clears bytes 2 and 3 of the word at t + 16 ("ss")
  constexpr unsigned char m[8] = {0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff};
  std::uint64_t v;
  std::memcpy(&v, m, 8);
  return v;
}

inline const char* parse_clf_time(const char* p, const char* end, AccessRecord::TimeCache& cache,
                                  sys_seconds& out) {
  if (static_cast<std::size_t>(end - p) < kTimeLen || p[0] != '[' || p[kTimeLen - 1] != ']' ||
      p[18] != ':' || p[21] != ' ')
    return nullptr;
  const int ss = two(p + 19);
  if (ss < 0 || ss > 60) return nullptr;
  const char* t = p + 1;
  const std::uint64_t k0 = load64(t), k1 = load64(t + 8), k2 = load64(t + 16) & seconds_mask();
  std::uint16_t k3, c3;  // the zone's last two digits
  std::memcpy(&k3, t + 24, 2);
  std::memcpy(&c3, cache.text + 24, 2);
  std::uint64_t c[3];
  std::memcpy(c, cache.text, sizeof c);
  if (cache.size == kCacheKeyLen && c[0] == k0 && c[1] == k1 && c[2] == k2 && c3 == k3) {
    out = cache.minute + std::chrono::seconds(ss);
    return p + kTimeLen;
  }
  int dd = two(t), mon = month_of(t + 3), hh = two(t + 12), mm = two(t + 15);
  int y1 = two(t + 7), y2 = two(t + 9);
  const char* z = p + kZoneAt;
  int zh = two(z + 1), zm = two(z + 3);
  if (t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' || dd < 1 || dd > 31 || mon == 0 ||
      y1 < 0 || y2 < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || (z[0] != '+' && z[0] != '-') ||
      zh < 0 || zm < 0 || zm > 59)
    return nullptr;
  std::int64_t days = days_from_civil(y1 * 100 + y2, static_cast<unsigned>(mon), static_cast<unsigned>(dd));
  std::int64_t offset = (zh * 60 + zm) * 60;
  if (z[0] == '-') offset = -offset;
  std::int64_t minute = days * 86400 + hh * 3600 + mm * 60 - offset;
  cache.minute = sys_seconds(std::chrono::seconds(minute));
  c[0] = k0;
  c[1] = k1;
  c[2] = k2;
  std::memcpy(cache.text, c, 24);
  std::memcpy(cache.text + 24, t + 24, 2);
  cache.size = kCacheKeyLen;
  out = cache.minute + std::chrono::seconds(ss);
  return p + kTimeLen;
}

// The conversions of a %{format}t vigil reads back; empty when all are, else the first other.
std::string check_strftime(std::string_view f) {
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') continue;
    if (i + 1 >= f.size()) return "%";
    const char c = f[++i];
    if (std::string_view("YmdeHMSbhyzTFRsa%").find(c) == std::string_view::npos) return std::string("%") + c;
  }
  return {};
}

inline const char* digits(const char* p, const char* end, int min, int max, int& out) {
  int v = 0, n = 0;
  while (n < max && p < end && *p >= '0' && *p <= '9') {
    v = v * 10 + (*p++ - '0');
    ++n;
  }
  if (n < min) return nullptr;
  out = v;
  return p;
}

// Apache writes %{format}t with strftime in the server's local time; without %z in the format
// the offset is the local zone's at that time (vigil reads the log on the server that wrote it).
std::int64_t local_offset_seconds(std::int64_t local_epoch, AccessRecord::TimeCache& cache) {
  const std::int64_t hour = local_epoch / 3600;
  if (cache.local_hour == hour) return cache.local_offset;
  std::time_t guess = static_cast<std::time_t>(local_epoch);
  std::tm tm{};
  gmtime_r(&guess, &tm);
  tm.tm_isdst = -1;
  const std::time_t utc = mktime(&tm);  // local wall time → UTC
  const std::int32_t offset = static_cast<std::int32_t>(local_epoch - static_cast<std::int64_t>(utc));
  cache.local_hour = hour;
  cache.local_offset = offset;
  return offset;
}

const char* parse_strftime(const char* p, const char* end, std::string_view f, AccessRecord::TimeCache& cache,
                           sys_seconds& out) {
  int y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0;
  bool has_zone = false, has_epoch = false;
  std::int64_t offset = 0, epoch = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      if (p >= end || *p != f[i]) return nullptr;
      ++p;
      continue;
    }
    const char c = f[++i];
    switch (c) {
      case 'Y': p = digits(p, end, 4, 4, y); break;
      case 'y': p = digits(p, end, 2, 2, y); if (p) y += 2000; break;
      case 'm': p = digits(p, end, 2, 2, mo); break;
      case 'd': p = digits(p, end, 2, 2, d); break;
      case 'e': if (p < end && *p == ' ') ++p; p = digits(p, end, 1, 2, d); break;
      case 'H': p = digits(p, end, 2, 2, h); break;
      case 'M': p = digits(p, end, 2, 2, mi); break;
      case 'S': p = digits(p, end, 2, 2, sec); break;
      case 'T':
        if (!(p = digits(p, end, 2, 2, h)) || p >= end || *p++ != ':' || !(p = digits(p, end, 2, 2, mi)) ||
            p >= end || *p++ != ':')
          return nullptr;
        p = digits(p, end, 2, 2, sec);
        break;
      case 'R':
        if (!(p = digits(p, end, 2, 2, h)) || p >= end || *p++ != ':') return nullptr;
        p = digits(p, end, 2, 2, mi);
        break;
      case 'F':
        if (!(p = digits(p, end, 4, 4, y)) || p >= end || *p++ != '-' || !(p = digits(p, end, 2, 2, mo)) ||
            p >= end || *p++ != '-')
          return nullptr;
        p = digits(p, end, 2, 2, d);
        break;
      case 'b':
      case 'h':
        if (end - p < 3 || (mo = month_of(p)) == 0) return nullptr;
        p += 3;
        break;
      case 'a':
        if (end - p < 3) return nullptr;
        p += 3;
        break;
      case 'z': {
        int zh = 0, zm = 0;
        if (p >= end || (*p != '+' && *p != '-')) return nullptr;
        const bool neg = *p++ == '-';
        if (!(p = digits(p, end, 2, 2, zh))) return nullptr;
        if (p < end && *p == ':') ++p;
        if (!(p = digits(p, end, 2, 2, zm))) return nullptr;
        offset = (zh * 60 + zm) * 60 * (neg ? -1 : 1);
        has_zone = true;
        break;
      }
      case 's': {
        const char* b = p;
        while (p < end && *p >= '0' && *p <= '9') ++p;
        if (p == b || p - b > 18) return nullptr;
        std::int64_t v = 0;
        for (const char* q = b; q < p; ++q) v = v * 10 + (*q - '0');
        epoch = v;
        has_epoch = true;
        break;
      }
      case '%':
        if (p >= end || *p++ != '%') return nullptr;
        break;
      default:
        return nullptr;  // compile() admits only the conversions above
    }
    if (!p) return nullptr;
  }
  if (has_epoch) {
    out = sys_seconds(std::chrono::seconds(epoch));
    return p;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return nullptr;
  const std::int64_t local = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                             h * 3600 + mi * 60 + sec;
  if (!has_zone) offset = local_offset_seconds(local, cache);
  out = sys_seconds(std::chrono::seconds(local - offset));
  return p;
}

// The first `c` in [p, end), or nullptr. Inline, with no call: fields are short (an address,
// "-", a status, a size), and a libc memchr call per field cost more than the scan itself.
inline const char* find_byte(const char* p, const char* end, char c) {
#if defined(__SSE2__)
  if (end - p >= 16) {
    const __m128i needle = _mm_set1_epi8(c);
    for (; end - p >= 16; p += 16) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)));
      if (mask) return p + __builtin_ctz(mask);
    }
    if (p == end) return nullptr;
    // The last partial block: load the 16 bytes ending at `end` (already inside the span)
    // and ignore the ones before p. The closing quote of a line's last field lands here.
    const char* last = end - 16;
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(last));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle))) >> (p - last);
    return mask ? p + __builtin_ctz(mask) : nullptr;
  }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  constexpr std::uint64_t kLow = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const std::uint64_t pattern = kLow * static_cast<unsigned char>(c);
  for (; end - p >= 8; p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= pattern;
    // A zero byte of w is a match; the lowest flagged byte is always a true one.
    const std::uint64_t hit = (w - kLow) & ~w & kHigh;
    if (hit) return p + (__builtin_ctzll(hit) >> 3);
  }
#endif
  for (; p < end; ++p)
    if (*p == c) return p;
  return nullptr;
}

inline bool match_literal(const char* p, const std::string& lit) {
  std::uint16_t a, b;
  switch (lit.size()) {
    case 1:
      return *p == lit[0];
    case 2:
      std::memcpy(&a, p, 2);
      std::memcpy(&b, lit.data(), 2);
      return a == b;
    case 3:
      std::memcpy(&a, p, 2);
      std::memcpy(&b, lit.data(), 2);
      return a == b && p[2] == lit[2];
    default:
      return std::memcmp(p, lit.data(), lit.size()) == 0;
  }
}

// The closing quote of a quoted field: Apache writes a quote inside a value as \".
inline const char* find_quote(const char* p, const char* end) {
  const char* q = p;
  for (;;) {
    q = find_byte(q, end, '"');
    if (!q) return nullptr;
    std::size_t slashes = 0;
    for (const char* b = q; b > p && b[-1] == '\\'; --b) ++slashes;
    if ((slashes & 1) == 0) return q;
    ++q;
  }
}

// "GET /a/b?x=1 HTTP/1.1" → method, path, query, protocol. Anything else (Apache logs "-" for a
// connection that sent no request, or raw bytes for a TLS handshake on port 80) leaves the
// request fields empty: a real line, not a malformed one.
inline void split_request(std::string_view r, AccessRecord& out) {
  out.request = r;
  if (r.empty()) return;
  const char* b = r.data();
  const char* e = b + r.size();
  const char* sp = find_byte(b, e, ' ');
  if (!sp) return;
  out.method = {b, static_cast<std::size_t>(sp - b)};
  const char* target = sp + 1;
  const char* target_end = e;
  // The protocol is the last token when it starts with HTTP/ (a target may hold spaces).
  for (const char* q = e; q > target; --q) {
    if (q[-1] == ' ') {
      std::uint32_t word = 0, http = 0;
      if (e - q >= 5) {
        std::memcpy(&word, q, 4);
        std::memcpy(&http, "HTTP", 4);
      }
      if (e - q >= 5 && word == http && q[4] == '/') {
        out.protocol = {q, static_cast<std::size_t>(e - q)};
        target_end = q - 1;
      }
      break;
    }
  }
  std::size_t n = static_cast<std::size_t>(target_end - target);
  const char* qm = find_byte(target, target_end, '?');
  if (qm) {
    out.path = {target, static_cast<std::size_t>(qm - target)};
    out.query = {qm + 1, static_cast<std::size_t>(target_end - qm - 1)};
  } else {
    out.path = {target, n};
  }
}

}  // namespace

std::string_view expand_format_name(std::string_view format) {
  if (format == "common" || format == "clf") return kCommon;
  if (format == "combined") return kCombined;
  return format;
}

std::string_view AccessRecord::header(std::string_view name) const {
  for (std::size_t i = 0; i < header_count; ++i)
    if (!headers[i].response && iequals(headers[i].name, name)) return headers[i].value;
  return {};
}

std::string_view AccessRecord::response_header(std::string_view name) const {
  for (std::size_t i = 0; i < header_count; ++i)
    if (headers[i].response && iequals(headers[i].name, name)) return headers[i].value;
  return {};
}

Result<AccessFormat> AccessFormat::compile(std::string_view format) {
  AccessFormat f;
  f.text_ = unescape_config_text(expand_format_name(format));
  const std::string& s = f.text_;
  if (s.empty()) return format_error("empty log format");

  auto add_literal = [&](char c) {
    if (f.steps_.empty() || f.steps_.back().field != Field::literal) {
      Step st;
      st.field = Field::literal;
      f.steps_.push_back(std::move(st));
    }
    f.steps_.back().literal += c;
  };

  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '%') {
      add_literal(s[i++]);
      continue;
    }
    const std::size_t at = i;  // for messages, 1-based below
    ++i;
    if (i < s.size() && s[i] == '%') {
      add_literal('%');
      ++i;
      continue;
    }
    // Modifiers: %!200,304{...}x, %400,501x, %<s, %>s.
    while (i < s.size() && (s[i] == '!' || s[i] == ',' || (s[i] >= '0' && s[i] <= '9') || s[i] == '<' ||
                            s[i] == '>'))
      ++i;
    std::string name;
    bool has_name = false;
    if (i < s.size() && s[i] == '{') {
      std::size_t close = s.find('}', i);
      if (close == std::string::npos)
        return format_error("unterminated %{ at " + std::to_string(at + 1) + " in log format");
      name = s.substr(i + 1, close - i - 1);
      has_name = true;
      i = close + 1;
    }
    if (i >= s.size()) return format_error("log format ends inside a directive at " + std::to_string(at + 1));
    std::string directive = s.substr(at, i - at + 1);
    char c = s[i++];
    Step st;
    if (c == '^') {  // %{X}^ti / %{X}^to: trailers; %^FU / %^FB: mod_logio's first-byte times
      const std::string_view rest = std::string_view(s).substr(i, 2);
      if (rest != "ti" && rest != "to" && rest != "FU" && rest != "FB")
        return format_error("unknown directive " + s.substr(at, i - at + 1) + " at " + std::to_string(at + 1) +
                            " in log format \"" + s + "\"");
      i += 2;
      st.field = Field::skip;
      st.directive = s.substr(at, i - at);
      f.steps_.push_back(std::move(st));
      continue;
    }
    switch (c) {
      case 'h': st.field = Field::client_host; break;
      case 'a':  // %a, %{c}a: the client's IP (the peer's with mod_remoteip)
        st.field = Field::client_ip;
        f.has_client_ip_ = true;
        break;
      case 'l': st.field = Field::ident; break;
      case 'u': st.field = Field::user; break;
      case 't':
        if (!has_name) {
          st.field = Field::time;
        } else {
          std::string_view n = name;
          if (n.starts_with("begin:")) n.remove_prefix(6);
          else if (n.starts_with("end:")) n.remove_prefix(4);
          if (n == "sec") st.field = Field::time_sec;
          else if (n == "msec") st.field = Field::time_msec;
          else if (n == "usec") st.field = Field::time_usec;
          else if (n == "msec_frac" || n == "usec_frac") st.field = Field::skip;
          else if (n.find('%') == std::string_view::npos)
            return format_error("unknown time format %{" + name +
                                "}t: use sec, msec, usec or strftime conversions such as %Y-%m-%dT%H:%M:%S%z");
          else if (auto bad = check_strftime(n); !bad.empty())
            return format_error("unsupported conversion " + bad + " in %{" + name +
                                "}t: use %Y %m %d %e %H %M %S %b %y %z %T %F %R %s %a or %t");
          else {
            st.field = Field::time_strftime;
            st.literal = std::string(n);
          }
        }
        if (st.field != Field::skip) f.has_time_ = true;
        break;
      case 'r': st.field = Field::request; f.has_request_ = true; break;
      case 'm': st.field = Field::method; break;
      case 'U': st.field = Field::url_path; f.has_request_ = true; break;
      case 'q': st.field = Field::query; break;
      case 'H': st.field = Field::protocol; break;
      case 's': st.field = Field::status; f.has_status_ = true; break;
      case 'b': st.field = Field::bytes_clf; f.has_bytes_ = true; break;
      case 'B': st.field = Field::bytes; f.has_bytes_ = true; break;
      case 'O': st.field = Field::bytes_out; f.has_bytes_ = true; break;
      case 'I': st.field = Field::bytes_in; break;
      case 'S': st.field = Field::skip; break;  // %S: bytes transferred, both ways
      case 'D': st.field = Field::duration_us; f.has_duration_ = true; f.has_micro_duration_ = true; break;
      case 'T':
        if (!has_name || name == "s") st.field = Field::duration_s;
        else if (name == "ms") st.field = Field::duration_ms;
        else if (name == "us") { st.field = Field::duration_us; f.has_micro_duration_ = true; }
        else return format_error("unsupported unit in %{" + name + "}T: use s, ms or us");
        f.has_duration_ = true;
        break;
      case 'i':
      case 'o':
        if (!has_name || name.empty()) return format_error(std::string("%") + c + " needs a header name: %{Name}" + c);
        if (f.header_names_.size() >= AccessRecord::kMaxHeaders)
          return format_error("too many %{...}i/%{...}o directives (at most " +
                              std::to_string(AccessRecord::kMaxHeaders) + ")");
        st.field = c == 'o' ? Field::resp_header
                   : iequals(name, "Referer") ? Field::referer
                   : iequals(name, "User-Agent") ? Field::user_agent
                                                  : Field::req_header;
        st.name = name;
        st.header = static_cast<std::uint8_t>(f.header_names_.size());
        f.header_names_.push_back(name);
        break;
      case 'v': case 'V': st.field = Field::vhost; break;
      case 'p':
        st.field = !has_name || name == "canonical" || name == "local" ? Field::port : Field::skip;
        break;
      case 'A': st.field = Field::local_ip; break;
      case 'e': case 'f': case 'k': case 'L': case 'P': case 'R': case 'X': case 'n': case 'C':
      case 'x': case 'c':
      case 'M':
        st.field = Field::skip;
        break;
      default:
        return format_error("unknown directive " + directive + " at " + std::to_string(at + 1) +
                            " in log format \"" + s + "\"");
    }
    st.name = name;
    st.directive = directive;
    f.steps_.push_back(std::move(st));
  }

  // Each field ends where the literal after it starts: two fields in a row cannot be split.
  for (std::size_t k = 0; k < f.steps_.size(); ++k) {
    Step& st = f.steps_[k];
    if (st.field == Field::literal || st.field == Field::time || st.field == Field::time_strftime) continue;
    if (k + 1 == f.steps_.size()) {
      if (is_numeric(st.field)) {
        st.stop = ' ';
        st.stop_optional = true;
      }
      continue;
    }
    const Step& next = f.steps_[k + 1];
    if (next.field != Field::literal) {
      return format_error(st.directive + " and " + next.directive +
                          " must be separated by literal text");
    }
    st.stop = next.literal[0];
    st.quoted = st.stop == '"' && k > 0 && f.steps_[k - 1].field == Field::literal &&
                f.steps_[k - 1].literal.back() == '"';
  }
  return f;
}

bool AccessFormat::parse(std::string_view line, AccessRecord& out) const {
  const char* p = line.data();
  const char* end = p + line.size();
  if (p != end && end[-1] == '\r') --end;
  if (p == end) return false;

  out.client = out.ident = out.user = out.method = out.path = out.query = out.protocol = out.request =
      out.vhost = out.local_ip = out.referer = out.user_agent = {};
  out.has_time = false;
  out.status = 0;
  out.port = 0;
  out.bytes = 0;
  out.bytes_in = 0;
  out.duration = std::chrono::microseconds(0);
  out.has_duration = false;
  out.header_count = header_names_.size();

  for (const Step& st : steps_) {
    if (st.field == Field::literal) {
      const std::size_t n = st.literal.size();
      if (static_cast<std::size_t>(end - p) < n) return false;
      if (!match_literal(p, st.literal)) return false;
      p += n;
      continue;
    }
    if (st.field == Field::time) {
      p = parse_clf_time(p, end, out.time_cache, out.time);
      if (!p) return false;
      out.has_time = true;
      continue;
    }
    if (st.field == Field::time_strftime) {
      p = parse_strftime(p, end, st.literal, out.time_cache, out.time);
      if (!p) return false;
      out.has_time = true;
      continue;
    }
    const char* e;
    if (st.stop == 0) {
      e = end;
    } else if (st.quoted) {
      e = find_quote(p, end);
    } else if (st.field == Field::request && st.stop == ' ') {
      // An unquoted %r holds spaces itself: it ends after its third token.
      e = p;
      for (int sp = 0; sp < 3 && e; ++sp) {
        e = static_cast<const char*>(std::memchr(e, ' ', static_cast<std::size_t>(end - e)));
        if (e && sp < 2) ++e;
      }
    } else {
      e = find_byte(p, end, st.stop);
    }
    if (!e) {
      if (!st.stop_optional) return false;
      e = end;
    }
    std::int64_t v = 0;
    switch (st.field) {
      case Field::client_host:
        if (!has_client_ip_) out.client = dash_empty(p, e);
        break;
      case Field::client_ip: out.client = dash_empty(p, e); break;
      case Field::ident: out.ident = dash_empty(p, e); break;
      case Field::user: out.user = dash_empty(p, e); break;
      case Field::request: split_request(dash_empty(p, e), out); break;
      case Field::method: out.method = dash_empty(p, e); break;
      case Field::url_path: out.path = dash_empty(p, e); break;
      case Field::query: {
        std::string_view q = dash_empty(p, e);
        if (!q.empty() && q[0] == '?') q.remove_prefix(1);
        out.query = q;
        break;
      }
      case Field::protocol: out.protocol = dash_empty(p, e); break;
      case Field::status: {
        if (e - p != 3) return false;
        int d0 = p[0] - '0', d1 = p[1] - '0', d2 = p[2] - '0';
        if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
        out.status = d0 * 100 + d1 * 10 + d2;
        break;
      }
      case Field::bytes_clf:
      case Field::bytes:
      case Field::bytes_out:
        if (!parse_uint(p, e, v, true)) return false;
        out.bytes = v;
        break;
      case Field::bytes_in:
        if (!parse_uint(p, e, v, true)) return false;
        out.bytes_in = v;
        break;
      case Field::duration_us:
        if (!parse_uint(p, e, v, true)) return false;
        out.duration = std::chrono::microseconds(v);
        out.has_duration = true;
        break;
      case Field::duration_ms:
        if (has_micro_duration_) break;
        if (!parse_uint(p, e, v, true)) return false;
        if (v > kMaxDurationSeconds * 1000) return false;  // no request lasts years: a malformed line
        out.duration = std::chrono::microseconds(v * 1000);
        out.has_duration = true;
        break;
      case Field::duration_s: {
        if (has_micro_duration_) break;
        // Integer seconds as Apache writes them; a fraction ("0.123", as some proxies do) is kept.
        const char* dot = static_cast<const char*>(std::memchr(p, '.', static_cast<std::size_t>(e - p)));
        std::int64_t frac = 0;
        if (dot) {
          const char* fe = dot + 1;
          std::int64_t scale = 100000;
          for (; fe < e; ++fe) {
            unsigned d = static_cast<unsigned char>(*fe) - '0';
            if (d > 9) return false;
            if (scale) { frac += d * scale; scale /= 10; }
          }
          if (dot == p) return false;
        }
        if (!parse_uint(p, dot ? dot : e, v, !dot)) return false;
        if (v > kMaxDurationSeconds) return false;  // and v * 10^6 would overflow (found by tests/fuzz)
        out.duration = std::chrono::microseconds(v * 1000000 + frac);
        out.has_duration = true;
        break;
      }
      case Field::time_sec:
      case Field::time_msec:
      case Field::time_usec: {
        if (!parse_uint(p, e, v, false)) return false;
        std::int64_t secs = st.field == Field::time_sec ? v : st.field == Field::time_msec ? v / 1000 : v / 1000000;
        out.time = sys_seconds(std::chrono::seconds(secs));
        out.has_time = true;
        break;
      }
      case Field::req_header:
      case Field::referer:
      case Field::user_agent:
      case Field::resp_header: {
        AccessRecord::Header& h = out.headers[st.header];
        h.name = st.name;
        h.value = dash_empty(p, e);
        h.response = st.field == Field::resp_header;
        if (st.field == Field::referer) out.referer = h.value;
        else if (st.field == Field::user_agent) out.user_agent = h.value;
        break;
      }
      case Field::vhost: out.vhost = dash_empty(p, e); break;
      case Field::port:
        if (!parse_uint(p, e, v, true) || v > 65535) return false;
        out.port = static_cast<int>(v);
        break;
      case Field::local_ip: out.local_ip = dash_empty(p, e); break;
      case Field::skip:
      case Field::literal:
      case Field::time:
      case Field::time_strftime:
        break;
    }
    p = e;
  }
  // Fields appended after the format's own (a combined format read from a log with %D added)
  // are tolerated; anything else left over means the line is not in this format.
  return p == end || *p == ' ';
}

}  // namespace vigil::probe::logs
