// Exports over HTTP: the records of one collection as the caller may see them, as CSV or XLSX,
// with the same filters and sort as the list route. Analysts and auditors get the pseudonymised
// view (no identifying or sensitive column, persons with an age band); staff limited to need to
// know get only the records of their cases. Aggregates with small-cell suppression are the
// reports' business (/api/v1/reports/{name}?format=csv|xlsx).
#include <memory>
#include <sstream>

#include "api/http.hpp"
#include "csv/csv.hpp"
#include "report/report.hpp"

namespace haven {
namespace {

using http::Caller;
using http::send_error;
using http::send_problem;

constexpr std::size_t kPageSize = 1000;
// A workbook is built in memory (libxlsxwriter), and spreadsheets open slowly well before
// Excel's limit of 1,048,576 rows; CSV streams any number.
constexpr std::size_t kMaxWorkbookRows = 100'000;

// Which columns of csv_columns(spec) the caller may see, and their header.
struct ExportColumns {
  std::vector<std::string> header;
  std::vector<std::size_t> kept;  // indexes into record_cells(spec, record)
  bool age_band = false;          // a pseudonymised person: "age_band" added last
};

ExportColumns columns_for(const Principal& principal, const EntitySpec& spec) {
  ExportColumns columns;
  const bool pseudonymised = sees_pseudonymised(principal);
  const auto all = csv_columns(spec);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const FieldSpec* field = spec.field(all[i]);
    if (pseudonymised && field && field->sensitivity != Sensitivity::kPublic) continue;
    columns.header.push_back(all[i]);
    columns.kept.push_back(i);
  }
  if (pseudonymised && spec.kind == "person") {
    columns.header.push_back("age_band");
    columns.age_band = true;
  }
  return columns;
}

std::vector<std::string> cells_for(const ExportColumns& columns, const EntitySpec& spec, const Record& record) {
  const auto all = record_cells(spec, record);
  std::vector<std::string> cells;
  cells.reserve(columns.header.size());
  for (std::size_t i : columns.kept) cells.push_back(all[i]);
  if (columns.age_band) cells.push_back(age_band(record.fields, record.created_at.substr(0, 10)));
  return cells;
}

// The list query of the request, without the export's own parameter.
Result<ListQuery> export_query(const EntitySpec& spec, const httplib::Request& req, const Principal& principal) {
  httplib::Request filters;
  for (const auto& [name, value] : req.params)
    if (name != "cursor" && name != "limit") filters.params.emplace(name, value);
  auto query = http::parse_list_query(spec, filters);
  HAVEN_TRY(query);
  if (!query->exact.empty() && !limited_to_need_to_know(principal) && sees_pseudonymised(principal))
    return Error{ErrorCode::kPermissionDenied, "looking people up by identifying fields is not open to analysts and auditors", ""};
  if (limited_to_need_to_know(principal)) query->need_to_know_user = principal.user_id;
  query->limit = kPageSize;
  return query;
}

// The filters as the audit log may record them: names only for identifying look-ups.
Json described_filters(const ListQuery& query) {
  Json out = Json::object();
  for (const auto& filter : query.filters) out[filter.field] = filter.value;
  for (const auto& [field, value] : query.exact) out[field] = "(exact match)";
  return out;
}

// Pages through the query across requests of the streaming response: each page in its own read
// transaction, so a long download never holds one open; keyset paging never repeats or skips.
struct CsvExport {
  Store& store;
  const EntitySpec& spec;
  std::int64_t org_id;
  ListQuery query;
  ExportColumns columns;
  bool started = false, finished = false;

  Result<std::string> next_chunk() {
    std::ostringstream out;
    if (!started) {
      out << "\xEF\xBB\xBF";  // spreadsheets read the file as UTF-8 only with a byte order mark
      write_csv_row(out, columns.header);
      started = true;
    }
    auto tx = store.begin(false);
    HAVEN_TRY(tx);
    auto page = (*tx)->list(spec, org_id, query);
    HAVEN_TRY(page);
    for (const auto& record : page->records) write_csv_row(out, cells_for(columns, spec, record));
    finished = page->next_cursor.empty() || page->records.empty();
    query.cursor = std::move(page->next_cursor);
    return out.str();
  }
};

}  // namespace

