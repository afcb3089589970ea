// Every kind of config error, with its exact FILE:LINE:COL, key path and message.
// Columns are 1-based characters; the comments under a case show where they point.
#include <gtest/gtest.h>

#include <cstdlib>

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
    {"unknown key with hint", R"(server:
  lisen: 127.0.0.1:8080
)",
     {R"(t.yaml:2:3: server.lisen: unknown key "lisen" (did you mean "listen"?))"}},

    {"unknown top-level key", R"(servers: []
)",
     {R"(t.yaml:1:1: servers: unknown key "servers" (did you mean "server"?))"}},

    {"unknown key deep in a check", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        colour: blue
)",
     {R"(t.yaml:6:9: services[0].checks[0].colour: unknown key "colour")"}},

    {"duplicate YAML key", R"(server:
  listen: 127.0.0.1:1
  listen: 127.0.0.1:2
)",
     {R"(t.yaml:3:3: server.listen: duplicate key "listen" (first at line 2))"}},

    {"map where a string is expected", R"(server:
  listen: {host: a}
)",
     {"t.yaml:2:11: server.listen: expected a string, got a map"}},

    {"string where a map is expected", R"(services:
  - web
)",
     {R"(t.yaml:2:5: services[0]: expected a map, got "web")"}},

    {"map where a list is expected", R"(services:
  web: {}
)",
     {"t.yaml:2:3: services: expected a list, got a map"}},

    {"bad duration", R"(defaults:
  interval: 10x
)",
     {R"(t.yaml:2:13: defaults.interval: invalid duration "10x": unknown unit "x" (ms, s, m, h, d, w))"}},

    {"zero duration", R"(defaults:
  interval: 0s
)",
     {R"(t.yaml:2:13: defaults.interval: must be greater than 0s, got "0s")"}},

    {"threshold below 1", R"(defaults:
  failure_threshold: 0
)",
     {"t.yaml:2:22: defaults.failure_threshold: must be at least 1, got 0"}},

    {"not an integer", R"(server:
  max_request_bytes: 1MB
)",
     {R"(t.yaml:2:22: server.max_request_bytes: expected an integer, got "1MB")"}},

    {"jitter out of range", R"(defaults:
  jitter: 1.5
)",
     {"t.yaml:2:11: defaults.jitter: must be between 0 and 1, got 1.5"}},

    {"not a boolean", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        tls_verify: maybe
)",
     {R"(t.yaml:6:21: services[0].checks[0].tls_verify: expected true or false, got "maybe")"}},

    {"bad URL scheme", R"(services:
  - name: web
    checks:
      - name: home
        url: htp://x
)",
     {R"(t.yaml:5:14: services[0].checks[0].url: invalid URL "htp://x": scheme must be http or https, not "htp")"}},

    {"URL port out of range", R"(server:
  external_url: http://vigil:99999/
)",
     {R"(t.yaml:2:17: server.external_url: invalid URL "http://vigil:99999/": port 99999 out of range 1-65535)"}},

    {"listen port out of range", R"(server:
  listen: 127.0.0.1:70000
)",
     {R"(t.yaml:2:11: server.listen: invalid listen address "127.0.0.1:70000": port 70000 out of range 0-65535)"}},

    {"listen without port", R"(server:
  listen: localhost
)",
     {R"(t.yaml:2:11: server.listen: invalid listen address "localhost": missing port)"}},

    {"tcp target without port", R"(services:
  - name: db
    checks:
      - name: port
        type: tcp
        target: db.local
)",
     {R"(t.yaml:6:17: services[0].checks[0].target: invalid address "db.local": missing port)"}},

    {"tcp url with http scheme", R"(services:
  - name: db
    checks:
      - {name: port, type: tcp, url: "http://db:5432"}
)",
     {R"(t.yaml:4:38: services[0].checks[0].url: invalid tcp URL "http://db:5432": expected tcp://host:port)"}},
    //                                   ^ col 38: the opening quote of the url

    {"http-only key on a tcp check", R"(services:
  - name: db
    checks:
      - {name: p, type: tcp, target: "db:5432", method: GET}
)",
     {R"(t.yaml:4:49: services[0].checks[0].method: "method" applies only to http checks)"}},

    {"unknown check type", R"(services:
  - name: db
    checks:
      - {name: p, type: tpc, target: "db:5432"}
)",
     {R"(t.yaml:4:25: services[0].checks[0].type: invalid value "tpc": expected one of http, tcp, tls, apache_status, access_log, error_log, host, process, heartbeat, dns (did you mean "tcp"?))"}},

    {"bad header name", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        headers:
          Bad Header: x
)",
     {R"(t.yaml:7:11: services[0].checks[0].headers.Bad Header: invalid header name "Bad Header")"}},

    // Condition columns point at the offending character in the file, through quoting.
    {"bad condition, single-quoted in a flow list", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        conditions: [ 'status == 200', 'status === 200' ]
)",
     //                                         ^ col 48: the first '=' of '==='
     {"t.yaml:6:48: services[0].checks[0].conditions[1]: invalid condition: unknown operator '==='"}},

    {"bad condition, plain scalar, error at the end", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        conditions:
          - status == 200 and
)",
     {"t.yaml:7:30: services[0].checks[0].conditions[0]: invalid condition: expected a value after 'and'"}},

    {"bad condition after escapes in a double-quoted scalar", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        conditions: ["body contains \"Sign in\" and status == 2OO"]
)",
     //                                                            ^ col 63: the '2' of '2OO'
     {R"(t.yaml:6:63: services[0].checks[0].conditions[0]: invalid condition: invalid duration "2OO": unknown unit "OO" (ms, s, m, h, d, w))"}},

    {"bad condition after a multi-byte character", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        conditions: ['body contains "é" @']
)",
     {"t.yaml:6:41: services[0].checks[0].conditions[0]: invalid condition: unexpected character '@'"}},

    {"bad condition after an expanded variable", R"(services:
  - name: web
    checks:
      - name: home
        url: http://web/
        conditions: ['status == ${VIGIL_TEST_CODE} @']
)",
     //                                    ^ col 52: the '@' as written, not as expanded
     {"t.yaml:6:52: services[0].checks[0].conditions[0]: invalid condition: unexpected character '@'"}},

    {"duplicate service", R"(services:
  - name: web
    checks: [{name: a, url: "http://web/"}]
  - name: web
    checks: [{name: a, url: "http://web/"}]
)",
     {R"(t.yaml:4:11: services[1].name: duplicate service name "web" (first defined at line 2))"}},

    {"duplicate check within a service", R"(services:
  - name: web
    checks:
      - {name: a, url: "http://web/"}
      - {name: a, url: "http://web/b"}
)",
     {R"(t.yaml:5:16: services[0].checks[1].name: duplicate check name "a" (first defined at line 4))"}},

    {"same check name in two services is fine", R"(services:
  - name: web
    checks: [{name: a, url: "http://web/"}]
  - name: api
    checks: [{name: a, url: "http://api/"}]
)",
     {}},

    {"duplicate channel", R"(channels:
  - {name: ops, type: log}
  - {name: ops, type: log}
)",
     {R"(t.yaml:3:12: channels[1].name: duplicate channel name "ops" (first defined at line 2))"}},

    {"unknown channel in notify", R"(channels:
  - {name: ops-hook, type: log}
services:
  - name: web
    notify: [ops-hok, pager]
    checks: [{name: a, url: "http://web/"}]
)",
     {R"(t.yaml:5:14: services[0].notify[0]: unknown channel "ops-hok" (did you mean "ops-hook"?))",
      R"(t.yaml:5:23: services[0].notify[1]: unknown channel "pager" (defined: ops-hook))"}},

    {"notify with no channels defined", R"(services:
  - name: web
    notify: [ops]
    checks: [{name: a, url: "http://web/"}]
)",
     {R"(t.yaml:3:14: services[0].notify[0]: unknown channel "ops" (no channels are defined))"}},

    {"channel defined after the service is still known", R"(services:
  - name: web
    notify: [ops]
    checks: [{name: a, url: "http://web/"}]
channels:
  - {name: ops, type: log}
)",
     {}},

    {"timeout greater than interval", R"(services:
  - name: web
    checks:
      - name: a
        url: http://web/
        interval: 5s
        timeout: 6s
)",
     {"t.yaml:7:18: services[0].checks[0].timeout: timeout 6s must not exceed interval 5s"}},

    {"inherited timeout greater than the check's interval", R"(defaults: {timeout: 10s}
services:
  - name: web
    checks:
      - name: a
        url: http://web/
        interval: 5s
)",
     {"t.yaml:7:19: services[0].checks[0].interval: timeout 10s (from defaults.timeout) must not exceed interval 5s"}},

    {"defaults timeout greater than interval", R"(defaults:
  interval: 5s
  timeout: 6s
)",
     {"t.yaml:3:12: defaults.timeout: timeout 6s must not exceed interval 5s"}},

    {"unset environment variable", R"(server:
  external_url: ${VIGIL_TEST_UNSET}
)",
     {"t.yaml:2:17: server.external_url: environment variable VIGIL_TEST_UNSET is not set"}},

    {"unset environment variable inside a quoted value", R"(server:
  external_url: "http://${VIGIL_TEST_UNSET}/"
)",
     //                  ^ col 25: the '$'
     {"t.yaml:2:25: server.external_url: environment variable VIGIL_TEST_UNSET is not set"}},

    {"unterminated variable", R"(store:
  sqlite: ${VIGIL_TEST_HOST
)",
     {R"(t.yaml:2:11: store.sqlite: unterminated "${": expected "}")"}},

    {"sqlite and postgres both", R"(store:
  sqlite: data/vigil.db
  postgres: postgresql://vigil@127.0.0.1/vigil
)",
     {"t.yaml:2:3: store.sqlite: set either sqlite or postgres, not both"}},

    {"postgres neither a URI nor key=value", R"(store:
  postgres: db.example.com
)",
     {"t.yaml:2:13: store.postgres: must be a PostgreSQL URI (postgresql://user@host:5432/dbname) or a key=value "
      "connection string"}},

    {"postgres and postgres_file both", R"(store:
  postgres: postgresql://vigil@127.0.0.1/vigil
  postgres_file: /etc/vigil/postgres.uri
)",
     {"t.yaml:3:3: store.postgres_file: set either postgres or postgres_file, not both"}},

    {"missing required names", R"(services:
  - description: x
    checks: [{url: "http://web/"}]
)",
     {R"(t.yaml:2:5: services[0]: missing required key "name")",
      R"(t.yaml:3:14: services[0].checks[0]: missing required key "name")"}},

    {"service without checks", R"(services:
  - name: web
)",
     {R"(t.yaml:2:5: services[0]: a service needs at least one check, or an integration feeding it (missing key "checks"))"}},

    {"service with an empty check list", R"(services:
  - name: web
    checks: []
)",
     {"t.yaml:3:13: services[0].checks: a service needs at least one check, or an integration feeding it"}},

    {"invalid name", R"(services:
  - name: web server
    checks: [{name: a, url: "http://web/"}]
)",
     {R"(t.yaml:2:11: services[0].name: invalid name "web server": use only letters, digits, '_', '.' and '-')"}},

    {"unknown channel type", R"(channels:
  - name: x
    type: slak
)",
     {R"(t.yaml:3:11: channels[0].type: invalid value "slak": expected one of webhook, log)"}},

    {"channel without type", R"(channels:
  - name: x
)",
     {R"(t.yaml:2:5: channels[0]: missing required key "type")"}},

    {"webhook without url", R"(channels:
  - name: x
    type: webhook
)",
     {R"(t.yaml:2:5: channels[0]: missing required key "url")"}},

    {"url on a log channel", R"(channels:
  - {name: x, type: log, url: "http://a/"}
)",
     {R"(t.yaml:2:26: channels[0].url: "url" applies only to webhook channels)"}},

    {"both secret and secret_file", R"(channels:
  - name: x
    type: webhook
    url: http://a/
    secret: abc
    secret_file: /etc/k
)",
     {"t.yaml:6:5: channels[0].secret_file: set either secret or secret_file, not both"}},

    {"YAML syntax error", R"(server:
  listen: a: b
)",
     {"t.yaml:2:12: illegal map value"}},

    {"two YAML documents", R"(server: {}
---
store: {}
)",
     {"t.yaml:2:1: unexpected second YAML document: vigil.yaml holds one"}},

    // yaml-cpp 0.7 hands out endless empty documents for a stray ',' (found by tests/fuzz).
    {"a stray comma", ",", {"t.yaml:1:1: unexpected ',': not the start of a YAML value"}},
    {"a stray comma in a second document", "server: {}\n---\n,\n",
     {"t.yaml:2:1: unexpected second YAML document: vigil.yaml holds one"}},

    {"top level is not a map", R"(- a
- b
)",
     {"t.yaml:1:1: expected a map, got a list"}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ConfigErrors : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    ::setenv("VIGIL_TEST_CODE", "200", 1);
    ::unsetenv("VIGIL_TEST_UNSET");
  }
};

