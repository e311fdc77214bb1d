// Private to haven_demo: portable random draws and calendar arithmetic.
// The standard distributions (uniform_int_distribution, ...) differ between standard libraries,
// so every draw here is computed from the raw 64-bit output of mt19937_64 (which the standard
// does fix) with integer arithmetic or exact double operations only: the same seed gives the same
// data with any compiler.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace haven::demo {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  // Uniform in [0, n); n > 0. Rejection sampling, so there is no modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % n;
    }
  }
  // Uniform in [lo, hi]; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  // An index drawn with the given non-negative weights (not all zero).
  std::size_t weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = unit() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    for (std::size_t i = weights.size(); i-- > 0;)
      if (weights[i] > 0) return i;
    return 0;
  }
  template <class T>
  const T& pick(std::span<const T> items) {
    return items[below(items.size())];
  }
  // A count with mean about `mean`, spread between 0 and twice the mean (triangular around it).
  std::uint64_t around(double mean) {
    if (mean <= 0) return 0;
    const double x = (unit() + unit()) * mean;      // triangular on [0, 2*mean]
    return static_cast<std::uint64_t>(x + unit());  // randomised rounding keeps the mean
  }

 private:
  std::mt19937_64 engine_;
};

// Days since 1970-01-01 <-> civil dates (Howard Hinnant's algorithms), to format many dates fast.
struct Civil {
  int year;
  unsigned month;
  unsigned day;
};
Civil civil_from_days(std::int64_t days);
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
// YYYY-MM-DD
std::string date_text(std::int64_t days);
// YYYY-MM-DDTHH:MM:SSZ from seconds since the epoch.
std::string datetime_text(std::int64_t seconds);
// A date `years` whole years before `days` (29 February falls back to the 28th).
std::int64_t years_before(std::int64_t days, int years);

// Lower-case ASCII letters and digits of `text` (diacritics folded, other scripts dropped).
std::string ascii_fold(std::string_view text);
// `text` with Latin diacritics removed (é -> e, ș -> s); other characters kept.
std::string strip_diacritics(std::string_view text);
// Lower-case hex of SHA-256 over `data`.
std::string sha256_hex(std::string_view data);

}  // namespace haven::demo
