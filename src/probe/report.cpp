#include "probe/report.h"

#include <fmt/format.h>

#include <string_view>

namespace vigil::probe {

namespace {

std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string ms(std::chrono::microseconds us) { return fmt::format("{:.1f}", static_cast<double>(us.count()) / 1000.0); }

std::string date_time(Time t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(t - day)};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

}  // namespace

std::string format_check_report(const CheckResult& r) {
  std::string out;
  auto line = [&](std::string_view label, const std::string& value) { out += fmt::format("{:<10}{}\n", label, value); };

  if (!r.reachable && r.status == 0) {
    line("status", "unreachable");
  } else if (r.status == 0) {
    line("status", "connected (tcp)");
  } else {
    const auto why = reason(r.status);
    line("status", why.empty() ? std::to_string(r.status) : fmt::format("{} {}", r.status, why));
  }
  if (!r.remote_ip.empty()) line("remote", r.remote_ip);

  // Curl-style cumulative marks; a phase that was not reached (0) prints "-" and does not
  // count as the start of the next one.
  struct Mark {
    std::string_view name;
    std::chrono::microseconds at;
  };
  const Mark marks[] = {{"DNS lookup", r.timings.dns},
                        {"TCP connect", r.timings.connect},
                        {"TLS handshake", r.timings.tls},
                        {"first byte (TTFB)", r.timings.ttfb},
                        {"total", r.timings.total}};
  out += fmt::format("timing    {:<20}{:>10}{:>10}\n", "(ms)", "phase", "elapsed");
  std::chrono::microseconds previous{0};
  for (const Mark& m : marks) {
    if (m.at.count() <= 0 && m.name != "DNS lookup") {
      out += fmt::format("  {:<28}{:>10}{:>10}\n", m.name, "-", "-");
      continue;
    }
    const auto phase = m.at >= previous ? m.at - previous : std::chrono::microseconds{0};
    out += fmt::format("  {:<28}{:>10}{:>10}\n", m.name, ms(phase), ms(m.at));
    previous = std::max(previous, m.at);
  }

  if (r.cert_expires_at) {
    const auto left = std::chrono::floor<std::chrono::days>(*r.cert_expires_at - r.started_at).count();
    const std::string when = left >= 0 ? fmt::format("{} day{} left", left, left == 1 ? "" : "s")
                                       : fmt::format("EXPIRED {} day{} ago", -left, -left == 1 ? "" : "s");
    line("tls cert", fmt::format("expires {} ({})", date_time(*r.cert_expires_at), when));
  }
  // A tls check's handshake.
  for (auto [label, name] : {std::pair{"tls", "tls_version"}, std::pair{"cipher", "cipher"},
                             std::pair{"subject", "cert_subject"}, std::pair{"issuer", "cert_issuer"}}) {
    auto it = r.figures.find(name);
    if (it == r.figures.end()) continue;
    if (const auto* s = std::get_if<std::string>(&it->second); s && !s->empty()) line(label, *s);
  }
  if (r.status != 0) {
    line("body", fmt::format("{} bytes{}", r.body.size(), r.body_truncated ? " (truncated)" : ""));
  }
  if (!r.error.empty()) line("error", r.error);
  return out;
}

}  // namespace vigil::probe
