// "did you mean" hints for unknown keys, enum values and channel names.
#include <algorithm>
#include <cctype>

#include "config/yaml_reader.h"

namespace vigil::config::detail {

namespace {

bool same(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

// Case-insensitive optimal string alignment distance: Levenshtein plus adjacent
// transpositions, the most common typo ("tpc" for "tcp").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string_view> closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  // Up to 1 edit for words of up to 5 letters, 2 beyond: further than that, a hint misleads.
  std::optional<std::string_view> best;
  std::size_t best_d = std::min<std::size_t>(2, std::max<std::size_t>(1, word.size() / 3)) + 1;
  for (auto c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace vigil::config::detail
