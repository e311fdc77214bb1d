#include "stats/survival.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <string>

namespace haven::stats {
namespace {

Status check(const std::vector<Observation>& observations) {
  for (std::size_t i = 0; i < observations.size(); ++i)
    if (!std::isfinite(observations[i].time) || observations[i].time < 0)
      return invalid("observation " + std::to_string(i + 1) + " has a negative or undefined time; a time to an "
                     "event is counted from its start and cannot be negative",
                     "time");
  return Status::Ok();
}

std::vector<Observation> sorted_by_time(std::vector<Observation> observations) {
  // Events before censorings at the same time: a subject censored at t was still at risk at t.
  std::sort(observations.begin(), observations.end(), [](const Observation& a, const Observation& b) {
    return a.time != b.time ? a.time < b.time : a.event > b.event;
  });
  return observations;
}

}  // namespace

Result<SurvivalCurve> kaplan_meier(const std::vector<Observation>& observations, double confidence) {
  HAVEN_TRY(check(observations));
  if (!(confidence > 0 && confidence < 1)) return invalid("the confidence level must be between 0 and 1", "confidence");
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + confidence / 2);
  const auto sorted = sorted_by_time(observations);

  SurvivalCurve curve;
  curve.subjects = static_cast<int>(sorted.size());
  int at_risk = curve.subjects;
  double survival = 1, greenwood = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    SurvivalStep step;
    step.time = sorted[i].time;
    step.at_risk = at_risk;
    for (; i < sorted.size() && sorted[i].time == step.time; ++i) (sorted[i].event ? step.events : step.censored)++;
    if (step.events > 0) {
      survival *= 1.0 - static_cast<double>(step.events) / at_risk;
      if (step.events < at_risk) greenwood += static_cast<double>(step.events) / (static_cast<double>(at_risk) * (at_risk - step.events));
    }
    step.survival = survival;
    if (survival <= 0) {
      step.low = step.high = 0;
    } else if (survival >= 1) {
      step.low = step.high = 1;
    } else {
      // The log(-log S) scale keeps the band inside (0, 1), as R's survival package does.
      const double spread = z * std::sqrt(greenwood) / std::abs(std::log(survival));
      step.low = std::pow(survival, std::exp(spread));
      step.high = std::pow(survival, std::exp(-spread));
    }
    curve.events += step.events;
    at_risk -= step.events + step.censored;
    curve.steps.push_back(step);
  }
  for (const auto& step : curve.steps) {
    if (!curve.median && step.survival <= 0.5) curve.median = step.time;
    if (!curve.median_low && step.low <= 0.5) curve.median_low = step.time;
    if (!curve.median_high && step.high <= 0.5) curve.median_high = step.time;
  }
  return curve;
}

Result<LogRankTest> log_rank(const std::vector<std::vector<Observation>>& groups) {
  struct Tagged {
    Observation observation;
    std::size_t group;
  };
  std::vector<Tagged> all;
  std::vector<std::size_t> used;  // groups with subjects
  for (std::size_t g = 0; g < groups.size(); ++g) {
    HAVEN_TRY(check(groups[g]));
    if (!groups[g].empty()) used.push_back(g);
    for (const auto& o : groups[g]) all.push_back({o, g});
  }
  if (used.size() < 2) return invalid("the log-rank test compares at least two groups that have subjects", "groups");
  std::sort(all.begin(), all.end(), [](const Tagged& a, const Tagged& b) { return a.observation.time < b.observation.time; });

  const std::size_t k = groups.size();
  LogRankTest test;
  test.observed.assign(k, 0);
  test.expected.assign(k, 0);
  Eigen::MatrixXd variance = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  std::vector<double> at_risk(k, 0);
  for (const auto& g : used) at_risk[g] = static_cast<double>(groups[g].size());
  double total_at_risk = static_cast<double>(all.size());
  for (std::size_t i = 0; i < all.size();) {
    const double time = all[i].observation.time;
    std::vector<double> events(k, 0), leaving(k, 0);
    for (; i < all.size() && all[i].observation.time == time; ++i) {
      if (all[i].observation.event) events[all[i].group]++;
      leaving[all[i].group]++;
    }
    double total_events = 0;
    for (double e : events) total_events += e;
    if (total_events > 0) {
      const double spread = total_at_risk > 1 ? (total_at_risk - total_events) / (total_at_risk - 1) : 0;
      for (std::size_t g = 0; g < k; ++g) {
        const double share = at_risk[g] / total_at_risk;
        test.observed[g] += events[g];
        test.expected[g] += total_events * share;
        for (std::size_t h = 0; h < k; ++h) {
          const double other = at_risk[h] / total_at_risk;
          variance(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(h)) +=
              total_events * share * ((g == h ? 1.0 : 0.0) - other) * spread;
        }
      }
    }
    for (std::size_t g = 0; g < k; ++g) at_risk[g] -= leaving[g];
    for (double l : leaving) total_at_risk -= l;
  }
  double all_events = 0;
  for (double o : test.observed) all_events += o;
  if (all_events == 0)
    return Error{ErrorCode::kFailedPrecondition, "no group has an event yet, so there is nothing to compare", "groups"};

  // The deviations sum to zero, so one group is dropped: the test uses the others.
  const auto m = static_cast<Eigen::Index>(used.size() - 1);
  Eigen::VectorXd deviation(m);
  Eigen::MatrixXd reduced(m, m);
  for (Eigen::Index a = 0; a < m; ++a) {
    deviation(a) = test.observed[used[a]] - test.expected[used[a]];
    for (Eigen::Index b = 0; b < m; ++b)
      reduced(a, b) = variance(static_cast<Eigen::Index>(used[a]), static_cast<Eigen::Index>(used[b]));
  }
  const Eigen::VectorXd solved = reduced.completeOrthogonalDecomposition().solve(deviation);
  test.chi_square = deviation.dot(solved);
  test.degrees_of_freedom = static_cast<int>(m);
  test.p_value = test.chi_square > 0
                     ? boost::math::cdf(boost::math::complement(boost::math::chi_squared(test.degrees_of_freedom), test.chi_square))
                     : 1.0;
  return test;
}

}  // namespace haven::stats
