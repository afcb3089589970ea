// services: public / public_name, which put a service on the status page (/status).
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

std::string service(const std::string& extra) {
  return "services:\n  - { name: web, checks: [ { name: home, type: http, url: 'http://127.0.0.1:9/' } ]" + extra + " }\n";
}

TEST(PublicServices, PublicAndPublicName) {
  auto r = load_config_text(service(", public: true, public_name: Website"), "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  EXPECT_TRUE(r.config->services[0].is_public);
  EXPECT_EQ(r.config->services[0].public_name, "Website");
  auto d = load_config_text(service(""), "t.yaml");
  ASSERT_TRUE(d.errors.empty()) << to_string(d.errors.front());
  EXPECT_FALSE(d.config->services[0].is_public) << "private unless marked public";
}

TEST(PublicServices, Errors) {
  const auto b = errors_of(service(", public: yes please"));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], "t.yaml:2:94: services[0].public: expected true or false, got \"yes please\"");
  const auto e = errors_of(service(", public_name: ''"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("services[0].public_name: must not be empty"), std::string::npos) << e[0];
}

}  // namespace
}  // namespace vigil::config
