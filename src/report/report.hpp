// Indicators for governments and donors: the justice pipeline, time to justice, survivor
// outcomes and justice-system strengthening, computed from public (unsealed) fields only and
// published with small-cell suppression. Definitions: docs/indicators.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/core.hpp"
#include "stats/stats.hpp"
#include "store/store.hpp"

namespace haven::report {

// A value in a report table. Counts of people or events below the request's min_cell are
// suppressed (shown as "<5"), and so is anything computed from a suppressed count.
struct Cell {
  enum class Kind { kEmpty, kCount, kNumber, kText } kind = Kind::kEmpty;
  double number = 0;
  std::string text;
  bool suppressed = false;
  // A number computed from counts in these columns of the same row: suppressed with them.
  std::vector<std::size_t> derived_from;

  static Cell count(std::int64_t value) { return {Kind::kCount, static_cast<double>(value), {}, false, {}}; }
  static Cell value(double value, std::vector<std::size_t> derived_from = {}) {
    return {Kind::kNumber, value, {}, false, std::move(derived_from)};
  }
  static Cell label(std::string text) { return {Kind::kText, 0, std::move(text), false, {}}; }
  static Cell empty() { return {}; }
};

struct Table {
  std::string name;   // machine name: funnel, medians, ...
  std::string title;  // for people
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  // Rows from this index on are totals of the rows before (for complementary suppression).
  std::size_t total_rows_from = SIZE_MAX;
  int min_cell = 0;  // set by suppress_small_cells: suppressed cells read "<min_cell"
};

struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> low, high;  // optional band, same length as y
};

struct Chart {
  enum class Kind { kBars, kLines, kSteps } kind = Kind::kBars;
  std::string title, x_label, y_label;
  std::vector<std::string> categories;  // bars: one label per x position (x = 0, 1, 2, ...)
  std::vector<Series> series;
  double y_max = 0;  // 0: from the data
};

struct Report {
  std::string name, title;
  Json parameters = Json::object();
  std::vector<Table> tables;
  std::vector<Chart> charts;
  std::vector<std::string> notes;  // caveats a reader needs (censoring, suppression, definitions)
};

struct ReportRequest {
  std::string name;              // one of report_names()
  std::int64_t org_id = 0;       // 0: every organisation (national figures)
  std::string period = "year";   // year, quarter or month
  std::string by;                // empty, region or exploitation_form
  std::string from, to;          // YYYY-MM-DD, inclusive; empty: unbounded
  int min_cell = 5;              // counts from 1 to min_cell - 1 are suppressed; 0 turns it off
  std::string as_of;             // YYYY-MM-DD: open cases are censored here (today)
};

// funnel, time-to-justice, outcomes, strengthening.
const std::vector<std::string>& report_names();
// kInvalidArgument naming the parameter for an unknown report, period, grouping or date.
Status check_request(const ReportRequest& request);
Result<Report> build_report(Transaction& tx, const ReportRequest& request);

// Applies the small-cell rule to every table: counts below min_cell, cells derived from them,
// and where a total row would let a reader subtract a single suppressed cell back, the next
// smallest cell of that column as well.
void suppress_small_cells(Report& report, int min_cell);

// Capture histories from Haven's own records, for multiple systems estimation: every victim (a
// person with the victim role in a case opened in the period and region; duplicates merged into
// one) is on the list of each channel through which their cases were reported (hotline,
// community, police, ...) and on "operation" when a case of theirs had a rescue, arrest,
// inspection or intervention. kFailedPrecondition when fewer than two lists found anyone.
struct CaptureRequest {
  std::int64_t org_id = 0;  // 0: every organisation
  std::string from, to;     // cases opened within (YYYY-MM-DD, inclusive)
  std::string region;       // empty: every region
};
Result<stats::CaptureTable> capture_histories(Transaction& tx, const CaptureRequest& request);

Json to_json(const Report& report);
std::string to_csv(const Table& table);
// For a terminal: each table with aligned columns, then the notes.
std::string to_text(const Report& report);
Result<std::string> to_xlsx(const Report& report);  // one worksheet per table
Result<std::string> chart_svg(const Chart& chart);
Result<std::string> chart_png(const Chart& chart);

}  // namespace haven::report
