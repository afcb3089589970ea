#include "config/validate.h"

#include "common/ascii.h"

#include <fmt/format.h>

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace vigil::config::detail {

namespace urls = boost::urls;

namespace {

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// boost::url accepts any RFC 3986 reg-name ("a!b", "%41"); a host we can resolve is
// stricter: dot-separated labels of letters, digits, '-' and '_' (used by container names),
// optionally ending with a dot.
Problem check_host(urls::host_type type, std::string_view host) {
  switch (type) {
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
      return std::nullopt;
    case urls::host_type::none:
      return "missing host";
    case urls::host_type::ipvfuture:
      return fmt::format("unsupported host \"{}\"", host);
    case urls::host_type::name:
      break;
  }
  if (host.empty()) return "missing host";
  std::string_view rest = host;
  if (rest.back() == '.') rest.remove_suffix(1);
  while (true) {
    const std::size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    if (label.empty() || label.size() > 63) return fmt::format("invalid host name \"{}\"", host);
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
        return fmt::format("invalid host name \"{}\": unexpected character '{}'", host, c);
    }
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return std::nullopt;
}

// `min_port` is 0 where "any port" makes sense (listen) and 1 where we connect.
Problem check_port(bool has_port, std::string_view port, bool required, int min_port) {
  if (!has_port) return required ? Problem("missing port") : std::nullopt;
  if (port.empty()) return "empty port";
  if (port.size() > 5) return fmt::format("port {} out of range {}-65535", port, min_port);
  const int n = std::stoi(std::string(port));  // all digits: the URL grammar says so
  if (n < min_port || n > 65535) return fmt::format("port {} out of range {}-65535", n, min_port);
  return std::nullopt;
}

Problem check_authority(const urls::authority_view& a, bool port_required, int min_port, bool allow_userinfo = false) {
  if (a.has_userinfo() && !allow_userinfo) return "unexpected user info (user@)";
  if (auto p = check_host(a.host_type(), a.encoded_host())) return p;
  return check_port(a.has_port(), a.port(), port_required, min_port);
}

}  // namespace

Problem check_name(std::string_view name) {
  if (name.empty()) return "must not be empty";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return fmt::format("invalid name \"{}\": use only letters, digits, '_', '.' and '-'", name);
  }
  return std::nullopt;
}

Problem check_listen(std::string_view text) {
  auto a = urls::parse_authority(text);
  if (!a) return fmt::format("invalid listen address \"{}\": expected host:port, e.g. 127.0.0.1:8080", text);
  if (auto p = check_authority(*a, true, 0)) return fmt::format("invalid listen address \"{}\": {}", text, *p);
  return std::nullopt;
}

Problem check_host_port(std::string_view text) {
  auto a = urls::parse_authority(text);
  if (!a) return fmt::format("invalid address \"{}\": expected host:port, e.g. db.example:5432", text);
  if (auto p = check_authority(*a, true, 1)) return fmt::format("invalid address \"{}\": {}", text, *p);
  return std::nullopt;
}

Problem check_http_url(std::string_view text) {
  auto u = urls::parse_uri(text);
  if (!u) return fmt::format("invalid URL \"{}\": expected http://host[:port]/path or https://...", text);
  const std::string scheme = ascii_lower(u->scheme());
  if (scheme != "http" && scheme != "https")
    return fmt::format("invalid URL \"{}\": scheme must be http or https, not \"{}\"", text, u->scheme());
  if (!u->has_authority()) return fmt::format("invalid URL \"{}\": missing host", text);
  // http://user:pass@host/ is how curl takes basic auth credentials: allowed.
  if (auto p = check_authority(u->authority(), false, 1, true)) return fmt::format("invalid URL \"{}\": {}", text, *p);
  return std::nullopt;
}

Problem normalize_apache_status_url(std::string& url) {
  if (auto p = check_http_url(url)) return p;
  urls::url u(*urls::parse_uri(url));
  if (!u.has_query() || u.encoded_query().empty()) {
    u.set_encoded_query("auto");
    url = std::string(u.buffer());
    return std::nullopt;
  }
  for (const auto& param : u.params()) {
    if (param.key == "auto") return std::nullopt;
  }
  u.set_encoded_query("auto&" + std::string(u.encoded_query()));
  return fmt::format("mod_status answers \"{}\" with its HTML page: add auto to the query, e.g. {}", url, u.buffer());
}

