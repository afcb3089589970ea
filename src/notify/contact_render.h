// Private to src/notify: the pure half of the contact adapters (contact.h). Each adapter's
// message is a function of the vigil payload (docs/webhook.md; pages add "page" and "links")
// and nothing else, so tests check every body without a network. The shared vocabulary
// (headline, colours, which buttons make sense) lives here so every channel says the same.
#pragma once
#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace vigil::notify {

struct PageInfo {
  std::string user;  // user id
  std::string name;  // display name (may be empty)
  int rule = 0;      // escalation level, 1-based
  int round = 0;     // 0 = first pass through the policy
};

// An on-call hand-off (event "handoff", no incident): the user's shift in a schedule starts.
struct HandoffInfo {
  std::string schedule, user, name;
  std::string start, end;              // RFC 3339 UTC; end "" when no end is scheduled
  std::string start_local, end_local;  // "2024-08-20 11:00 CEST" in the user's time zone
};

// The fields of a payload the adapters use; absent or mistyped fields read as empty / 0.
struct PayloadView {
  std::string id;     // message id ("" when absent)
  std::string event;  // triggered|acknowledged|resolved|note|page|handoff
  std::int64_t incident_id = 0;
  std::string title, service, check, severity, status, url, resolved_by;
  std::string urgency;  // "high" | "low"
  std::int64_t entry_seq = 0;
  std::string entry_kind, entry_at, entry_actor, entry_text;
  std::optional<PageInfo> page;
  std::optional<HandoffInfo> handoff;  // then title is "On call: <schedule>" and url the on-call page
  std::string acknowledge_url, resolve_url;  // from "links"; "" when absent
};

struct Link {
  std::string label;
  std::string url;
};

Result<boost::json::object> parse_payload(const std::string& text);
PayloadView view_of(const boost::json::object& payload);

// An event that asks someone to act: a trigger, or a page (first or escalated).
bool is_alerting(const PayloadView& v);
// "#12 triggered: webserver-01/login: status 500" (one line, the title capped);
// "On call: primary" for a hand-off.
std::string headline(const PayloadView& v);
// The buttons that still make sense: Acknowledge while triggered, Resolve while open.
std::vector<Link> action_links(const PayloadView& v);
// "Alice (escalation level 2, repeat 1)"; "" when the payload is not a page.
std::string paged_text(const PayloadView& v);
// "Triggered at 2024-08-18T10:15:00.000Z by check:login."; for a hand-off "You are on call for
// primary from 2024-08-20 11:00 CEST until 2024-08-21 11:00 CEST."
std::string entry_sentence(const PayloadView& v);
// The human text of a message: title, what happened, facts, and (with_links) the links.
std::string plain_text(const PayloadView& v, bool with_links);
// 0xRRGGBB: resolved green, acknowledged amber, note grey, alerts by severity.
std::uint32_t color_of(const PayloadView& v);

// At most `max_bytes` bytes, cut on a UTF-8 boundary, ending in "…" when cut.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);
// Control characters (CR, LF, TAB...) become spaces: safe as a header value or subject.
std::string one_line(std::string_view s);
// Standard base64 (OpenSSL), no line breaks.
std::string base64(std::string_view bytes);
// RFC 2047 "=?UTF-8?B?...?=" encoded words, joined by `fold`, when `s` is not plain
// printable ASCII; else `s` itself.
std::string rfc2047(std::string_view s, std::string_view fold = " ");
// "https://hooks.slack.com/…": the scheme and host only. Incoming-webhook URLs and ntfy
// topics are secrets, and error texts end up in the outbox, the API and the logs.
std::string redact_url(std::string_view url);

// ---- one renderer per adapter ----------------------------------------------------------

// Slack incoming webhook: {"text", "blocks": [section, context, actions?]}.
std::string slack_body(const boost::json::object& payload);
// Discord webhook: {"content", "embeds": [{title, description, url?, color, ...}], "allowed_mentions"}.
std::string discord_body(const boost::json::object& payload);
// Microsoft Teams Office 365 connector MessageCard.
std::string msteams_body(const boost::json::object& payload);

struct NtfyMessage {
  std::string body;                                          // plain text
  std::vector<std::pair<std::string, std::string>> headers;  // Title, Priority, Tags, Click?, Actions?
};
NtfyMessage ntfy_message(const boost::json::object& payload);

// PagerDuty Events API v2 event; nullopt when the event has no Events API equivalent (a note):
// nothing is sent and the delivery counts as done.
std::optional<std::string> pagerduty_body(const boost::json::object& payload, const std::string& routing_key);

struct EmailEnvelope {
  std::string from;  // as configured: "vigil@example.com" or "Vigil <vigil@example.com>"
  std::string to;
  Time date{};
};
// The whole RFC 5322 message, CRLF line endings, ready for SMTP DATA.
std::string email_message(const boost::json::object& payload, const EmailEnvelope& envelope);
// "Vigil <vigil@example.com>" → "vigil@example.com"; a bare address is returned trimmed.
std::string mailbox_address(std::string_view mailbox);

}  // namespace vigil::notify
