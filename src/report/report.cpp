#include <algorithm>
#include <cmath>
#include <limits>

#include "report/indicators.hpp"

namespace haven::report {

const std::vector<std::string>& report_names() {
  static const std::vector<std::string> names = {"funnel", "time-to-justice", "outcomes", "strengthening"};
  return names;
}

Status check_request(const ReportRequest& request) {
  const auto& names = report_names();
  if (std::find(names.begin(), names.end(), request.name) == names.end())
    return invalid("no report named '" + request.name + "'; reports are funnel, time-to-justice, outcomes and strengthening", "report");
  if (request.period != "year" && request.period != "quarter" && request.period != "month")
    return invalid("period must be year, quarter or month", "period");
  if (!request.by.empty() && request.by != "region" && request.by != "exploitation_form")
    return invalid("by must be region or exploitation_form (or left out)", "by");
  for (const auto& [name, value] : {std::pair{"from", request.from}, std::pair{"to", request.to}, std::pair{"as_of", request.as_of}})
    if (!value.empty() && !parse_date(value)) return invalid(std::string(name) + " must be a date, YYYY-MM-DD", name);
  if (request.as_of.empty()) return invalid("as_of (today) is required: open cases are censored there", "as_of");
  if (request.min_cell < 0 || request.min_cell > 100) return invalid("min_cell must be between 0 and 100", "min_cell");
  return Status::Ok();
}

std::string text(const Json& value) { return value.is_string() ? value.get<std::string>() : std::string(); }

Series survival_series(const std::string& name, const stats::SurvivalCurve& curve) {
  constexpr double kDaysPerMonth = 30.44;
  Series series{name, {0}, {1}, {1}, {1}};
  for (const auto& step : curve.steps) {
    series.x.push_back(step.time / kDaysPerMonth);
    series.y.push_back(step.survival);
    series.low.push_back(step.low);
    series.high.push_back(step.high);
  }
  return series;
}

Cell median_cell(const std::optional<double>& days, std::size_t subjects_column) {
  return days ? Cell::value(*days, {subjects_column}) : Cell::empty();
}

std::string period_of(const std::string& date, const std::string& period) {
  if (date.size() < 7) return "unknown";
  if (period == "year") return date.substr(0, 4);
  if (period == "month") return date.substr(0, 7);
  const int month = std::atoi(date.substr(5, 2).c_str());
  return date.substr(0, 4) + "-Q" + std::to_string((month - 1) / 3 + 1);
}

bool in_range(const std::string& date, const ReportRequest& request) {
  const std::string day = date.substr(0, 10);
  if (!request.from.empty() && day < request.from) return false;
  if (!request.to.empty() && day > request.to) return false;
  return !day.empty();
}

std::optional<double> days_between(const std::string& a, const std::string& b) {
  const auto start = parse_date(a.substr(0, 10)), end = parse_date(b.substr(0, 10));
  if (!start || !end) return std::nullopt;
  return static_cast<double>(*end - *start);
}

Result<std::map<std::int64_t, CaseFacts>> load_cases(Transaction& tx, std::int64_t org_id) {
  std::map<std::int64_t, CaseFacts> cases;
  HAVEN_TRY(tx.scan(*find_entity("case"), org_id, {"exploitation_form", "region", "country", "opened_on", "closed_on", "status"},
                    [&](std::int64_t id, std::int64_t, const std::vector<Json>& v) {
                      cases[id] = {text(v[0]), text(v[1]), text(v[2]), text(v[3]), text(v[4]), text(v[5])};
                    }));
  return cases;
}

std::string group_of(const CaseFacts& facts, const std::string& by) {
  if (by.empty()) return "";
  const std::string& value = by == "region" ? facts.region : facts.form;
  return value.empty() ? "unknown" : value;
}

std::string group_column(const std::string& by) {
  if (by == "region") return "region";
  if (by == "exploitation_form") return "form of exploitation";
  return "";
}

Chart chart_from_table(const Table& table, std::size_t label_column, const std::vector<std::size_t>& value_columns,
                       Chart::Kind kind, std::string title, std::string y_label) {
  Chart chart;
  chart.kind = kind;
  chart.title = std::move(title);
  chart.y_label = std::move(y_label);
  chart.x_label = label_column < table.columns.size() ? table.columns[label_column] : "";
  const std::size_t rows = std::min(table.total_rows_from, table.rows.size());
  for (std::size_t r = 0; r < rows; ++r) chart.categories.push_back(table.rows[r][label_column].text);
  for (std::size_t column : value_columns) {
    Series series;
    series.name = table.columns[column];
    for (std::size_t r = 0; r < rows; ++r) {
      const Cell& cell = table.rows[r][column];
      series.x.push_back(static_cast<double>(r));
      const bool shown = !cell.suppressed && (cell.kind == Cell::Kind::kCount || cell.kind == Cell::Kind::kNumber);
      series.y.push_back(shown ? cell.number : std::numeric_limits<double>::quiet_NaN());
    }
    chart.series.push_back(std::move(series));
  }
  return chart;
}

Result<Report> build_report(Transaction& tx, const ReportRequest& request) {
  HAVEN_TRY(check_request(request));
  Result<Report> report = request.name == "funnel"            ? funnel_report(tx, request)
                          : request.name == "time-to-justice" ? time_to_justice_report(tx, request)
                          : request.name == "outcomes"        ? outcomes_report(tx, request)
                                                              : strengthening_report(tx, request);
  HAVEN_TRY(report);
  report->name = request.name;
  report->parameters["period"] = request.period;
  if (!request.by.empty()) report->parameters["by"] = request.by;
  if (!request.from.empty()) report->parameters["from"] = request.from;
  if (!request.to.empty()) report->parameters["to"] = request.to;
  report->parameters["as_of"] = request.as_of;
  report->parameters["min_cell"] = request.min_cell;
  if (request.min_cell > 1)
    report->notes.push_back("Counts from 1 to " + std::to_string(request.min_cell - 1) + " are shown as <" +
                            std::to_string(request.min_cell) +
                            ", with anything computed from them, so that no one can be recognised from a small number.");
  return report;
}

}  // namespace haven::report
