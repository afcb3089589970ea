#include "notify/contact_render.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <cctype>

namespace vigil::notify {
namespace {

namespace json = boost::json;

// A title longer than this says nothing more in a headline, and chat services cut it anyway.
constexpr std::size_t kHeadlineTitle = 200;

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return {};
  return std::string(v->as_string());
}

std::int64_t num(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return 0;
}

const json::object* obj(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

Result<json::object> parse_payload(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Error{"payload is not JSON: " + ec.message()};
  if (!v.is_object()) return Error{"payload is not a JSON object"};
  return std::move(v.as_object());
}

PayloadView view_of(const json::object& p) {
  PayloadView v;
  v.id = str(p, "id");
  v.event = str(p, "event");
  if (const auto* inc = obj(p, "incident")) {
    v.incident_id = num(*inc, "id");
    v.title = str(*inc, "title");
    v.service = str(*inc, "service");
    v.check = str(*inc, "check");
    v.severity = str(*inc, "severity");
    v.urgency = str(*inc, "urgency");
    v.status = str(*inc, "status");
    v.url = str(*inc, "url");
    v.resolved_by = str(*inc, "resolved_by");
  }
  if (const auto* e = obj(p, "entry")) {
    v.entry_seq = num(*e, "seq");
    v.entry_kind = str(*e, "kind");
    v.entry_at = str(*e, "at");
    v.entry_actor = str(*e, "actor");
    v.entry_text = str(*e, "text");
  }
  if (const auto* pg = obj(p, "page")) {
    PageInfo info;
    info.user = str(*pg, "user");
    info.name = str(*pg, "name");
    info.rule = static_cast<int>(num(*pg, "rule"));
    info.round = static_cast<int>(num(*pg, "round"));
    v.page = std::move(info);
  }
  if (const auto* h = obj(p, "handoff")) {
    HandoffInfo info;
    info.schedule = str(*h, "schedule");
    info.user = str(*h, "user");
    info.name = str(*h, "name");
    info.start = str(*h, "start");
    info.end = str(*h, "end");
    info.start_local = str(*h, "start_local");
    info.end_local = str(*h, "end_local");
    v.title = "On call: " + info.schedule;
    v.url = str(p, "url");
    v.entry_at = info.start;
    v.handoff = std::move(info);
  }
  if (const auto* links = obj(p, "links")) {
    v.acknowledge_url = str(*links, "acknowledge");
    v.resolve_url = str(*links, "resolve");
  }
  return v;
}

bool is_alerting(const PayloadView& v) { return v.event == "triggered" || v.event == "page"; }

namespace {

std::string verb(const PayloadView& v) {
  if (v.event == "page") {
    // A page of an acknowledged incident is the ack timeout running out: it is still open.
    if (v.status == "acknowledged") return "acknowledged, still open";
    return "triggered";
  }
  if (v.event.empty()) return "update";
  return v.event;
}

std::string title_or_fallback(const PayloadView& v) {
  if (!v.title.empty()) return v.title;
  if (!v.service.empty() && !v.check.empty()) return v.service + "/" + v.check;
  if (!v.service.empty()) return v.service;
  return "incident";
}

}  // namespace

std::string headline(const PayloadView& v) {
  if (v.handoff) return truncate_utf8(one_line(v.title), kHeadlineTitle);
  return fmt::format("#{} {}: {}", v.incident_id, verb(v),
                     truncate_utf8(one_line(title_or_fallback(v)), kHeadlineTitle));
}

std::vector<Link> action_links(const PayloadView& v) {
  std::vector<Link> out;
  if (v.status == "resolved") return out;
  if (!v.acknowledge_url.empty() && v.status != "acknowledged") out.push_back({"Acknowledge", v.acknowledge_url});
  if (!v.resolve_url.empty()) out.push_back({"Resolve", v.resolve_url});
  return out;
}

std::string paged_text(const PayloadView& v) {
  if (!v.page) return {};
  const std::string who = !v.page->name.empty() ? v.page->name : v.page->user;
  std::string level = v.page->rule > 0 ? fmt::format("escalation level {}", v.page->rule) : "escalation";
  if (v.page->round > 0) level += fmt::format(", repeat {}", v.page->round);
  return fmt::format("{} ({})", who, level);
}

std::string entry_sentence(const PayloadView& v) {
  if (v.handoff) {
    const HandoffInfo& h = *v.handoff;
    const std::string& from = h.start_local.empty() ? h.start : h.start_local;
    const std::string& until = h.end_local.empty() ? h.end : h.end_local;
    const std::string who = h.name.empty() ? std::string("You are") : h.name + " is";
    if (until.empty()) return fmt::format("{} on call for {} from {}, with no end scheduled.", who, h.schedule, from);
    return fmt::format("{} on call for {} from {} until {}.", who, h.schedule, from, until);
  }
  std::string what;
  if (v.entry_kind == "auto_resolved") {
    what = "Resolved automatically (the check recovered)";
  } else if (v.entry_kind.empty()) {
    what = "Updated";
  } else {
    what = v.entry_kind;
    for (char& c : what) {
      if (c == '_') c = ' ';
    }
    what[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(what[0])));
  }
  std::string s = what;
  if (!v.entry_at.empty()) s += " at " + v.entry_at;
  if (!v.entry_actor.empty() && v.entry_kind != "auto_resolved") s += " by " + v.entry_actor;
  return s + ".";
}

std::string plain_text(const PayloadView& v, bool with_links) {
  std::string out = title_or_fallback(v) + "\n" + entry_sentence(v) + "\n";
  if (!v.entry_text.empty()) out += v.entry_text + "\n";
  out += "\n";
  auto fact = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) out += fmt::format("{:<10}{}\n", fmt::format("{}:", name), value);
  };
  fact("Service", v.service);
  fact("Check", v.check);
  fact("Severity", v.severity);
  fact("Status", v.status);
  fact("Paged", paged_text(v));
  if (with_links) {
    std::string links;
    for (const auto& l : action_links(v)) links += fmt::format("{:<13}{}\n", l.label + ":", l.url);
    if (!v.url.empty()) links += fmt::format("{:<13}{}\n", v.handoff ? "On call:" : "Incident:", v.url);
    if (!links.empty()) out += "\n" + links;
  }
  return out;
}

