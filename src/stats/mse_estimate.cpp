// estimate_population: selection, fit, intervals, sensitivity, warnings; the only place that
// turns the internal fits into the public MseEstimate.
#include <algorithm>
#include <cmath>
#include <exception>
#include <set>

#include "stats/mse_internal.hpp"

namespace haven::stats {

namespace {

using detail::FittedModel;

std::vector<std::string> terms_of(const std::vector<std::string>& lists, const std::vector<ListPair>& pairs) {
  std::vector<std::string> terms;
  for (const ListPair& pair : pairs) terms.push_back(detail::term_name(lists, pair));
  return terms;
}

Status validate(const CaptureTable& table, const EstimateOptions& options) {
  if (!(options.threshold > 0 && options.threshold < 1)) return invalid("the stepwise threshold must be between 0 and 1, e.g. 0.02", "threshold");
  if (!(options.level > 0 && options.level < 1)) return invalid("the confidence level must be between 0 and 1, e.g. 0.95", "level");
  if (options.bootstrap < 0 || options.bootstrap > 100000) return invalid("bootstrap replicates must be 0 to 100,000", "bootstrap");
  if (options.bootstrap > 0 && options.bootstrap < 100) {
    return invalid("use at least 100 bootstrap replicates (1,000 or more for a 95% interval), or none", "bootstrap");
  }
  if (options.threads < 1 || options.threads > 64) return invalid("threads must be 1 to 64", "threads");
  if (options.selection == Selection::kFixed) {
    std::set<ListPair> seen;
    for (const ListPair& pair : options.interactions) {
      const int k = table.list_count();
      if (pair.first < 0 || pair.second < 0 || pair.first >= k || pair.second >= k || pair.first == pair.second) {
        return invalid("an interaction must name two different lists of the table", "interactions");
      }
      if (!seen.insert({std::min(pair.first, pair.second), std::max(pair.first, pair.second)}).second) {
        return invalid("an interaction is given twice", "interactions");
      }
    }
  }
  return Status::Ok();
}

ModelEstimate summarise(const std::string& label, const std::vector<std::string>& lists, const FittedModel& model,
                        double level) {
  const Interval interval = detail::normal_interval(model, level);
  return ModelEstimate{label, terms_of(lists, model.pairs), model.total(), interval.low, interval.high, model.aic(), model.bic()};
}

// Estimates from the other candidate models, so a reader sees how much the choice matters.
std::vector<ModelEstimate> sensitivity_table(const detail::Cells& cells, const std::vector<std::string>& lists,
                                             const detail::Selected& selected, const EstimateOptions& options) {
  std::vector<ModelEstimate> rows;
  std::set<std::set<ListPair>> seen;
  auto add = [&](const std::string& label, const FittedModel& model) {
    if (!seen.insert(std::set<ListPair>(model.pairs.begin(), model.pairs.end())).second) return;
    rows.push_back(summarise(label, lists, model, options.level));
  };
  add("chosen", selected.model);
  if (options.selection != Selection::kMainEffects) {
    auto main = detail::fit_model(cells, {}, true);
    if (main.ok()) add("main effects only", *main);
  }
  if (options.selection == Selection::kStepwise) {
    for (std::size_t i = 1; i + 1 < selected.path.size(); ++i) add("stepwise, after step " + std::to_string(i), selected.path[i]);
  } else {
    EstimateOptions stepwise = options;
    stepwise.selection = Selection::kStepwise;
    auto other = detail::select_model(cells, stepwise);
    if (other.ok()) add("stepwise, p < 0.02", other->model);
  }
  if (options.selection != Selection::kAic && options.selection != Selection::kBic) {
    const detail::CriterionBest best = detail::search_by_criterion(cells, options.threads);
    if (best.aic) add("smallest AIC", *best.aic);
    if (best.bic) add("smallest BIC", *best.bic);
  }
  return rows;
}

std::vector<std::string> standard_caveats() {
  return {
      "Closed population: the estimate assumes the same people could have been on every list over the period "
      "(no arrivals, departures or deaths in between).",
      "List dependence: only dependence between pairs of lists that the model includes is allowed for; "
      "dependence involving three or more lists at once is assumed absent.",
      "Heterogeneity: people differ in how likely they are to be found (by sector, nationality, visibility); if "
      "such differences affect all lists alike they bias the estimate downwards, and no model of these counts "
      "can detect that.",
      "Linkage: the capture patterns assume each person was matched correctly across lists; missed matches "
      "inflate the estimate, false matches deflate it.",
      "The estimate covers people who could have been on at least one of the lists; people beyond the reach "
      "of every agency are not represented.",
  };
}

Result<MseEstimate> estimate(const CaptureTable& table, const EstimateOptions& options) {
  HAVEN_TRY(validate(table, options));
  const detail::Cells cells = detail::cells_of(table);
  EstimateOptions normalised = options;
  for (ListPair& pair : normalised.interactions) pair = {std::min(pair.first, pair.second), std::max(pair.first, pair.second)};
  auto selected = detail::select_model(cells, normalised);
  HAVEN_TRY(selected);
  const FittedModel& model = selected->model;
  // The chosen model is checked again whatever the selection did, so no infinite or unidentified
  // estimate is ever printed.
  const ModelCheck check = detail::check_design(model.design);
  if (!check.ok()) return Error{ErrorCode::kFailedPrecondition, "the chosen model cannot be used: " + check.message(), {}};

  MseEstimate result;
  result.lists = table.lists();
  result.observed = table.observed();
  result.hidden = model.hidden();
  result.total = model.total();
  result.level = options.level;
  const Interval normal = detail::normal_interval(model, options.level);
  result.ci_low = normal.low;
  result.ci_high = normal.high;
  result.log_hidden = model.fit.beta[0];
  result.log_hidden_se = std::sqrt(model.fit.var_intercept);
  // Finite terms only, in the order chosen, as SparseMSE's fitted formula shows them; the terms
  // at minus infinity are listed apart (they remove cells rather than scale them).
  for (const ListPair& pair : model.pairs) {
    const auto& empty = model.design.empty_pairs;
    if (std::find(empty.begin(), empty.end(), pair) == empty.end()) result.model.push_back(detail::term_name(table.lists(), pair));
  }
  result.minus_infinity_terms = terms_of(table.lists(), model.design.empty_pairs);
  result.non_overlapping_pairs = table.non_overlapping_pairs();
  result.method = selected->method;
  result.parameters = model.design.parameters();
  result.deviance = model.fit.deviance;
  result.aic = model.aic();
  result.bic = model.bic();
  result.fit_iterations = model.fit.iterations;
  for (const detail::Step& step : selected->steps) {
    result.steps.push_back(SelectionStep{detail::term_name(table.lists(), step.pair), step.p_value, step.total});
  }
  if (!std::isfinite(result.total) || !std::isfinite(result.ci_high)) {
    return Error{ErrorCode::kFailedPrecondition, "the estimate is not finite for this model", {}};
  }

  // Every observable pattern, with the fitted mean (zero where a minus-infinity term removes it).
  std::vector<double> fitted(cells.y.size(), 0.0);
  for (std::size_t r = 0; r < model.design.patterns.size(); ++r) fitted[model.design.patterns[r]] = model.fit.mu[static_cast<Eigen::Index>(r)];
  for (std::uint32_t p = 1; p < cells.y.size(); ++p) {
    std::string pattern;
    for (int i = 0; i < cells.k; ++i) pattern += (p >> i) & 1u ? '1' : '0';
    result.cells.push_back(CellFit{pattern, table.count(p), fitted[p]});
  }

  if (options.profile) result.profile = detail::profile_interval(model, options.level);
  if (options.bootstrap > 0) {
    auto boot = detail::bootstrap_interval(cells, model, normalised);
    if (boot.ok()) {
      result.bootstrap = std::move(*boot);
      if (result.bootstrap->failed > 0) {
        result.warnings.push_back(std::to_string(result.bootstrap->failed) + " of " + std::to_string(result.bootstrap->replicates) +
                                  " bootstrap replicates had no finite estimate and were left out");
      }
    } else {
      result.warnings.push_back("bootstrap interval not computed: " + boot.error().message);
    }
  }
  if (options.sensitivity) result.sensitivity = sensitivity_table(cells, table.lists(), *selected, normalised);

  for (const std::string& note : selected->notes) result.warnings.push_back(note);
  if (!result.non_overlapping_pairs.empty()) {
    std::string pairs;
    for (const std::string& p : result.non_overlapping_pairs) pairs += (pairs.empty() ? "" : ", ") + p;
    result.warnings.push_back("lists that share nobody: " + pairs +
                              (result.minus_infinity_terms.empty()
                                   ? "; no model term involves them"
                                   : "; the model's terms for them are at minus infinity (those cells are fixed at zero)"));
  }
  if (result.profile && !result.profile->high_bounded) {
    result.warnings.push_back("the profile-likelihood interval has no finite upper limit: the data cannot rule out a much larger hidden population");
  }
  if (result.hidden > 5.0 * static_cast<double>(result.observed)) {
    result.warnings.push_back("the hidden population is estimated at more than five times the number observed; such estimates rest heavily on the model");
  }
  if (options.sensitivity && result.sensitivity.size() > 1) {
    double lo = result.total, hi = result.total;
    for (const ModelEstimate& row : result.sensitivity) lo = std::min(lo, row.total), hi = std::max(hi, row.total);
    if (hi > 1.5 * lo) {
      result.warnings.push_back("the candidate models disagree widely (totals from " + std::to_string(static_cast<long long>(std::llround(lo))) +
                                " to " + std::to_string(static_cast<long long>(std::llround(hi))) + "); see the sensitivity table");
    }
  }
  result.caveats = standard_caveats();
  return result;
}

}  // namespace

std::string_view selection_name(Selection selection) {
  switch (selection) {
    case Selection::kStepwise: return "stepwise";
    case Selection::kAic: return "aic";
    case Selection::kBic: return "bic";
    case Selection::kFixed: return "fixed";
    case Selection::kMainEffects: return "main";
  }
  return "unknown";
}

std::optional<Selection> parse_selection(std::string_view name) {
  for (Selection s : {Selection::kStepwise, Selection::kAic, Selection::kBic, Selection::kFixed, Selection::kMainEffects})
    if (selection_name(s) == name) return s;
  return std::nullopt;
}

Result<MseEstimate> estimate_population(const CaptureTable& table, const EstimateOptions& options) {
  // Boost.Math and the standard library may throw (bad_alloc, domain errors); none of it may
  // cross this module's border.
  try {
    return estimate(table, options);
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal, std::string("estimation failed: ") + e.what(), {}};
  }
}

}  // namespace haven::stats
