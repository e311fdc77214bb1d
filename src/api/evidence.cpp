// The evidence layer over HTTP: indicator reports (JSON, CSV, XLSX, charts as SVG or PNG) for
// the caller's organisation, and multiple systems estimation from an uploaded capture-history
// table. Reports use public fields only and always apply small-cell suppression.
#include "api/http.hpp"
#include "report/report.hpp"
#include "stats/stats.hpp"

namespace haven {
namespace {

using http::Caller;
using http::send_error;
using http::send_json;
using http::send_problem;

// Aggregates of the whole organisation are for those who oversee its work.
Status may_see_reports(const Principal& principal) {
  for (const char* role : {"supervisor", "analyst", "org_admin", "system_admin"})
    if (principal.has_role(role)) return Status::Ok();
  return Error{ErrorCode::kPermissionDenied, "reports are for supervisors, analysts and administrators", ""};
}

// At most this many bootstrap replicates per request, so one request cannot hold the server's
// cores for long; the command line has no such limit.
constexpr std::int64_t kMaxApiBootstrap = 2000;

Result<report::ReportRequest> report_request(const httplib::Request& req, const Principal& principal, const Clock& clock) {
  report::ReportRequest request;
  request.name = req.matches[1].str();
  request.org_id = principal.org_id;
  request.as_of = format_date(clock.now());
  for (auto [name, target] : {std::pair{"period", &request.period}, std::pair{"by", &request.by}, std::pair{"from", &request.from},
                              std::pair{"to", &request.to}})
    if (req.has_param(name)) *target = req.get_param_value(name);
  auto min_cell = http::integer_param(req, "min_cell");
  HAVEN_TRY(min_cell);
  // The suppression threshold can be raised through the API, never lowered below the default.
  request.min_cell = static_cast<int>(std::clamp<std::int64_t>(*min_cell, 5, 100));
  HAVEN_TRY(report::check_request(request));
  return request;
}

Result<stats::CaptureTable> capture_table_of(const httplib::Request& req, std::size_t max_bytes) {
  if (req.body.size() > max_bytes) return Error{ErrorCode::kPayloadTooLarge, "the table is larger than the server accepts", ""};
  if (req.get_header_value("Content-Type").rfind("text/csv", 0) == 0) return stats::parse_capture_table(req.body);
  auto body = http::parse_body(req, max_bytes);
  HAVEN_TRY(body);
  if (body->contains("csv") && (*body)["csv"].is_string()) return stats::parse_capture_table((*body)["csv"].get<std::string>());
  if (!body->contains("lists") || !(*body)["lists"].is_array() || !body->contains("rows") || !(*body)["rows"].is_array())
    return invalid("send a capture-history table as text/csv, as {\"csv\": \"...\"}, or as {\"lists\": [names], \"rows\": "
                   "[{\"on\": [0 or 1 per list], \"count\": n}]}",
                   "/rows");
  std::vector<std::string> lists;
  for (const auto& name : (*body)["lists"]) {
    if (!name.is_string()) return invalid("list names are text", "/lists");
    lists.push_back(name.get<std::string>());
  }
  std::vector<stats::CaptureRow> rows;
  for (std::size_t i = 0; i < (*body)["rows"].size(); ++i) {
    const Json& row = (*body)["rows"][i];
    const std::string where = "/rows/" + std::to_string(i);
    if (!row.is_object() || !row.contains("on") || !row["on"].is_array() || !row.contains("count"))
      return invalid("each row is {\"on\": [0 or 1 per list], \"count\": n}", where);
    if (!row["count"].is_number_unsigned()) return invalid("count must be a whole number, zero or more", where + "/count");
    stats::CaptureRow capture;
    for (const auto& flag : row["on"]) {
      if (!flag.is_number_integer() || (flag != 0 && flag != 1)) return invalid("each flag is 0 or 1", where + "/on");
      capture.on_list.push_back(flag == 1);
    }
    capture.count = row["count"].get<std::uint64_t>();
    rows.push_back(std::move(capture));
  }
  return stats::make_capture_table(std::move(lists), rows);
}

Result<stats::EstimateOptions> estimate_options(const httplib::Request& req) {
  stats::EstimateOptions options;
  if (req.has_param("select")) {
    auto selection = stats::parse_selection(req.get_param_value("select"));
    if (!selection || (*selection != stats::Selection::kStepwise && *selection != stats::Selection::kAic &&
                       *selection != stats::Selection::kBic))
      return invalid("select must be stepwise, aic or bic", "select");
    options.selection = *selection;
  }
  if (req.has_param("threshold")) {
    try {
      options.threshold = std::stod(req.get_param_value("threshold"));
    } catch (const std::exception&) {
      return invalid("threshold must be a number between 0 and 1", "threshold");
    }
  }
  auto bootstrap = http::integer_param(req, "bootstrap");
  HAVEN_TRY(bootstrap);
  if (*bootstrap > kMaxApiBootstrap)
    return invalid("at most " + std::to_string(kMaxApiBootstrap) + " bootstrap replicates per request", "bootstrap");
  options.bootstrap = static_cast<int>(*bootstrap);
  auto seed = http::integer_param(req, "seed");
  HAVEN_TRY(seed);
  if (*seed > 0) options.seed = static_cast<std::uint64_t>(*seed);
  return options;
}

// The estimate as JSON, with the report a person reads.
Json estimate_body(const stats::MseEstimate& estimate) {
  Json body = stats::to_json(estimate);
  body["report"] = stats::render_report(estimate);
  return body;
}

}  // namespace

void ApiServer::Impl::evidence_routes() {
  server.Get("/api/v1/reports", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    // The path is also the collection of received reports (intake): with list parameters (sort,
    // limit, cursor, a filter) it lists those, as every other collection does.
    if (!req.params.empty()) {
      const EntitySpec& intake = *find_entity("report");
      if (auto allowed = authorize(caller->principal, Action::kList, intake); !allowed.ok()) return send_error(res, allowed.error());
      return list_records(req, res, intake, *caller);
    }
    if (auto allowed = may_see_reports(caller->principal); !allowed.ok()) return send_error(res, allowed.error());
    send_json(res, 200, {{"items", report::report_names()}});
  });

