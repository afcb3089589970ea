// Apache LogFormat strings (mod_log_config, mod_logio, mod_ssl), as an access_log check's
// `log_format` takes them: `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D`.
// Checked at load so a typo (`%>S`, `%{Referer}`) is reported at its character instead of
// making every line of the log unparseable at run time. Pure; private to src/config.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::config::detail {

struct LogFormatProblem {
  static constexpr std::size_t kWhole = std::string_view::npos;
  std::size_t index = 0;  // byte index of the '%' that starts the bad directive; kWhole: the format as a whole
  std::string message;
};

// Every problem of `format`, in order; empty when it is fine. A directive is
// `%[!][status codes][<|>][{arg}]letter` (`%!200,304{Referer}i`, `%>s`, `%{ms}T`, `%{X}^ti`)
// or `%%`; a format without a status directive (`%s`, `%>s`, `%<s`) is a problem too, since
// vigil's figures (error_rate, …) count responses by status.
std::vector<LogFormatProblem> check_log_format(std::string_view format);

}  // namespace vigil::config::detail