void ApiServer::Impl::export_routes() {
  server.Get(R"(/api/v1/exports/([a-z-]+)\.(csv|xlsx))", [this](const httplib::Request& req, httplib::Response& res) {
    const EntitySpec* spec = find_entity(req.matches[1].str());
    if (!spec || spec->collection != req.matches[1].str())
      return send_problem(res, 404, "no collection " + req.matches[1].str() + " to export; see /api/v1/openapi.json");
    auto caller = caller_of(req);
    if (!caller.ok()) return send_error(res, caller.error());
    if (auto allowed = authorize(caller->principal, Action::kExport, *spec); !allowed.ok()) return send_error(res, allowed.error());
    auto query = export_query(*spec, req, caller->principal);
    if (!query.ok()) return send_error(res, query.error());
    const std::string format = req.matches[2].str();
    const std::int64_t org_id = spec->org_scoped ? caller->principal.org_id : 0;
    const ExportColumns columns = columns_for(caller->principal, *spec);
    // One event for the whole export (what, how filtered, which columns left the system),
    // committed before any record leaves: no export goes unrecorded.
    {
      const AuditEvent event = event_for(*caller, "export", spec->kind, 0,
                                         {{"format", format}, {"filters", described_filters(*query)}, {"columns", columns.header},
                                          {"pseudonymised", sees_pseudonymised(caller->principal)}});
      auto tx = store.begin(true);
      Status recorded = tx.ok() ? audit.append(**tx, event) : tx.status();
      if (recorded.ok()) recorded = (*tx)->commit();
      if (!recorded.ok()) return send_error(res, recorded.error());
    }
    const std::string filename = "haven-" + spec->collection + "-" + format_datetime(clock.now()).substr(0, 10);
    res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "." + format + "\"");
    res.set_header("Cache-Control", "no-store");

    if (format == "csv") {
      auto state = std::make_shared<CsvExport>(CsvExport{store, *spec, org_id, std::move(*query), columns});
      // The first page is read before the response starts, so a failure still gets its status.
      auto first = state->next_chunk();
      if (!first.ok()) return send_error(res, first.error());
      auto pending = std::make_shared<std::string>(std::move(first.value()));
      res.set_chunked_content_provider("text/csv; charset=utf-8", [state, pending](std::size_t, httplib::DataSink& sink) {
        if (!pending->empty()) {
          if (!sink.write(pending->data(), pending->size())) return false;
          pending->clear();
        }
        if (state->finished) {
          sink.done();
          return true;
        }
        auto chunk = state->next_chunk();
        // Failing the provider aborts the transfer: the client sees a broken download, never a
        // file that looks complete without being so.
        if (!chunk.ok()) return false;
        *pending = std::move(chunk.value());
        return true;
      });
      return;
    }

    report::Report workbook;
    workbook.title = spec->collection + " exported from Haven on " + format_datetime(clock.now()) + " UTC by " +
                     caller->principal.username;
    report::Table table;
    table.name = spec->collection;
    table.title = workbook.title;
    table.columns = columns.header;
    auto tx = store.begin(false);
    if (!tx.ok()) return send_error(res, tx.error());
    while (true) {
      auto page = (*tx)->list(*spec, org_id, *query);
      if (!page.ok()) return send_error(res, page.error());
      for (const auto& record : page->records) {
        if (table.rows.size() == kMaxWorkbookRows)
          return send_problem(res, 413, "more than " + std::to_string(kMaxWorkbookRows) +
                                            " records match: narrow the filters, or export as CSV (no limit)");
        std::vector<report::Cell> row;
        for (auto& cell : cells_for(columns, *spec, record)) row.push_back(report::Cell::label(unguard_formula(cell)));
        table.rows.push_back(std::move(row));
      }
      if (page->next_cursor.empty() || page->records.empty()) break;
      query->cursor = std::move(page->next_cursor);
    }
    (*tx).reset();
    workbook.tables.push_back(std::move(table));
    workbook.notes.push_back(sees_pseudonymised(caller->principal)
                                 ? "Pseudonymised: identifying and sensitive fields are left out; persons carry an age band "
                                   "instead of a birth date. Display codes identify records within Haven only."
                                 : "Contains identifying data of survivors and witnesses: store it encrypted, share it only "
                                   "with those who need to know, and delete it when done. This export is in the audit log.");
    auto bytes = report::to_xlsx(workbook);
    if (!bytes.ok()) return send_error(res, bytes.error());
    res.set_content(std::move(bytes.value()), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  });
}

}  // namespace haven
