// haven report: the evidence layer's indicators from the command line, as text, JSON, CSV or XLSX,
// with a chart as SVG or PNG.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "report/report.hpp"

namespace haven::cli {
namespace {

Status write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return Error{ErrorCode::kUnavailable, "cannot write " + path, path};
  return Status::Ok();
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int run_report(const ReportOptions& options) {
  report::ReportRequest request;
  request.name = options.name;
  request.org_id = options.org_id;
  request.period = options.period;
  request.by = options.by;
  request.from = options.from;
  request.to = options.to;
  request.min_cell = options.min_cell;
  SystemClock clock;
  request.as_of = options.as_of.empty() ? format_date(clock.now()) : options.as_of;
  if (auto checked = report::check_request(request); !checked.ok()) return fail(checked.error());
  if (options.format != "text" && options.format != "json" && options.format != "csv" && options.format != "xlsx")
    return fail("--format must be text, json, csv or xlsx", 2);
  if (options.format == "xlsx" && options.out.empty()) return fail("--format xlsx needs --out FILE.xlsx", 2);
  if (!options.chart.empty() && !ends_with(options.chart, ".svg") && !ends_with(options.chart, ".png"))
    return fail("--chart must name a .svg or .png file", 2);

  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
  if (!data.ok()) return fail(data.error());
  auto tx = data->store->begin(false);
  if (!tx.ok()) return fail(tx.error());
  auto built = report::build_report(**tx, request);
  if (!built.ok()) return fail(built.error());
  (*tx).reset();
  const report::Report& result = *built;
  if (auto recorded = data->record("report", "report", options.org_id, {{"report", options.name}, {"format", options.format}, {"parameters", result.parameters}});
      !recorded.ok())
    return fail(recorded.error());
  data->close_audit();

  std::string output;
  if (options.format == "text") {
    output = report::to_text(result);
  } else if (options.format == "json") {
    output = report::to_json(result).dump(2) + "\n";
  } else if (options.format == "csv") {
    const report::Table* table = &result.tables.front();
    if (!options.table.empty()) {
      table = nullptr;
      std::string names;
      for (const auto& t : result.tables) {
        if (t.name == options.table) table = &t;
        names += (names.empty() ? "" : ", ") + t.name;
      }
      if (!table) return fail("this report has no table " + options.table + "; its tables are " + names, 2);
    }
    output = report::to_csv(*table);
  } else {
    auto xlsx = report::to_xlsx(result);
    if (!xlsx.ok()) return fail(xlsx.error());
    output = std::move(xlsx.value());
  }
  if (options.out.empty()) {
    std::cout << output;
  } else if (auto written = write_file(options.out, output); !written.ok()) {
    return fail(written.error());
  }

  if (!options.chart.empty()) {
    if (options.chart_index >= result.charts.size())
      return fail("this report has " + std::to_string(result.charts.size()) + " charts; --chart-index counts from 0", 2);
    const auto& chart = result.charts[options.chart_index];
    auto drawn = ends_with(options.chart, ".svg") ? report::chart_svg(chart) : report::chart_png(chart);
    if (!drawn.ok()) return fail(drawn.error());
    if (auto written = write_file(options.chart, *drawn); !written.ok()) return fail(written.error());
    std::fprintf(stderr, "Chart \"%s\" written to %s\n", chart.title.c_str(), options.chart.c_str());
  }
  return 0;
}

}  // namespace haven::cli
