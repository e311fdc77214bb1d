// Model selection: Chan, Silverman and Vincent's stepwise rule (the reference), and AIC/BIC.
#include <algorithm>
#include <bit>
#include <limits>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <cstdio>
#include <thread>

#include "stats/mse_internal.hpp"

namespace haven::stats::detail {

namespace {

// The smaller of the two Poisson tails of `count` given mean `mean`: P(X <= count) and
// P(X >= count). A candidate whose expected overlap is zero has nothing to test.
double two_sided_poisson_tail(double count, double mean) {
  if (!(mean > 0)) return 1.0;
  try {
    const boost::math::poisson_distribution<double> poisson(mean);
    const double lower = boost::math::cdf(poisson, count);
    const double upper = count <= 0 ? 1.0 : boost::math::cdf(boost::math::complement(poisson, count - 1));
    return std::min(lower, upper);
  } catch (const std::exception&) {
    return 1.0;  // out of Boost's domain (a mean so large it overflows): never chosen on it
  }
}

// Expected number of people on both lists of `pair` under `model`'s fit.
double expected_overlap(const FittedModel& model, ListPair pair) {
  const std::uint32_t both = (1u << pair.first) | (1u << pair.second);
  double expected = 0;
  for (std::size_t r = 0; r < model.design.patterns.size(); ++r)
    if ((model.design.patterns[r] & both) == both) expected += model.fit.mu[static_cast<Eigen::Index>(r)];
  return expected;
}

std::string format_threshold(double threshold) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", threshold);
  return buffer;
}

// SparseMSE's stepwisefit: start from main effects; add the eligible interaction with the
// smallest p-value while it is below the threshold. A candidate is eligible when the model with
// it passes the existence and identifiability check.
Result<Selected> stepwise(const Cells& cells, double threshold) {
  Selected selected;
  selected.method = "stepwise (Chan, Silverman and Vincent), p < " + format_threshold(threshold);
  auto current = fit_model(cells, {}, false);
  HAVEN_TRY(current);
  selected.path.push_back(*current);
  const std::vector<ListPair> pairs = all_pairs(cells.k);
  std::vector<double> observed(pairs.size());
  for (std::size_t j = 0; j < pairs.size(); ++j) observed[j] = overlap(cells, pairs[j]);
  std::vector<bool> included(pairs.size(), false);
  for (std::size_t round = 0; round < pairs.size(); ++round) {
    double best_p = 1.0;
    std::size_t best = pairs.size();
    std::optional<FittedModel> best_model;
    const std::vector<double> warm = fitted_by_pattern(*current, cells.y.size());
    for (std::size_t j = 0; j < pairs.size(); ++j) {
      if (included[j]) continue;
      const double p = two_sided_poisson_tail(observed[j], expected_overlap(*current, pairs[j]));
      // The check costs a fit (and sometimes a linear program), so only candidates that could
      // win are checked.
      if (!(p < best_p) || !(p < threshold)) continue;
      std::vector<ListPair> candidate = current->pairs;
      candidate.push_back(pairs[j]);
      auto model = fit_model(cells, candidate, true, &warm);
      if (!model.ok()) continue;
      best_p = p;
      best = j;
      best_model = std::move(*model);
    }
    if (best == pairs.size()) break;
    included[best] = true;
    current = std::move(*best_model);
    selected.steps.push_back(Step{pairs[best], best_p, current->total()});
    selected.path.push_back(*current);
  }
  selected.model = std::move(*current);
  return selected;
}

std::vector<ListPair> pairs_of_mask(const std::vector<ListPair>& pairs, std::uint32_t mask) {
  std::vector<ListPair> chosen;
  for (std::size_t j = 0; j < pairs.size(); ++j)
    if (mask & (1u << j)) chosen.push_back(pairs[j]);
  return chosen;
}

// Fits the models of masks first, first+stride, ... below end without the check (the linear
// program costs several fits, and only the winners need it), storing both criteria.
void score_masks(const Cells& cells, const std::vector<ListPair>& pairs, std::uint32_t first, std::uint32_t end,
                 std::uint32_t stride, const std::vector<double>& start, std::vector<double>& aic, std::vector<double>& bic) {
  for (std::uint32_t mask = first; mask < end; mask += stride) {
    auto model = fit_model(cells, pairs_of_mask(pairs, mask), false, &start);
    aic[mask] = model.ok() ? model->aic() : std::numeric_limits<double>::quiet_NaN();
    bic[mask] = model.ok() ? model->bic() : std::numeric_limits<double>::quiet_NaN();
  }
}

// The best model by `values` that passes the existence and identifiability check: candidates in
// order of the criterion (ties to the smaller model), checked until one passes.
std::optional<FittedModel> best_checked(const Cells& cells, const std::vector<ListPair>& pairs,
                                        const std::vector<double>& values, const std::vector<double>& start,
                                        std::size_t& refused) {
  std::vector<std::uint32_t> order;
  for (std::uint32_t mask = 0; mask < values.size(); ++mask)
    if (std::isfinite(values[mask])) order.push_back(mask);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (values[a] != values[b]) return values[a] < values[b];
    if (std::popcount(a) != std::popcount(b)) return std::popcount(a) < std::popcount(b);
    return a < b;
  });
  for (std::uint32_t mask : order) {
    auto model = fit_model(cells, pairs_of_mask(pairs, mask), true, &start);
    if (model.ok()) return std::move(*model);
    ++refused;
  }
  return std::nullopt;
}

