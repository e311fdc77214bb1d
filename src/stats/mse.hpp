// Multiple systems estimation (MSE): how many people are on none of several agencies' lists,
// estimated from how the lists overlap. The method is Chan, Silverman and Vincent's (JASA 2021;
// R package SparseMSE 2.0.1): a Poisson log-linear model over the 2^k - 1 observable capture
// patterns with main effects and chosen two-list interactions, pairs of lists that never overlap
// handled as parameters at minus infinity, every model checked for existence and identifiability
// of its maximum likelihood estimate by a linear program (Fienberg and Rinaldo 2012).
//
// Every function returns errors as values; nothing here throws.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace haven::stats {

// At most 15 lists: the model has a cell for each of the 2^k - 1 capture patterns and up to
// 1 + k + k(k-1)/2 parameters, so 15 lists already mean 32,767 cells and 121 parameters (a 31 MB
// design matrix, and a linear program of that size for every candidate model). Beyond that the
// table has far more cells than any list has people, and the lists should be merged first.
inline constexpr int kMaxLists = 15;
// AIC and BIC search every set of two-list interactions up to 6 lists (2^15 = 32,768 models);
// with more lists they add terms one at a time while the criterion improves.
inline constexpr int kMaxExhaustiveLists = 6;

// One row of a capture-history table built in memory (by linkage or the API): which lists the
// people were on, and how many people had exactly that pattern.
struct CaptureRow {
  std::vector<bool> on_list;  // one flag per list, in the table's list order
  std::uint64_t count = 0;
};

// A validated capture-history table: 2..kMaxLists lists, at least one person observed, every list
// holding someone and missing someone, no all-zero pattern. Cells not given count zero.
class CaptureTable {
 public:
  const std::vector<std::string>& lists() const { return lists_; }
  int list_count() const { return static_cast<int>(lists_.size()); }
  // People seen with exactly `pattern` (bit i set = on list i); 0 <= pattern < 2^list_count().
  std::uint64_t count(std::uint32_t pattern) const { return cells_[pattern]; }
  const std::vector<std::uint64_t>& cells() const { return cells_; }
  std::uint64_t observed() const;
  // Pairs of lists that share nobody, as "A:B" in list order; the method handles them (their
  // interaction, when in a model, is a parameter at minus infinity) and reports them.
  std::vector<std::string> non_overlapping_pairs() const;

 private:
  friend Result<CaptureTable> make_capture_table(std::vector<std::string>, const std::vector<CaptureRow>&);
  std::vector<std::string> lists_;
  std::vector<std::uint64_t> cells_;  // index = pattern, size 2^k, cells_[0] == 0
};

// Builds a table from rows. Errors (kInvalidArgument, field "row N" or "list X"): fewer than 2 or
// more than kMaxLists lists, an empty or duplicated list name or one containing ':', a row with
// the wrong number of flags, the all-zero pattern, a pattern given twice, nobody observed, a
// list holding nobody or everybody observed.
Result<CaptureTable> make_capture_table(std::vector<std::string> lists, const std::vector<CaptureRow>& rows);

// Parses CSV text: a header naming the lists plus one count column named count, n or frequency
// (any case, usually last), then one row per capture pattern with 0/1 cells and a whole count. A
// UTF-8 byte order mark, CRLF line ends and blank lines are accepted. Errors name the line and
// column: a missing count column, a cell that is not 0 or 1, a count that is negative, fractional
// or not a number, a ragged row, plus everything make_capture_table refuses.
Result<CaptureTable> parse_capture_table(std::string_view csv_text);
// Reads and parses a file; kNotFound when it cannot be opened.
Result<CaptureTable> read_capture_table(const std::string& path);

// A model: main effects plus these two-list interactions, each a pair of list indices (i < j).
using ListPair = std::pair<int, int>;

// The outcome of the existence/identifiability check of one model on one table.
struct ModelCheck {
  bool exists = true;        // the (extended) MLE is finite: the linear program's optimum is > 0
  bool identifiable = true;  // the design matrix has full column rank
  bool ok() const { return exists && identifiable; }
  std::string message() const;  // "" when ok(), else what failed in words
};
// Existence (linear program) and identifiability (rank) of main effects + `interactions` on
// `table`. kInvalidArgument when a pair does not name two different lists of the table.
Result<ModelCheck> check_model(const CaptureTable& table, const std::vector<ListPair>& interactions);

