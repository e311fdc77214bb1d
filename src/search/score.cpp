// Field comparisons and their weights. The weights are Fellegi-Sunter log2(m/u) with fixed m
// (chance the field agrees when two records are the same person) and u (chance it agrees for two
// different persons), rounded and capped so that no agreeing field alone lifts a pair whose
// names differ (d <= 0.3) to the review score: independence between fields does not hold (people
// born on the same day share nothing else), and a caseworker must be able to follow the sum.
//
//   field       outcome                              m      u        weight
//   name        best Dice d over the pairs of names  -      -        20 (d - 0.55), in [-6, 9]
//               (a nickname counts only against a full name, as 0.8 d)
//   birth date  same date                            0.85   1/14600  +10 (capped from 13.6)
//               day and month swapped                0.08   1/14600  +7 (capped from 10.2)
//               same year, other date                0.05   1/40     +1
//               same year (a year was asked)         0.95   1/40     +2.5 (capped from 5.2)
//               year in the age range / estimate     0.9    range/40 +1.5
//               different year (dates on both)       0.05   0.97     -4
//               outside the range / estimate         0.1    0.8      -2 (rounded from -3)
//   sex         same                                 0.97   0.5      +0.9
//               different                            0.02   0.5      -4.6
//   phone       same last 9 digits                   0.6    1e-6     +6 (capped)
//               different                            0.4    0.9      -1
//   place       an address token in common           0.6    0.15     +2
//               none in common                       0.4    0.85     -0.5 (rounded from -1.1:
//                                                    survivors are moved, addresses change)
// A field missing on either side weighs 0. The score is 1 / (1 + 2^-(weight - 6)): a name alone
// that agrees fully scores 0.89; kReviewScore 0.5 needs weight 6.
#include "search/score.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace haven::search {
namespace {

enum class Birth {
  kMissing,
  kSameDate,
  kSwapped,
  kSameYear,
  kYearAsked,
  kInRange,
  kDifferentYear,
  kOutOfRange
};

bool contains(const std::uint32_t* values, std::size_t n, std::uint32_t v) {
  for (std::size_t i = 0; i < n; ++i)
    if (values[i] == v) return true;
  return false;
}

Birth compare_birth(const PreparedQuery& pq, const BirthEncoding& s) {
  const QueryEncodings& q = pq.query;
  if (q.birth.date != 0 && s.date != 0) {
    if (q.birth.date == s.date) return Birth::kSameDate;
    if ((q.birth.swapped != 0 && q.birth.swapped == s.date) ||
        (s.swapped != 0 && s.swapped == q.birth.date))
      return Birth::kSwapped;
  }
  if (s.year_count == 0) return Birth::kMissing;
  if (!q.range_years.empty()) {
    for (std::size_t i = 0; i < s.year_count; ++i)
      if (std::find(q.range_years.begin(), q.range_years.end(), s.years[i]) != q.range_years.end())
        return Birth::kInRange;
    return Birth::kOutOfRange;
  }
  if (q.birth.year_count == 0) return Birth::kMissing;
  bool common = false;
  for (std::size_t i = 0; i < q.birth.year_count; ++i)
    common = common || contains(s.years.data(), s.year_count, q.birth.years[i]);
  const bool approximate = q.birth.approximate || s.approximate;
  if (common)
    return approximate ? Birth::kInRange : q.year_only ? Birth::kYearAsked : Birth::kSameYear;
  return approximate ? Birth::kOutOfRange : Birth::kDifferentYear;
}

double birth_weight(Birth b) {
  switch (b) {
    case Birth::kSameDate:
      return 10;
    case Birth::kSwapped:
      return 7;
    case Birth::kSameYear:
      return 1;
    case Birth::kYearAsked:
      return 2.5;
    case Birth::kInRange:
      return 1.5;
    case Birth::kDifferentYear:
      return -4;
    case Birth::kOutOfRange:
      return -2;
    case Birth::kMissing:
      return 0;
  }
  return 0;
}

const char* birth_words(Birth b, bool range) {
  switch (b) {
    case Birth::kSameDate:
      return "same birth date";
    case Birth::kSwapped:
      return "birth date with day and month swapped";
    case Birth::kSameYear:
      return "same birth year, other date";
    case Birth::kYearAsked:
      return "same birth year";
    case Birth::kInRange:
      return range ? "age in the range" : "age estimate fits";
    case Birth::kDifferentYear:
      return "different birth year";
    case Birth::kOutOfRange:
      return range ? "age outside the range" : "age estimate does not fit";
    case Birth::kMissing:
      return "";
  }
  return "";
}

double name_weight(double d) { return std::clamp(20 * (d - 0.55), -6.0, 9.0); }

int place_outcome(const QueryEncodings& q, const StoredView& s) {  // 1 agree, -1 differ, 0 missing
  if (q.places.empty() || s.place_count == 0) return 0;
  for (std::uint32_t p : q.places)
    if (contains(s.places, s.place_count, p)) return 1;
  return -1;
}

int agreement(std::uint32_t a, std::uint32_t b) { return a == 0 || b == 0 ? 0 : a == b ? 1 : -1; }

}  // namespace

