// Errors of the check types beyond http and tcp (apache_status, access_log, error_log, host,
// process), with their exact FILE:LINE:COL, key path and message. Columns are 1-based
// characters; comments under a case show where they point.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

struct Case {
  const char* name;
  const char* yaml;
  std::vector<std::string> want;
};

const Case kCases[] = {
    // ---- keys of another type ----
    {"log keys on an http check", R"(services:
  - name: web
    checks:
      - {name: a, url: "http://web/", path: /var/log/x.log, window: 5m, mounts: [/]}
)",
     {R"(t.yaml:4:39: services[0].checks[0].path: "path" applies only to access_log and error_log checks)",
      R"(t.yaml:4:61: services[0].checks[0].window: "window" applies only to access_log and error_log checks)",
      R"(t.yaml:4:73: services[0].checks[0].mounts: "mounts" applies only to host checks)"}},
    {"url on log, host and process checks", R"(services:
  - name: web
    checks:
      - {name: a, type: access_log, path: /var/log/a.log, url: "http://web/"}
      - {name: b, type: error_log, path: /var/log/e.log, url: "http://web/"}
      - {name: c, type: host, url: "http://web/"}
      - {name: d, type: process, process_name: x, target: "web:80"}
)",
     {R"(t.yaml:4:59: services[0].checks[0].url: "url" applies only to http, tcp, tls and apache_status checks; access_log checks read the file at path)",
      R"(t.yaml:5:58: services[0].checks[1].url: "url" applies only to http, tcp, tls and apache_status checks; error_log checks read the file at path)",
      R"(t.yaml:6:31: services[0].checks[2].url: "url" applies only to http, tcp, tls and apache_status checks)",
      R"(t.yaml:7:51: services[0].checks[3].target: "target" applies only to tcp and tls checks)"}},
    {"method and body on apache_status", R"(services:
  - name: web
    checks:
      - name: status
        type: apache_status
        url: http://127.0.0.1/server-status
        method: POST
        body: x
        target: "127.0.0.1:80"
        patterns: []
)",
     {R"(t.yaml:7:9: services[0].checks[0].method: "method" applies only to http checks)",
      R"(t.yaml:8:9: services[0].checks[0].body: "body" applies only to http checks)",
      R"(t.yaml:9:9: services[0].checks[0].target: "target" applies only to tcp and tls checks; apache_status checks take a url)",
      R"(t.yaml:10:9: services[0].checks[0].patterns: "patterns" applies only to error_log checks)"}},
    {"headers on a tcp check", R"(services:
  - name: db
    checks:
      - {name: p, type: tcp, target: "db:5432", headers: {A: b}, log_format: common}
)",
     {R"(t.yaml:4:49: services[0].checks[0].headers: "headers" applies only to http and apache_status checks)",
      R"(t.yaml:4:66: services[0].checks[0].log_format: "log_format" applies only to access_log checks)"}},
    {"the type does not matter to timing and conditions", R"(services:
  - name: web
    checks:
      - name: p
        type: process
        process_name: apache2
        interval: 5s
        timeout: 6s
        severity: urgent
        conditions: ['running ==']
)",
     {"t.yaml:8:18: services[0].checks[0].timeout: timeout 6s must not exceed interval 5s",
      R"(t.yaml:9:19: services[0].checks[0].severity: invalid value "urgent": expected one of critical, error, warning, info)",
      "t.yaml:10:33: services[0].checks[0].conditions[0]: invalid condition: expected a value after '=='"}},

    // ---- apache_status ----
    {"apache_status without url", R"(services:
  - name: web
    checks:
      - {name: status, type: apache_status}
)",
     {R"(t.yaml:4:9: services[0].checks[0]: missing required key "url")"}},
    {"apache_status url scheme", R"(services:
  - name: web
    checks:
      - {name: status, type: apache_status, url: "tcp://127.0.0.1:80"}
)",
     {R"(t.yaml:4:50: services[0].checks[0].url: invalid URL "tcp://127.0.0.1:80": scheme must be http or https, not "tcp")"}},
    {"apache_status query without auto", R"(services:
  - name: web
    checks:
      - {name: status, type: apache_status, url: "http://127.0.0.1/server-status?refresh=5"}
)",
     {R"(t.yaml:4:50: services[0].checks[0].url: mod_status answers "http://127.0.0.1/server-status?refresh=5" with its HTML page: add auto to the query, e.g. http://127.0.0.1/server-status?auto&refresh=5)"}},

    // ---- access_log ----
    {"access_log without path", R"(services:
  - name: web
    checks:
      - {name: access, type: access_log}
)",
     {R"(t.yaml:4:9: services[0].checks[0]: missing required key "path")"}},
    {"access_log relative path", R"(services:
  - name: web
    checks:
      - {name: access, type: access_log, path: logs/access.log}
)",
     {R"(t.yaml:4:48: services[0].checks[0].path: must be an absolute path, got "logs/access.log")"}},
    {"unknown log format name", R"(services:
  - name: web
    checks:
      - {name: access, type: access_log, path: /var/log/a.log, log_format: combnied}
)",
     {R"(t.yaml:4:76: services[0].checks[0].log_format: invalid value "combnied": expected combined, common or an Apache LogFormat string, e.g. '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D' (did you mean "combined"?))"}},
    {"bad directives inside the format string", R"(services:
  - name: web
    checks:
      - name: access
        type: access_log
        path: /var/log/apache2/access.log
        log_format: '%h %l %u %t "%r" %>s %b %{Referer} %Q'
)",
     //                                      ^ col 46: '%{Referer}' lacks its letter; col 57: %Q
     {R"(t.yaml:7:46: services[0].checks[0].log_format: "%{Referer}" needs a directive letter after it, e.g. %{Referer}i)",
      R"(t.yaml:7:57: services[0].checks[0].log_format: unknown LogFormat directive "%Q")"}},
    {"log format in double quotes with escapes", R"(services:
  - name: web
    checks:
      - name: access
        type: access_log
        path: /var/log/apache2/access.log
        log_format: "%h \"%r\" %>s %{User-Agent}"
)",
     //                            ^ col 36: the '%' of '%{User-Agent}', columns of the file
     {R"(t.yaml:7:36: services[0].checks[0].log_format: "%{User-Agent}" needs a directive letter after it, e.g. %{User-Agent}i)"}},
    {"log format without status", R"(services:
  - name: web
    checks:
      - {name: access, type: access_log, path: /var/log/a.log, log_format: "%h %t %b"}
)",
     {R"(t.yaml:4:76: services[0].checks[0].log_format: the format has no status (%>s or %s): vigil counts responses by their status)"}},
    {"window bounds", R"(services:
  - name: web
    checks:
      - {name: a, type: access_log, path: /var/log/a.log, window: 5s}
      - {name: b, type: error_log, path: /var/log/e.log, window: 2d}
      - {name: c, type: error_log, path: /var/log/e.log, window: soon}
)",
     {"t.yaml:4:67: services[0].checks[0].window: must be at least 10s, got 5s",
      "t.yaml:5:66: services[0].checks[1].window: must be at most 24h, got 2d",
      R"(t.yaml:6:66: services[0].checks[2].window: invalid duration "soon": expected a number at position 1)"}},
    {"path prefixes", R"(services:
  - name: web
    checks:
      - name: access
        type: access_log
        path: /var/log/a.log
        path_prefixes: [/login, login, /login, "/a b", {x: 1}]
)",
     {R"(t.yaml:7:33: services[0].checks[0].path_prefixes[1]: a path prefix starts with '/', got "login")",
      R"(t.yaml:7:40: services[0].checks[0].path_prefixes[2]: "/login" is listed twice)",
      R"(t.yaml:7:48: services[0].checks[0].path_prefixes[3]: a path prefix has no spaces or control characters, got "/a b")",
      "t.yaml:7:56: services[0].checks[0].path_prefixes[4]: expected a string, got a map"}},
    {"path prefix inside a condition", R"y(services:
  - name: web
    checks:
      - name: access
        type: access_log
        path: /var/log/a.log
        conditions: ['path("login").error_rate < 1%', 'body contains "path(\"x\")" or path( "/ok" ).p95 < 1s']
)y",
     //                    ^ col 28: the opening quote of "login"
     {R"(t.yaml:7:28: services[0].checks[0].conditions[0]: a path prefix starts with '/', got "login")"}},

    // ---- error_log ----
    {"error_log without path", R"(services:
  - name: web
    checks:
      - {name: errors, type: error_log, patterns: [{name: a, regex: b}]}
)",
     {R"(t.yaml:4:9: services[0].checks[0]: missing required key "path")"}},
    {"error_log patterns", R"(services:
  - name: web
    checks:
      - name: errors
        type: error_log
        path: /var/log/apache2/error.log
        patterns:
          - {name: segfault, regex: 'Segmentation fault'}
          - {name: segfault, regex: 'SIGSEGV'}
          - {name: max-workers, regex: 'MaxRequestWorkers'}
          - {name: oom, regex: 'Cannot allocate (memory'}
          - {name: empty, regex: ''}
          - {regex: x, colour: red}
)",
     {R"(t.yaml:9:20: services[0].checks[0].patterns[1].name: duplicate pattern name "segfault" (first defined at line 8))",
      R"(t.yaml:10:20: services[0].checks[0].patterns[2].name: invalid pattern name "max-workers": use only letters, digits and '_' (conditions read it as pattern.max-workers))",
      R"(t.yaml:11:33: services[0].checks[0].patterns[3].regex: invalid regular expression: missing ): Cannot allocate (memory)",
      R"(t.yaml:12:34: services[0].checks[0].patterns[4].regex: must not be empty: it would match every line)",
      R"(t.yaml:13:13: services[0].checks[0].patterns[5]: missing required key "name")",
      R"(t.yaml:13:24: services[0].checks[0].patterns[5].colour: unknown key "colour")"}},
    {"regex error points at the offending part", R"(services:
  - name: web
    checks:
      - name: errors
        type: error_log
        path: /var/log/apache2/error.log
        patterns: [{name: a, regex: 'AH0\d+ x{2,1}'}]
)",
     //                                      ^ col 46: '{2,1}'
     {R"(t.yaml:7:46: services[0].checks[0].patterns[0].regex: invalid regular expression: invalid repetition size: {2,1})"}},

    // ---- host ----
    {"host mounts", R"(services:
  - name: web
    checks:
      - {name: m, type: host, mounts: [/, var, /]}
      - {name: n, type: host, mounts: /var}
)",
     {R"(t.yaml:4:43: services[0].checks[0].mounts[1]: must be an absolute path, got "var")",
      R"(t.yaml:4:48: services[0].checks[0].mounts[2]: "/" is listed twice)",
      R"(t.yaml:5:39: services[0].checks[1].mounts: expected a list, got "/var")"}},

    // ---- process ----
    {"process without a name", R"(services:
  - name: web
    checks:
      - {name: p, type: process}
      - {name: q, type: process, process_name: ""}
      - {name: r, type: process, process_name: /usr/sbin/apache2}
)",
     {R"(t.yaml:4:9: services[0].checks[0]: missing required key "process_name")",
      "t.yaml:5:48: services[0].checks[1].process_name: must not be empty",
      R"(t.yaml:6:48: services[0].checks[2].process_name: "/usr/sbin/apache2" is a path: process_name is the program's name ("apache2"), matched against /proc/PID/comm and argv[0]'s basename)"}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CheckTypeErrors : public ::testing::TestWithParam<Case> {};

TEST_P(CheckTypeErrors, ReportsPositionKeyAndMessage) {
  const Case& c = GetParam();
  EXPECT_EQ(errors_of(c.yaml), c.want) << c.yaml;
}

INSTANTIATE_TEST_SUITE_P(Table, CheckTypeErrors, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
});

}  // namespace
}  // namespace vigil::config
