// Jaro and Jaro-Winkler as DuckDB computes them (its jaro_similarity and jaro_winkler_similarity,
// from Max Bachmann's rapidfuzz), so that a level of a model trained by Splink puts every pair of
// values where Splink put it. They differ from Haven's own (strings.cpp) in three ways that move
// pairs across thresholds: the count of transposed characters is halved rounding down, the
// Winkler prefix bonus is added only above Jaro 0.7, and characters are paired greedily from the
// second argument into the first (the order of the arguments can matter). Written here from that
// description, with the same floating-point operations in the same order.
#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "link/link.hpp"

namespace haven::link {

double jaro_duckdb(std::string_view first, std::string_view second) {
  const std::size_t first_length = first.size(), second_length = second.size();
  if (first_length == 0 && second_length == 0) return 1.0;
  if (first_length == 0 || second_length == 0) return 0.0;
  if (first_length == 1 && second_length == 1) return first[0] == second[0] ? 1.0 : 0.0;
  // The window: half the longer string, less one; characters beyond the shorter string's length
  // plus the window can never pair and are dropped.
  std::size_t bound;
  if (second_length > first_length) {
    bound = second_length / 2 - 1;
    second = second.substr(0, std::min(second_length, first_length + bound));
  } else {
    bound = first_length / 2 - 1;
    first = first.substr(0, std::min(first_length, second_length + bound));
  }
  // Flags on the stack for names (up to 64 bytes), on the heap beyond: this runs for every
  // candidate pair.
  constexpr std::size_t kStack = 64;
  std::array<char, kStack> first_stack{}, second_stack{};
  std::vector<char> first_heap, second_heap;
  char* first_paired = first_stack.data();
  char* second_paired = second_stack.data();
  if (first.size() > kStack || second.size() > kStack) {
    first_heap.assign(first.size(), 0), second_heap.assign(second.size(), 0);
    first_paired = first_heap.data(), second_paired = second_heap.data();
  }
  std::size_t common = 0;
  for (std::size_t j = 0; j < second.size(); ++j) {
    const std::size_t lo = j > bound ? j - bound : 0;
    const std::size_t hi = std::min(first.size(), j + bound + 1);
    for (std::size_t i = lo; i < hi; ++i) {
      if (first_paired[i] || first[i] != second[j]) continue;
      first_paired[i] = second_paired[j] = 1;
      ++common;
      break;
    }
  }
  if (common == 0) return 0.0;
  std::size_t transpositions = 0, i = 0;
  for (std::size_t j = 0; j < second.size(); ++j) {
    if (!second_paired[j]) continue;
    while (!first_paired[i]) ++i;
    if (first[i] != second[j]) ++transpositions;
    ++i;
  }
  transpositions /= 2;  // rounded down
  double similarity = 0;
  similarity += static_cast<double>(common) / static_cast<double>(first_length);
  similarity += static_cast<double>(common) / static_cast<double>(second_length);
  similarity += (static_cast<double>(common) - static_cast<double>(transpositions)) /
                static_cast<double>(common);
  return similarity / 3.0;
}

double jaro_winkler_duckdb(std::string_view first, std::string_view second) {
  std::size_t prefix = 0;
  const std::size_t max_prefix = std::min<std::size_t>({first.size(), second.size(), 4});
  while (prefix < max_prefix && first[prefix] == second[prefix]) ++prefix;
  double similarity = jaro_duckdb(first, second);
  if (similarity > 0.7) {
    similarity += static_cast<double>(prefix) * 0.1 * (1.0 - similarity);
    similarity = std::min(similarity, 1.0);
  }
  return similarity;
}

}  // namespace haven::link
