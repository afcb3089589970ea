// The login page: one self-contained HTML form (inline CSS, no scripts, nothing fetched),
// usable on a 390-px phone and with the keyboard alone. Posts user, password and next to
// /login. The UI's stylesheet may restyle it; the markup stays this simple on purpose.
#pragma once
#include <string>
#include <string_view>

namespace vigil::web::auth {

// `next`: where to go after logging in (already checked to be a local path). `error`: shown
// above the form when not empty (wrong password, too many attempts). Text is HTML-escaped.
std::string login_page_html(std::string_view next, std::string_view error, std::string_view user = "");

}  // namespace vigil::web::auth
