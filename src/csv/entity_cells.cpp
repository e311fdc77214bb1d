// Entities as CSV columns: what each field type looks like in a cell, both ways.
#include "csv/entity_cells.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "csv/csv.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

bool is_text(FieldType type) { return type == FieldType::kString || type == FieldType::kText; }

std::string range_of(const FieldSpec& field) {
  return " between " + std::to_string(field.min) + " and " + std::to_string(field.max);
}

// What a JSON cell of `field` must look like, for error messages.
std::string json_shape(const FieldSpec& field) {
  switch (field.type) {
    case FieldType::kStringList:
      return "a JSON list of texts, such as [\"first\", \"second\"]";
    case FieldType::kEnumList:
      return "a JSON list of choices, such as [\"" +
             (field.choices.empty() ? "a" : field.choices.front()) + "\"]";
    case FieldType::kRefList:
      return "a JSON list of " + field.ref_kind + " ids, such as [12, 15]";
    case FieldType::kObjectList:
      return "a JSON list of objects, such as [{\"name\": \"value\"}]";
    case FieldType::kCustom:
      return "a JSON object of custom fields, such as {\"key\": \"value\"}";
    default:
      return "a JSON object, such as {\"name\": 1}";
  }
}

Result<Json> json_cell(const FieldSpec& field, std::string_view cell) {
  Json value = Json::parse(cell, nullptr, /*allow_exceptions=*/false);
  const bool wants_object = field.type == FieldType::kObject || field.type == FieldType::kCustom;
  if (value.is_discarded() || (wants_object ? !value.is_object() : !value.is_array()))
    return invalid("must be " + json_shape(field));
  // The store keeps which form version custom fields were checked against; it is not input.
  if (field.type == FieldType::kCustom) value.erase("_form_version");
  return value;
}

}  // namespace

std::string_view trim_blanks(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::optional<std::int64_t> parse_whole_number(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

std::string field_cell(const FieldSpec& field, const Json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return is_text(field.type) ? guard_formula(text) : text;
  }
  if (field.type == FieldType::kCustom && value.is_object() && value.contains("_form_version")) {
    Json shown = value;
    shown.erase("_form_version");  // as Record::to_json shows it
    return shown.empty() ? std::string() : shown.dump();
  }
  // Stored strings are valid UTF-8; `replace` keeps a damaged one from throwing mid-export.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Json> cell_value(const FieldSpec& field, std::string_view cell) {
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kText:
      return Json(unguard_formula(cell));
    case FieldType::kEnum:
    case FieldType::kDate:
    case FieldType::kDateTime:
      return Json(std::string(trim_blanks(cell)));
    case FieldType::kInteger: {
      const auto number = parse_whole_number(trim_blanks(cell));
      if (!number) return invalid("must be a whole number" + range_of(field));
      return Json(*number);
    }
    case FieldType::kRef: {
      const auto id = parse_whole_number(trim_blanks(cell));
      if (!id) return invalid("must be the id (a whole number) of a " + field.ref_kind);
      return Json(*id);
    }
    case FieldType::kNumber: {
      const std::string_view text = trim_blanks(cell);
      Json number = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (text.empty() || number.is_discarded() || !number.is_number())
        return invalid("must be a number such as 12.5" + range_of(field));
      return number;
    }
    case FieldType::kBoolean: {
      // Spreadsheets write booleans back as TRUE and FALSE.
      std::string text(trim_blanks(cell));
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (text == "true") return Json(true);
      if (text == "false") return Json(false);
      return invalid("must be true or false");
    }
    case FieldType::kStringList:
    case FieldType::kEnumList:
    case FieldType::kRefList:
    case FieldType::kObject:
    case FieldType::kObjectList:
    case FieldType::kCustom:
      return json_cell(field, cell);
  }
  return invalid("has a type CSV import does not support");
}

std::vector<std::string> csv_columns(const EntitySpec& spec) {
  std::vector<std::string> columns(kEnvelopeColumns.begin(), kEnvelopeColumns.end());
  for (const auto& field : spec.fields) columns.push_back(field.name);
  return columns;
}

std::vector<std::string> record_cells(const EntitySpec& spec, const Record& record) {
  std::vector<std::string> cells = {std::to_string(record.id), record.display_code,
                                    std::to_string(record.version), record.created_at,
                                    record.updated_at};
  for (const auto& field : spec.fields) {
    const auto it = record.fields.find(field.name);
    cells.push_back(it == record.fields.end() ? std::string() : field_cell(field, *it));
  }
  return cells;
}

}  // namespace haven