Problem check_tcp_url(std::string_view text, std::string_view scheme) {
  auto u = urls::parse_uri(text);
  if (!u || ascii_lower(u->scheme()) != scheme || !u->has_authority())
    return fmt::format("invalid {} URL \"{}\": expected {}://host:port", scheme, text, scheme);
  if (auto p = check_authority(u->authority(), true, 1))
    return fmt::format("invalid {} URL \"{}\": {}", scheme, text, *p);
  if ((!u->encoded_path().empty() && u->encoded_path() != "/") || u->has_query() || u->has_fragment())
    return fmt::format("invalid {} URL \"{}\": expected {}://host:port with nothing after the port", scheme, text,
                       scheme);
  return std::nullopt;
}

Problem check_header(std::string_view name, std::string_view value) {
  if (name.empty()) return "empty header name";
  for (char c : name) {
    if (!is_tchar(c)) return fmt::format("invalid header name \"{}\"", name);
  }
  if (value.find_first_of("\r\n") != std::string_view::npos || value.find('\0') != std::string_view::npos)
    return fmt::format("header \"{}\": value must not contain line breaks", name);
  return std::nullopt;
}

Problem check_method(std::string_view method) {
  if (method.empty()) return "must not be empty";
  for (char c : method) {
    if (!is_tchar(c)) return fmt::format("invalid HTTP method \"{}\"", method);
  }
  return std::nullopt;
}

Problem check_email(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return fmt::format("invalid email address \"{}\": expected name@domain", address);
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (address.find('<') != std::string_view::npos || address.find(' ') != std::string_view::npos)
    return fmt::format("invalid email address \"{}\": write the bare address, e.g. vigil@example.com", address);
  if (local.empty()) return fmt::format("invalid email address \"{}\": nothing before the @", address);
  for (char c : local) {
    // Printable ASCII without what needs quoting in an address (RFC 5321 dot-atom).
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f ||
        std::string_view("<>()[]\\,;:@\"").find(c) != std::string_view::npos)
      return fmt::format("invalid email address \"{}\": unexpected character '{}'", address, c);
  }
  if (domain.empty()) return fmt::format("invalid email address \"{}\": nothing after the @", address);
  if (auto p = check_host(urls::host_type::name, domain)) return fmt::format("invalid email address \"{}\": {}", address, *p);
  return std::nullopt;
}

Problem check_smtp_url(std::string_view text) {
  auto u = urls::parse_uri(text);
  if (!u) return fmt::format("invalid URL \"{}\": expected smtp://host[:port] or smtps://host[:port]", text);
  const std::string scheme = ascii_lower(u->scheme());
  if (scheme != "smtp" && scheme != "smtps")
    return fmt::format("invalid URL \"{}\": scheme must be smtp or smtps, not \"{}\"", text, u->scheme());
  if (!u->has_authority()) return fmt::format("invalid URL \"{}\": missing host", text);
  if (u->authority().has_userinfo())
    return fmt::format("invalid URL \"{}\": put the credentials in username and password, not in the URL", text);
  if (auto p = check_authority(u->authority(), false, 1)) return fmt::format("invalid URL \"{}\": {}", text, *p);
  if (u->has_query() || u->has_fragment()) return fmt::format("invalid URL \"{}\": unexpected query or fragment", text);
  return std::nullopt;
}

Problem check_routing_key(std::string_view key) {
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)))
      return "a PagerDuty routing key has only letters and digits";
  }
  if (key.size() != 32) return fmt::format("a PagerDuty routing key has 32 characters, got {}", key.size());
  return std::nullopt;
}

Problem check_token(std::string_view key) {
  if (key.empty()) return "must not be empty";
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("-._~").find(c) == std::string_view::npos)
      return "use only letters, digits, '-', '.', '_' and '~' (the key travels in URLs and headers)";
  }
  return std::nullopt;
}

}  // namespace vigil::config::detail