std::uint32_t color_of(const PayloadView& v) {
  if (v.event == "resolved") return 0x2EB67D;
  if (v.event == "acknowledged") return 0xECB22E;
  if (v.event == "note") return 0x607D8B;
  if (v.handoff) return 0x1E88E5;
  if (v.severity == "info") return 0x1E88E5;
  if (v.severity == "warning") return 0xFFA000;
  if (v.severity == "error") return 0xF4511E;
  return 0xD50000;  // critical, and anything unknown: err on the loud side
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …
  if (max_bytes < kEllipsis.size()) return std::string(kEllipsis.substr(0, 0));
  std::size_t cut = max_bytes - kEllipsis.size();
  while (cut > 0 && is_continuation(static_cast<unsigned char>(s[cut]))) --cut;
  return std::string(s.substr(0, cut)) + std::string(kEllipsis);
}

std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

std::string rfc2047(std::string_view s, std::string_view fold) {
  bool plain = true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) plain = false;
  }
  if (plain) return std::string(s);
  // An encoded word is at most 75 characters: "=?UTF-8?B?" + 60 base64 characters + "?=",
  // i.e. 45 bytes of text, cut where no UTF-8 character is split.
  constexpr std::size_t kChunk = 45;
  std::string out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = std::min(s.size(), pos + kChunk);
    while (end < s.size() && end > pos + 1 && is_continuation(static_cast<unsigned char>(s[end]))) --end;
    if (!out.empty()) out += fold;
    out += "=?UTF-8?B?" + base64(s.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string redact_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "(url)";
  const std::string_view after = url.substr(scheme_end + 3);
  const std::string_view authority = after.substr(0, after.find_first_of("/?#"));
  std::string_view host = authority;
  if (const auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);  // user:password@
  std::string out = std::string(url.substr(0, scheme_end + 3)) + std::string(host);
  if (authority.size() < after.size()) out += "/\xE2\x80\xA6";
  return out;
}

}  // namespace vigil::notify
