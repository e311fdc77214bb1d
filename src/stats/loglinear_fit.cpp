// The Poisson log-linear model of a capture-history table and its fit by IRLS.
#include <cmath>
#include <limits>

#include "stats/mse_internal.hpp"

namespace haven::stats::detail {

namespace {

constexpr int kMaxIterations = 100;
constexpr int kMaxHalvings = 40;
// Relative change of deviance that counts as converged; tighter than glm's 1e-8 because the
// reference figures are compared to 0.1% after exponentiating the intercept.
constexpr double kTolerance = 1e-11;

double poisson_deviance(const Eigen::VectorXd& y, const Eigen::VectorXd& mu) {
  double d = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] > 0) d += y[i] * std::log(y[i] / mu[i]);
    d -= y[i] - mu[i];
  }
  return 2 * d;
}

double poisson_loglik(const Eigen::VectorXd& y, const Eigen::VectorXd& mu) {
  double l = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] > 0) l += y[i] * std::log(mu[i]) - std::lgamma(y[i] + 1);
    l -= mu[i];
  }
  return l;
}

// Newton's method for a Poisson GLM with log link, eta = offset + X beta. Step-halving (as in
// R's glm2) whenever a step makes the deviance worse or not finite, which is what keeps fits of
// sparse tables with near-zero cells from oscillating.
std::optional<Fit> irls(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, double offset,
                        const Eigen::VectorXd* start) {
  const Eigen::Index p = x.cols();
  Eigen::VectorXd mu = start ? *start : Eigen::VectorXd((y.array() + 0.1).matrix());
  Eigen::VectorXd eta = mu.array().log().matrix();
  double dev = poisson_deviance(y, mu);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  bool have_beta = false;
  Fit fit;
  for (int iter = 1; iter <= kMaxIterations; ++iter) {
    const Eigen::VectorXd z = (eta.array() - offset + (y - mu).array() / mu.array()).matrix();
    // X'WX as a symmetric rank update of sqrt(W)X: half the work of the general product, which
    // dominates the model searches.
    const Eigen::MatrixXd xw = x.array().colwise() * mu.array().sqrt();
    Eigen::MatrixXd xtwx = Eigen::MatrixXd::Zero(p, p);
    xtwx.selfadjointView<Eigen::Lower>().rankUpdate(xw.transpose());
    const Eigen::VectorXd xtwz = x.transpose() * (mu.array() * z.array()).matrix();
    Eigen::LLT<Eigen::MatrixXd> llt(xtwx);
    if (llt.info() != Eigen::Success) return std::nullopt;
    Eigen::VectorXd next = llt.solve(xtwz);
    if (!next.allFinite()) return std::nullopt;
    Eigen::VectorXd next_eta = (x * next).array() + offset;
    Eigen::VectorXd next_mu = next_eta.array().exp().matrix();
    double next_dev = poisson_deviance(y, next_mu);
    for (int h = 0; have_beta && h < kMaxHalvings && (!std::isfinite(next_dev) || next_dev > dev * (1 + 1e-12) + 1e-12); ++h) {
      next = (next + beta) / 2;
      next_eta = (x * next).array() + offset;
      next_mu = next_eta.array().exp().matrix();
      next_dev = poisson_deviance(y, next_mu);
    }
    if (!std::isfinite(next_dev)) return std::nullopt;
    const bool converged = have_beta && std::abs(next_dev - dev) / (std::abs(next_dev) + 0.1) < kTolerance;
    beta = std::move(next);
    eta = std::move(next_eta);
    mu = std::move(next_mu);
    dev = next_dev;
    have_beta = true;
    fit.iterations = iter;
    if (converged) {
      fit.beta = beta;
      fit.mu = mu;
      fit.deviance = dev;
      fit.loglik = poisson_loglik(y, mu);
      return fit;
    }
  }
  return std::nullopt;
}

}  // namespace

double Cells::observed() const {
  double n = 0;
  for (double v : y) n += v;
  return n;
}

Cells cells_of(const CaptureTable& table) {
  Cells cells;
  cells.k = table.list_count();
  cells.y.assign(table.cells().begin(), table.cells().end());
  return cells;
}

std::vector<ListPair> all_pairs(int k) {
  std::vector<ListPair> pairs;
  for (int i = 0; i < k; ++i)
    for (int j = i + 1; j < k; ++j) pairs.emplace_back(i, j);
  return pairs;
}

std::string term_name(const std::vector<std::string>& lists, ListPair pair) {
  return lists[pair.first] + ":" + lists[pair.second];
}

double overlap(const Cells& cells, ListPair pair) {
  const std::uint32_t both = (1u << pair.first) | (1u << pair.second);
  double n = 0;
  for (std::uint32_t pattern = 1; pattern < cells.y.size(); ++pattern)
    if ((pattern & both) == both) n += cells.y[pattern];
  return n;
}

