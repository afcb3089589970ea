// services[].checks[] — one probe: what to hit, how often, and what counts as healthy. The
// `type` decides which keys a check takes; timing, thresholds, severity and conditions work
// for every type.
#include <fmt/format.h>

#include "config/sections.h"
#include "config/validate.h"
#include "rules/condition.h"

namespace vigil::config::detail {

namespace {

struct TypeName {
  std::string_view name;
  CheckType type;
};
constexpr TypeName kTypes[] = {
    {"http", CheckType::http},           {"tcp", CheckType::tcp},       {"tls", CheckType::tls},
    {"apache_status", CheckType::apache_status}, {"access_log", CheckType::access_log},
    {"error_log", CheckType::error_log}, {"host", CheckType::host},     {"process", CheckType::process},
    {"heartbeat", CheckType::heartbeat}, {"dns", CheckType::dns},
};

constexpr unsigned bit(CheckType t) { return 1u << static_cast<unsigned>(t); }

// Keys only some types take (every other key applies to all). A key of another type is an
// error rather than ignored: a `path` on an http check, or a `url` on a log check, is a
// check that does not do what its author thinks.
struct TypedKey {
  std::string_view key;
  unsigned types;
};
constexpr unsigned kHttpLike = bit(CheckType::http) | bit(CheckType::apache_status);
constexpr unsigned kLogs = bit(CheckType::access_log) | bit(CheckType::error_log);
constexpr TypedKey kTypedKeys[] = {
    {"url", kHttpLike | bit(CheckType::tcp) | bit(CheckType::tls)},
    {"target", bit(CheckType::tcp) | bit(CheckType::tls)},
    {"method", bit(CheckType::http)},
    {"body", bit(CheckType::http)},
    {"headers", kHttpLike},
    {"follow_redirects", kHttpLike},
    {"tls_verify", kHttpLike | bit(CheckType::tls)},
    {"server_name", bit(CheckType::tls)},
    {"path", kLogs},
    {"window", kLogs},
    {"log_format", bit(CheckType::access_log)},
    {"path_prefixes", bit(CheckType::access_log)},
    {"patterns", bit(CheckType::error_log)},
    {"process_name", bit(CheckType::process)},
    {"mounts", bit(CheckType::host)},
    {"period", bit(CheckType::heartbeat)},
    {"grace", bit(CheckType::heartbeat)},
    {"key", bit(CheckType::heartbeat)},
    {"key_file", bit(CheckType::heartbeat)},
    {"query", bit(CheckType::dns)},
    {"record_type", bit(CheckType::dns)},
    {"server", bit(CheckType::dns)},
};

std::string_view type_name(CheckType t) {
  for (const TypeName& n : kTypes) {
    if (n.type == t) return n.name;
  }
  return "?";
}

// `"headers" applies only to http and apache_status checks`, with a hint for the usual mix-ups.
std::string not_applicable(std::string_view key, unsigned types, CheckType actual) {
  std::vector<std::string_view> names;
  for (const TypeName& n : kTypes) {
    if (types & bit(n.type)) names.push_back(n.name);
  }
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += i + 1 == names.size() ? " and " : ", ";
    list += names[i];
  }
  std::string msg = fmt::format("\"{}\" applies only to {} checks", key, list);
  if (key == "target" && (actual == CheckType::http || actual == CheckType::apache_status)) {
    msg += fmt::format("; {} checks take a url", type_name(actual));
  } else if (key == "url" && (bit(actual) & kLogs)) {
    msg += fmt::format("; {} checks read the file at path", type_name(actual));
  }
  return msg;
}

// Reports the keys `type` does not take; returns whether there were none.
bool reject_other_types_keys(Context& ctx, const MapView& m, CheckType type) {
  bool ok = true;
  for (const TypedKey& k : kTypedKeys) {
    const Field* v = m.get(k.key);
    if (!v || (k.types & bit(type))) continue;
    ctx.error(v->key_pos, v->path, not_applicable(k.key, k.types, type));
    ok = false;
  }
  return ok;
}

void read_url(Context& ctx, MapView& m, CheckConfig& c) {
  if (const Field* v = m.require("url")) {
    if (auto s = read_string(ctx, *v)) {
      const Problem p = c.type == CheckType::apache_status ? normalize_apache_status_url(*s) : check_http_url(*s);
      if (p) ctx.error(*v, *p);
      else c.url = *s;
    }
  }
}

// The request options http and apache_status checks share (method and body are http's).
void read_request_options(Context& ctx, const MapView& m, CheckConfig& c) {
  if (const Field* v = m.get("method"); v && c.type == CheckType::http) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_method(*s)) ctx.error(*v, *p);
      else c.method = *s;
    }
  }
  if (const Field* v = m.get("body"); v && c.type == CheckType::http) {
    if (auto s = read_string(ctx, *v)) c.body = *s;
  }
  if (const Field* v = m.get("headers")) {
    if (auto h = read_string_map(ctx, *v, check_header)) c.headers = std::move(*h);
  }
  if (const Field* v = m.get("follow_redirects")) {
    if (auto b = read_bool(ctx, *v)) c.follow_redirects = *b;
  }
  if (const Field* v = m.get("tls_verify")) {
    if (auto b = read_bool(ctx, *v)) c.tls_verify = *b;
  }
}