// Greedy forward search: add the term that lowers the criterion most while one does. Candidates
// are fitted unchecked, then checked in order of the criterion until one passes.
std::optional<FittedModel> forward_search(const Cells& cells, bool use_bic, std::size_t& fitted) {
  auto start = fit_model(cells, {}, true);
  if (!start.ok()) return std::nullopt;
  FittedModel best = std::move(*start);
  auto value = [&](const FittedModel& m) { return use_bic ? m.bic() : m.aic(); };
  const std::vector<ListPair> pairs = all_pairs(cells.k);
  for (;;) {
    const std::vector<double> warm = fitted_by_pattern(best, cells.y.size());
    std::vector<std::pair<double, std::vector<ListPair>>> better;
    for (const ListPair& pair : pairs) {
      if (std::find(best.pairs.begin(), best.pairs.end(), pair) != best.pairs.end()) continue;
      std::vector<ListPair> candidate = best.pairs;
      candidate.push_back(pair);
      auto model = fit_model(cells, candidate, false, &warm);
      ++fitted;
      if (model.ok() && value(*model) < value(best)) better.emplace_back(value(*model), std::move(candidate));
    }
    std::stable_sort(better.begin(), better.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    bool improved = false;
    for (auto& [score, candidate] : better) {
      auto model = fit_model(cells, candidate, true, &warm);
      if (!model.ok()) continue;
      best = std::move(*model);
      improved = true;
      break;
    }
    if (!improved) return best;
  }
}

}  // namespace

CriterionBest search_by_criterion(const Cells& cells, int threads) {
  CriterionBest result;
  if (cells.k > kMaxExhaustiveLists) {
    result.aic = forward_search(cells, false, result.models_fitted);
    result.bic = forward_search(cells, true, result.models_fitted);
    return result;
  }
  result.exhaustive = true;
  const std::vector<ListPair> pairs = all_pairs(cells.k);
  const std::uint32_t end = 1u << pairs.size();
  // Every fit starts from the main-effects fit, which is close to most models' fits.
  auto main = fit_model(cells, {}, false);
  if (!main.ok()) return result;
  const std::vector<double> start = fitted_by_pattern(*main, cells.y.size());
  std::vector<double> aic(end), bic(end);
  const auto workers = static_cast<std::uint32_t>(std::clamp(threads, 1, 64));
  std::vector<std::thread> pool;
  for (std::uint32_t w = 1; w < workers; ++w) {
    pool.emplace_back([&, w] { score_masks(cells, pairs, w, end, workers, start, aic, bic); });
  }
  score_masks(cells, pairs, 0, end, workers, start, aic, bic);
  for (std::thread& t : pool) t.join();
  result.models_fitted = end;
  result.aic = best_checked(cells, pairs, aic, start, result.models_refused);
  result.bic = best_checked(cells, pairs, bic, start, result.models_refused);
  return result;
}

Result<Selected> select_model(const Cells& cells, const EstimateOptions& options) {
  switch (options.selection) {
    case Selection::kStepwise:
      return stepwise(cells, options.threshold);
    case Selection::kMainEffects:
    case Selection::kFixed: {
      Selected selected;
      const bool main = options.selection == Selection::kMainEffects;
      selected.method = main ? "main effects only (lists independent)" : "fixed model";
      auto model = fit_model(cells, main ? std::vector<ListPair>{} : options.interactions, true);
      HAVEN_TRY(model);
      selected.model = std::move(*model);
      selected.path.push_back(selected.model);
      return selected;
    }
    case Selection::kAic:
    case Selection::kBic: {
      const bool bic = options.selection == Selection::kBic;
      CriterionBest best = search_by_criterion(cells, options.threads);
      std::optional<FittedModel>& chosen = bic ? best.bic : best.aic;
      if (!chosen) return Error{ErrorCode::kFailedPrecondition, "no model passes the existence and identifiability check", {}};
      Selected selected;
      selected.method = std::string(bic ? "BIC" : "AIC") +
                        (best.exhaustive ? ", every model with two-list interactions (" + std::to_string(best.models_fitted) +
                                               " fitted; " + std::to_string(best.models_refused) +
                                               " better-scoring ones failed the existence/identifiability check)"
                                         : ", forward search (more than " + std::to_string(kMaxExhaustiveLists) + " lists)");
      selected.model = std::move(*chosen);
      selected.path.push_back(selected.model);
      return selected;
    }
  }
  return Error{ErrorCode::kInternal, "unknown selection", {}};
}

}  // namespace haven::stats::detail
