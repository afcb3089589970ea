// services[].checks[] — one probe: what to hit, how often, and what counts as healthy.
#include <fmt/format.h>

#include "config/sections.h"
#include "config/validate.h"
#include "rules/condition.h"

namespace vigil::config::detail {

namespace {

constexpr std::string_view kHttpOnly[] = {"method", "headers", "body", "follow_redirects", "tls_verify"};

void read_http_target(Context& ctx, MapView& m, CheckConfig& c) {
  if (const Field* v = m.get("target")) {
    ctx.error(v->key_pos, v->path, "\"target\" applies only to tcp checks; http checks take a url");
  }
  if (const Field* v = m.require("url")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_http_url(*s)) ctx.error(*v, *p);
      else c.url = *s;
    }
  }
  if (const Field* v = m.get("method")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_method(*s)) ctx.error(*v, *p);
      else c.method = *s;
    }
  }
  if (const Field* v = m.get("headers")) {
    if (auto h = read_string_map(ctx, *v, check_header)) c.headers = std::move(*h);
  }
  if (const Field* v = m.get("body")) {
    if (auto s = read_string(ctx, *v)) c.body = *s;
  }
  if (const Field* v = m.get("follow_redirects")) {
    if (auto b = read_bool(ctx, *v)) c.follow_redirects = *b;
  }
  if (const Field* v = m.get("tls_verify")) {
    if (auto b = read_bool(ctx, *v)) c.tls_verify = *b;
  }
}

// A tcp check names its endpoint as url "tcp://host:port" or target "host:port"; the
// rest of vigil only sees the url form.
void read_tcp_target(Context& ctx, const MapView& m, CheckConfig& c) {
  for (std::string_view key : kHttpOnly) {
    if (const Field* v = m.get(key)) ctx.error(v->key_pos, v->path, fmt::format("\"{}\" applies only to http checks", key));
  }
  const Field* url = m.get("url");
  const Field* target = m.get("target");
  if (url && target) {
    ctx.error(target->key_pos, target->path, "set either url or target, not both");
  } else if (url) {
    if (auto s = read_string(ctx, *url)) {
      if (auto p = check_tcp_url(*s)) ctx.error(*url, *p);
      else c.url = *s;
    }
  } else if (target) {
    if (auto s = read_string(ctx, *target)) {
      if (auto p = check_host_port(*s)) ctx.error(*target, *p);
      else c.url = "tcp://" + *s;
    }
  } else {
    ctx.error(m.self(), "a tcp check needs url (tcp://host:port) or target (host:port)");
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
    c.conditions.push_back(s->value());
  }
}

void read_timing(Context& ctx, const MapView& m, const Defaults& d, CheckConfig& c) {
  const Field* iv = m.get("interval");
  const Field* tv = m.get("timeout");
  const std::optional<Duration> interval = iv ? read_duration(ctx, *iv) : d.interval;
  const std::optional<Duration> timeout = tv ? read_duration(ctx, *tv) : d.timeout;
  if (interval) c.interval = *interval;
  if (timeout) c.timeout = *timeout;
  // Both inherited: read_defaults has already judged the pair.
  if (interval && timeout && *timeout > *interval && (iv || tv)) {
    ctx.error(tv ? *tv : *iv, fmt::format("timeout {}{} must not exceed interval {}{}", format_duration(*timeout),
                                          tv ? "" : " (from defaults.timeout)", format_duration(*interval),
                                          iv ? "" : " (from defaults.interval)"));
  }
  c.failure_threshold = d.failure_threshold;
  c.success_threshold = d.success_threshold;
  if (const Field* v = m.get("failure_threshold")) {
    if (auto n = read_int(ctx, *v, 1, 1000)) c.failure_threshold = static_cast<int>(*n);
  }
  if (const Field* v = m.get("success_threshold")) {
    if (auto n = read_int(ctx, *v, 1, 1000)) c.success_threshold = static_cast<int>(*n);
  }
}

}  // namespace

bool read_check(Context& ctx, const Field& f, const Defaults& defaults, NameIndex& names, CheckConfig& c) {
  MapView m(ctx, f,
            {"name", "type", "url", "target", "method", "headers", "body", "interval", "timeout", "follow_redirects",
             "tls_verify", "failure_threshold", "success_threshold", "severity", "conditions"});
  if (!m.is_map()) return false;
  const std::size_t errors_before = ctx.error_count();
  if (const Field* v = m.require("name")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_name(*s)) ctx.error(*v, *p);
      else if (names.add(ctx, *v, *s)) c.name = *s;
    }
  }
  std::optional<std::string> type = "http";
  if (const Field* v = m.get("type")) type = read_choice(ctx, *v, {"http", "tcp"});
  if (type == "http") {
    c.type = CheckType::http;
    read_http_target(ctx, m, c);
  } else if (type == "tcp") {
    c.type = CheckType::tcp;
    read_tcp_target(ctx, m, c);
  }
  read_timing(ctx, m, defaults, c);
  if (const Field* v = m.get("severity")) {
    if (auto s = read_choice(ctx, *v, {"critical", "error", "warning", "info"})) c.severity = *s;
  }
  if (const Field* v = m.get("conditions")) read_conditions(ctx, *v, c);
  return ctx.error_count() == errors_before;
}

}  // namespace vigil::config::detail
