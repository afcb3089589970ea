// MetricsText: builds the Prometheus text exposition format (version 0.0.4): families with
// HELP/TYPE, samples with escaped label values, cumulative histograms with +Inf, _sum, _count.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace vigil::app {

using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricsText {
 public:
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, const Labels& labels, double value);
  // `counts` are per-bucket (not cumulative); `total` counts every observation, so the +Inf
  // bucket includes those slower than the last bound.
  void histogram(const std::string& name, const Labels& labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, std::uint64_t total, double sum);
  const std::string& str() const { return out_; }

 private:
  void labels(const Labels& labels, const char* extra_name = nullptr, const std::string& extra_value = {});
  std::string out_;
};

}  // namespace vigil::app
