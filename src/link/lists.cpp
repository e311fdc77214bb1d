// Reading a list: a CSV file whose header must hold every column the specification names.
// libcsv directly rather than haven_csv's reader: that library brings the whole store with it,
// and linkage needs none of it (a list is a file, not a table of Haven's).
#include <csv.h>

#include <fstream>
#include <functional>
#include <set>
#include <unordered_set>

#include "link/link.hpp"

namespace haven::link {
namespace {

struct CsvRow {
  std::uint64_t line = 0;
  std::vector<std::string> cells;
};

// Calls on_row for every row (header first) with the line it starts on; stops at on_row's first
// error. Errors: a malformed CSV (unclosed quote), a row with another number of cells than the
// header.
Status read_csv(std::istream& in, const std::function<Status(const CsvRow&)>& on_row) {
  struct State {
    CsvRow row;
    std::uint64_t line = 1;
    bool in_row = false;
    std::size_t columns = 0;
    bool header = true;
    Status status;
    const std::function<Status(const CsvRow&)>* on_row = nullptr;
  } state;
  state.on_row = &on_row;
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
    return Error{ErrorCode::kInternal, "cannot start the CSV parser", {}};
  auto on_field = [](void* data, std::size_t size, void* self) {
    auto* s = static_cast<State*>(self);
    if (!s->in_row) s->in_row = true, s->row.line = s->line;
    s->row.cells.emplace_back(static_cast<const char*>(data), size);
  };
  auto on_end = [](int, void* self) {
    auto* s = static_cast<State*>(self);
    if (!s->in_row && s->row.cells.empty()) return;  // a blank line
    if (!s->status.ok()) return;
    if (s->header)
      s->columns = s->row.cells.size(), s->header = false;
    else if (s->row.cells.size() != s->columns)
      s->status = invalid("the row has " + std::to_string(s->row.cells.size()) +
                              " cells but the header " + std::to_string(s->columns),
                          "line " + std::to_string(s->row.line));
    if (s->status.ok()) s->status = (*s->on_row)(s->row);
    s->row = CsvRow{};
    s->in_row = false;
  };
  std::string line;
  bool first = true;
  while (state.status.ok() && std::getline(in, line)) {
    if (first && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
      line.erase(0, 3);  // a byte order mark, from Excel
    first = false;
    line += '\n';
    if (csv_parse(&parser, line.data(), line.size(), on_field, on_end, &state) != line.size()) {
      const std::string why = csv_strerror(csv_error(&parser));
      csv_free(&parser);
      return invalid("the CSV is malformed (" + why + ")", "line " + std::to_string(state.line));
    }
    ++state.line;
  }
  if (state.status.ok() && csv_fini(&parser, on_field, on_end, &state) != 0) {
    csv_free(&parser);
    return invalid("the CSV ends inside a quoted cell (a truncated file?)",
                   "line " + std::to_string(state.line));
  }
  csv_free(&parser);
  if (!state.status.ok()) return state.status;
  if (in.bad()) return Error{ErrorCode::kUnavailable, "the list could not be read", {}};
  if (state.header) return invalid("the file is empty (no header)", "line 1");
  return Status::Ok();
}

}  // namespace

Result<RecordList> read_list(const std::string& path, const std::string& name,
                             const LinkSpec& spec) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot open the list " + path, path};
  RecordList list;
  list.name = name;
  std::vector<std::size_t> field_column(spec.fields.size());
  std::size_t id_column = 0;
  bool header = true;
  std::unordered_set<std::string> seen_ids;
  const Status status = read_csv(in, [&](const CsvRow& row) -> Status {
    if (header) {
      header = false;
      std::vector<std::string> columns;
      for (const std::string& cell : row.cells) {
        // FEBRL writes ", " between header names; a stray blank is never part of a column name.
        const auto a = cell.find_first_not_of(' ');
        const auto b = cell.find_last_not_of(' ');
        columns.push_back(a == std::string::npos ? std::string() : cell.substr(a, b - a + 1));
      }
      auto find = [&](const std::string& column) -> std::size_t {
        for (std::size_t i = 0; i < columns.size(); ++i)
          if (columns[i] == column) return i;
        return columns.size();
      };
      std::vector<std::string> missing;
      for (std::size_t f = 0; f < spec.fields.size(); ++f) {
        field_column[f] = find(spec.fields[f].column);
        if (field_column[f] == columns.size()) missing.push_back(spec.fields[f].column);
      }
      if (!spec.id_column.empty()) {
        id_column = find(spec.id_column);
        if (id_column == columns.size()) missing.push_back(spec.id_column + " (the id column)");
      }
      if (!missing.empty()) {
        std::string message = "the list does not have the column";
        message += missing.size() > 1 ? "s " : " ";
        for (std::size_t i = 0; i < missing.size(); ++i)
          message += (i ? ", \"" : "\"") + missing[i] + "\"";
        message += " that the specification names; its columns are ";
        for (std::size_t i = 0; i < columns.size(); ++i)
          message += (i ? ", \"" : "\"") + columns[i] + "\"";
        return invalid(message, "line 1");
      }
      return Status::Ok();
    }
    std::string id =
        spec.id_column.empty() ? std::to_string(list.ids.size() + 1) : row.cells[id_column];
    const auto a = id.find_first_not_of(' ');
    id = a == std::string::npos ? std::string() : id.substr(a, id.find_last_not_of(' ') - a + 1);
    if (id.empty())
      return invalid("the record has no id in column \"" + spec.id_column + "\"",
                     "line " + std::to_string(row.line));
    if (!seen_ids.insert(id).second)
      return invalid("the id \"" + id + "\" is used by more than one record",
                     "line " + std::to_string(row.line));
    std::vector<std::string> values(spec.fields.size());
    for (std::size_t f = 0; f < spec.fields.size(); ++f) values[f] = row.cells[field_column[f]];
    list.ids.push_back(std::move(id));
    list.values.push_back(std::move(values));
    return Status::Ok();
  });
  if (!status.ok()) {
    Error error = status.error();
    error.message = path + (error.field.empty() ? "" : ", " + error.field) + ": " + error.message;
    return error;
  }
  if (list.ids.empty()) return invalid(path + ": the list has no records", path);
  return list;
}

}  // namespace haven::link
