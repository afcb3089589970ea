// postmortems: and escalation policies' targets:, read and refused with their positions.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using testing::errors_of;

constexpr const char* kPolicy = R"(
users:
  - {id: alice, contacts: [{type: ntfy, url: "http://127.0.0.1:8081/alice"}]}
escalation_policies:
  - name: web
    targets: {acknowledge: 5m, resolve: 1h}
    rules: [{notify: [user:alice]}]
)";

TEST(PostmortemsConfig, DefaultsWhenAbsent) {
  auto r = load_config_text("users: []\n", "t.yaml");
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : to_string(r.errors[0]));
  EXPECT_EQ(r.config->postmortems.dir, "data/postmortems");
  EXPECT_TRUE(r.config->postmortems.write_on_resolve);
  EXPECT_EQ(r.config->postmortems.time_zone, "UTC");
  EXPECT_EQ(r.config->postmortems.report_window, std::chrono::hours(24 * 30));
  EXPECT_EQ(r.config->postmortems.min_duration, std::chrono::minutes(1));
}

TEST(PostmortemsConfig, ReadsEveryKey) {
  auto r = load_config_text(R"(postmortems:
  dir: /var/lib/vigil/postmortems
  write_on_resolve: false
  min_duration: 5m
  time_zone: Africa/Lagos
  report_window: 7d
)" + std::string(kPolicy),
                            "t.yaml");
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : to_string(r.errors[0]));
  EXPECT_EQ(r.config->postmortems.dir, "/var/lib/vigil/postmortems");
  EXPECT_FALSE(r.config->postmortems.write_on_resolve);
  EXPECT_EQ(r.config->postmortems.min_duration, std::chrono::minutes(5));
  EXPECT_EQ(r.config->postmortems.time_zone, "Africa/Lagos");
  EXPECT_EQ(r.config->postmortems.report_window, std::chrono::hours(24 * 7));
  ASSERT_EQ(r.config->escalation_policies.size(), 1u);
  EXPECT_EQ(r.config->escalation_policies[0].target_acknowledge, std::chrono::minutes(5));
  EXPECT_EQ(r.config->escalation_policies[0].target_resolve, std::chrono::hours(1));
}

TEST(PostmortemsConfig, ErrorsNameTheKey) {
  auto errs = errors_of(R"(postmortems:
  dir: ""
  write_on_resolve: sometimes
  time_zone: Mars/Olympus
  report_window: 0s
  keep: forever
)");
  ASSERT_EQ(errs.size(), 5u);
  EXPECT_EQ(errs[0], R"(t.yaml:2:8: postmortems.dir: must not be empty)");
  EXPECT_NE(errs[1].find("t.yaml:3:21: postmortems.write_on_resolve:"), std::string::npos) << errs[1];
  EXPECT_NE(errs[2].find("t.yaml:4:14: postmortems.time_zone:"), std::string::npos) << errs[2];
  EXPECT_NE(errs[3].find("t.yaml:5:18: postmortems.report_window:"), std::string::npos) << errs[3];
  EXPECT_NE(errs[4].find("t.yaml:6:3: postmortems.keep: unknown key"), std::string::npos) << errs[4];
}

TEST(PostmortemsConfig, PolicyTargetsErrors) {
  auto errs = errors_of(R"(users:
  - {id: alice, contacts: [{type: ntfy, url: "http://127.0.0.1:8081/alice"}]}
escalation_policies:
  - name: web
    targets: {acknowledge: soon, resolv: 1h}
    rules: [{notify: [user:alice]}]
)");
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_NE(errs[0].find("t.yaml:5:28: escalation_policies[0].targets.acknowledge:"), std::string::npos) << errs[0];
  EXPECT_NE(errs[1].find("escalation_policies[0].targets.resolv: unknown key \"resolv\" (did you mean \"resolve\"?)"),
            std::string::npos)
      << errs[1];
}

}  // namespace
}  // namespace vigil::config
