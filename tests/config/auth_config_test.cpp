// users: password_hash / role and server: authentication and TLS keys, with exact positions.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

constexpr const char* kHash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA";

std::string user(const std::string& extra) {
  return "users:\n  - { id: alice, contacts: [ { type: webhook, url: 'http://127.0.0.1:9/' } ]" + extra + " }\n";
}

TEST(AuthConfig, PasswordHashAndRole) {
  auto r = load_config_text(user(std::string(", role: admin, password_hash: '") + kHash + "'"), "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  EXPECT_EQ(r.config->users[0].password_hash, kHash);
  EXPECT_EQ(r.config->users[0].role, Role::admin);
  auto d = load_config_text(user(""), "t.yaml");
  ASSERT_TRUE(d.errors.empty());
  EXPECT_EQ(d.config->users[0].role, Role::responder);
  EXPECT_TRUE(d.config->users[0].password_hash.empty());
}

TEST(AuthConfig, Errors) {
  EXPECT_EQ(errors_of(user(", role: root")),
            std::vector<std::string>{"t.yaml:2:85: users[0].role: invalid value \"root\": expected one of viewer, "
                                     "responder, admin"});
  const auto plain = errors_of(user(", password_hash: hunter2"));
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_NE(plain[0].find("t.yaml:2:94: users[0].password_hash: must be an argon2id hash"), std::string::npos) << plain[0];
  EXPECT_EQ(plain[0].find("hunter2"), std::string::npos);
}

TEST(AuthConfig, ServerKeys) {
  auto r = load_config_text("server:\n  public_metrics: false\n  session_ttl: 30m\n", "t.yaml");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.config->server.public_metrics);
  EXPECT_EQ(r.config->server.session_ttl, std::chrono::minutes(30));
  EXPECT_EQ(errors_of("server:\n  tls_cert: /nonexistent/cert.pem\n"),
            (std::vector<std::string>{
                "t.yaml:2:3: server.tls_cert: tls_cert needs tls_key (the certificate's private key)",
                "t.yaml:2:13: server.tls_cert: cannot read \"/nonexistent/cert.pem\": No such file or directory"}));
}

TEST(AuthConfig, TlsFilesAreRead) {
  const auto dir = std::filesystem::temp_directory_path() / ("vigil-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "cert.pem") << "-----BEGIN CERTIFICATE-----\n";
  std::ofstream(dir / "key.pem") << "not pem\n";
  const auto errors = errors_of("server:\n  tls_cert: " + (dir / "cert.pem").string() + "\n  tls_key: " +
                                (dir / "key.pem").string() + "\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("server.tls_key: \"" + (dir / "key.pem").string() + "\" is not a PEM file"), std::string::npos)
      << errors[0];
  std::filesystem::remove_all(dir);
}

TEST(AuthConfig, RemoteListenNeedsUsersOrConsent) {
  const std::string open = "server:\n  listen: 0.0.0.0:8080\n";
  const auto errors = errors_of(open);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("t.yaml:2:11: server.listen: \"0.0.0.0:8080\" is reachable from other machines", 0), 0u)
      << errors[0];
  EXPECT_TRUE(errors_of(open + "  allow_unauthenticated_remote: true\n").empty());
  EXPECT_TRUE(errors_of(open + user(std::string(", password_hash: '") + kHash + "'")).empty());
  for (const char* loopback : {"127.0.0.1:8080", "localhost:8080", "'[::1]:8080'", "127.0.0.2:1"}) {
    EXPECT_TRUE(errors_of(std::string("server:\n  listen: ") + loopback + "\n").empty()) << loopback;
  }
  // Users without a password do not count: nobody can log in.
  EXPECT_EQ(errors_of(open + user("")).size(), 1u);
}

}  // namespace
}  // namespace vigil::config