TEST_P(ConfigErrors, ReportsPositionKeyAndMessage) {
  const Case& c = GetParam();
  EXPECT_EQ(errors_of(c.yaml), c.want) << c.yaml;
}

INSTANTIATE_TEST_SUITE_P(Table, ConfigErrors, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
});

TEST(ConfigErrorsAtOnce, EveryErrorIsReportedInFileOrder) {
  // One run shows all of them (promtool style), ordered as in the file even though
  // channels are read before services.
  const auto errors = errors_of(R"(server:
  listen: nowhere
defaults:
  interval: soon
services:
  - name: web
    notify: [nope]
    checks:
      - name: a
        url: ftp://web/
        conditions: ['status === 1']
channels:
  - {name: ops, type: carrier-pigeon}
)");
  EXPECT_EQ(errors, (std::vector<std::string>{
                        R"(t.yaml:2:11: server.listen: invalid listen address "nowhere": missing port)",
                        R"(t.yaml:4:13: defaults.interval: invalid duration "soon": expected a number at position 1)",
                        R"(t.yaml:7:14: services[0].notify[0]: unknown channel "nope" (defined: ops))",
                        R"(t.yaml:10:14: services[0].checks[0].url: invalid URL "ftp://web/": scheme must be http or https, not "ftp")",
                        R"(t.yaml:11:30: services[0].checks[0].conditions[0]: invalid condition: unknown operator '===')",
                        R"(t.yaml:13:23: channels[0].type: invalid value "carrier-pigeon": expected one of webhook, log)",
                    }));
  EXPECT_FALSE(load_config_text("services: [x]\n", "t.yaml").config) << "no config when there are errors";
}

}  // namespace
}  // namespace vigil::config
