// Intervals for the total: normal on the log scale of the dark figure (the reference), profile
// likelihood, and a parametric bootstrap with BCa and percentile limits.
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <glpk.h>
#include <limits>
#include <random>
#include <thread>

#include "stats/mse_internal.hpp"

namespace haven::stats::detail {

namespace {

double normal_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }
double normal_cdf(double z) { return boost::math::cdf(boost::math::normal_distribution<double>(), z); }

// Sample quantile of type 8 (Hyndman and Fan; R's quantile(type = 8), which SparseMSE's BCa
// limits use): approximately median-unbiased whatever the distribution.
double quantile_type8(const std::vector<double>& sorted, double p) {
  const double n = static_cast<double>(sorted.size());
  const double h = n * p + (p + 1) / 3;
  const double j = std::floor(h);
  const double g = h - j;
  auto at = [&](double index) {  // 1-based, clamped to the sample
    const auto i = static_cast<std::size_t>(std::clamp(index, 1.0, n));
    return sorted[i - 1];
  };
  return (1 - g) * at(j) + g * at(j + 1);
}

// The log-likelihood drops by half this much at the profile limits (chi-square, 1 df).
double profile_drop(double level) {
  return boost::math::quantile(boost::math::chi_squared_distribution<double>(1), level);
}

}  // namespace

Interval normal_interval(const FittedModel& model, double level) {
  const double z = normal_quantile(0.5 + level / 2);
  const double b = model.fit.beta[0];
  const double se = std::sqrt(model.fit.var_intercept);
  Interval interval;
  interval.low = model.observed + std::exp(b - z * se);
  interval.high = model.observed + std::exp(b + z * se);
  interval.high_bounded = std::isfinite(interval.high);
  interval.method = "normal approximation on the log scale of the dark figure";
  return interval;
}

