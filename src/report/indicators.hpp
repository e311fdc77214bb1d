// Private to haven_report: what the indicator builders share.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "report/report.hpp"
#include "stats/stats.hpp"

namespace haven::report {

// The text of a scanned value; empty for null or anything else.
std::string text(const Json& value);

// "2026", "2026-Q3" or "2026-07" for a YYYY-MM-DD (or date-time) under the request's period.
std::string period_of(const std::string& date, const std::string& period);
// Within the request's from..to (dates compared as YYYY-MM-DD text).
bool in_range(const std::string& date, const ReportRequest& request);
// Days from a to b (YYYY-MM-DD); nullopt when either is not a date.
std::optional<double> days_between(const std::string& a, const std::string& b);

// The public facts of a case that indicators group by.
struct CaseFacts {
  std::string form, region, country, opened_on, closed_on, status;
};
Result<std::map<std::int64_t, CaseFacts>> load_cases(Transaction& tx, std::int64_t org_id);
// The value of the request's grouping for a case ("" when not grouped; "unknown" when unset).
std::string group_of(const CaseFacts& facts, const std::string& by);
std::string group_column(const std::string& by);  // "region", "form of exploitation" or ""

Result<Report> funnel_report(Transaction& tx, const ReportRequest& request);
Result<Report> time_to_justice_report(Transaction& tx, const ReportRequest& request);
Result<Report> outcomes_report(Transaction& tx, const ReportRequest& request);
Result<Report> strengthening_report(Transaction& tx, const ReportRequest& request);

// A Kaplan–Meier curve as a chart series over months, with its pointwise band.
Series survival_series(const std::string& name, const stats::SurvivalCurve& curve);
// A median (or one of its limits) of a row whose subjects sit in `subjects_column`: suppressed
// with that count; empty when there is none.
Cell median_cell(const std::optional<double>& days, std::size_t subjects_column);

// A chart over a table's rows after suppression: suppressed or empty cells are gaps (NaN), so a
// chart never shows what the table hides. One series per value column; x is the row index and
// categories come from `label_column`.
Chart chart_from_table(const Table& table, std::size_t label_column, const std::vector<std::size_t>& value_columns,
                       Chart::Kind kind, std::string title, std::string y_label);

}  // namespace haven::report
