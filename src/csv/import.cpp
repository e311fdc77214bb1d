// Import: one CSV file of one kind, every row through create_record, all in one transaction.
#include <algorithm>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "csv/csv.hpp"
#include "csv/entity_cells.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

constexpr std::uint64_t kProgressEvery = 1000;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// What a column of the file carries.
struct Column {
  enum class Role { kId, kIgnored, kField } role = Role::kIgnored;
  const FieldSpec* field = nullptr;  // kField only
};

// Matches the header against csv_columns(spec); names every unknown, repeated and missing
// required column at once so one round of fixing is enough.
Result<std::vector<Column>> map_header(const EntitySpec& spec, const CsvRow& header) {
  std::vector<Column> columns;
  std::vector<std::string> unknown, repeated, missing;
  std::set<std::string> seen;
  for (const auto& raw_name : header.cells) {
    const std::string name(trim_blanks(raw_name));
    if (!seen.insert(name).second) repeated.push_back(name);
    Column column;
    if (name == kEnvelopeColumns[0]) {
      column.role = Column::Role::kId;
    } else if (const FieldSpec* field = spec.field(name)) {
      column.role = field->read_only ? Column::Role::kIgnored : Column::Role::kField;
      column.field = field;
    } else if (std::find(kEnvelopeColumns.begin(), kEnvelopeColumns.end(), name) ==
               kEnvelopeColumns.end()) {
      unknown.push_back(name.empty() ? "(a column with no name)" : name);
    }
    columns.push_back(column);
  }
  for (const auto& field : spec.fields)
    if (field.required && !field.read_only && !seen.count(field.name))
      missing.push_back(field.name);
  if (unknown.empty() && repeated.empty() && missing.empty()) return columns;

  std::string message = "the header does not match a " + spec.kind + " export:";
  if (!unknown.empty()) message += " unknown columns: " + join(unknown) + ";";
  if (!repeated.empty()) message += " columns given twice: " + join(repeated) + ";";
  if (!missing.empty()) message += " missing required columns: " + join(missing) + ";";
  std::vector<std::string> required;
  for (const auto& field : spec.fields)
    if (field.required && !field.read_only) required.push_back(field.name);
  message += " accepted columns, in any order, are: " + join(csv_columns(spec)) +
             " (required: " + join(required) + ")";
  const std::string where = "line " + std::to_string(header.line);
  return invalid(where + ": " + message, where);
}

class RowImporter {
 public:
  RowImporter(Transaction& tx, const EntitySpec& spec, std::int64_t org_id, const Clock& clock,
              const IdMaps& id_maps)
      : tx_(tx), spec_(spec), org_id_(org_id), clock_(clock), id_maps_(id_maps) {}

  Status set_header(const CsvRow& header) {
    auto columns = map_header(spec_, header);
    HAVEN_TRY(columns);
    columns_ = std::move(columns.value());
    return Status::Ok();
  }

