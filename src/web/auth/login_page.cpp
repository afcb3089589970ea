#include "web/auth/login_page.h"
#include "common/escape.h"

#include "web/action_link.h"

namespace vigil::web::auth {

std::string login_page_html(std::string_view next, std::string_view error, std::string_view user) {
  std::string h;
  h.reserve(2048);
  h += R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sign in · vigil</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:22rem;margin:10vh auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.6rem;font:inherit;border:1px solid #8a93a6;border-radius:4px}
input:focus,button:focus{outline:3px solid #3b6fd8;outline-offset:1px}
button{margin-top:1.25rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:#2456b8;border:0;border-radius:4px;cursor:pointer}
.error{padding:.6rem;background:#fde8e8;color:#8a1c1c;border-radius:4px}
</style>
</head>
<body>
<main>
<h1>Sign in to vigil</h1>
)";
  if (!error.empty()) h += "<p class=\"error\" role=\"alert\">" + escape_markup(error) + "</p>\n";
  h += R"(<form method="post" action="/login">
<input type="hidden" name="next" value=")" + escape_markup(next) + R"(">
<label for="user">User</label>
<input id="user" name="user" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value=")" +
       escape_markup(user) + R"(">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
)";
  return h;
}

}  // namespace vigil::web::auth
