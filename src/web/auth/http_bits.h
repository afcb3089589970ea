// The small HTTP pieces of logging in: reading a cookie and a form field, the session cookie's
// Set-Cookie line, and where a login may redirect to. Pure string functions.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace vigil::web::auth {

inline constexpr std::string_view kSessionCookie = "vigil_session";

// The value of cookie `name` in a Cookie header ("a=1; vigil_session=xyz"), if present.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

// Field `name` of an application/x-www-form-urlencoded body ('+' is a space), if present.
std::optional<std::string> form_value(std::string_view body, std::string_view name);

// The bearer credential of an Authorization header ("Bearer vgl_..."), if it is one.
std::optional<std::string> bearer_token(std::string_view authorization);

// "vigil_session=ID; Path=/; HttpOnly; SameSite=Strict; Max-Age=N[; Secure]".
std::string session_cookie(std::string_view id, Duration ttl, bool secure);
// The same cookie, expired: browsers drop it.
std::string cleared_session_cookie(bool secure);

// `next` if it is a path on this server ("/incidents/4?x=1"), else "/": a login form must not
// become an open redirect to another site ("//evil.example", "https://...", "/\\evil").
std::string local_path_or_root(std::string_view next);

// Percent-encodes a path-and-query for use as a query parameter value (?next=...).
std::string url_encode_component(std::string_view s);

}  // namespace vigil::web::auth
