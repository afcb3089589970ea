#include "incident/alertmanager.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>

#include "common/ascii.h"
#include "incident/events_v2.h"

namespace vigil::incident {
namespace json = boost::json;
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;  // sorted by name

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string* find(const Labels& labels, std::string_view name) {
  for (const auto& [k, v] : labels)
    if (k == name) return &v;
  return nullptr;
}

std::string nonblank(const Labels& labels, std::string_view name) {
  const std::string* v = find(labels, name);
  return v && !blank(*v) ? *v : std::string();
}

// An object of strings (labels, annotations), sorted by name. Absent/null → empty, unless required.
Labels string_map(const json::object& alert, std::string_view key, const std::string& path, bool required,
                  std::vector<std::string>& errors) {
  Labels out;
  const json::value* v = alert.if_contains(key);
  if (!v || v->is_null()) {
    if (required) errors.push_back(fmt::format("'{}' is missing", path));
    return out;
  }
  const json::object* obj = v->if_object();
  if (!obj) {
    errors.push_back(fmt::format("'{}' must be an object", path));
    return out;
  }
  for (const auto& kv : *obj) {
    if (const json::string* s = kv.value().if_string()) {
      out.emplace_back(std::string(kv.key()), std::string(*s));
    } else {
      errors.push_back(fmt::format("'{}.{}' must be a string", path, std::string_view(kv.key())));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> opt_string(const json::object& obj, std::string_view key, const std::string& path,
                                      std::vector<std::string>& errors) {
  const json::value* v = obj.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (const json::string* s = v->if_string()) return std::string(*s);
  errors.push_back(fmt::format("'{}' must be a string", path));
  return std::nullopt;
}

// startsAt / endsAt: nullopt when absent, empty or Go's zero time (before 1970 counts as unset).
std::optional<Time> opt_time(const json::object& alert, std::string_view key, const std::string& path,
                             std::vector<std::string>& errors) {
  auto text = opt_string(alert, key, path, errors);
  if (!text || blank(*text)) return std::nullopt;
  auto t = parse_event_time(*text);
  if (!t) {
    errors.push_back(
        fmt::format("'{}' is invalid: \"{}\" (should be RFC 3339, like 2024-08-18T10:15:00Z)", path, *text));
    return std::nullopt;
  }
  if (*t < Time{std::chrono::sys_days{std::chrono::year{1970} / 1 / 1}}) return std::nullopt;
  return *t;
}

std::string map_severity(const Labels& labels) {
  const std::string* raw = find(labels, "severity");
  if (!raw || blank(*raw)) return "error";
  static const std::map<std::string, std::string, std::less<>> table = {
      {"critical", "critical"}, {"crit", "critical"},    {"fatal", "critical"},  {"emergency", "critical"},
      {"emerg", "critical"},    {"alert", "critical"},   {"page", "critical"},   {"p1", "critical"},
      {"error", "error"},       {"err", "error"},        {"high", "error"},      {"major", "error"},
      {"p2", "error"},          {"warning", "warning"},  {"warn", "warning"},    {"medium", "warning"},
      {"minor", "warning"},     {"p3", "warning"},       {"info", "info"},       {"informational", "info"},
      {"notice", "info"},       {"low", "info"},         {"none", "info"},       {"ok", "info"},
      {"p4", "info"},           {"p5", "info"},
  };
  std::string key = lower(*raw);
  key.erase(0, key.find_first_not_of(" \t"));
  key.erase(key.find_last_not_of(" \t") + 1);
  auto it = table.find(key);
  return it == table.end() ? "warning" : it->second;
}

std::string summary_of(const Labels& labels, const Labels& annotations) {
  std::string s;
  if (const std::string* v = find(annotations, "summary"); v && !blank(*v)) s = *v;
  else if (const std::string* d = find(annotations, "description"); d && !blank(*d)) s = *d;
  else {
    std::string name = nonblank(labels, "alertname");
    s = name.empty() ? "alert" : name;
    std::string rest;
    for (const auto& [k, v] : labels) {
      if (k == "alertname") continue;
      if (!rest.empty()) rest += ", ";
      rest += fmt::format("{}=\"{}\"", k, v);
    }
    if (!rest.empty()) s += "{" + rest + "}";
  }
  return truncate_utf8(std::move(s), kMaxSummaryChars);
}

std::string query_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

json::object to_object(const Labels& labels) {
  json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return o;
}

}  // namespace

std::string alertmanager_fingerprint(const std::vector<std::pair<std::string, std::string>>& labels) {
  constexpr std::uint64_t kOffset = 14695981039346656037ULL, kPrime = 1099511628211ULL;
  std::vector<std::pair<std::string, std::string>> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::uint64_t h = kOffset;
  auto add = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= kPrime;
    }
  };
  auto sep = [&] {
    h ^= 0xFFu;
    h *= kPrime;
  };
  for (const auto& [k, v] : sorted) {
    add(k);
    sep();
    add(v);
    sep();
  }
  return fmt::format("{:016x}", h);
}

AlertmanagerResult parse_alertmanager(std::string_view body) {
  AlertmanagerResult r;
  auto& errors = r.errors;
  boost::system::error_code ec;
  json::value root_value = json::parse(body, ec);
  if (ec) {
    errors.push_back(fmt::format("Malformed JSON: {}", ec.message()));
    return r;
  }
  const json::object* root = root_value.if_object();
  if (!root) {
    errors.push_back("Alertmanager notification must be a JSON object");
    return r;
  }

  const json::value* version = root->if_contains("version");
  if (!version || version->is_null()) {
    r.warnings.push_back("'version' is missing: read as Alertmanager webhook payload version \"4\"");
  } else if (!version->is_string() || version->get_string() != "4") {
    errors.push_back(fmt::format(
        "unsupported 'version' {}: vigil reads Alertmanager webhook payload version \"4\"", json::serialize(*version)));
    return r;
  }
  if (const json::value* t = root->if_contains("truncatedAlerts"); t && t->is_number()) {
    boost::system::error_code nec;
    auto n = t->to_number<std::int64_t>(nec);
    if (!nec && n > 0) {
      r.warnings.push_back(fmt::format(
          "Alertmanager left {} alert(s) out of this notification (max_alerts): they are not seen here", n));
    }
  }
  const std::string external_url = opt_string(*root, "externalURL", "externalURL", errors).value_or("");
  const std::string receiver = opt_string(*root, "receiver", "receiver", errors).value_or("");

  const json::value* alerts_value = root->if_contains("alerts");
  if (!alerts_value || alerts_value->is_null()) {
    errors.push_back("'alerts' is missing");
    return r;
  }
  const json::array* alerts = alerts_value->if_array();
  if (!alerts) {
    errors.push_back("'alerts' must be an array");
    return r;
  }

  for (std::size_t i = 0; i < alerts->size(); ++i) {
    const std::string path = fmt::format("alerts[{}]", i);
    const json::object* alert = (*alerts)[i].if_object();
    if (!alert) {
      errors.push_back(fmt::format("'{}' must be an object", path));
      continue;
    }
    const std::size_t errors_before = errors.size();
    InboundEvent ev;
    ev.origin = "alertmanager";

    std::string status = opt_string(*alert, "status", path + ".status", errors).value_or("");
    if (status == "firing") ev.action = InboundEvent::Action::trigger;
    else if (status == "resolved") ev.action = InboundEvent::Action::resolve;
    else if (status.empty() && !alert->contains("status"))
      errors.push_back(fmt::format("'{}.status' is missing", path));
    else if (alert->at("status").is_string())
      errors.push_back(fmt::format("'{}.status' is invalid: \"{}\" (should be firing or resolved)", path, status));

    Labels labels = string_map(*alert, "labels", path + ".labels", true, errors);
    Labels annotations = string_map(*alert, "annotations", path + ".annotations", false, errors);
    auto starts = opt_time(*alert, "startsAt", path + ".startsAt", errors);
    auto ends = opt_time(*alert, "endsAt", path + ".endsAt", errors);
    std::string generator = opt_string(*alert, "generatorURL", path + ".generatorURL", errors).value_or("");
    std::string fingerprint = opt_string(*alert, "fingerprint", path + ".fingerprint", errors).value_or("");
    if (utf8_length(fingerprint) > kMaxDedupKeyChars - 3)
      errors.push_back(fmt::format("Length of '{}.fingerprint' must be less than or equal to {} characters", path,
                                   kMaxDedupKeyChars - 3));
    if (errors.size() != errors_before) continue;

    ev.dedup_key = "am-" + (blank(fingerprint) ? alertmanager_fingerprint(labels) : fingerprint);
    ev.summary = summary_of(labels, annotations);
    ev.severity = map_severity(labels);
    ev.source = nonblank(labels, "instance");
    if (ev.source.empty()) ev.source = nonblank(labels, "job");
    if (ev.source.empty()) ev.source = "alertmanager";
    ev.component = nonblank(labels, "job");
    ev.group = nonblank(labels, "alertname");
    ev.timestamp = ev.action == InboundEvent::Action::resolve && ends ? ends : starts;
    if (!blank(generator)) ev.links.emplace_back(generator, "Source");
    if (!blank(external_url)) {
      std::string url = std::string(without_trailing_slashes(external_url)) + "/#/alerts";
      if (!receiver.empty()) url += "?receiver=" + query_escape(receiver);
      ev.links.emplace_back(std::move(url), "Alertmanager");
    }
    json::object details;
    details["labels"] = to_object(labels);
    details["annotations"] = to_object(annotations);
    ev.custom_details_json = json::serialize(details);
    r.events.push_back(std::move(ev));
  }
  if (!errors.empty()) r.events.clear();
  return r;
}

}  // namespace vigil::incident