PreparedQuery::PreparedQuery(const QueryEncodings& q) : query(q) {
  for (const Clk& clk : q.names) clk_bits.push_back(bit_count(clk));
#if defined(__x86_64__) && defined(__GNUC__)
  wide_popcount = __builtin_cpu_supports("avx512vpopcntdq");
#endif
}

namespace {

[[gnu::always_inline]] inline double best_dice(const PreparedQuery& q, const StoredView& s) {
  double best = 0;
  for (std::size_t i = 0; i < q.query.names.size(); ++i)
    for (std::size_t j = 0; j < s.clk_count; ++j) {
      const unsigned total = q.clk_bits[i] + s.clk_bits[j];
      const bool query_nickname = (q.query.nicknames >> i) & 1,
                 stored_nickname = (s.nicknames >> j) & 1;
      if (total == 0 || (query_nickname && stored_nickname)) continue;
      const double d = 2.0 * common_bits(q.query.names[i], s.clks[j]) / total;
      best = std::max(best, query_nickname || stored_nickname ? 0.8 * d : d);
    }
  return best;
}

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("avx512f,avx512vpopcntdq")]] double best_dice_avx512(const PreparedQuery& q,
                                                                   const StoredView& s) {
  return best_dice(q, s);
}
#endif

}  // namespace

double name_similarity(const PreparedQuery& q, const StoredView& s) {
  if (q.query.names.empty() || s.clk_count == 0) return -1;
#if defined(__x86_64__) && defined(__GNUC__)
  if (q.wide_popcount) return best_dice_avx512(q, s);
#endif
  return best_dice(q, s);
}

double weigh(const PreparedQuery& q, const StoredView& s, double name_sim) {
  double w = name_sim >= 0 ? name_weight(name_sim) : 0;
  w += birth_weight(compare_birth(q, *s.birth));
  const int sex = agreement(q.query.sex, s.sex);
  w += sex > 0 ? 0.9 : sex < 0 ? -4.6 : 0;
  const int phone = agreement(q.query.phone, s.phone);
  w += phone > 0 ? 6 : phone < 0 ? -1 : 0;
  const int place = place_outcome(q.query, s);
  w += place > 0 ? 2 : place < 0 ? -0.5 : 0;
  return w;
}

double score_of(double weight) { return 1.0 / (1.0 + std::exp2(-(weight - 6))); }

void explain(const PreparedQuery& q, const StoredView& s, double name_sim, Match& match) {
  match.fields.clear();
  if (name_sim >= 0) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f similar", name_sim);
    match.fields.push_back({"name", text, name_weight(name_sim)});
  }
  const Birth birth = compare_birth(q, *s.birth);
  if (birth != Birth::kMissing)
    match.fields.push_back(
        {"birth_date", birth_words(birth, !q.query.range_years.empty()), birth_weight(birth)});
  if (const int sex = agreement(q.query.sex, s.sex))
    match.fields.push_back({"sex", sex > 0 ? "same sex" : "different sex", sex > 0 ? 0.9 : -4.6});
  if (const int phone = agreement(q.query.phone, s.phone))
    match.fields.push_back(
        {"phone", phone > 0 ? "same phone" : "different phone", phone > 0 ? 6.0 : -1.0});
  if (const int place = place_outcome(q.query, s))
    match.fields.push_back(
        {"place", place > 0 ? "same place" : "different place", place > 0 ? 2.0 : -0.5});
  match.explanation.clear();
  for (const FieldVerdict& f : match.fields) {
    if (!match.explanation.empty()) match.explanation += ", ";
    match.explanation += f.field == "name" ? "name " + f.verdict : f.verdict;
  }
}

}  // namespace haven::search

namespace haven::search {

double dice(const Clk& a, const Clk& b) {
  const unsigned total = bit_count(a) + bit_count(b);
  return total == 0 ? 0 : 2.0 * common_bits(a, b) / total;
}

}  // namespace haven::search
