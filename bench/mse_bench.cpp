// Multiple systems estimation benchmark: model searches and the bootstrap on the published UK
// tables, each printed next to a reference measured in the same run: one main-effects IRLS fit of
// the same table ("the search costs N fits").
// Usage: haven_mse_bench [--data DIR] [--threads 2]   (DIR defaults to ../shared/data/mse)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "stats/mse_internal.hpp"
#include "stats/stats.hpp"

namespace {

using namespace haven::stats;
using Stopwatch = std::chrono::steady_clock;

template <class F>
double median_seconds(int repetitions, F&& f) {
  std::vector<double> times;
  for (int i = 0; i < repetitions; ++i) {
    const auto t0 = Stopwatch::now();
    f();
    times.push_back(std::chrono::duration<double>(Stopwatch::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The reference: one main-effects Poisson fit (design built, IRLS to convergence).
double one_fit_seconds(const detail::Cells& cells) {
  volatile double sink = 0;
  const int batch = 200;
  return median_seconds(15, [&] {
           for (int i = 0; i < batch; ++i) sink = sink + detail::fit_model(cells, {}, false)->total();
         }) /
         batch;
}

void row(const char* what, double seconds, double reference, const char* target) {
  std::printf("| %s | %.1f ms | %.0f fits | %s |\n", what, seconds * 1e3, seconds / reference, target);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "../shared/data/mse";
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) dir = argv[i + 1];
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
  }
  auto uk5 = read_capture_table(dir + "/UKdat_5.csv");
  auto uk6 = read_capture_table(dir + "/UKdat.csv");
  if (!uk5.ok() || !uk6.ok()) {
    std::fprintf(stderr, "cannot read UKdat_5.csv / UKdat.csv under %s (use --data DIR)\n", dir.c_str());
    return 1;
  }
  const detail::Cells cells5 = detail::cells_of(*uk5), cells6 = detail::cells_of(*uk6);
  const double fit5 = one_fit_seconds(cells5), fit6 = one_fit_seconds(cells6);
  std::printf("reference: one main-effects IRLS fit: 5 lists %.1f us, 6 lists %.1f us; %d threads\n\n", fit5 * 1e6,
              fit6 * 1e6, threads);
  std::printf("| measure | time (median) | in main-effects fits of the same table | target |\n|---|---|---|---|\n");

  std::size_t fitted = 0, refused = 0;
  const double search5 = median_seconds(5, [&] {
    const auto best = detail::search_by_criterion(cells5, threads);
    fitted = best.models_fitted;
    refused = best.models_refused;
  });
  char label[160];
  std::snprintf(label, sizeof label, "UKdat_5: AIC and BIC over all %zu pairwise-interaction models (exhaustive)", fitted);
  row(label, search5, fit5, "< 1 s");

  EstimateOptions stepwise;
  stepwise.sensitivity = false;
  stepwise.profile = false;
  stepwise.threads = threads;
  const double step6 = median_seconds(5, [&] { (void)estimate_population(*uk6, stepwise); });
  row("UKdat: stepwise selection and fit", step6, fit6, "—");

  EstimateOptions boot = stepwise;
  boot.bootstrap = 1000;
  boot.seed = 1;
  int failed = 0;
  const double boot6 = median_seconds(3, [&] {
    auto e = estimate_population(*uk6, boot);
    failed = e.ok() && e->bootstrap ? e->bootstrap->failed : -1;
  });
  row("UKdat: stepwise + 1,000-replicate parametric bootstrap (BCa, model refitted)", boot6, fit6, "< 1 s");

  EstimateOptions reselect = boot;
  reselect.bootstrap_reselect = true;
  const double reselect6 = median_seconds(1, [&] { (void)estimate_population(*uk6, reselect); });
  row("UKdat: stepwise + 1,000-replicate bootstrap re-running the stepwise selection", reselect6, fit6, "—");

  std::size_t fitted6 = 0;
  const double search6 = median_seconds(3, [&] { fitted6 = detail::search_by_criterion(cells6, threads).models_fitted; });
  std::snprintf(label, sizeof label, "UKdat: AIC and BIC over all %zu pairwise-interaction models (exhaustive)", fitted6);
  row(label, search6, fit6, "< 1 s (DESIGN.md)");

  EstimateOptions full;
  full.threads = threads;
  const double cli6 = median_seconds(3, [&] { (void)estimate_population(*uk6, full); });
  row("UKdat: `haven estimate` defaults (stepwise, profile interval, sensitivity table)", cli6, fit6, "—");

  std::printf("\nUKdat_5 search: %zu better-scoring models failed the existence check; bootstrap failed replicates: %d\n",
              refused, failed);
  return 0;
}