enum class Selection {
  kStepwise,     // Chan, Silverman and Vincent's rule (the reference)
  kAic,          // smallest AIC among models passing the check
  kBic,          // smallest BIC (log of the number observed as the sample size)
  kFixed,        // EstimateOptions::interactions as given
  kMainEffects,  // independence of lists
};
std::string_view selection_name(Selection selection);
std::optional<Selection> parse_selection(std::string_view name);

struct EstimateOptions {
  Selection selection = Selection::kStepwise;
  double threshold = 0.02;             // stepwise: add a term while its p-value is below this
  std::vector<ListPair> interactions;  // kFixed only
  double level = 0.95;                 // confidence level of every interval
  bool profile = true;                 // also the profile-likelihood interval
  bool sensitivity = true;             // also the table of estimates across candidate models
  int bootstrap = 0;                   // parametric bootstrap replicates (0: none)
  std::uint64_t seed = 1;              // bootstrap seed: same seed, same replicates
  bool bootstrap_reselect = false;     // re-run the selection in every replicate (slower)
  int threads = 2;                     // bootstrap worker threads
};

struct CellFit {
  std::string pattern;     // "101000": one digit per list, in list order
  std::uint64_t observed;  // people seen with this pattern
  double fitted;           // expected under the model; 0 for cells a minus-infinity term removes
};

struct Interval {
  double low = 0, high = 0;   // on the total (observed + hidden)
  bool high_bounded = true;   // false: no finite upper limit (high is then meaningless)
  std::string method;
};

struct BootstrapSummary {
  int replicates = 0, failed = 0;   // failed: replicates whose model had no finite estimate
  bool reselect = false;
  std::uint64_t seed = 0;
  Interval bca, percentile;
  double acceleration = 0, bias_correction = 0;
  std::vector<double> totals;  // the replicates' totals, in replicate order
};

// One row of the sensitivity table: what another candidate model would have said.
struct ModelEstimate {
  std::string label;               // why it is in the table: "main effects", "stepwise step 2", "AIC best"
  std::vector<std::string> terms;  // "LA:NG"
  double total = 0, ci_low = 0, ci_high = 0;
  double aic = 0, bic = 0;
};

struct SelectionStep {
  std::string term;     // the term added
  double p_value = 0;   // its Poisson p-value when added (stepwise); criterion value otherwise
  double total = 0;     // the estimate after adding it
};

struct MseEstimate {
  std::vector<std::string> lists;
  std::uint64_t observed = 0;
  double hidden = 0;  // the dark figure: people on no list, exp(intercept)
  double total = 0;   // observed + hidden
  double ci_low = 0, ci_high = 0;  // normal approximation on the log scale of `hidden`
  double level = 0.95;
  double log_hidden = 0, log_hidden_se = 0;
  // Interactions of the chosen model with a finite parameter, in the order chosen ("LA:NG").
  std::vector<std::string> model;
  // Interactions also in the model whose lists share nobody: parameters at minus infinity.
  std::vector<std::string> minus_infinity_terms;
  std::vector<std::string> non_overlapping_pairs; // every pair of lists that shares nobody
  std::string method;             // e.g. "stepwise, p < 0.02"
  int parameters = 0;             // including those at minus infinity
  double deviance = 0, aic = 0, bic = 0;
  int fit_iterations = 0;
  std::vector<SelectionStep> steps;
  std::optional<Interval> profile;
  std::optional<BootstrapSummary> bootstrap;
  std::vector<ModelEstimate> sensitivity;
  std::vector<CellFit> cells;        // every observable pattern, in pattern order
  std::vector<std::string> warnings; // about this data and fit
  std::vector<std::string> caveats;  // about the method, always true
};

// Selects a model, fits it and estimates the population with intervals. Errors:
// kInvalidArgument for bad options (threshold outside (0, 1), a fixed interaction naming an
// unknown list, level outside (0, 1), bootstrap < 0 or > 100,000, threads outside 1..64);
// kFailedPrecondition when the chosen model has no finite, identifiable estimate (the message
// says which check failed); kInternal if the fit does not converge.
Result<MseEstimate> estimate_population(const CaptureTable& table, const EstimateOptions& options);

// The estimate as one JSON object: observed, hidden, total, ci_low, ci_high, level, model (array
// of terms), method, and every other field above. Intervals without a finite bound say so with
// null rather than an infinity.
nlohmann::json to_json(const MseEstimate& estimate);
// A report for a person: estimate, intervals, model, warnings and the method's caveats.
std::string render_report(const MseEstimate& estimate);
// A self-contained SVG scatter plot of observed against fitted counts per capture pattern.
std::string render_chart_svg(const MseEstimate& estimate);

}  // namespace haven::stats
