// Time-to-event statistics for "time to justice" and "time to restoration": Kaplan–Meier curves
// with open cases censored, medians with confidence intervals, and the log-rank test to compare
// periods or regions.
#pragma once

#include <optional>
#include <vector>

#include "core/result.hpp"

namespace haven::stats {

// One subject: the time from its start (days, say) to the event or to the end of follow-up.
struct Observation {
  double time = 0;
  bool event = false;  // false: censored (still open when last seen)
};

struct SurvivalStep {
  double time = 0;
  int at_risk = 0;   // subjects still followed just before `time`
  int events = 0;    // events at `time`
  int censored = 0;  // subjects censored at `time` (after the events)
  double survival = 1;  // S(time): the share without the event after `time`
  double low = 1, high = 1;  // pointwise 95% interval (log-log transform, Greenwood variance)
};

struct SurvivalCurve {
  int subjects = 0;
  int events = 0;
  std::vector<SurvivalStep> steps;  // one per distinct time with an event or a censoring
  // The first time S falls to 0.5 or below; empty while more than half never had the event.
  std::optional<double> median;
  // 95% interval of the median (Brookmeyer–Crowley from the pointwise band): the first times the
  // lower and the upper band fall to 0.5 or below; empty when a band never does.
  std::optional<double> median_low, median_high;
};

// REQUIRES nothing: a negative or non-finite time gives kInvalidArgument naming its position.
Result<SurvivalCurve> kaplan_meier(const std::vector<Observation>& observations, double confidence = 0.95);

struct LogRankTest {
  double chi_square = 0;
  int degrees_of_freedom = 0;
  double p_value = 1;
  std::vector<double> observed, expected;  // events per group, and as expected if all groups were alike
};

// Do the groups' survival curves differ? kInvalidArgument with fewer than two groups holding
// subjects; kFailedPrecondition when no group has an event.
Result<LogRankTest> log_rank(const std::vector<std::vector<Observation>>& groups);

}  // namespace haven::stats