  Status import_row(const CsvRow& row) {
    // Spreadsheets leave rows of empty cells behind where rows were cleared.
    if (std::all_of(row.cells.begin(), row.cells.end(), [](const auto& c) { return c.empty(); }))
      return Status::Ok();
    ++summary_.rows;
    unmapped_columns_.clear();
    Json input = Json::object();
    std::optional<std::int64_t> source_id;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string& cell = row.cells[i];
      const Column& column = columns_[i];
      if (cell.empty() || column.role == Column::Role::kIgnored) continue;
      if (column.role == Column::Role::kId) {
        source_id = parse_whole_number(trim_blanks(cell));
        if (!source_id || *source_id <= 0)
          return at(row.line, "id",
                    "must be a whole number: the record's id in the system the "
                    "file was exported from");
        if (file_ids_.count(*source_id))
          return at(row.line, "id", "id " + cell + " appears twice in the file");
        continue;
      }
      auto value = cell_value(*column.field, cell);
      if (!value.ok()) return at(row.line, column.field->name, value.error().message);
      translate(*column.field, column.field->name, *value);
      input[column.field->name] = std::move(value.value());
    }
    auto created = create_record(tx_, spec_, org_id_, input, clock_);
    if (!created.ok()) return locate(row.line, created.error());
    ++summary_.created;
    if (source_id) file_ids_[*source_id] = created->id;
    return Status::Ok();
  }

  const ImportSummary& summary() const { return summary_; }
  const std::map<std::int64_t, std::int64_t>& file_ids() const { return file_ids_; }

 private:
  // Replaces source-system ids in the references of `value` (of field `spec`, in `column`).
  void translate(const FieldSpec& spec, const std::string& column, Json& value) {
    switch (spec.type) {
      case FieldType::kRef:
        translate_id(spec.ref_kind, column, value);
        break;
      case FieldType::kRefList:
        if (value.is_array())
          for (auto& item : value) translate_id(spec.ref_kind, column, item);
        break;
      case FieldType::kObject:
        translate_object(spec, column, value);
        break;
      case FieldType::kObjectList:
        if (value.is_array())
          for (auto& object : value) translate_object(spec, column, object);
        break;
      default:
        break;
    }
  }

  void translate_object(const FieldSpec& spec, const std::string& column, Json& object) {
    if (!object.is_object()) return;
    for (const auto& sub : spec.fields)
      if (object.contains(sub.name)) translate(sub, column, object[sub.name]);
  }

  void translate_id(const std::string& kind, const std::string& column, Json& id) {
    if (!id.is_number_integer()) return;  // create_record says what is wrong with it
    const auto old_id = id.get<std::int64_t>();
    if (kind == spec_.kind) {
      if (const auto it = file_ids_.find(old_id); it != file_ids_.end()) {
        id = it->second;
        ++summary_.references_remapped;
        return;
      }
    }
    if (const auto map = id_maps_.find(kind); map != id_maps_.end()) {
      if (const auto it = map->second.find(old_id); it != map->second.end()) {
        id = it->second;
        ++summary_.references_remapped;
        return;
      }
    }
    unmapped_columns_.insert(column);
  }

  Error at(std::uint64_t line, const std::string& column, const std::string& message,
           ErrorCode code = ErrorCode::kInvalidArgument) const {
    const std::string where = "line " + std::to_string(line) + ", column " + column;
    return Error{code, where + ": " + message,
                 "line " + std::to_string(line) + ", column \"" + column + "\""};
  }

  // Turns the JSON pointer of a create_record error into the line and column of the file.
  Error locate(std::uint64_t line, const Error& error) const {
    if (error.field.empty() || error.field.front() != '/') {
      const std::string where = "line " + std::to_string(line);
      return Error{error.code, where + ": " + error.message, where};
    }
    const std::string name = error.field.substr(1, error.field.find('/', 1) - 1);
    std::string message = error.message;
    if (error.field != "/" + name) message = "at " + error.field + ": " + message;
    if (unmapped_columns_.count(name) && error.code == ErrorCode::kInvalidArgument) {
      const FieldSpec* field = spec_.field(name);
      message += "; ids in a file are those of the system it was exported from: import the " +
                 (field ? field->ref_kind : name) +
                 " file first, in the same run, so they are translated";
    }
    return at(line, name, message, error.code);
  }

  Transaction& tx_;
  const EntitySpec& spec_;
  std::int64_t org_id_;
  const Clock& clock_;
  const IdMaps& id_maps_;
  std::vector<Column> columns_;
  std::map<std::int64_t, std::int64_t> file_ids_;  // source id -> id here, rows of this file
  std::set<std::string> unmapped_columns_;         // of the current row
  ImportSummary summary_;
};

// Reads the file once before the write transaction starts, so a file that is truncated, ragged,
// not UTF-8 or has the wrong header is refused without holding the write lock, and progress has
// a total. Only for streams that can be rewound; returns 0 rows otherwise.
Result<std::uint64_t> count_rows(const EntitySpec& spec, std::istream& in) {
  const auto start = in.tellg();
  if (start == std::istream::pos_type(-1)) return std::uint64_t{0};
  std::uint64_t rows = 0;
  bool header = true;
  Status read = read_csv(in, [&](const CsvRow& row) -> Status {
    if (header) {
      header = false;
      return map_header(spec, row).status();
    }
    if (std::any_of(row.cells.begin(), row.cells.end(), [](const auto& c) { return !c.empty(); }))
      ++rows;
    return Status::Ok();
  });
  HAVEN_TRY(read);
  in.clear();
  if (!in.seekg(start))
    return Error{ErrorCode::kUnavailable, "could not rewind the file to import it", ""};
  return rows;
}

}  // namespace

Result<ImportSummary> import_records(Store& store, const EntitySpec& spec, std::int64_t org_id,
                                     std::istream& in, const Clock& clock, const Progress& progress,
                                     IdMaps& id_maps) {
  auto total = count_rows(spec, in);
  HAVEN_TRY(total);
  auto tx = store.begin(/*write=*/true);
  HAVEN_TRY(tx);
  RowImporter importer(**tx, spec, org_id, clock, id_maps);
  bool header = true;
  std::uint64_t reported = 0;
  Status read = read_csv(in, [&](const CsvRow& row) -> Status {
    if (header) {
      header = false;
      return importer.set_header(row);
    }
    HAVEN_TRY(importer.import_row(row));
    if (progress && importer.summary().rows >= reported + kProgressEvery) {
      reported = importer.summary().rows;
      progress(reported, *total);
    }
    return Status::Ok();
  });
  HAVEN_TRY(read);  // the transaction rolls back as it goes out of scope
  HAVEN_TRY((*tx)->commit());
  if (progress) progress(importer.summary().rows, *total);
  auto& ids = id_maps[spec.kind];
  for (const auto& [source_id, id] : importer.file_ids()) ids[source_id] = id;
  return importer.summary();
}

Result<ImportSummary> import_records(Store& store, const EntitySpec& spec, std::int64_t org_id,
                                     std::istream& in, const Clock& clock,
                                     const Progress& progress) {
  IdMaps none;
  return import_records(store, spec, org_id, in, clock, progress, none);
}

}  // namespace haven
