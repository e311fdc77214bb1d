// String similarities for comparison levels. Hand-written: Debian 12 packages no C++ library with
// Jaro-Winkler (rapidfuzz-cpp is not in bookworm), and these loops run hundreds of millions of
// times, so they avoid allocation (stack buffers for the short strings names are).
#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "link/link.hpp"

namespace haven::link {

double jaro(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1;
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 1;
  if (a.size() > b.size()) std::swap(a, b);
  // Flags on the stack for names (up to 64 bytes), on the heap beyond.
  constexpr std::size_t kStack = 64;
  std::array<char, kStack> a_stack{}, b_stack{};
  std::vector<char> a_heap, b_heap;
  char* a_used = a_stack.data();
  char* b_used = b_stack.data();
  if (b.size() > kStack) {
    a_heap.assign(a.size(), 0), b_heap.assign(b.size(), 0);
    a_used = a_heap.data(), b_used = b_heap.data();
  }
  const std::size_t window = b.size() / 2 > 0 ? b.size() / 2 - 1 : 0;
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(b.size(), i + window + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (b_used[j] || a[i] != b[j]) continue;
      a_used[i] = b_used[j] = 1;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0;
  std::size_t transpositions = 0, j = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a_used[i]) continue;
    while (!b_used[j]) ++j;
    if (a[i] != b[j]) ++transpositions;
    ++j;
  }
  const double m = static_cast<double>(matches);
  return (m / a.size() + m / b.size() + (m - transpositions / 2.0) / m) / 3.0;
}

double jaro_winkler(std::string_view a, std::string_view b) {
  const double j = jaro(a, b);
  // Winkler's boost for a common prefix of up to 4 characters, scale 0.1 (as Splink and Febrl).
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return j + prefix * 0.1 * (1 - j);
}

int levenshtein(std::string_view a, std::string_view b, int limit) {
  if (a.size() > b.size()) std::swap(a, b);
  if (static_cast<int>(b.size() - a.size()) > limit) return limit + 1;
  std::array<int, 65> row_stack{};
  std::vector<int> row_heap;
  int* row = row_stack.data();
  if (a.size() >= row_stack.size()) row_heap.resize(a.size() + 1), row = row_heap.data();
  for (std::size_t i = 0; i <= a.size(); ++i) row[i] = static_cast<int>(i);
  for (std::size_t j = 1; j <= b.size(); ++j) {
    int diagonal = row[0];
    row[0] = static_cast<int>(j);
    int best = row[0];
    for (std::size_t i = 1; i <= a.size(); ++i) {
      const int above = row[i];
      row[i] = std::min({row[i] + 1, row[i - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[i]);
    }
    if (best > limit) return limit + 1;  // every path already costs more
  }
  return std::min(row[a.size()], limit + 1);
}

}  // namespace haven::link