Design build_design(const Cells& cells, const std::vector<ListPair>& pairs) {
  Design design;
  std::vector<std::uint32_t> removed;  // pairs of bits whose cells are structurally zero
  for (const ListPair& pair : pairs) {
    if (overlap(cells, pair) == 0) {
      design.empty_pairs.push_back(pair);
      removed.push_back((1u << pair.first) | (1u << pair.second));
    } else {
      design.fitted_pairs.push_back(pair);
    }
  }
  for (std::uint32_t pattern = 1; pattern < cells.y.size(); ++pattern) {
    bool keep = true;
    for (std::uint32_t both : removed) keep = keep && (pattern & both) != both;
    if (keep) design.patterns.push_back(pattern);
  }
  const auto rows = static_cast<Eigen::Index>(design.patterns.size());
  const auto cols = static_cast<Eigen::Index>(1 + cells.k + design.fitted_pairs.size());
  design.x.setZero(rows, cols);
  design.y.resize(rows);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const std::uint32_t pattern = design.patterns[r];
    design.x(r, 0) = 1;
    for (int i = 0; i < cells.k; ++i) design.x(r, 1 + i) = (pattern >> i) & 1u;
    for (std::size_t j = 0; j < design.fitted_pairs.size(); ++j) {
      const auto [a, b] = design.fitted_pairs[j];
      design.x(r, 1 + cells.k + static_cast<Eigen::Index>(j)) = ((pattern >> a) & (pattern >> b) & 1u);
    }
    design.y[r] = cells.y[pattern];
  }
  return design;
}

std::optional<Fit> fit_poisson(const Design& design, const std::vector<double>* start) {
  Eigen::VectorXd start_mu;
  if (start) {
    start_mu.resize(design.y.size());
    for (Eigen::Index r = 0; r < start_mu.size(); ++r) {
      const double m = (*start)[design.patterns[r]];
      start_mu[r] = m > 1e-8 ? m : design.y[r] + 0.1;
    }
  }
  auto fit = irls(design.x, design.y, 0.0, start ? &start_mu : nullptr);
  if (!fit) return std::nullopt;
  // The variance of the intercept (log of the dark figure) from the inverse information at the
  // optimum, as summary.glm's cov.unscaled.
  const Eigen::MatrixXd xtwx = design.x.transpose() * fit->mu.asDiagonal() * design.x;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(xtwx);
  Eigen::VectorXd e0 = Eigen::VectorXd::Zero(design.x.cols());
  e0[0] = 1;
  const Eigen::VectorXd column = ldlt.solve(e0);
  fit->var_intercept = column[0];
  if (!std::isfinite(fit->var_intercept) || fit->var_intercept < 0) return std::nullopt;
  return fit;
}

std::optional<Fit> fit_poisson_fixed_intercept(const Design& design, double intercept,
                                               const Eigen::VectorXd* start) {
  const Eigen::MatrixXd rest = design.x.rightCols(design.x.cols() - 1);
  auto fit = irls(rest, design.y, intercept, start);
  if (!fit) return std::nullopt;
  Eigen::VectorXd beta(design.x.cols());
  beta[0] = intercept;
  beta.tail(rest.cols()) = fit->beta;
  fit->beta = std::move(beta);
  return fit;
}

double FittedModel::hidden() const { return std::exp(fit.beta[0]); }

double FittedModel::aic() const { return -2 * fit.loglik + 2.0 * design.parameters(); }

// BIC with the number of people observed as the sample size (as Rcapture does).
double FittedModel::bic() const {
  return -2 * fit.loglik + std::log(std::max(observed, 2.0)) * design.parameters();
}

std::vector<double> fitted_by_pattern(const FittedModel& model, std::size_t cells) {
  std::vector<double> mean(cells, 0.0);
  for (std::size_t r = 0; r < model.design.patterns.size(); ++r) mean[model.design.patterns[r]] = model.fit.mu[static_cast<Eigen::Index>(r)];
  return mean;
}

Result<FittedModel> fit_model(const Cells& cells, std::vector<ListPair> pairs, bool check,
                              const std::vector<double>* start) {
  FittedModel model;
  model.pairs = std::move(pairs);
  model.design = build_design(cells, model.pairs);
  model.observed = cells.observed();
  // Fitted first: a fit with clearly positive means proves existence without the linear program.
  auto fit = fit_poisson(model.design, start);
  if (check) {
    const ModelCheck verdict = check_design(model.design, fit ? &*fit : nullptr);
    if (!verdict.ok()) return Error{ErrorCode::kFailedPrecondition, verdict.message(), {}};
  }
  if (!fit) {
    return Error{ErrorCode::kInternal,
                 "the log-linear fit did not converge (the model's estimate is not finite or not identifiable)", {}};
  }
  model.fit = std::move(*fit);
  return model;
}

}  // namespace haven::stats::detail
