// gen_access_log: a deterministic Apache "combined" access log for the `vigil logs analyze`
// side-by-side (bench/logs_analyze.sh). Same arguments, same bytes, on any machine.
//
//   gen_access_log OUT [--size 1G] [--clients 20000] [--seed 1] [--duration]
//
// One day of traffic (2024-08-18, +0200) spread evenly over the file: 20k clients with a
// skewed (Zipf-like) activity, ~3,000 paths (static assets, pages, an API with query strings),
// a realistic status mix (mostly 200, some 304/302/404, ~1.5% 5xx concentrated on a few
// endpoints), 40 user agents, referers. --duration appends %D (µs) to every line.
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Rng {  // xoshiro256** — fast, deterministic, good enough for test data
  std::uint64_t s[4];
  explicit Rng(std::uint64_t seed) {
    for (auto& x : s) {  // splitmix64
      seed += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      x = z ^ (z >> 31);
    }
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
  }
  std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

// Indices with probability ∝ 1 / (i + 1)^s, by inverse CDF over a precomputed table.
class Zipf {
 public:
  Zipf(std::size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / std::pow(static_cast<double>(i + 1), s));
    for (auto& c : cdf_) c /= sum;
  }
  std::size_t operator()(Rng& r) const {
    const double u = r.unit();
    std::size_t lo = 0, hi = cdf_.size() - 1;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (cdf_[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

 private:
  std::vector<double> cdf_;
};

const char* kAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.6533.103 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36 Edg/127.0.2651.98",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.32.3",
    "Go-http-client/1.1",
    "Prometheus/2.53.1",
    "kube-probe/1.30",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:129.0) Gecko/20100101 Firefox/129.0",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; DuckDuckBot-Https/1.1; https://duckduckgo.com/duckduckbot)",
    "okhttp/4.12.0",
    "Apache-HttpClient/4.5.14 (Java/17.0.11)",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "UptimeRobot/2.0 (http://www.uptimerobot.com/)",
    "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:129.0) Gecko/20100101 Firefox/129.0",
    "Dalvik/2.1.0 (Linux; U; Android 12; SM-A525F Build/SP1A.210812.016)",
    "WordPress/6.6.1; https://blog.example.com",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
    "-",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/112.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/127.0.6533.107 Mobile/15E148 Safari/604.1",
};

const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Path {
  std::string text;
  bool query;       // gets a generated query string
  bool is_static;   // assets: 200/304, bigger bodies
  double fail_5xx;  // probability of a 5xx
};

std::vector<Path> make_paths(Rng& r) {
  std::vector<Path> paths;
  const char* hot[] = {"/", "/login", "/logout", "/search", "/cart", "/checkout", "/account", "/api/v1/session",
                       "/favicon.ico", "/robots.txt", "/server-status", "/healthz"};
  for (const char* h : hot)
    paths.push_back({h, std::strcmp(h, "/search") == 0, std::strcmp(h, "/favicon.ico") == 0, 0.004});
  paths[1].fail_5xx = 0.06;  // /login: the endpoint that breaks (premium users' login errors)
  paths[5].fail_5xx = 0.03;  // /checkout
  const char* exts[] = {"css", "js", "png", "jpg", "svg", "woff2", "webp"};
  for (int i = 0; i < 900; ++i)
    paths.push_back({"/static/" + std::string(i % 3 == 0 ? "css" : i % 3 == 1 ? "js" : "img") + "/asset-" +
                         std::to_string(i) + "-" + std::to_string(r.below(0xffffff)) + "." + exts[i % 7],
                     false, true, 0.0005});
  const char* sections[] = {"news", "products", "blog", "docs", "help", "category"};
  for (int i = 0; i < 1600; ++i)
    paths.push_back({"/" + std::string(sections[i % 6]) + "/" + std::to_string(1000 + i * 7) + "-item-" +
                         std::to_string(r.below(100000)),
                     i % 5 == 0, false, 0.003});
  const char* api[] = {"users", "orders", "items", "search", "recommendations", "inventory", "prices", "reviews"};
  for (int i = 0; i < 500; ++i)
    paths.push_back({"/api/v2/" + std::string(api[i % 8]) + "/" + std::to_string(10000 + i * 13), true, false,
                     i % 8 == 5 ? 0.05 : 0.008});
  return paths;
}

void append_u(std::string& out, std::uint64_t v) {
  char b[24];
  int n = 0;
  do {
    b[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out += b[--n];
}

void append2(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

std::uint64_t parse_size(const char* s) {
  char* end = nullptr;
  double v = std::strtod(s, &end);
  switch (end && *end ? (*end | 0x20) : 0) {
    case 'k': v *= 1e3; break;
    case 'm': v *= 1e6; break;
    case 'g': v *= 1e9; break;
    default: break;
  }
  return static_cast<std::uint64_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT [--size 1G] [--clients 20000] [--seed 1] [--duration]\n", argv[0]);
    return 2;
  }
  const char* out_path = argv[1];
  std::uint64_t size = 1'000'000'000, clients_n = 20000, seed = 1;
  bool duration = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--size" && i + 1 < argc) size = parse_size(argv[++i]);
    else if (a == "--clients" && i + 1 < argc) clients_n = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--duration") duration = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  std::FILE* f = std::strcmp(out_path, "-") == 0 ? stdout : std::fopen(out_path, "wb");
  if (!f) {
    std::perror(out_path);
    return 1;
  }

  Rng r(seed);
  std::vector<std::string> clients;
  for (std::uint64_t i = 0; i < clients_n; ++i) {
    std::string ip;
    if (i % 10 == 9) {  // one in ten over IPv6
      char b[64];
      std::snprintf(b, sizeof b, "2001:db8:%x:%x::%x", static_cast<unsigned>(r.below(0xffff)),
                    static_cast<unsigned>(r.below(0xffff)), static_cast<unsigned>(i));
      ip = b;
    } else {
      char b[32];
      std::snprintf(b, sizeof b, "%u.%u.%u.%u", static_cast<unsigned>(1 + r.below(223)),
                    static_cast<unsigned>(r.below(256)), static_cast<unsigned>(r.below(256)),
                    static_cast<unsigned>(1 + r.below(254)));
      ip = b;
    }
    clients.push_back(ip);
  }
  const std::vector<Path> paths = make_paths(r);
  const Zipf client_pick(clients.size(), 0.8), path_pick(paths.size(), 1.05);
  const std::size_t n_agents = sizeof kAgents / sizeof kAgents[0];

  // 2024-08-18 00:00:00 +0200 .. one day later, spread over the bytes written.
  const std::int64_t day_seconds = 86400;
  std::string buf;
  buf.reserve(1 << 22);
  std::uint64_t written = 0, lines = 0;
  while (written < size) {
    const std::int64_t t = static_cast<std::int64_t>(static_cast<double>(written + buf.size()) / static_cast<double>(size) * day_seconds);
    const int day = 18 + static_cast<int>(t / 86400), hh = static_cast<int>(t / 3600 % 24),
              mm = static_cast<int>(t / 60 % 60), ss = static_cast<int>(t % 60);
    const Path& p = paths[path_pick(r)];
    const std::string& client = clients[client_pick(r)];

    int status = 200;
    double u = r.unit();
    if (u < p.fail_5xx) status = u < p.fail_5xx * 0.6 ? 500 : u < p.fail_5xx * 0.85 ? 503 : 502;
    else if ((u = r.unit()) < 0.04) status = 404;
    else if (u < 0.045) status = 403;
    else if (u < 0.05) status = 401;
    else if (u < 0.08) status = p.is_static ? 304 : 302;
    else if (u < 0.09) status = 301;
    const char* method = p.is_static ? "GET" : (r.below(10) == 0 ? "POST" : r.below(50) == 0 ? "HEAD" : "GET");

    buf += client;
    buf += " - ";
    if (r.below(40) == 0) {
      buf += "user";
      append_u(buf, r.below(500));
    } else {
      buf += '-';
    }
    buf += " [";
    append2(buf, day);
    buf += '/';
    buf += kMonths[7];
    buf += "/2024:";
    append2(buf, hh);
    buf += ':';
    append2(buf, mm);
    buf += ':';
    append2(buf, ss);
    buf += " +0200] \"";
    buf += method;
    buf += ' ';
    buf += p.text;
    if (p.query) {
      buf += "?q=";
      append_u(buf, r.below(5000));
      buf += "&page=";
      append_u(buf, 1 + r.below(20));
    }
    buf += r.below(4) == 0 ? " HTTP/2.0\" " : " HTTP/1.1\" ";
    append_u(buf, static_cast<std::uint64_t>(status));
    buf += ' ';
    if (status == 304 || status == 301 || method[0] == 'H') buf += '-';
    else append_u(buf, p.is_static ? 2000 + r.below(300000) : 300 + r.below(60000));
    buf += " \"";
    const std::uint64_t ref = r.below(10);
    if (ref < 4) buf += '-';
    else if (ref < 8) buf += "https://www.example.com" + paths[path_pick(r)].text;
    else buf += "https://www.google.com/";
    buf += "\" \"";
    buf += kAgents[client_pick(r) % n_agents];
    buf += '"';
    if (duration) {
      buf += ' ';
      append_u(buf, static_cast<std::uint64_t>(std::exp(std::log(p.is_static ? 800.0 : 40000.0) + r.unit() * 2.5)));
    }
    buf += '\n';
    ++lines;
    if (buf.size() >= (1 << 22) - 1024 || written + buf.size() >= size) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      written += buf.size();
      buf.clear();
    }
  }
  if (f != stdout) std::fclose(f);
  std::fprintf(stderr, "gen_access_log: %" PRIu64 " lines, %" PRIu64 " bytes\n", lines, written);
  return 0;
}
