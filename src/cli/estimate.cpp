// haven estimate: multiple systems estimation from a capture-history CSV, or from the capture
// histories of Haven's own victims (--data).
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "report/report.hpp"
#include "stats/stats.hpp"

namespace haven::cli {

namespace {

// The capture histories of Haven's own victims (report::capture_histories), audited as a read.
Result<stats::CaptureTable> table_from_data(const EstimateCommandOptions& options) {
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  HAVEN_TRY(data);
  report::CaptureRequest request;
  request.org_id = options.org_id;
  request.from = options.from;
  request.to = options.to;
  request.region = options.region;
  auto tx = data->store->begin(false);
  HAVEN_TRY(tx);
  auto table = report::capture_histories(**tx, request);
  HAVEN_TRY(table);
  (*tx).reset();
  HAVEN_TRY(data->record("estimate", "estimate", options.org_id, {{"lists", table->lists()}, {"observed", table->observed()}}));
  data->close_audit();
  return table;
}

}  // namespace

int run_estimate(const EstimateCommandOptions& options) {
  if (!options.pairs.empty()) return run_estimate_from_pairs(options);
  if (options.file.empty() == options.data_dir.empty()) {
    std::cerr << "haven estimate: give a capture-history FILE, --data DIR for Haven's own victims, or --pairs FILE --records FILE\n";
    return 2;
  }
  auto table = options.file.empty() ? table_from_data(options) : stats::read_capture_table(options.file);
  if (!table.ok() && !options.data_dir.empty()) return fail(table.error());
  if (!table.ok()) {
    const Error& error = table.error();
    if (error.code == ErrorCode::kNotFound || error.code == ErrorCode::kUnavailable) {
      std::cerr << "haven estimate: " << error.message << "\n";
      return kExitFailure;
    }
    std::cerr << "haven estimate: " << options.file << (error.field.empty() ? "" : ", " + error.field) << ": "
              << error.message << "\nNothing was estimated. A capture-history table has one 0/1 column per list "
              << "and a count column (count, n or frequency), one row per capture pattern.\n";
    return kExitBadData;
  }

  stats::EstimateOptions estimate;
  const auto selection = stats::parse_selection(options.select);
  if (!selection || *selection == stats::Selection::kFixed) {
    std::cerr << "haven estimate: --select must be stepwise, aic, bic or main; got \"" << options.select << "\"\n";
    return 2;
  }
  estimate.selection = *selection;
  estimate.threshold = options.threshold;
  estimate.bootstrap = options.bootstrap;
  estimate.seed = options.seed;
  estimate.bootstrap_reselect = options.reselect;
  estimate.sensitivity = !options.no_sensitivity;
  auto result = stats::estimate_population(*table, estimate);
  if (!result.ok()) {
    std::cerr << "haven estimate: " << (result.error().field.empty() ? "" : result.error().field + ": ")
              << result.error().message << "\n";
    return result.error().code == ErrorCode::kInvalidArgument ? 2 : kExitFailure;
  }

  if (!options.chart.empty()) {
    std::ofstream chart(options.chart, std::ios::binary | std::ios::trunc);
    chart << stats::render_chart_svg(*result);
    if (!chart.flush()) {
      std::cerr << "haven estimate: cannot write the chart to " << options.chart << "\n";
      return kExitFailure;
    }
  }
  if (options.json) {
    std::cout << stats::to_json(*result).dump() << "\n";
  } else {
    std::cout << stats::render_report(*result);
    if (!options.chart.empty()) std::cout << "\nChart of observed against fitted counts: " << options.chart << "\n";
  }
  return std::cout.flush() ? 0 : kExitFailure;
}

}  // namespace haven::cli
