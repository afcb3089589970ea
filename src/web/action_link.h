// Signed acknowledge/resolve links for pages: a person taps a link in a page (mail, chat, phone)
// and the incident is acknowledged or resolved without logging in. The token names one incident,
// one action and the paged user, expires, and is signed with HMAC-SHA256 under the server's link
// key, so it can be neither forged nor altered. Pure: no clock, no I/O.
//
// Token: base64url(payload) "." base64url(mac), no padding, safe in a URL path segment, where
//   payload = "<incident>.<action>.<user>.<expires_unix_seconds>"
//   mac     = HMAC-SHA256(key, "vigil-action-v1." + base64url(payload))
// expires_at is carried in whole seconds (rounded down).
//
// A link scanner (Outlook Safe Links, Slack unfurling) fetches every URL in a message, so the
// route should answer GET with action_confirm_html (a button that POSTs) and act only on POST.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace vigil::web {

struct ActionClaim {
  std::int64_t incident = 0;
  std::string action;  // "acknowledge" | "resolve"
  std::string user;    // user id the page went to: the actor recorded on the incident
  Time expires_at{};
};

// Error::message of a refused token (Error::field is "token"), so the caller can tell them apart.
inline constexpr std::string_view kLinkMalformed = "malformed action link";
inline constexpr std::string_view kLinkBadSignature = "action link signature does not match";
inline constexpr std::string_view kLinkExpired = "action link has expired";

// Signs `c` (action "acknowledge" or "resolve", non-empty user, positive incident id; anything
// else makes a token verify_action refuses as malformed).
std::string sign_action(const ActionClaim& c, std::string_view key);

// Checks, in order: shape and base64url (kLinkMalformed), the signature in constant time
// (kLinkBadSignature; always so with an empty key), the payload fields (kLinkMalformed), then
// expiry: refused from expires_at on (kLinkExpired).
Result<ActionClaim> verify_action(std::string_view token, std::string_view key, Time now);

// A small self-contained HTML page (inline CSS, no scripts, nothing fetched, readable on a phone)
// with a title and a message, marked as success (`ok`) or refusal. Text is HTML-escaped.
std::string action_page_html(std::string_view title, std::string_view message, bool ok);

// The same page with one button that POSTs to the page's own URL: what a GET of a link shows.
std::string action_confirm_html(std::string_view title, std::string_view message, std::string_view button);

// & < > " ' as entities.

}  // namespace vigil::web
