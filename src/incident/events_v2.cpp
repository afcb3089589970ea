#include "incident/events_v2.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cctype>
#include <random>

namespace vigil::incident {
namespace json = boost::json;
namespace {

bool blank(std::string_view s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

bool digits(std::string_view s) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

// Reads obj[key] as an optional string: absent or null → nullopt; another type → an error
// "'<path>' must be a string" (and nullopt).
std::optional<std::string> opt_string(const json::object& obj, std::string_view key, const std::string& path,
                                      std::vector<std::string>* errors) {
  const json::value* v = obj.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (const json::string* s = v->if_string()) return std::string(*s);
  if (errors) errors->push_back(fmt::format("'{}' must be a string", path));
  return std::nullopt;
}

// A required, non-blank string: "'<path>' is missing or blank" otherwise.
std::string required_string(const json::object& obj, std::string_view key, const std::string& path,
                            std::vector<std::string>& errors) {
  const json::value* v = obj.if_contains(key);
  if (v && !v->is_null() && !v->is_string()) {
    errors.push_back(fmt::format("'{}' must be a string", path));
    return {};
  }
  if (!v || v->is_null() || blank(v->get_string())) {
    errors.push_back(fmt::format("'{}' is missing or blank", path));
    return {};
  }
  return std::string(v->get_string());
}

std::string random_dedup_key() {
  std::random_device rd;
  std::string out;
  out.reserve(32);
  for (int i = 0; i < 4; ++i) out += fmt::format("{:08x}", static_cast<std::uint32_t>(rd()));
  return out;
}

bool valid_severity(std::string_view s) {
  return s == "critical" || s == "error" || s == "warning" || s == "info";
}

void read_links(const json::object& root, InboundEvent& ev, std::vector<std::string>& errors) {
  const json::value* v = root.if_contains("links");
  if (!v || v->is_null()) return;
  const json::array* arr = v->if_array();
  if (!arr) {
    errors.push_back("'links' must be an array");
    return;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string path = fmt::format("links[{}]", i);
    const json::object* link = (*arr)[i].if_object();
    if (!link) {
      errors.push_back(fmt::format("'{}' must be an object", path));
      continue;
    }
    std::string href = required_string(*link, "href", path + ".href", errors);
    std::string text = opt_string(*link, "text", path + ".text", &errors).value_or("");
    if (!href.empty()) ev.links.emplace_back(std::move(href), std::move(text));
  }
}

void read_images(const json::object& root, InboundEvent& ev, std::vector<std::string>& errors) {
  const json::value* v = root.if_contains("images");
  if (!v || v->is_null()) return;
  const json::array* arr = v->if_array();
  if (!arr) {
    errors.push_back("'images' must be an array");
    return;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string path = fmt::format("images[{}]", i);
    const json::object* image = (*arr)[i].if_object();
    if (!image) {
      errors.push_back(fmt::format("'{}' must be an object", path));
      continue;
    }
    std::string src = required_string(*image, "src", path + ".src", errors);
    (void)opt_string(*image, "href", path + ".href", &errors);
    (void)opt_string(*image, "alt", path + ".alt", &errors);
    if (!src.empty()) ev.images.push_back(std::move(src));
  }
}

// payload of a trigger: validated as PagerDuty does.
void read_trigger_payload(const json::object& payload, InboundEvent& ev, std::vector<std::string>& errors) {
  ev.summary = required_string(payload, "summary", "payload.summary", errors);
  if (utf8_length(ev.summary) > kMaxSummaryChars) {
    errors.push_back(fmt::format("Length of 'payload.summary' must be less than or equal to {} characters",
                                 kMaxSummaryChars));
  }
  ev.source = required_string(payload, "source", "payload.source", errors);
  const json::value* sev = payload.if_contains("severity");
  if (sev && sev->is_string() && !blank(sev->get_string()) && !valid_severity(sev->get_string())) {
    errors.push_back(fmt::format(
        "'payload.severity' is invalid: \"{}\" (should be one of critical, error, warning, info)",
        std::string_view(sev->get_string())));
  } else {
    std::string s = required_string(payload, "severity", "payload.severity", errors);
    if (!s.empty()) ev.severity = std::move(s);
  }
  if (auto ts = opt_string(payload, "timestamp", "payload.timestamp", &errors)) {
    auto t = parse_event_time(*ts);
    if (t) {
      ev.timestamp = *t;
    } else {
      errors.push_back(fmt::format(
          "'payload.timestamp' is invalid: \"{}\" (should be ISO 8601, like 2015-07-17T08:42:58.315+0000)", *ts));
    }
  }
  ev.component = opt_string(payload, "component", "payload.component", &errors).value_or("");
  ev.group = opt_string(payload, "group", "payload.group", &errors).value_or("");
  ev.event_class = opt_string(payload, "class", "payload.class", &errors).value_or("");
  if (const json::value* cd = payload.if_contains("custom_details"); cd && !cd->is_null()) {
    ev.custom_details_json = json::serialize(*cd);
  }
}

// payload of an acknowledge/resolve: PagerDuty ignores it; we keep what is well-formed (the
// summary is a useful timeline note) and never reject the event for it.
void read_followup_payload(const json::object& payload, InboundEvent& ev) {
  ev.summary = truncate_utf8(opt_string(payload, "summary", "", nullptr).value_or(""), kMaxSummaryChars);
  ev.source = opt_string(payload, "source", "", nullptr).value_or("");
  if (auto s = opt_string(payload, "severity", "", nullptr); s && valid_severity(*s)) ev.severity = *s;
  if (auto ts = opt_string(payload, "timestamp", "", nullptr)) {
    if (auto t = parse_event_time(*ts)) ev.timestamp = *t;
  }
  ev.component = opt_string(payload, "component", "", nullptr).value_or("");
  ev.group = opt_string(payload, "group", "", nullptr).value_or("");
  ev.event_class = opt_string(payload, "class", "", nullptr).value_or("");
  if (const json::value* cd = payload.if_contains("custom_details"); cd && !cd->is_null()) {
    ev.custom_details_json = json::serialize(*cd);
  }
}

}  // namespace

EventsV2Result parse_events_v2(std::string_view body, Time now) {
  (void)now;  // generated keys are random (see the header), so nothing here depends on the time
  EventsV2Result r;
  auto& errors = r.errors;
  if (body.size() > kEventsV2MaxBodyBytes) {
    errors.push_back(fmt::format("Event of {} bytes exceeds the maximum size of 512 KB", body.size()));
    return r;
  }
  boost::system::error_code ec;
  // The parsed tree lives only for this call: one arena (the first 4 KiB on the stack, enough
  // for a typical event) instead of an allocation per node, freed at once.
  unsigned char arena[4096];
  json::monotonic_resource mr(arena, sizeof arena);
  json::value root_value = json::parse(body, ec, &mr);
  if (ec) {
    errors.push_back(fmt::format("Malformed JSON: {}", ec.message()));
    return r;
  }
  const json::object* root = root_value.if_object();
  if (!root) {
    errors.push_back("Event must be a JSON object");
    return r;
  }

  // routing_key
  const json::value* rk = root->if_contains("routing_key");
  if (rk && rk->is_string()) r.routing_key = std::string(rk->get_string());
  if ((!rk || rk->is_null()) && root->contains("service_key")) {
    errors.push_back("'service_key' is an Events API v1 field: send 'routing_key' and 'event_action' (Events API v2)");
  } else if (rk && !rk->is_null() && !rk->is_string()) {
    errors.push_back("'routing_key' must be a string");
  } else if (blank(r.routing_key)) {
    errors.push_back("'routing_key' is missing or blank");
  } else {
    if (r.routing_key.size() != kRoutingKeyChars)
      errors.push_back("Length of 'routing_key' is incorrect (should be 32 characters)");
    bool alnum = true;
    for (char c : r.routing_key) alnum = alnum && std::isalnum(static_cast<unsigned char>(c));
    if (!alnum) errors.push_back("'routing_key' cannot contain non-alphanumeric characters");
  }

  // event_action
  InboundEvent ev;
  ev.origin = "events_v2";
  bool action_ok = false;
  std::string action = required_string(*root, "event_action", "event_action", errors);
  if (action == "trigger") {
    ev.action = InboundEvent::Action::trigger;
    action_ok = true;
  } else if (action == "acknowledge") {
    ev.action = InboundEvent::Action::acknowledge;
    action_ok = true;
  } else if (action == "resolve") {
    ev.action = InboundEvent::Action::resolve;
    action_ok = true;
  } else if (!action.empty()) {
    errors.push_back(fmt::format(
        "'event_action' is invalid: \"{}\" (should be one of trigger, acknowledge, resolve)", action));
  }

  // dedup_key
  std::string dedup = opt_string(*root, "dedup_key", "dedup_key", &errors).value_or("");
  if (utf8_length(dedup) > kMaxDedupKeyChars) {
    errors.push_back(fmt::format("Length of 'dedup_key' must be less than or equal to {} characters",
                                 kMaxDedupKeyChars));
  }
  if (action_ok && ev.action != InboundEvent::Action::trigger && blank(dedup)) {
    errors.push_back("'dedup_key' is missing or blank (required to acknowledge or resolve)");
  }
  ev.dedup_key = dedup;

  // payload
  const json::value* payload = root->if_contains("payload");
  if (action_ok && ev.action == InboundEvent::Action::trigger) {
    if (!payload || payload->is_null()) {
      errors.push_back("'payload' is missing (required to trigger)");
    } else if (!payload->is_object()) {
      errors.push_back("'payload' must be an object");
    } else {
      read_trigger_payload(payload->get_object(), ev, errors);
    }
  } else if (payload && payload->is_object()) {
    read_followup_payload(payload->get_object(), ev);
  }

  read_links(*root, ev, errors);
  read_images(*root, ev, errors);
  std::string client = opt_string(*root, "client", "client", &errors).value_or("");
  std::string client_url = opt_string(*root, "client_url", "client_url", &errors).value_or("");
  if (!blank(client_url)) ev.links.emplace_back(client_url, blank(client) ? "" : "View in " + client);

  if (!errors.empty()) return r;
  if (ev.dedup_key.empty() || blank(ev.dedup_key)) ev.dedup_key = random_dedup_key();
  r.event = std::move(ev);
  return r;
}

std::string events_v2_success_body(const std::string& dedup_key) {
  // Sent for every accepted event: no JSON object to build, only the key to escape.
  return R"({"status":"success","message":"Event processed","dedup_key":)" + json::serialize(json::string(dedup_key)) +
         "}";
}

std::string events_v2_error_body(const std::vector<std::string>& errors) {
  json::object o;
  o["status"] = "invalid event";
  o["message"] = "Event object is invalid";
  json::array arr;
  for (const auto& e : errors) arr.emplace_back(e);
  o["errors"] = std::move(arr);
  return json::serialize(o);
}

Result<Time> parse_event_time(std::string_view text) {
  auto bad = [&] { return Error{fmt::format("invalid time \"{}\": expected ISO 8601 like 2024-08-18T10:15:00Z", text)}; };
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 19) return bad();
  const std::string_view date = text.substr(0, 10), clock = text.substr(11, 8);
  if (!digits(date.substr(0, 4)) || date[4] != '-' || !digits(date.substr(5, 2)) || date[7] != '-' ||
      !digits(date.substr(8, 2)))
    return bad();
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return bad();
  if (!digits(clock.substr(0, 2)) || clock[2] != ':' || !digits(clock.substr(3, 2)) || clock[5] != ':' ||
      !digits(clock.substr(6, 2)))
    return bad();
  std::size_t i = 19;
  std::string millis = "000";
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
    std::size_t j = ++i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i) return bad();
    for (std::size_t k = 0; k < 3 && i + k < j; ++k) millis[k] = text[i + k];
    i = j;
  }
  const std::string_view zone = text.substr(i);
  std::string offset;
  if (zone == "Z" || zone == "z") {
    offset = "+00:00";
  } else if (zone.size() >= 3 && (zone[0] == '+' || zone[0] == '-') && digits(zone.substr(1, 2))) {
    const std::string_view rest = zone.substr(3);
    std::string_view minutes;
    if (rest.empty()) minutes = "00";
    else if (rest.size() == 2 && digits(rest)) minutes = rest;
    else if (rest.size() == 3 && rest[0] == ':' && digits(rest.substr(1))) minutes = rest.substr(1);
    else return bad();
    offset = fmt::format("{}{}:{}", zone[0], zone.substr(1, 2), minutes);
  } else {
    return bad();
  }
  const std::string normalized = fmt::format("{}T{}.{}{}", date, clock, millis, offset);
  auto t = parse_rfc3339(normalized);
  if (!t) return bad();
  return *t;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string truncate_utf8(std::string text, std::size_t max_chars) {
  if (max_chars == 0) return {};
  if (utf8_length(text) <= max_chars) return text;
  // Keep max_chars - 1 code points, then "…".
  std::size_t kept = 0, i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (kept == max_chars - 1) break;
      ++kept;
    }
  }
  text.resize(i);
  text += "\xE2\x80\xA6";
  return text;
}

}  // namespace vigil::incident
