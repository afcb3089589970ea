// services[].checks[] of type tls: target or url, server_name and tls_verify, with errors at
// FILE:LINE:COL.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

std::string with_check(const std::string& check) { return testing::service_with_check("mail", check); }

TEST(TlsConfig, TargetOrUrlWithServerName) {
  auto r = load_config_text(with_check("{ name: smtps, type: tls, target: 'mail.example.com:465', "
                                       "conditions: ['cert_expires_in > 14d'] }"),
                            "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const CheckConfig& c = r.config->services[0].checks[0];
  EXPECT_EQ(c.type, CheckType::tls);
  EXPECT_EQ(c.url, "tls://mail.example.com:465");
  EXPECT_TRUE(c.tls_verify);
  EXPECT_EQ(c.server_name, "");

  r = load_config_text(with_check("{ name: ldaps, type: tls, url: 'tls://10.0.0.7:636', server_name: ldap.example.com, "
                                  "tls_verify: false }"),
                       "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  EXPECT_EQ(r.config->services[0].checks[0].url, "tls://10.0.0.7:636");
  EXPECT_EQ(r.config->services[0].checks[0].server_name, "ldap.example.com");
  EXPECT_FALSE(r.config->services[0].checks[0].tls_verify);
}

TEST(TlsConfig, Errors) {
  EXPECT_EQ(errors_of(with_check("{ name: a, type: tls }")),
            (std::vector<std::string>{
                R"(t.yaml:4:9: services[0].checks[0]: a tls check needs url (tls://host:port) or target (host:port))"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: tls, url: 'tcp://x:465' }")),
            (std::vector<std::string>{
                R"(t.yaml:4:36: services[0].checks[0].url: invalid tls URL "tcp://x:465": expected tls://host:port)"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: tls, target: 'x:465', server_name: 'x:1' }")),
            (std::vector<std::string>{
                R"(t.yaml:4:61: services[0].checks[0].server_name: expected a host name, e.g. mail.example.com)"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: tcp, target: 'x:25', server_name: x, tls_verify: false }")),
            (std::vector<std::string>{
                R"(t.yaml:4:47: services[0].checks[0].server_name: "server_name" applies only to tls checks)",
                R"(t.yaml:4:63: services[0].checks[0].tls_verify: "tls_verify" applies only to http, tls and apache_status checks)"}));
}

}  // namespace
}  // namespace vigil::config