// A tcp (tls) check names its endpoint as url "tcp://host:port" ("tls://...") or target
// "host:port"; the rest of vigil only sees the url form. A tls check also takes server_name.
void read_tcp_target(Context& ctx, const MapView& m, CheckConfig& c) {
  const std::string_view scheme = c.type == CheckType::tls ? "tls" : "tcp";
  const Field* url = m.get("url");
  const Field* target = m.get("target");
  if (url && target) {
    ctx.error(target->key_pos, target->path, "set either url or target, not both");
  } else if (url) {
    if (auto s = read_string(ctx, *url)) {
      if (auto p = check_tcp_url(*s, scheme)) ctx.error(*url, *p);
      else c.url = *s;
    }
  } else if (target) {
    if (auto s = read_string(ctx, *target)) {
      if (auto p = check_host_port(*s)) ctx.error(*target, *p);
      else c.url = fmt::format("{}://{}", scheme, *s);
    }
  } else {
    ctx.error(m.self(), fmt::format("a {} check needs url ({}://host:port) or target (host:port)", scheme, scheme));
  }
  if (const Field* v = m.get("server_name")) {
    if (auto s = read_string(ctx, *v)) {
      if (s->empty() || s->find_first_of(" /:") != std::string::npos)
        ctx.error(*v, "expected a host name, e.g. mail.example.com");
      else c.server_name = *s;
    }
  }
  if (const Field* v = m.get("tls_verify"); v && c.type == CheckType::tls) {
    if (auto b = read_bool(ctx, *v)) c.tls_verify = *b;
  }
}

// The column of a bad condition points into the file, not into the string: a user with
// `conditions: [ 'status == 200', 'response_time < 800' ]` sees the caret on `800`.
void read_conditions(Context& ctx, const Field& f, CheckConfig& c) {
  for (const Field& item : read_list(ctx, f)) {
    auto s = read_scalar(ctx, item, "a condition string");
    if (!s) continue;
    auto parsed = rules::Condition::parse(s->value());
    if (auto* e = std::get_if<rules::ParseError>(&parsed)) {
      ctx.error(s->at(byte_index_of_column(s->value(), e->column)), item.path, fmt::format("invalid condition: {}", e->message));
      continue;
    }
    if (c.type == CheckType::access_log) add_condition_prefixes(ctx, *s, item.path, c);
    c.conditions.push_back(s->value());
  }
}

