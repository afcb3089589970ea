// services[].checks[] of type dns: query, record_type and server, with errors at FILE:LINE:COL.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

std::string with_check(const std::string& check) { return testing::service_with_check("web", check); }

TEST(DnsConfig, DefaultsAndServers) {
  auto r = load_config_text(with_check("{ name: resolve, type: dns, query: www.example.com }"), "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  const CheckConfig& c = r.config->services[0].checks[0];
  EXPECT_EQ(c.type, CheckType::dns);
  EXPECT_EQ(c.query, "www.example.com");
  EXPECT_EQ(c.record_type, "A");
  EXPECT_EQ(c.server, "") << "the system's resolv.conf";

  for (auto [given, want] : {std::pair{"10.0.0.53", "10.0.0.53:53"}, std::pair{"127.0.0.1:5353", "127.0.0.1:5353"},
                             std::pair{"'[2001:db8::53]'", "[2001:db8::53]:53"},
                             std::pair{"'[2001:db8::53]:5300'", "[2001:db8::53]:5300"},
                             std::pair{"'2001:db8::53'", "[2001:db8::53]:53"}}) {
    r = load_config_text(with_check(std::string("{ name: mx, type: dns, query: example.com., record_type: mx, server: ") +
                                    given + " }"),
                         "t.yaml");
    ASSERT_TRUE(r.errors.empty()) << given << ": " << to_string(r.errors.front());
    EXPECT_EQ(r.config->services[0].checks[0].server, want) << given;
    EXPECT_EQ(r.config->services[0].checks[0].record_type, "MX");
  }
}

TEST(DnsConfig, Errors) {
  EXPECT_EQ(errors_of(with_check("{ name: a, type: dns }")),
            (std::vector<std::string>{R"(t.yaml:4:9: services[0].checks[0]: missing required key "query")"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: dns, query: 'a..b', record_type: SRV, server: ns1.example.com }")),
            (std::vector<std::string>{
                R"(t.yaml:4:38: services[0].checks[0].query: "a..b" has an empty label)",
                R"(t.yaml:4:59: services[0].checks[0].record_type: "SRV" is not supported: A, AAAA, MX, TXT or NS)",
                R"(t.yaml:4:72: services[0].checks[0].server: "ns1.example.com" is not an IP address: DNS servers are asked by address)"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, type: dns, query: 'has space.com', server: '10.0.0.1:0' }")),
            (std::vector<std::string>{
                R"(t.yaml:4:38: services[0].checks[0].query: "has space.com": a DNS name has only letters, digits, '-', '_' and dots)",
                R"(t.yaml:4:63: services[0].checks[0].server: "10.0.0.1:0": port must be 1-65535)"}));
  EXPECT_EQ(errors_of(with_check("{ name: a, url: 'http://127.0.0.1:9/', query: x.com }")),
            (std::vector<std::string>{
                R"(t.yaml:4:48: services[0].checks[0].query: "query" applies only to dns checks)"}));
}

}  // namespace
}  // namespace vigil::config
