#include "config/config.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "support/test_dir.h"

namespace vigil::config {
namespace {

using testing::errors_of;

TEST(LoadConfig, FullConfigIsReadAndDefaultsAreApplied) {
  const auto r = load_config_text(R"(
server:
  listen: 0.0.0.0:9090
  allow_unauthenticated_remote: true  # no users with a password_hash here
  external_url: https://vigil.example.com
  max_request_bytes: 2048
  request_timeout: 5s
store:
  sqlite: /var/lib/vigil/vigil.db
  results_retention: 14d
defaults:
  interval: 1m
  timeout: 20s
  failure_threshold: 4
  success_threshold: 1
  jitter: 0.25
channels:
  - name: ops-hook
    type: webhook
    url: http://127.0.0.1:9000/hook
    secret: s3cret
    headers: { X-Team: web }
    timeout: 3s
  - name: log
    type: log
services:
  - name: webserver-01
    description: Apache on WebServer-01
    notify: [ops-hook, log]
    checks:
      - name: login
        url: http://10.0.0.5/login
        conditions: ['status == 200', 'response_time < 800ms', 'body contains "Sign in"']
      - name: https-port
        type: tcp
        target: 10.0.0.5:443
        interval: 10s
        timeout: 2s
        failure_threshold: 2
        severity: warning
      - name: api
        url: https://10.0.0.5/api
        method: POST
        headers: { Content-Type: application/json }
        body: '{"ping": true}'
        follow_redirects: true
        tls_verify: false
        success_threshold: 3
)",
                                  "/etc/vigil/vigil.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  ASSERT_TRUE(r.config);
  const Config& c = *r.config;
  EXPECT_EQ(c.path, "/etc/vigil/vigil.yaml");
  EXPECT_EQ(c.server.listen, "0.0.0.0:9090");
  EXPECT_EQ(c.server.external_url, "https://vigil.example.com");
  EXPECT_EQ(c.server.max_request_bytes, 2048u);
  EXPECT_EQ(c.server.request_timeout, 5s);
  EXPECT_EQ(c.store.sqlite, "/var/lib/vigil/vigil.db");
  EXPECT_EQ(c.store.results_retention, std::chrono::hours(24 * 14));
  EXPECT_EQ(c.defaults.interval, 60s);
  EXPECT_EQ(c.defaults.jitter, 0.25);

  ASSERT_EQ(c.channels.size(), 2u);
  EXPECT_EQ(c.channels[0].name, "ops-hook");
  EXPECT_EQ(c.channels[0].type, ChannelType::webhook);
  EXPECT_EQ(c.channels[0].url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(c.channels[0].secret, "s3cret");
  EXPECT_EQ(c.channels[0].headers, (std::vector<std::pair<std::string, std::string>>{{"X-Team", "web"}}));
  EXPECT_EQ(c.channels[0].timeout, 3s);
  EXPECT_EQ(c.channels[1].type, ChannelType::log);
  EXPECT_EQ(c.channels[1].timeout, 10s);

  ASSERT_EQ(c.services.size(), 1u);
  const ServiceConfig& s = c.services[0];
  EXPECT_EQ(s.name, "webserver-01");
  EXPECT_EQ(s.description, "Apache on WebServer-01");
  EXPECT_EQ(s.notify, (std::vector<std::string>{"ops-hook", "log"}));
  ASSERT_EQ(s.checks.size(), 3u);

  const CheckConfig& login = s.checks[0];  // everything from defaults
  EXPECT_EQ(check_id(s, login), "webserver-01/login");
  EXPECT_EQ(login.type, CheckType::http);
  EXPECT_EQ(login.url, "http://10.0.0.5/login");
  EXPECT_EQ(login.method, "GET");
  EXPECT_EQ(login.interval, 60s);
  EXPECT_EQ(login.timeout, 20s);
  EXPECT_EQ(login.failure_threshold, 4);
  EXPECT_EQ(login.success_threshold, 1);
  EXPECT_EQ(login.severity, "critical");
  EXPECT_FALSE(login.follow_redirects);
  EXPECT_TRUE(login.tls_verify);
  EXPECT_EQ(login.conditions,
            (std::vector<std::string>{"status == 200", "response_time < 800ms", "body contains \"Sign in\""}));

  const CheckConfig& tcp = s.checks[1];
  EXPECT_EQ(tcp.type, CheckType::tcp);
  EXPECT_EQ(tcp.url, "tcp://10.0.0.5:443");  // target normalised into url
  EXPECT_EQ(tcp.interval, 10s);
  EXPECT_EQ(tcp.timeout, 2s);
  EXPECT_EQ(tcp.failure_threshold, 2);
  EXPECT_EQ(tcp.success_threshold, 1);
  EXPECT_EQ(tcp.severity, "warning");

  const CheckConfig& api = s.checks[2];
  EXPECT_EQ(api.method, "POST");
  EXPECT_EQ(api.headers, (std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}}));
  EXPECT_EQ(api.body, "{\"ping\": true}");
  EXPECT_TRUE(api.follow_redirects);
  EXPECT_FALSE(api.tls_verify);
  EXPECT_EQ(api.success_threshold, 3);
  EXPECT_EQ(api.failure_threshold, 4);
}

TEST(LoadConfig, EmptyFileIsAllDefaults) {
  for (const char* text : {"", "# nothing yet\n", "server:\nchannels:\nservices:\n"}) {
    const auto r = load_config_text(text, "t.yaml");
    ASSERT_TRUE(r.config) << text << ": " << to_string(r.errors.front());
    EXPECT_EQ(r.config->server.listen, "127.0.0.1:8080");
    EXPECT_EQ(r.config->store.sqlite, "data/vigil.db");
    EXPECT_EQ(r.config->defaults.interval, 30s);
    EXPECT_EQ(r.config->defaults.timeout, 10s);
    EXPECT_TRUE(r.config->services.empty());
  }
}

TEST(LoadConfig, PostgresStoreInlineOrFromAFile) {
  const auto inline_uri = load_config_text("store:\n  postgres: postgresql://vigil@127.0.0.1:5432/vigil\n", "t.yaml");
  ASSERT_TRUE(inline_uri.config) << to_string(inline_uri.errors.front());
  EXPECT_EQ(inline_uri.config->store.postgres, "postgresql://vigil@127.0.0.1:5432/vigil");
  const auto key_value = load_config_text("store: { postgres: 'host=db.example dbname=vigil' }\n", "t.yaml");
  ASSERT_TRUE(key_value.config) << to_string(key_value.errors.front());
  EXPECT_EQ(key_value.config->store.postgres, "host=db.example dbname=vigil");

  // The password stays out of the config: the URI is read from a file, its newline trimmed.
  vigil::testing::TestDir dir;
  dir.write("postgres.uri", "postgresql://vigil:s3cret@db.example/vigil\n");
  const auto from_file =
      load_config_text("store:\n  postgres_file: " + (dir.path() / "postgres.uri").string() + "\n", "t.yaml");
  ASSERT_TRUE(from_file.config) << to_string(from_file.errors.front());
  EXPECT_EQ(from_file.config->store.postgres, "postgresql://vigil:s3cret@db.example/vigil");

  const auto sqlite = load_config_text("store:\n  sqlite: /var/lib/vigil/vigil.db\n", "t.yaml");
  ASSERT_TRUE(sqlite.config);
  EXPECT_TRUE(sqlite.config->store.postgres.empty()) << "SQLite unless postgres is set";
}

TEST(LoadConfig, TcpUrlFormIsKept) {
  const auto r = load_config_text(R"(
services:
  - name: db
    checks:
      - { name: port, type: tcp, url: "tcp://[::1]:5432" }
)",
                                  "t.yaml");
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  EXPECT_EQ(r.config->services[0].checks[0].url, "tcp://[::1]:5432");
}