void read_timing(Context& ctx, const MapView& m, const Defaults& d, CheckConfig& c) {
  const Field* iv = m.get("interval");
  const Field* tv = m.get("timeout");
  const bool heartbeat = c.type == CheckType::heartbeat;
  // A heartbeat is judged every interval: a short period needs as short a look to be noticed in time.
  const Duration default_interval = heartbeat && c.period > Duration{0} ? std::min(d.interval, c.period) : d.interval;
  const std::optional<Duration> interval = iv ? read_duration(ctx, *iv) : default_interval;
  const std::optional<Duration> timeout = tv ? read_duration(ctx, *tv) : d.timeout;
  if (interval) c.interval = *interval;
  if (timeout) c.timeout = *timeout;
  // Both inherited: read_defaults has already judged the pair. A heartbeat waits for nobody.
  if (interval && timeout && *timeout > *interval && (iv || tv) && !heartbeat) {
    ctx.error(tv ? *tv : *iv, fmt::format("timeout {}{} must not exceed interval {}{}", format_duration(*timeout),
                                          tv ? "" : " (from defaults.timeout)", format_duration(*interval),
                                          iv ? "" : " (from defaults.interval)"));
  }
  // A late ping is already `grace` late, and one ping is a recovery: no second look either way.
  c.failure_threshold = heartbeat ? 1 : d.failure_threshold;
  c.success_threshold = heartbeat ? 1 : d.success_threshold;
  if (const Field* v = m.get("failure_threshold")) {
    if (auto n = read_int(ctx, *v, 1, 1000)) c.failure_threshold = static_cast<int>(*n);
  }
  if (const Field* v = m.get("success_threshold")) {
    if (auto n = read_int(ctx, *v, 1, 1000)) c.success_threshold = static_cast<int>(*n);
  }
}

}  // namespace

bool read_check(Context& ctx, const Field& f, const Defaults& defaults, NameIndex& names, PingKeys& ping_keys,
                CheckConfig& c) {
  MapView m(ctx, f,
            {"name", "type", "url", "target", "method", "headers", "body", "interval", "timeout", "follow_redirects",
             "tls_verify", "failure_threshold", "success_threshold", "severity", "conditions", "path", "log_format",
             "window", "path_prefixes", "patterns", "process_name", "mounts", "period", "grace", "key", "key_file",
             "server_name", "query", "record_type", "server"});
  if (!m.is_map()) return false;
  const std::size_t errors_before = ctx.error_count();
  if (const Field* v = m.require("name")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_name(*s)) ctx.error(*v, *p);
      else if (names.add(ctx, *v, *s)) c.name = *s;
    }
  }
  std::optional<CheckType> type = CheckType::http;
  if (const Field* v = m.get("type")) {
    type.reset();
    if (auto s = read_choice(ctx, *v, {"http", "tcp", "tls", "apache_status", "access_log", "error_log", "host",
                                       "process", "heartbeat", "dns"})) {
      for (const TypeName& n : kTypes) {
        if (n.name == *s) type = n.type;
      }
    }
  }
  // Without a valid type, which keys belong is unknown: the rest of the check is still read
  // (timing, conditions) so its other mistakes show up in the same run.
  if (type) {
    c.type = *type;
    reject_other_types_keys(ctx, m, *type);
    switch (*type) {
      case CheckType::http:
      case CheckType::apache_status:
        read_url(ctx, m, c);
        read_request_options(ctx, m, c);
        break;
      case CheckType::tcp:
      case CheckType::tls: read_tcp_target(ctx, m, c); break;
      case CheckType::access_log: read_access_log_check(ctx, m, c); break;
      case CheckType::error_log: read_error_log_check(ctx, m, c); break;
      case CheckType::host: read_host_check(ctx, m, c); break;
      case CheckType::process: read_process_check(ctx, m, c); break;
      case CheckType::heartbeat: read_heartbeat_check(ctx, m, ping_keys, c); break;
      case CheckType::dns: read_dns_check(ctx, m, c); break;
    }
  }
  read_timing(ctx, m, defaults, c);
  if (const Field* v = m.get("severity")) {
    if (auto s = read_choice(ctx, *v, {"critical", "error", "warning", "info"})) c.severity = *s;
  }
  if (const Field* v = m.get("conditions")) read_conditions(ctx, *v, c);
  return ctx.error_count() == errors_before;
}

}  // namespace vigil::config::detail
