// Private to haven_stats: the pieces of multiple systems estimation shared between its files.
// Internals work on raw cell counts (not CaptureTable) because bootstrap replicates and jackknife
// tables need not pass the public table's validation (a replicate may leave a list empty).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stats/mse.hpp"

namespace haven::stats::detail {

// Counts per capture pattern: index = pattern (bit i = list i), size 2^k, [0] unused.
struct Cells {
  int k = 0;
  std::vector<double> y;
  double observed() const;
};
Cells cells_of(const CaptureTable& table);

// Every pair of lists, in the order (0,1), (0,2), ..., (1,2), ... which is also the order in which
// the stepwise rule breaks ties (as SparseMSE does).
std::vector<ListPair> all_pairs(int k);
std::string term_name(const std::vector<std::string>& lists, ListPair pair);
// People on both lists of `pair`, whatever else they are on.
double overlap(const Cells& cells, ListPair pair);

// The design of one model on one table. An interaction whose lists share nobody has its MLE at
// minus infinity; as in the paper, it gets no column and every cell holding both lists is
// removed (its expected count is exactly zero).
struct Design {
  std::vector<std::uint32_t> patterns;  // the cells kept, one per row of x
  Eigen::MatrixXd x;                    // intercept, k main effects, fitted interactions
  Eigen::VectorXd y;
  std::vector<ListPair> fitted_pairs;   // interactions with a column, after the main effects
  std::vector<ListPair> empty_pairs;    // interactions at minus infinity
  int parameters() const { return static_cast<int>(x.cols() + empty_pairs.size()); }
};
Design build_design(const Cells& cells, const std::vector<ListPair>& pairs);

struct Fit {
  Eigen::VectorXd beta, mu;  // coefficients; fitted means of the design's cells
  double deviance = 0, loglik = 0;
  double var_intercept = 0;  // (X'WX)^-1 [0,0]: variance of log(hidden)
  int iterations = 0;
};
// Poisson log-linear fit by iteratively reweighted least squares (Newton's method for the
// canonical link) with step-halving. nullopt when X'WX is singular or it does not converge.
// `start` (may be null) holds fitted means per pattern (size 2^k) to start from: a nearby
// model's fit saves iterations in searches.
std::optional<Fit> fit_poisson(const Design& design, const std::vector<double>* start = nullptr);
// The same with the intercept held at `intercept` (for the profile likelihood); `start` is a
// vector of fitted means to start from (may be null).
std::optional<Fit> fit_poisson_fixed_intercept(const Design& design, double intercept,
                                               const Eigen::VectorXd* start);

// The linear program of Fienberg and Rinaldo (SparseMSE's checkident): maximise t subject to
// A'x = A'y, x >= t, x >= 0. The MLE exists iff t* > 0. nullopt if the solver fails.
std::optional<bool> mle_exists(const Design& design);
bool full_rank(const Design& design);
// Both checks; solver failures count as "does not exist". With `fit` (a converged fit of the
// design), a fit whose means are all clearly positive is itself the certificate of existence
// (a strictly positive table with the data's sufficient statistics), which saves the linear
// program in the searches and the bootstrap; the LP decides every other case.
ModelCheck check_design(const Design& design, const Fit* fit = nullptr);

struct FittedModel {
  std::vector<ListPair> pairs;  // in the order chosen
  Design design;
  Fit fit;
  double observed = 0;
  double hidden() const;
  double total() const { return observed + hidden(); }
  double aic() const;
  double bic() const;
};
// Builds, optionally checks, and fits. Error kFailedPrecondition (check failed, message says
// which) or kInternal (no convergence).
Result<FittedModel> fit_model(const Cells& cells, std::vector<ListPair> pairs, bool check,
                              const std::vector<double>* start = nullptr);
// Fitted means per pattern (size 2^k; zero for removed cells).
std::vector<double> fitted_by_pattern(const FittedModel& model, std::size_t cells);

struct Step {
  ListPair pair;
  double p_value = 0;  // stepwise p-value, or the criterion after adding it
  double total = 0;
};
struct Selected {
  FittedModel model;
  std::vector<Step> steps;
  std::vector<FittedModel> path;  // the model after each step, main effects first
  std::string method;
  std::vector<std::string> notes;
};
// Runs the selection of `options` (stepwise, aic, bic, fixed, main effects) on `cells`.
Result<Selected> select_model(const Cells& cells, const EstimateOptions& options);
// Every model by AIC and BIC (exhaustive up to kMaxExhaustiveLists, else greedy forward).
struct CriterionBest {
  std::optional<FittedModel> aic, bic;
  std::size_t models_fitted = 0, models_refused = 0;
  bool exhaustive = false;
};
CriterionBest search_by_criterion(const Cells& cells, int threads);

// Intervals on the total.
Interval normal_interval(const FittedModel& model, double level);
std::optional<Interval> profile_interval(const FittedModel& model, double level);
Result<BootstrapSummary> bootstrap_interval(const Cells& cells, const FittedModel& model,
                                            const EstimateOptions& options);

}  // namespace haven::stats::detail