std::optional<Interval> profile_interval(const FittedModel& model, double level) {
  const double drop = profile_drop(level);
  const double b_hat = model.fit.beta[0];
  const double step0 = std::max(0.05, std::sqrt(model.fit.var_intercept));
  // Beyond e^30 times (or below 1/e^30 of) the estimate the interval is reported as open.
  constexpr double kReach = 30;
  constexpr double kFailed = 1e6;  // a fit that fails that far out is treated as far outside

  // f(b) > 0 outside the interval, < 0 inside.
  auto deficit = [&](double b, const Eigen::VectorXd* start, Eigen::VectorXd* mu_out) {
    auto fit = fit_poisson_fixed_intercept(model.design, b, start);
    if (!fit) return kFailed;
    if (mu_out) *mu_out = fit->mu;
    return 2 * (model.fit.loglik - fit->loglik) - drop;
  };
  auto limit = [&](double direction, bool& bounded) -> double {
    Eigen::VectorXd inner_mu = model.fit.mu;
    double inner = b_hat, step = step0;
    while (std::abs(inner - b_hat) < kReach) {
      const double outer = inner + direction * step;
      Eigen::VectorXd outer_mu;
      if (deficit(outer, &inner_mu, &outer_mu) > 0) {
        std::uintmax_t iterations = 60;
        auto f = [&](double b) { return deficit(b, &inner_mu, nullptr); };
        const auto [lo, hi] = boost::math::tools::bisect(f, std::min(inner, outer), std::max(inner, outer),
                                                         boost::math::tools::eps_tolerance<double>(30), iterations);
        bounded = true;
        return (lo + hi) / 2;
      }
      inner = outer;
      inner_mu = std::move(outer_mu);
      step *= 2;
    }
    bounded = false;
    return inner;
  };
  try {
    bool low_bounded = false, high_bounded = false;
    const double b_low = limit(-1, low_bounded);
    const double b_high = limit(+1, high_bounded);
    Interval interval;
    // With no lower limit the likelihood allows a dark figure of zero: the total's floor is
    // the number observed.
    interval.low = model.observed + (low_bounded ? std::exp(b_low) : 0.0);
    interval.high = high_bounded ? model.observed + std::exp(b_high) : 0.0;
    interval.high_bounded = high_bounded;
    interval.method = "profile likelihood of the dark figure";
    return interval;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<BootstrapSummary> bootstrap_interval(const Cells& cells, const FittedModel& model,
                                            const EstimateOptions& options) {
  // Expected count of every observable pattern under the fitted model; cells removed by a
  // minus-infinity term have mean zero and stay empty in every replicate.
  std::vector<double> mean(cells.y.size(), 0.0);
  for (std::size_t r = 0; r < model.design.patterns.size(); ++r)
    mean[model.design.patterns[r]] = model.fit.mu[static_cast<Eigen::Index>(r)];

  EstimateOptions inner = options;
  inner.bootstrap = 0;
  inner.threads = 1;
  // The same procedure as for the data: either the chosen model refitted, or the whole
  // selection re-run (which carries the uncertainty of the choice of model too).
  auto estimate = [&](const Cells& replicate) -> double {
    if (options.bootstrap_reselect) {
      auto selected = select_model(replicate, inner);
      if (!selected.ok()) return std::numeric_limits<double>::quiet_NaN();
      const ModelCheck check = check_design(selected->model.design, &selected->model.fit);
      return check.ok() ? selected->model.total() : std::numeric_limits<double>::quiet_NaN();
    }
    auto refit = fit_model(replicate, model.pairs, true, &mean);
    return refit.ok() ? refit->total() : std::numeric_limits<double>::quiet_NaN();
  };

  const int replicates = options.bootstrap;
  std::vector<double> totals(static_cast<std::size_t>(replicates));
  const int workers = std::clamp(options.threads, 1, std::max(1, replicates));
  auto work = [&](int first) {
    for (int r = first; r < replicates; r += workers) {
      // One generator per replicate, seeded by (seed, replicate): the same replicates whatever
      // the number of threads.
      std::seed_seq seq{static_cast<std::uint32_t>(options.seed), static_cast<std::uint32_t>(options.seed >> 32),
                        static_cast<std::uint32_t>(r)};
      std::mt19937_64 rng(seq);
      Cells replicate{cells.k, std::vector<double>(cells.y.size(), 0.0)};
      for (std::size_t p = 1; p < mean.size(); ++p)
        if (mean[p] > 0) replicate.y[p] = static_cast<double>(std::poisson_distribution<long long>(mean[p])(rng));
      totals[static_cast<std::size_t>(r)] = estimate(replicate);
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) {
    pool.emplace_back([&, w] {
      work(w);
      glp_free_env();  // GLPK's environment is per thread; release it before the thread ends
    });
  }
  work(0);
  for (std::thread& t : pool) t.join();

  BootstrapSummary summary;
  summary.replicates = replicates;
  summary.reselect = options.bootstrap_reselect;
  summary.seed = options.seed;
  summary.totals = totals;
  std::vector<double> valid;
  for (double t : totals) {
    if (std::isfinite(t)) valid.push_back(t);
  }
  summary.failed = replicates - static_cast<int>(valid.size());
  if (valid.size() < 20) {
    return Error{ErrorCode::kFailedPrecondition,
                 "too few bootstrap replicates gave a finite estimate (" + std::to_string(valid.size()) + " of " +
                     std::to_string(replicates) + "); ask for more replicates or use the other intervals", {}};
  }
  std::sort(valid.begin(), valid.end());
  const double alpha = (1 - options.level) / 2;
  summary.percentile = Interval{quantile_type8(valid, alpha), quantile_type8(valid, 1 - alpha), true,
                                "parametric bootstrap, percentile"};

  // BCa (Efron; DiCiccio and Efron 1996) as in SparseMSE: bias correction from the share of
  // replicates below the estimate, acceleration from a jackknife that removes one person at a time
  // (one refit per non-empty cell, weighted by its count).
  const double point = model.total();
  const double below = static_cast<double>(std::count_if(valid.begin(), valid.end(), [&](double t) { return t < point; }));
  const double share = below / static_cast<double>(valid.size());
  double sum_n = 0, weighted = 0;
  std::vector<std::pair<double, double>> jack;  // (count, estimate without one of them)
  for (std::size_t p = 1; p < cells.y.size(); ++p) {
    if (cells.y[p] <= 0) continue;
    Cells fewer = cells;
    fewer.y[p] -= 1;
    double t = estimate(fewer);
    if (!std::isfinite(t)) t = point;
    jack.emplace_back(cells.y[p], t);
    sum_n += cells.y[p];
    weighted += cells.y[p] * t;
  }
  const double jack_mean = weighted / sum_n;
  double s2 = 0, s3 = 0;
  for (const auto& [n, t] : jack) {
    const double d = jack_mean - t;
    s2 += n * d * d;
    s3 += n * d * d * d;
  }
  summary.acceleration = s2 > 0 ? s3 / (6 * std::pow(s2, 1.5)) : 0.0;
  if (share <= 0 || share >= 1) {
    // Every replicate on one side of the estimate: the bias correction is infinite, BCa is
    // undefined, and the percentile limits stand in (the report says so).
    summary.bias_correction = std::numeric_limits<double>::quiet_NaN();
    summary.bca = summary.percentile;
    summary.bca.method = "parametric bootstrap, percentile (BCa undefined: every replicate on one side of the estimate)";
    return summary;
  }
  const double z0 = normal_quantile(share);
  summary.bias_correction = z0;
  auto adjusted = [&](double q) {
    const double zq = z0 + normal_quantile(q);
    return normal_cdf(z0 + zq / (1 - summary.acceleration * zq));
  };
  summary.bca = Interval{quantile_type8(valid, adjusted(alpha)), quantile_type8(valid, adjusted(1 - alpha)), true,
                         "parametric bootstrap, BCa"};
  return summary;
}

}  // namespace haven::stats::detail
