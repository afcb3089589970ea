// Syntax checks of single values (names, host:port, URLs, HTTP tokens). Each returns the
// problem as a message, or nullopt when the value is fine. Pure; private to src/config.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace vigil::config::detail {

using Problem = std::optional<std::string>;

// Service, check and channel names end up in check ids ("service/check"), URLs and metric
// labels, so they are restricted to [A-Za-z0-9_.-]+.
Problem check_name(std::string_view name);

// "host:port" for server.listen. Port 0 is allowed (the OS picks one; tests use it).
Problem check_listen(std::string_view text);
// An http:// or https:// URL with a host (checks, webhooks, server.external_url).
Problem check_http_url(std::string_view text);
// An apache_status check's url: an http(s) URL of mod_status's page. mod_status answers in
// HTML unless the query has `auto`: without a query "?auto" is added to `url`; a query
// without `auto` is a problem.
Problem normalize_apache_status_url(std::string& url);
// "tcp://host:port" (a tcp check's url), or with scheme "tls", "tls://host:port" (a tls check's).
Problem check_tcp_url(std::string_view text, std::string_view scheme = "tcp");
// "host:port" (a tcp check's target).
Problem check_host_port(std::string_view text);

// HTTP header name (an RFC 9110 token) and value (no CR/LF: no header injection).
Problem check_header(std::string_view name, std::string_view value);
// HTTP method: an RFC 9110 token, e.g. GET, HEAD, POST.
Problem check_method(std::string_view method);

// An e-mail address as SMTP takes it: local@domain, no display name, no spaces or <>.
Problem check_email(std::string_view address);
// smtp://host[:port] or smtps://host[:port] (an optional path is the HELO domain, as in curl).
Problem check_smtp_url(std::string_view text);
// A PagerDuty Events API v2 routing (integration) key: 32 letters and digits. Secrets are not
// repeated in the message.
Problem check_routing_key(std::string_view key);
// A key sent as a bearer token or a ?key= query parameter: URL-unreserved characters only
// ([A-Za-z0-9._~-]), so it needs no escaping in either. Not repeated in the message.
Problem check_token(std::string_view key);

}  // namespace vigil::config::detail
