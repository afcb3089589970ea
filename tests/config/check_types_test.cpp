// Every check type, evidence kind and runbook setting of a valid file, read into exact values
// (defaults filled in, apache_status urls completed with ?auto, path("…") prefixes of
// conditions added to path_prefixes).
#include <gtest/gtest.h>

#include "config/config.h"

namespace vigil::config {
namespace {

constexpr const char* kFull = R"(
defaults: {interval: 30s, timeout: 10s, failure_threshold: 3, success_threshold: 2}
services:
  - name: apache
    checks:
      - name: status
        type: apache_status
        url: http://127.0.0.1/server-status
        headers: {Host: www.example.com}
        tls_verify: false
        interval: 15s
        conditions: ['busy_workers_ratio < 90%']
      - name: status-tls
        type: apache_status
        url: "https://127.0.0.1:8443/server-status?auto"
      - name: access
        type: access_log
        path: /var/log/apache2/access.log
        log_format: '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D'
        window: 10m
        path_prefixes: [/api, /login]
        conditions:
          - error_rate < 5%
          - path("/login").error_rate < 1%
          - path("/checkout").p95 < 2s
          - p95 < 800ms
      - name: access-common
        type: access_log
        path: /var/log/apache2/other_vhosts_access.log
        log_format: common
      - name: errors
        type: error_log
        path: /var/log/apache2/error.log
        window: 1h
        severity: warning
        patterns:
          - {name: segfault, regex: 'exit signal Segmentation fault'}
          - {name: max_workers, regex: 'server reached MaxRequestWorkers'}
        conditions: ['pattern.segfault == 0']
      - name: machine
        type: host
        mounts: [/, /var/log]
        interval: 1m
      - name: machine-all
        type: host
      - name: apache2
        type: process
        process_name: apache2
        failure_threshold: 1
    evidence:
      - {tail: /var/log/apache2/error.log, lines: 200}
      - {command: [apache2ctl, -t], timeout: 5s, name: config-test}
      - {http: "http://127.0.0.1/server-status?auto", max_bytes: 4096}
      - {config_diff: /etc/apache2}
      - {command: [/usr/bin/systemctl, status, apache2]}
    runbooks:
      - name: restart-apache
        command: [/usr/sbin/apachectl, graceful]
        auto: true
        max_attempts: 2
        cooldown: 10m
      - name: clear-cache
        command: [htcacheclean, -p, /var/cache/apache2/mod_cache_disk, -l, 300M]
        timeout: 2m
        cooldown: 0s
        flap_limit: 3
        flap_window: 30m
)";

TEST(CheckTypes, EveryTypeIsReadIntoExactValues) {
  const auto r = load_config_text(kFull, "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  ASSERT_TRUE(r.config);
  ASSERT_EQ(r.config->services.size(), 1u);
  const ServiceConfig& s = r.config->services[0];
  ASSERT_EQ(s.checks.size(), 8u);

  const CheckConfig& status = s.checks[0];
  EXPECT_EQ(status.type, CheckType::apache_status);
  EXPECT_EQ(status.url, "http://127.0.0.1/server-status?auto") << "?auto added";
  EXPECT_EQ(status.method, "GET");
  EXPECT_EQ(status.headers, (std::vector<std::pair<std::string, std::string>>{{"Host", "www.example.com"}}));
  EXPECT_FALSE(status.tls_verify);
  EXPECT_EQ(status.interval, 15s);
  EXPECT_EQ(status.timeout, 10s);
  EXPECT_EQ(status.conditions, (std::vector<std::string>{"busy_workers_ratio < 90%"}));
  EXPECT_EQ(s.checks[1].url, "https://127.0.0.1:8443/server-status?auto") << "kept as written";

  const CheckConfig& access = s.checks[2];
  EXPECT_EQ(access.type, CheckType::access_log);
  EXPECT_EQ(access.url, "");
  EXPECT_EQ(access.path, "/var/log/apache2/access.log");
  EXPECT_EQ(access.log_format, R"(%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D)");
  EXPECT_EQ(access.window, std::chrono::minutes(10));
  // Listed ones first, then those only conditions name, each once.
  EXPECT_EQ(access.path_prefixes, (std::vector<std::string>{"/api", "/login", "/checkout"}));
  EXPECT_EQ(access.conditions.size(), 4u);
  EXPECT_EQ(access.interval, 30s);
  EXPECT_EQ(access.failure_threshold, 3);
  EXPECT_EQ(access.severity, "critical");

  const CheckConfig& common = s.checks[3];
  EXPECT_EQ(common.log_format, "common");
  EXPECT_EQ(common.window, std::chrono::minutes(5)) << "default";
  EXPECT_TRUE(common.path_prefixes.empty());

  const CheckConfig& errors = s.checks[4];
  EXPECT_EQ(errors.type, CheckType::error_log);
  EXPECT_EQ(errors.path, "/var/log/apache2/error.log");
  EXPECT_EQ(errors.window, std::chrono::hours(1));
  EXPECT_EQ(errors.severity, "warning");
  ASSERT_EQ(errors.patterns.size(), 2u);
  EXPECT_EQ(errors.patterns[0].name, "segfault");
  EXPECT_EQ(errors.patterns[0].regex, "exit signal Segmentation fault");
  EXPECT_EQ(errors.patterns[1].name, "max_workers");
  EXPECT_EQ(errors.patterns[1].regex, "server reached MaxRequestWorkers");

  const CheckConfig& machine = s.checks[5];
  EXPECT_EQ(machine.type, CheckType::host);
  EXPECT_EQ(machine.mounts, (std::vector<std::string>{"/", "/var/log"}));
  EXPECT_EQ(machine.interval, 60s);
  EXPECT_TRUE(s.checks[6].mounts.empty()) << "every real filesystem";

  const CheckConfig& process = s.checks[7];
  EXPECT_EQ(process.type, CheckType::process);
  EXPECT_EQ(process.process_name, "apache2");
  EXPECT_EQ(process.failure_threshold, 1);
  EXPECT_EQ(process.success_threshold, 2);

  ASSERT_EQ(s.evidence.size(), 5u);
  const EvidenceConfig& tail = s.evidence[0];
  EXPECT_EQ(tail.kind, EvidenceConfig::Kind::tail);
  EXPECT_EQ(tail.path, "/var/log/apache2/error.log");
  EXPECT_EQ(tail.lines, 200);
  EXPECT_EQ(tail.name, "last 200 lines of /var/log/apache2/error.log");
  EXPECT_EQ(tail.max_bytes, 64u * 1024);
  const EvidenceConfig& cmd = s.evidence[1];
  EXPECT_EQ(cmd.kind, EvidenceConfig::Kind::command);
  EXPECT_EQ(cmd.command, (std::vector<std::string>{"apache2ctl", "-t"}));
  EXPECT_EQ(cmd.timeout, 5s);
  EXPECT_EQ(cmd.name, "config-test");
  const EvidenceConfig& http = s.evidence[2];
  EXPECT_EQ(http.kind, EvidenceConfig::Kind::http);
  EXPECT_EQ(http.url, "http://127.0.0.1/server-status?auto");
  EXPECT_EQ(http.timeout, 10s);
  EXPECT_EQ(http.max_bytes, 4096u);
  EXPECT_EQ(http.name, "GET http://127.0.0.1/server-status?auto");
  const EvidenceConfig& diff = s.evidence[3];
  EXPECT_EQ(diff.kind, EvidenceConfig::Kind::config_diff);
  EXPECT_EQ(diff.path, "/etc/apache2");
  EXPECT_EQ(diff.name, "changes to /etc/apache2");
  EXPECT_EQ(s.evidence[4].name, "/usr/bin/systemctl status apache2");

  ASSERT_EQ(s.runbooks.size(), 2u);
  const RunbookConfig& restart = s.runbooks[0];
  EXPECT_EQ(restart.name, "restart-apache");
  EXPECT_EQ(restart.command, (std::vector<std::string>{"/usr/sbin/apachectl", "graceful"}));
  EXPECT_TRUE(restart.automatic);
  EXPECT_EQ(restart.timeout, 60s);
  EXPECT_EQ(restart.max_attempts, 2);
  EXPECT_EQ(restart.cooldown, std::chrono::minutes(10));
  EXPECT_EQ(restart.flap_limit, 5);
  EXPECT_EQ(restart.flap_window, std::chrono::hours(1));
  const RunbookConfig& clear = s.runbooks[1];
  EXPECT_EQ(clear.command[0], "htcacheclean");
  EXPECT_FALSE(clear.automatic);
  EXPECT_EQ(clear.timeout, std::chrono::minutes(2));
  EXPECT_EQ(clear.max_attempts, 3);
  EXPECT_EQ(clear.cooldown, 0s);
  EXPECT_EQ(clear.flap_limit, 3);
  EXPECT_EQ(clear.flap_window, std::chrono::minutes(30));
}

TEST(CheckTypes, ApacheStatusUrlKeepsAnAutoQueryAndItsFragment) {
  struct Case {
    const char* url;
    const char* want;
  };
  const Case cases[] = {
      {"http://127.0.0.1/server-status", "http://127.0.0.1/server-status?auto"},
      {"http://127.0.0.1/server-status?", "http://127.0.0.1/server-status?auto"},
      {"http://127.0.0.1/server-status?auto", "http://127.0.0.1/server-status?auto"},
      {"http://127.0.0.1/server-status?auto=1&refresh=5", "http://127.0.0.1/server-status?auto=1&refresh=5"},
      {"http://127.0.0.1/server-status?refresh=5&auto", "http://127.0.0.1/server-status?refresh=5&auto"},
      {"http://u:p@web:8080/status#x", "http://u:p@web:8080/status?auto#x"},
  };
  for (const Case& c : cases) {
    const auto r = load_config_text(std::string("services:\n  - name: a\n    checks:\n      - {name: s, type: apache_status, url: \"") +
                                        c.url + "\"}\n",
                                    "t.yaml");
    ASSERT_TRUE(r.config) << c.url << ": " << to_string(r.errors.front());
    EXPECT_EQ(r.config->services[0].checks[0].url, c.want) << c.url;
  }
}

TEST(CheckTypes, ServiceWithoutEvidenceOrRunbooksHasNone) {
  const auto r = load_config_text("services:\n  - {name: a, checks: [{name: p, type: process, process_name: nginx}]}\n",
                                  "t.yaml");
  ASSERT_TRUE(r.config);
  EXPECT_TRUE(r.config->services[0].evidence.empty());
  EXPECT_TRUE(r.config->services[0].runbooks.empty());
}

}  // namespace
}  // namespace vigil::config