  // /api/v1/reports/{name}, and /api/v1/reports/{name}/charts/{index}.svg or .png
  server.Get(R"(/api/v1/reports/([a-z-]+)(?:/charts/(\d+)\.(svg|png))?)", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = may_see_reports(caller->principal); !allowed.ok()) return send_error(res, allowed.error());
    auto request = report_request(req, caller->principal, clock);
    if (!request.ok()) return send_error(res, request.error());
    const std::string format = req.matches[3].matched ? req.matches[3].str() : req.has_param("format") ? req.get_param_value("format") : "json";
    if (format != "json" && format != "csv" && format != "xlsx" && format != "svg" && format != "png")
      return send_problem(res, 400, "format must be json, csv or xlsx", "format");
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    auto built = report::build_report(**tx, *request);
    if (!built.ok()) return send_error(res, built.error());
    (*tx).reset();
    audit.append_read(event_for(*caller, "report", "", 0, {{"report", request->name}, {"format", format}, {"parameters", built->parameters}}));

    if (format == "svg" || format == "png") {
      const std::size_t index = std::stoul(req.matches[2].str());
      if (index >= built->charts.size())
        return send_problem(res, 404, "this report has " + std::to_string(built->charts.size()) + " charts, numbered from 0");
      auto drawn = format == "svg" ? report::chart_svg(built->charts[index]) : report::chart_png(built->charts[index]);
      if (!drawn.ok()) return send_error(res, drawn.error());
      return res.set_content(*drawn, format == "svg" ? "image/svg+xml" : "image/png");
    }
    if (format == "json") return send_json(res, 200, report::to_json(*built));
    const std::string filename = "haven-" + request->name + "-" + request->as_of;
    if (format == "xlsx") {
      auto xlsx = report::to_xlsx(*built);
      if (!xlsx.ok()) return send_error(res, xlsx.error());
      res.set_header("Content-Disposition", "attachment; filename=\"" + filename + ".xlsx\"");
      return res.set_content(*xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    }
    const std::string wanted = req.has_param("table") ? req.get_param_value("table") : built->tables.front().name;
    for (const auto& table : built->tables) {
      if (table.name != wanted) continue;
      res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "-" + table.name + ".csv\"");
      return res.set_content(report::to_csv(table), "text/csv; charset=utf-8");
    }
    send_problem(res, 400, "this report has no table " + wanted, "table");
  });

  // Haven's own victims as capture histories (report::capture_histories): aggregates, so for
  // those who may see reports.
  server.Get("/api/v1/estimates/haven", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = may_see_reports(caller->principal); !allowed.ok()) return send_error(res, allowed.error());
    report::CaptureRequest request;
    request.org_id = caller->principal.org_id;
    for (auto [name, target] : {std::pair{"from", &request.from}, std::pair{"to", &request.to}, std::pair{"region", &request.region}})
      if (req.has_param(name)) *target = req.get_param_value(name);
    auto settings = estimate_options(req);
    if (!settings.ok()) return send_error(res, settings.error());
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    auto table = report::capture_histories(**tx, request);
    if (!table.ok()) return send_error(res, table.error());
    (*tx).reset();
    auto estimate = stats::estimate_population(*table, *settings);
    if (!estimate.ok()) return send_error(res, estimate.error());
    audit.append_read(event_for(*caller, "estimate", "", 0, {{"source", "haven"}, {"lists", table->list_count()}, {"observed", table->observed()}}));
    send_json(res, 200, estimate_body(*estimate));
  });

  server.Post("/api/v1/estimates", [this](const httplib::Request& req, httplib::Response& res) {
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    auto table = capture_table_of(req, options.max_body_bytes);
    if (!table.ok()) return send_error(res, table.error());
    auto settings = estimate_options(req);
    if (!settings.ok()) return send_error(res, settings.error());
    auto estimate = stats::estimate_population(*table, *settings);
    if (!estimate.ok()) return send_error(res, estimate.error());
    audit.append_read(event_for(*caller, "estimate", "", 0, {{"lists", table->list_count()}, {"observed", table->observed()}}));
    if (req.has_param("format") && req.get_param_value("format") == "svg")
      return res.set_content(stats::render_chart_svg(*estimate), "image/svg+xml");
    send_json(res, 200, estimate_body(*estimate));
  });
}

}  // namespace haven
