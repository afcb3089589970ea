// Errors of services[].evidence and services[].runbooks, with their exact FILE:LINE:COL, key
// path and message. Every case's service is `web` with one check, written by kService.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

// Lines 1-3 of every case; the case's own lines start at 4.
constexpr const char* kService = R"(services:
  - name: web
    checks: [{name: a, url: "http://web/"}]
)";

struct Case {
  const char* name;
  const char* yaml;
  std::vector<std::string> want;
};

const Case kCases[] = {
    // ---- evidence ----
    {"evidence without a kind", R"(    evidence:
      - {lines: 10}
      - {}
)",
     {R"(t.yaml:5:9: services[0].evidence[0]: an evidence item needs one of tail, command, http, config_diff)",
      R"(t.yaml:6:9: services[0].evidence[1]: an evidence item needs one of tail, command, http, config_diff)"}},
    {"evidence with two kinds", R"(    evidence:
      - {tail: /var/log/a.log, http: "http://web/", config_diff: /etc/x}
)",
     {R"(t.yaml:5:32: services[0].evidence[0].http: an evidence item is one of tail, command, http, config_diff: this one is already "tail")",
      R"(t.yaml:5:53: services[0].evidence[0].config_diff: an evidence item is one of tail, command, http, config_diff: this one is already "tail")"}},
    {"evidence unknown key", R"(    evidence:
      - {tial: /var/log/a.log}
)",
     {R"(t.yaml:5:9: services[0].evidence[0]: an evidence item needs one of tail, command, http, config_diff)",
      R"(t.yaml:5:10: services[0].evidence[0].tial: unknown key "tial" (did you mean "tail"?))"}},
    {"evidence paths are absolute", R"(    evidence:
      - {tail: logs/error.log}
      - {config_diff: apache2}
)",
     {R"(t.yaml:5:16: services[0].evidence[0].tail: must be an absolute path, got "logs/error.log")",
      R"(t.yaml:6:23: services[0].evidence[1].config_diff: must be an absolute path, got "apache2")"}},
    {"tail lines out of range", R"(    evidence:
      - {tail: /var/log/a.log, lines: 0}
      - {tail: /var/log/a.log, lines: 20000}
)",
     {"t.yaml:5:39: services[0].evidence[0].lines: must be at least 1, got 0",
      "t.yaml:6:39: services[0].evidence[1].lines: must be at most 10000, got 20000"}},
    {"keys of another kind", R"(    evidence:
      - {command: [apache2ctl, -t], lines: 10}
      - {tail: /var/log/a.log, timeout: 5s}
      - {config_diff: /etc/apache2, timeout: 5s}
)",
     {R"(t.yaml:5:37: services[0].evidence[0].lines: "lines" applies only to tail evidence)",
      R"(t.yaml:6:32: services[0].evidence[1].timeout: "timeout" applies only to command and http evidence)",
      R"(t.yaml:7:37: services[0].evidence[2].timeout: "timeout" applies only to command and http evidence)"}},
    {"max_bytes out of range", R"(    evidence:
      - {http: "http://127.0.0.1/server-status?auto", max_bytes: 2000000}
)",
     {"t.yaml:5:66: services[0].evidence[0].max_bytes: must be at most 1048576, got 2000000"}},
    {"evidence http url", R"(    evidence:
      - {http: 127.0.0.1/server-status}
)",
     {R"(t.yaml:5:16: services[0].evidence[0].http: invalid URL "127.0.0.1/server-status": expected http://host[:port]/path or https://...)"}},
    {"evidence command argv", R"(    evidence:
      - {command: []}
      - {command: "apache2ctl -t"}
      - {command: [bin/apache2ctl, -t]}
      - {command: ["apache2ctl -t"]}
      - {command: ["", -t]}
)",
     {"t.yaml:5:19: services[0].evidence[0].command: must not be empty: the program and its arguments, e.g. [apache2ctl, -t]",
      R"(t.yaml:6:19: services[0].evidence[1].command: expected a list [program, arg, …], got "apache2ctl -t" (no shell splits a command line into words))",
      R"(t.yaml:7:20: services[0].evidence[2].command[0]: "bin/apache2ctl" is a relative path: write an absolute path, or a bare name to look up in PATH)",
      R"(t.yaml:8:20: services[0].evidence[3].command[0]: "apache2ctl -t" is a command line, not a program: no shell splits it, write each word as an item)",
      "t.yaml:9:20: services[0].evidence[4].command[0]: the program must not be empty"}},
    {"evidence names are unique, given or not", R"(    evidence:
      - {tail: /var/log/a.log, name: log}
      - {command: [apache2ctl, -t], name: log}
      - {tail: /var/log/a.log}
      - {tail: /var/log/a.log, lines: 100}
      - {http: "http://web/", name: ""}
)",
     {R"(t.yaml:6:43: services[0].evidence[1].name: duplicate evidence name "log" (first defined at line 5))",
      R"(t.yaml:8:16: services[0].evidence[3].tail: duplicate evidence name "last 100 lines of /var/log/a.log" (first defined at line 7))",
      R"(t.yaml:9:37: services[0].evidence[4].name: must not be empty (leave name out for a description of the item))"}},
    {"evidence is a list", R"(    evidence: {tail: /var/log/a.log}
)",
     {"t.yaml:4:15: services[0].evidence: expected a list, got a map"}},

    // ---- runbooks ----
    {"runbook without name or command", R"(    runbooks:
      - {auto: true}
)",
     {R"(t.yaml:5:9: services[0].runbooks[0]: missing required key "name")",
      R"(t.yaml:5:9: services[0].runbooks[0]: missing required key "command")"}},
    {"runbook names", R"(    runbooks:
      - {name: restart, command: [/usr/sbin/apachectl, graceful]}
      - {name: restart, command: [/usr/sbin/apachectl, restart]}
      - {name: "restart apache", command: [/usr/sbin/apachectl, restart]}
)",
     {R"(t.yaml:6:16: services[0].runbooks[1].name: duplicate runbook name "restart" (first defined at line 5))",
      R"(t.yaml:7:16: services[0].runbooks[2].name: invalid name "restart apache": use only letters, digits, '_', '.' and '-')"}},
    {"same runbook name in two services is fine", R"(    runbooks: [{name: restart, command: [apachectl, graceful]}]
  - name: api
    checks: [{name: a, url: "http://api/"}]
    runbooks: [{name: restart, command: [apachectl, graceful]}]
)",
     {}},
    {"runbook command", R"(    runbooks:
      - {name: a, command: systemctl restart apache2}
      - {name: b, command: [./restart.sh]}
      - {name: c, command: []}
)",
     {R"(t.yaml:5:28: services[0].runbooks[0].command: expected a list [program, arg, …], got "systemctl restart apache2" (no shell splits a command line into words))",
      R"(t.yaml:6:29: services[0].runbooks[1].command[0]: "./restart.sh" is a relative path: write an absolute path, or a bare name to look up in PATH)",
      "t.yaml:7:28: services[0].runbooks[2].command: must not be empty: the program and its arguments, e.g. [/usr/sbin/apachectl, graceful]"}},
    {"runbook ranges", R"(    runbooks:
      - name: restart
        command: [/usr/sbin/apachectl, graceful]
        auto: sometimes
        timeout: 0s
        max_attempts: 11
        cooldown: -1m
        flap_limit: 0
        flap_window: 0s
)",
     {R"(t.yaml:7:15: services[0].runbooks[0].auto: expected true or false, got "sometimes")",
      R"(t.yaml:8:18: services[0].runbooks[0].timeout: must be greater than 0s, got "0s")",
      "t.yaml:9:23: services[0].runbooks[0].max_attempts: must be at most 10, got 11",
      R"(t.yaml:10:19: services[0].runbooks[0].cooldown: invalid duration "-1m": expected a number at position 1)",
      "t.yaml:11:21: services[0].runbooks[0].flap_limit: must be at least 1, got 0",
      R"(t.yaml:12:22: services[0].runbooks[0].flap_window: must be greater than 0s, got "0s")"}},
    {"runbook unknown key", R"(    runbooks:
      - {name: a, command: [/bin/true], automatic: true}
)",
     {R"(t.yaml:5:41: services[0].runbooks[0].automatic: unknown key "automatic")"}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class RespondErrors : public ::testing::TestWithParam<Case> {};

TEST_P(RespondErrors, ReportsPositionKeyAndMessage) {
  const Case& c = GetParam();
  const std::string yaml = std::string(kService) + c.yaml;
  EXPECT_EQ(errors_of(yaml), c.want) << yaml;
}

INSTANTIATE_TEST_SUITE_P(Table, RespondErrors, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
});

}  // namespace
}  // namespace vigil::config