TEST(LoadConfig, MergeKeysShareSettingsBetweenChecks) {
  // yaml-cpp leaves `<<` to the application; configs with many similar checks rely on it.
  const auto r = load_config_text(R"(
services:
  - name: web
    checks:
      - &base
        name: home
        url: http://web/
        interval: 15s
        severity: warning
      - <<: *base
        name: about
        url: http://web/about
)",
                                  "t.yaml");
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  const auto& about = r.config->services[0].checks[1];
  EXPECT_EQ(about.name, "about");
  EXPECT_EQ(about.url, "http://web/about");
  EXPECT_EQ(about.interval, 15s);
  EXPECT_EQ(about.severity, "warning");
}

TEST(LoadConfig, BooleansAcceptYaml11Spellings) {
  const auto r = load_config_text(R"(
services:
  - name: web
    checks:
      - { name: a, url: "http://web/", follow_redirects: yes, tls_verify: off }
)",
                                  "t.yaml");
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  EXPECT_TRUE(r.config->services[0].checks[0].follow_redirects);
  EXPECT_FALSE(r.config->services[0].checks[0].tls_verify);
}

TEST(LoadConfig, MissingFileIsOneErrorWithoutPosition) {
  const auto r = load_config("/nonexistent/vigil.yaml");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(to_string(r.errors[0]), "/nonexistent/vigil.yaml: cannot read config file: No such file or directory");
}

TEST(LoadConfig, DirectoryIsNotReadable) {
  const auto r = load_config("/");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(to_string(r.errors[0]), "/: cannot read config file: Is a directory");
}

TEST(ConfigErrorFormat, PrintsFileLineColumnKeyMessage) {
  EXPECT_EQ(to_string(ConfigError{"v.yaml", 3, 7, "services[0].name", "boom"}), "v.yaml:3:7: services[0].name: boom");
  EXPECT_EQ(to_string(ConfigError{"v.yaml", 3, 7, "", "boom"}), "v.yaml:3:7: boom");
  EXPECT_EQ(to_string(ConfigError{"v.yaml", 0, 0, "", "boom"}), "v.yaml: boom");
}

}  // namespace
}  // namespace vigil::config
