// services[].checks[] of type dns: ask a DNS server (or the system's resolvers) for a name's
// records; the check fails unless at least one comes back (probe/shard.cpp, dns_result).
#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>

#include "config/sections.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

constexpr std::string_view kRecordTypes[] = {"A", "AAAA", "MX", "TXT", "NS"};

// A DNS name as asked for: letters, digits, '-', '_' (SRV-style labels) and dots, labels of
// 1-63 characters, 253 in all; one trailing dot allowed.
Problem check_dns_name(std::string_view name) {
  if (name.ends_with(".")) name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return "expected a DNS name, e.g. www.example.com";
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return fmt::format("\"{}\" has an empty label", name);
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      return fmt::format("\"{}\": a DNS name has only letters, digits, '-', '_' and dots", name);
    if (++label > 63) return fmt::format("\"{}\" has a label longer than 63 characters", name);
  }
  if (label == 0) return fmt::format("\"{}\" has an empty label", name);
  return std::nullopt;
}

// "ip", "ip:port", "[ipv6]" or "[ipv6]:port": c-ares asks servers by address, never by name.
std::optional<std::string> normalize_server(std::string_view s, std::string& error) {
  std::string_view host = s, port;
  if (s.starts_with("[")) {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return error = "expected [ipv6] or [ipv6]:port", std::nullopt;
    host = s.substr(1, close - 1);
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return error = "expected [ipv6]:port", std::nullopt;
      port = s.substr(close + 2);
    }
  } else if (const auto colon = s.find(':'); colon != std::string_view::npos && s.find(':', colon + 1) == s.npos) {
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return error = fmt::format("\"{}\" is not an IP address: DNS servers are asked by address", s), std::nullopt;
  unsigned p = 53;
  if (!port.empty()) {
    auto [end, perr] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (perr != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
      return error = fmt::format("\"{}\": port must be 1-65535", s), std::nullopt;
  }
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), p) : fmt::format("{}:{}", address.to_string(), p);
}

}  // namespace

void read_dns_check(Context& ctx, MapView& m, CheckConfig& c) {
  if (const Field* v = m.require("query")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_dns_name(*s)) ctx.error(*v, *p);
      else c.query = *s;
    }
  }
  if (const Field* v = m.get("record_type")) {
    if (auto s = read_string(ctx, *v)) {
      std::string upper = *s;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      bool known = false;
      for (auto t : kRecordTypes) known |= t == upper;
      if (!known) ctx.error(*v, fmt::format("\"{}\" is not supported: A, AAAA, MX, TXT or NS", *s));
      else c.record_type = upper;
    }
  }
  if (const Field* v = m.get("server")) {
    if (auto s = read_string(ctx, *v)) {
      std::string error;
      if (auto server = normalize_server(*s, error)) c.server = *server;
      else ctx.error(*v, error);
    }
  }
}

}  // namespace vigil::config::detail
