// ClosestName: the known name nearest to a mistyped one, for "unknown name
// 'X'; did you mean 'Y'?" messages.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace kq {

// Levenshtein distance (insert, delete, substitute; each costs 1).
inline size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The candidate with the smallest edit distance to `name` (the first of
// equals), or "" when there are no candidates.
template <typename Names>
std::string ClosestName(std::string_view name, const Names& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& candidate : candidates) {
    size_t d = EditDistance(name, candidate);
    if (d < best_distance) best_distance = d, best = std::string(candidate);
  }
  return best;
}

}  // namespace kq
