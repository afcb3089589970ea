#include "web/action_link.h"
#include "common/escape.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>
#include <optional>

namespace vigil::web {
namespace {

constexpr std::string_view kMacContext = "vigil-action-v1.";
constexpr std::size_t kMacBytes = 32;       // SHA-256
constexpr std::size_t kMaxTokenChars = 2048;  // far above any real claim

Error refused(std::string_view why) { return Error{std::string(why), "token"}; }

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Strict: only the URL alphabet, no padding, and the canonical encoding (unused trailing bits
// zero), so one claim has exactly one token.
std::optional<std::string> from_base64url(std::string_view text) {
  if (text.empty() || text.size() % 4 == 1) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), is_base64url_char)) return std::nullopt;
  std::string padded(text);
  std::replace(padded.begin(), padded.end(), '-', '+');
  std::replace(padded.begin(), padded.end(), '_', '/');
  const std::size_t pad = (4 - padded.size() % 4) % 4;
  padded.append(pad, '=');
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0 || static_cast<std::size_t>(n) < pad) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  if (base64url(out) != text) return std::nullopt;
  return out;
}

std::string mac(std::string_view key, std::string_view payload_part) {
  std::string input(kMacContext);
  input += payload_part;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  static const unsigned char kEmpty = 0;  // OpenSSL wants a non-null key pointer even when empty
  const void* k = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(EVP_sha256(), k, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(input.data()),
           input.size(), md, &len) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

template <typename Int>
std::optional<Int> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  Int v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<ActionClaim> parse_claim(std::string_view payload) {
  // <incident>.<action>.<user>.<expires>: the user is everything between the second and the
  // last dot, so user ids may contain dots.
  const auto d1 = payload.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  const auto d2 = payload.find('.', d1 + 1);
  const auto d3 = payload.rfind('.');
  if (d2 == std::string_view::npos || d3 <= d2) return std::nullopt;
  ActionClaim c;
  const auto incident = parse_int<std::int64_t>(payload.substr(0, d1));
  const auto expires = parse_int<std::int64_t>(payload.substr(d3 + 1));
  if (!incident || *incident <= 0 || !expires) return std::nullopt;
  c.incident = *incident;
  c.action = std::string(payload.substr(d1 + 1, d2 - d1 - 1));
  if (c.action != "acknowledge" && c.action != "resolve") return std::nullopt;
  c.user = std::string(payload.substr(d2 + 1, d3 - d2 - 1));
  if (c.user.empty()) return std::nullopt;
  c.expires_at = Time{std::chrono::seconds{*expires}};
  return c;
}

constexpr std::string_view kStyle =
    "*{box-sizing:border-box}"
    "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;"
    "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f5f7;color:#1d2330}"
    "main{width:100%;max-width:28rem;margin:1rem;padding:1.75rem 1.5rem;background:#fff;border-radius:12px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12);border-top:6px solid #6b7280}"
    "main.ok{border-top-color:#16a34a}main.err{border-top-color:#dc2626}"
    ".mark{font-size:2.5rem;line-height:1}.ok .mark{color:#16a34a}.err .mark{color:#dc2626}"
    "h1{font-size:1.3rem;margin:.5rem 0;overflow-wrap:anywhere}p{margin:0 0 1rem;overflow-wrap:anywhere}"
    "button{width:100%;padding:.9rem;font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;"
    "border-radius:8px;cursor:pointer}"
    "form{margin:0 0 1rem}small{color:#6b7280}"
    "@media (prefers-color-scheme:dark){body{background:#111318;color:#e6e8ee}"
    "main{background:#1b1e26;box-shadow:none}small{color:#9aa1ae}}";

std::string page(std::string_view title, std::string_view cls, std::string_view mark, std::string_view message,
                 std::string_view extra) {
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex,nofollow\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "form-action 'self'\">"
      "<title>{0} · vigil</title><style>{1}</style></head>\n"
      "<body><main class=\"{2}\"><div class=\"mark\" aria-hidden=\"true\">{3}</div><h1>{0}</h1><p>{4}</p>{5}"
      "<small>vigil</small></main></body></html>\n",
      escape_markup(title), kStyle, cls, mark, escape_markup(message), extra);
}

}  // namespace

std::string sign_action(const ActionClaim& c, std::string_view key) {
  const auto expires = std::chrono::floor<std::chrono::seconds>(c.expires_at).time_since_epoch().count();
  const std::string payload = base64url(fmt::format("{}.{}.{}.{}", c.incident, c.action, c.user, expires));
  return payload + "." + base64url(mac(key, payload));
}

Result<ActionClaim> verify_action(std::string_view token, std::string_view key, Time now) {
  if (token.size() > kMaxTokenChars) return refused(kLinkMalformed);
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos)
    return refused(kLinkMalformed);
  const std::string_view payload_part = token.substr(0, dot);
  const auto payload = from_base64url(payload_part);
  const auto given = from_base64url(token.substr(dot + 1));
  if (!payload || !given || given->size() != kMacBytes) return refused(kLinkMalformed);

  if (key.empty()) return refused(kLinkBadSignature);
  const std::string expected = mac(key, payload_part);
  if (expected.size() != kMacBytes || CRYPTO_memcmp(expected.data(), given->data(), kMacBytes) != 0)
    return refused(kLinkBadSignature);

  auto claim = parse_claim(*payload);
  if (!claim) return refused(kLinkMalformed);
  if (now >= claim->expires_at) return refused(kLinkExpired);
  return std::move(*claim);
}


std::string action_page_html(std::string_view title, std::string_view message, bool ok) {
  return page(title, ok ? "ok" : "err", ok ? "&#10003;" : "&#10007;", message, "");
}

std::string action_confirm_html(std::string_view title, std::string_view message, std::string_view button) {
  return page(title, "ask", "&#9888;", message,
              fmt::format("<form method=\"post\"><button type=\"submit\">{}</button></form>",
                          escape_markup(button)));
}

}  // namespace vigil::web
