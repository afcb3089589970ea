// ${ENV} expansion and *_file secrets, through the whole loader.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

namespace fs = std::filesystem;
using testing::errors_of;

class EnvExpansion : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("VIGIL_TEST_HOST", "10.0.0.5", 1);
    ::setenv("VIGIL_TEST_THRESHOLD", "5", 1);
    ::unsetenv("VIGIL_TEST_UNSET");
  }
  void TearDown() override {
    ::unsetenv("VIGIL_TEST_HOST");
    ::unsetenv("VIGIL_TEST_THRESHOLD");
  }
};

TEST_F(EnvExpansion, ExpandsBeforeTypeConversion) {
  const auto r = load_config_text(R"(
defaults:
  interval: ${VIGIL_TEST_UNSET:-45s}
  failure_threshold: ${VIGIL_TEST_THRESHOLD}
services:
  - name: web
    checks:
      - name: home
        url: http://${VIGIL_TEST_HOST}/login
        headers: { X-Price: "$$5" }
        conditions: ['body matches "^ok$"']
)",
                                  "t.yaml");
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  EXPECT_EQ(r.config->defaults.interval, 45s);
  EXPECT_EQ(r.config->defaults.failure_threshold, 5);
  const auto& check = r.config->services[0].checks[0];
  EXPECT_EQ(check.url, "http://10.0.0.5/login");
  EXPECT_EQ(check.failure_threshold, 5);
  EXPECT_EQ(check.headers[0].second, "$5");
  EXPECT_EQ(check.conditions[0], "body matches \"^ok$\"");
}

TEST_F(EnvExpansion, KeysAreNotExpanded) {
  EXPECT_EQ(errors_of("server:\n  ${VIGIL_TEST_HOST}: x\n"),
            (std::vector<std::string>{R"(t.yaml:2:3: server.${VIGIL_TEST_HOST}: unknown key "${VIGIL_TEST_HOST}")"}));
}

TEST_F(EnvExpansion, ExpandedValueIsValidatedAtTheScalar) {
  ::setenv("VIGIL_TEST_HOST", "not a host", 1);
  EXPECT_EQ(errors_of("server:\n  listen: ${VIGIL_TEST_HOST}:80\n"),
            (std::vector<std::string>{
                R"(t.yaml:2:11: server.listen: invalid listen address "not a host:80": expected host:port, e.g. 127.0.0.1:8080)"}));
}

// A fresh directory per test, removed afterwards.
class SecretFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-config-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "keys");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& p, const std::string& content) { std::ofstream(p, std::ios::binary) << content; }
  std::string config_with(const std::string& secret_file) {
    return "channels:\n"
           "  - name: hook\n"
           "    type: webhook\n"
           "    url: http://127.0.0.1:9000/hook\n"
           "    secret_file: " + secret_file + "\n";
  }

  fs::path dir_;
};

TEST_F(SecretFile, RelativePathIsRelativeToTheConfigFile) {
  write(dir_ / "keys" / "hook.key", "s3cret\n");  // the newline `echo` adds is not part of the key
  write(dir_ / "vigil.yaml", config_with("keys/hook.key"));
  // Loaded from elsewhere: the working directory must not matter.
  const auto r = load_config((dir_ / "vigil.yaml").string());
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  EXPECT_EQ(r.config->channels[0].secret, "s3cret");
}

TEST_F(SecretFile, AbsolutePathAndCrLf) {
  write(dir_ / "abs.key", "k3y\r\n");
  const auto r = load_config_text(config_with((dir_ / "abs.key").string()), "/somewhere/else/vigil.yaml");
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  EXPECT_EQ(r.config->channels[0].secret, "k3y");
}

TEST_F(SecretFile, UnreadableIsAnErrorAtTheKey) {
  const std::string config = (dir_ / "vigil.yaml").string();
  write(config, config_with("keys/missing.key"));
  const auto r = load_config(config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(to_string(r.errors[0]), config + ":5:18: channels[0].secret_file: cannot read secret file \"" +
                                        (dir_ / "keys/missing.key").string() + "\": No such file or directory");
}

TEST_F(SecretFile, ADeviceThatNeverEndsIsAnErrorNotAHang) {
  const auto r = load_config_text(config_with("/dev/zero"), "t.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(to_string(r.errors[0]), "t.yaml:5:18: channels[0].secret_file: cannot read secret file \"/dev/zero\": "
                                    "larger than 16 MiB: not a config or secret file");
}

TEST_F(SecretFile, EmptyFileIsAnError) {
  write(dir_ / "empty.key", "\n");
  const auto r = load_config_text(config_with((dir_ / "empty.key").string()), "t.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(to_string(r.errors[0]),
            "t.yaml:5:18: channels[0].secret_file: secret file \"" + (dir_ / "empty.key").string() + "\" is empty");
}

TEST_F(SecretFile, OnCallSecretsComeFromFilesToo) {
  write(dir_ / "keys" / "link.key", "0123456789abcdef0123456789abcdef\n");
  write(dir_ / "keys" / "smtp.pw", "mail-pass\n");
  write(dir_ / "keys" / "prometheus.key", "abcdefABCDEF0123456789abcdef0123\n");
  write(dir_ / "keys" / "alice.key", "alice-hmac\n");
  write(dir_ / "vigil.yaml", R"(server:
  link_secret_file: keys/link.key
smtp:
  url: smtp://127.0.0.1:2525
  from: vigil@example.com
  username: vigil
  password_file: keys/smtp.pw
users:
  - id: alice
    contacts: [{type: webhook, url: "http://127.0.0.1:9000/a", secret_file: keys/alice.key}]
services:
  - name: web
integrations:
  - {name: prometheus, type: pagerduty_events_v2, key_file: keys/prometheus.key, service: web}
)");
  const auto r = load_config((dir_ / "vigil.yaml").string());
  ASSERT_TRUE(r.config) << to_string(r.errors.front());
  EXPECT_EQ(r.config->server.link_secret, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.config->smtp.password, "mail-pass");
  EXPECT_EQ(r.config->users[0].contacts[0].secret, "alice-hmac");
  EXPECT_EQ(r.config->integrations[0].key, "abcdefABCDEF0123456789abcdef0123");
}

TEST_F(SecretFile, KeyFromFileIsValidatedWithoutShowingIt) {
  write(dir_ / "bad.key", "not-a-routing-key\n");
  write(dir_ / "short.key", "short\n");
  const auto r = load_config_text("server:\n  link_secret_file: " + (dir_ / "short.key").string() +
                                      "\nservices:\n  - name: web\nintegrations:\n"
                                      "  - {name: p, type: pagerduty_events_v2, service: web, key_file: " +
                                      (dir_ / "bad.key").string() + "}\n",
                                  "t.yaml");
  std::vector<std::string> errors;
  for (const auto& e : r.errors) errors.push_back(to_string(e));
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "t.yaml:2:21: server.link_secret_file: must be at least 16 characters, got 5 (e.g. openssl "
                        "rand -hex 32)",
                        "t.yaml:6:66: integrations[0].key_file: a PagerDuty routing key has only letters and digits",
                    }));
}

}  // namespace
}  // namespace vigil::config
