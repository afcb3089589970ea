// Apache LogFormat strings: which are accepted, and where a bad directive is reported.
#include "config/log_format.h"

#include <gtest/gtest.h>

namespace vigil::config::detail {
namespace {

std::vector<std::string> problems(std::string_view format) {
  std::vector<std::string> out;
  for (const auto& p : check_log_format(format)) {
    out.push_back((p.index == LogFormatProblem::kWhole ? "whole" : std::to_string(p.index)) + ": " + p.message);
  }
  return out;
}

TEST(LogFormat, AcceptsWhatApacheShipsAndWrites) {
  const char* valid[] = {
      R"(%h %l %u %t "%r" %>s %b)",                                                   // common
      R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i")",                   // combined
      R"(%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i")",             // Debian vhost_combined
      R"(%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %I %O %S %^FB %D)",  // mod_logio
      R"(%a %{c}a %{c}h %A %B %f %H %k %L %m %q %R %U %V %X %P %{tid}P %{canonical}p %{remote}p %s)",
      R"([%{sec}t] %{begin:msec}t %{end:usec}t.%{usec_frac}t %{ms}T %{us}T %T %<s %s)",
      R"(%t%>s %b)",  // %t is bracketed: no separator needed after it
      R"(%!200,304,302{Referer}i %400,501{User-agent}i %{UNIQUE_ID}e %{session}C %{Content-Type}o %>s)",
      R"(%{SSL_PROTOCOL}x %{forensic-id}n %{Grpc-Status}^ti %{Grpc-Status}^to %^FU 100%% %>s)",
  };
  for (const char* f : valid) EXPECT_EQ(problems(f), std::vector<std::string>{}) << f;
}

TEST(LogFormat, ReportsEachBadDirectiveAtItsPercentSign) {
  struct Case {
    const char* format;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"%h %Z %>s", {R"(3: unknown LogFormat directive "%Z")"}},
      {"%h %>z %>s %{X}Q", {R"(3: unknown LogFormat directive "%>z")", R"(11: unknown LogFormat directive "%{X}Q")"}},
      {"%h %i %>s", {R"(3: "%i" needs a name: %{Name}i, a request header, e.g. %{User-Agent}i)"}},
      {"%h %{}i %>s", {R"(3: "%{}i": empty name, expected a request header, e.g. %{User-Agent}i)"}},
      {"%{x}s", {R"(0: "%{x}s": %s takes no {…} argument)"}},
      {"%>s %{sec}T", {R"(4: "%{sec}T": expected %T or %{ms}T, %{us}T or %{s}T)"}},
      {"%>s %{all}p", {R"(4: "%{all}p": expected %p or %{canonical}p, %{local}p or %{remote}p)"}},
      {"%>s %{Referer", {R"(4: unterminated "%{": expected "}")"}},
      {"%>s %{Referer}", {R"(4: "%{Referer}" needs a directive letter after it, e.g. %{Referer}i)"}},
      {"%>s \"%{Referer}\"", {R"(5: "%{Referer}" needs a directive letter after it, e.g. %{Referer}i)"}},
      {"%>s 100%", {R"(7: a lone '%': write %% for a percent sign)"}},
      {"%>s 100% done", {R"(7: a lone '%': write %% for a percent sign)"}},
      {"%> %>s", {R"(0: "%>" needs a directive letter after it, e.g. %>s)"}},
      {"%>s %^XX", {R"(4: unknown LogFormat directive "%^XX")"}},
      {"%>s %é", {R"(4: unknown LogFormat directive "%é")"}},
      {"%>s %{%d/%b/%Y:%H:%M:%S %z}t",
       {R"(4: "%{%d/%b/%Y:%H:%M:%S %z}t": vigil reads the time as %t, %{sec}t, %{msec}t or %{usec}t (begin: or end: before sec, msec, usec allowed), not a strftime format)"}},
      {"%h %>s %D%T %b%{X}i",
       {R"(9: "%T" right after "%D": put literal text (a space) between them, or a line cannot be split into its fields)",
        R"(14: "%{X}i" right after "%b": put literal text (a space) between them, or a line cannot be split into its fields)"}},
      {"%>s %{a}i %{b}i %{c}i %{d}i %{e}i %{f}i %{g}i %{h}i %{i}i %{j}i %{k}i %{l}i %{m}i %{n}i %{o}o %{p}o %{q}i",
       {R"(100: more than 16 %{…}i and %{…}o directives)"}},
      {"%h %l %u %t \"%r\" %b", {"whole: the format has no status (%>s or %s): vigil counts responses by their status"}},
      {"%h %>S", {"whole: the format has no status (%>s or %s): vigil counts responses by their status"}},  // %S: bytes
  };
  for (const Case& c : cases) EXPECT_EQ(problems(c.format), c.want) << c.format;
}

}  // namespace
}  // namespace vigil::config::detail
