// Private to haven_search: how a query and a stored person compare, field by field.
#pragma once

#include <bit>

#include "search/search.hpp"

namespace haven::search {

// A stored person as the scorer sees it (the index keeps CLKs and their bit counts in arenas).
struct StoredView {
  const Clk* clks = nullptr;
  const std::uint16_t* clk_bits = nullptr;
  std::size_t clk_count = 0;
  std::uint8_t nicknames = 0;
  const BirthEncoding* birth = nullptr;
  std::uint32_t sex = 0, phone = 0;
  const std::uint32_t* places = nullptr;
  std::size_t place_count = 0;
};

// A query with what the scorer needs precomputed.
struct PreparedQuery {
  explicit PreparedQuery(const QueryEncodings& q);
  const QueryEncodings& query;
  std::vector<std::uint16_t> clk_bits;
  bool wide_popcount = false;  // the CPU counts bits of 512-bit vectors (AVX-512 VPOPCNTDQ)
};

inline std::uint16_t bit_count(const Clk& clk) {
  unsigned n = 0;
  for (std::uint64_t word : clk) n += static_cast<unsigned>(std::popcount(word));
  return static_cast<std::uint16_t>(n);
}

// |a & b|: the hot loop. GCC vectorises it to two VPOPCNTQ where the caller is compiled for
// AVX-512 VPOPCNTDQ (score.cpp picks that version at run time), else 16 POPCNTs.
[[gnu::always_inline]] inline unsigned common_bits(const Clk& a, const Clk& b) {
  unsigned n = 0;
  // Kept a loop (not unrolled into scalar POPCNTs before the vectoriser sees it).
#pragma GCC unroll 1
  for (std::size_t i = 0; i < kClkWords; ++i)
    n += static_cast<unsigned>(std::popcount(a[i] & b[i]));
  return n;
}

// Best Dice over the query's names and the person's names; -1 when either has none.
double name_similarity(const PreparedQuery& q, const StoredView& s);

// The sum of the field weights (log2 likelihood ratios); `name_sim` as name_similarity.
double weigh(const PreparedQuery& q, const StoredView& s, double name_sim);

// Score in 0..1 from a weight.
double score_of(double weight);

// Fills match.fields and match.explanation.
void explain(const PreparedQuery& q, const StoredView& s, double name_sim, Match& match);

}  // namespace haven::search
