#include "app/metrics_text.h"

#include <gtest/gtest.h>

#include <array>

namespace vigil::app {
namespace {

TEST(MetricsText, FamiliesSamplesAndEscapedLabels) {
  MetricsText m;
  m.family("vigil_check_up", "gauge", "Whether the last probe passed.");
  m.sample("vigil_check_up", {{"service", "web \"01\""}, {"check", "a\\b\nc"}}, 1);
  m.sample("vigil_up", {}, 0.5);
  EXPECT_EQ(m.str(),
            "# HELP vigil_check_up Whether the last probe passed.\n"
            "# TYPE vigil_check_up gauge\n"
            "vigil_check_up{service=\"web \\\"01\\\"\",check=\"a\\\\b\\nc\"} 1\n"
            "vigil_up 0.5\n");
}

TEST(MetricsText, HistogramIsCumulativeAndInfCountsEverything) {
  MetricsText m;
  const std::array<double, 3> bounds{0.1, 0.5, 1};
  const std::array<std::uint64_t, 3> counts{2, 0, 1};
  // 4 observations: one was slower than the last bound and is only in +Inf.
  m.histogram("d_seconds", {{"check", "x"}}, bounds, counts, 4, 3.25);
  EXPECT_EQ(m.str(),
            "d_seconds_bucket{check=\"x\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{check=\"x\",le=\"0.5\"} 2\n"
            "d_seconds_bucket{check=\"x\",le=\"1\"} 3\n"
            "d_seconds_bucket{check=\"x\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{check=\"x\"} 3.25\n"
            "d_seconds_count{check=\"x\"} 4\n");
}

}  // namespace
}  // namespace vigil::app
