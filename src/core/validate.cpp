// Field-level validation driven by the entity descriptions in schema.cpp.
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/core.hpp"
#include "core/rules.hpp"

namespace haven {
namespace {

constexpr std::string_view kEnvelopeFields[] = {"id", "org_id", "display_code", "version",
                                                "created_at", "updated_at"};

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  return count;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

class FieldValidator {
 public:
  explicit FieldValidator(WriteContext& context) : context_(context) {}

  // Validates `value` against `spec` at `pointer`; returns the normalised value, or a null Json
  // when an optional value is empty and should be dropped.
  Result<Json> check(const FieldSpec& spec, const Json& value, const std::string& pointer) {
    switch (spec.type) {
      case FieldType::kString:
      case FieldType::kText: return check_string(spec, value, pointer);
      case FieldType::kEnum: return check_choice(spec, value, pointer);
      case FieldType::kDate: {
        if (!value.is_string() || !parse_date(value.get<std::string>()))
          return invalid("must be a date as YYYY-MM-DD between 1900-01-01 and 2100-12-31",
                         pointer);
        return value;
      }
      case FieldType::kDateTime: {
        if (!value.is_string()) return invalid("must be a date-time as YYYY-MM-DDTHH:MM:SSZ", pointer);
        auto normalised = normalise_datetime(value.get<std::string>());
        if (!normalised)
          return invalid("must be an RFC 3339 date-time such as 2026-03-01T14:30:00Z, between "
                         "1900 and 2100",
                         pointer);
        return Json(*normalised);
      }
      case FieldType::kInteger: {
        if (!value.is_number_integer())
          return invalid("must be a whole number between " + std::to_string(spec.min) + " and " +
                             std::to_string(spec.max),
                         pointer);
        const auto n = value.get<std::int64_t>();
        if (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX)
          return invalid("is too large", pointer);
        if (n < spec.min || n > spec.max)
          return invalid("must be between " + std::to_string(spec.min) + " and " +
                             std::to_string(spec.max) + ", got " + std::to_string(n),
                         pointer);
        return value;
      }
      case FieldType::kNumber: {
        if (!value.is_number())
          return invalid("must be a number between " + std::to_string(spec.min) + " and " +
                             std::to_string(spec.max),
                         pointer);
        const double n = value.get<double>();
        if (!std::isfinite(n) || n < static_cast<double>(spec.min) ||
            n > static_cast<double>(spec.max))
          return invalid("must be between " + std::to_string(spec.min) + " and " +
                             std::to_string(spec.max),
                         pointer);
        return value;
      }
      case FieldType::kBoolean:
        if (!value.is_boolean()) return invalid("must be true or false", pointer);
        return value;
      case FieldType::kRef: return check_ref(spec, value, pointer);
      case FieldType::kStringList:
      case FieldType::kEnumList:
      case FieldType::kRefList:
      case FieldType::kObjectList: return check_list(spec, value, pointer);
      case FieldType::kObject: {
        if (!value.is_object()) return invalid("must be an object", pointer);
        return check_object(spec.fields, value, pointer + "/");
      }
      case FieldType::kCustom: return check_custom(value, pointer);
    }
    return invalid("has an unsupported type", pointer);
  }

  // Validates every field of an object: unknown names are refused, required ones must be there.
  Result<Json> check_object(const std::vector<FieldSpec>& fields, const Json& input,
                            const std::string& prefix) {
    Json out = Json::object();
    for (const auto& [name, value] : input.items()) {
      const auto known = std::find_if(fields.begin(), fields.end(),
                                      [&](const FieldSpec& f) { return f.name == name; });
      if (known == fields.end()) {
        std::vector<std::string> accepted;
        for (const auto& f : fields)
          if (!f.read_only) accepted.push_back(f.name);
        return invalid("is not a known field; accepted fields are: " + join(accepted),
                       prefix + name);
      }
      if (known->read_only && !accept_computed_)
        return invalid("is computed by Haven and cannot be set", prefix + name);
      if (value.is_null()) continue;
      auto checked = check(*known, value, prefix + name);
      HAVEN_TRY(checked);
      if (!checked->is_null()) out[name] = std::move(checked.value());
    }
    for (const auto& f : fields)
      if (f.required && !out.contains(f.name)) return invalid("is required", prefix + f.name);
    return out;
  }

 private:
  Result<Json> check_string(const FieldSpec& spec, const Json& value, const std::string& pointer) {
    if (!value.is_string()) return invalid("must be a string", pointer);
    const std::string& raw = value.get_ref<const std::string&>();
    if (!is_valid_utf8(raw)) return invalid("is not valid UTF-8 text", pointer);
    const std::string text = trim(raw);
    for (unsigned char c : text)
      if (c < 0x20 && !(spec.type == FieldType::kText && (c == '\n' || c == '\t')))
        return invalid("contains a control character", pointer);
    if (text.empty()) {
      if (spec.required) return invalid("must not be empty", pointer);
      return Json();
    }
    if (code_points(text) > spec.max_length)
      return invalid("is too long: at most " + std::to_string(spec.max_length) + " characters",
                     pointer);
    if (spec.format == "country") {
      const bool ok = text.size() == 2 && std::isupper(static_cast<unsigned char>(text[0])) &&
                      std::isupper(static_cast<unsigned char>(text[1]));
      if (!ok) return invalid("must be an ISO 3166-1 alpha-2 country code such as PH", pointer);
    } else if (spec.format == "sha256") {
      const bool ok = text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
                        return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
                      });
      if (!ok) return invalid("must be 64 lower-case hexadecimal characters", pointer);
    } else if (spec.format == "key") {
      const bool ok = std::islower(static_cast<unsigned char>(text[0])) &&
                      std::all_of(text.begin(), text.end(), [](char c) {
                        return std::islower(static_cast<unsigned char>(c)) ||
                               std::isdigit(static_cast<unsigned char>(c)) || c == '_';
                      });
      if (!ok) return invalid("must be lower_snake_case (a-z, 0-9, _), starting with a letter",
                              pointer);
    }
    return Json(text);
  }

  Result<Json> check_choice(const FieldSpec& spec, const Json& value, const std::string& pointer) {
    if (!value.is_string() ||
        std::find(spec.choices.begin(), spec.choices.end(), value.get<std::string>()) ==
            spec.choices.end())
      return invalid("must be one of: " + join(spec.choices), pointer);
    return value;
  }

  Result<Json> check_ref(const FieldSpec& spec, const Json& value, const std::string& pointer) {
    if (!value.is_number_integer() || value.get<std::int64_t>() <= 0 ||
        (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX))
      return invalid("must be the id (a positive whole number) of a " + spec.ref_kind, pointer);
    const auto id = value.get<std::int64_t>();
    auto found = context_.lookup.exists(spec.ref_kind, id, context_.org_id);
    HAVEN_TRY(found);
    if (!*found)
      return invalid("refers to " + spec.ref_kind + " " + std::to_string(id) + ", which does not exist in your organisation",
                     pointer);
    return value;
  }

  Result<Json> check_list(const FieldSpec& spec, const Json& value, const std::string& pointer) {
    if (!value.is_array()) return invalid("must be a list", pointer);
    if (value.size() > spec.max_length)
      return invalid("has too many items: at most " + std::to_string(spec.max_length), pointer);
    FieldSpec item = spec;
    item.required = true;
    item.type = spec.type == FieldType::kStringList ? FieldType::kString
                : spec.type == FieldType::kEnumList ? FieldType::kEnum
                : spec.type == FieldType::kRefList  ? FieldType::kRef
                                                    : FieldType::kObject;
    if (item.type == FieldType::kString) item.max_length = 200;
    Json out = Json::array();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string at = pointer + "/" + std::to_string(i);
      auto checked = check(item, value[i], at);
      HAVEN_TRY(checked);
      if (item.type != FieldType::kObject && !seen.insert(checked->dump()).second)
        return invalid("is listed twice", at);
      out.push_back(std::move(checked.value()));
    }
    return out;
  }

  Result<Json> check_custom(const Json& value, const std::string& pointer) {
    if (!value.is_object()) return invalid("must be an object of custom fields", pointer);
    if (value.empty()) return Json();
    auto form = context_.lookup.latest_form(context_.org_id, current_kind_);
    HAVEN_TRY(form);
    if (form->is_null())
      return invalid("your organisation has defined no custom fields for this form", pointer);
    Json out = Json::object();
    for (const auto& [key, field_value] : value.items()) {
      const Json* definition = nullptr;
      for (const auto& f : (*form)["fields"])
        if (f["key"] == key) definition = &f;
      if (!definition) return invalid("is not a custom field of this form", pointer + "/" + key);
      if (field_value.is_null()) continue;
      const std::string at = pointer + "/" + key;
      const std::string type = (*definition)["type"];
      bool ok = true;
      if (type == "text") {
        ok = field_value.is_string() && is_valid_utf8(field_value.get<std::string>()) &&
             code_points(field_value.get<std::string>()) <= 2000;
      } else if (type == "number") {
        ok = field_value.is_number() && std::isfinite(field_value.get<double>());
      } else if (type == "date") {
        ok = field_value.is_string() && parse_date(field_value.get<std::string>()).has_value();
      } else if (type == "boolean") {
        ok = field_value.is_boolean();
      } else if (type == "choice") {
        const auto& allowed = definition->value("choices", Json::array());
        ok = field_value.is_string() &&
             std::find(allowed.begin(), allowed.end(), field_value) != allowed.end();
        if (!ok) {
          std::vector<std::string> names(allowed.begin(), allowed.end());
          return invalid("must be one of: " + join(names), at);
        }
      }
      if (!ok) return invalid("must be a " + type + " (custom field)", at);
      out[key] = field_value;
    }
    for (const auto& f : (*form)["fields"])
      if (f.value("required", false) && !out.contains(f["key"].get<std::string>()))
        return invalid("is a required custom field", pointer + "/" + f["key"].get<std::string>());
    out["_form_version"] = (*form)["form_version"];
    return out;
  }

 public:
  std::string current_kind_;
  bool accept_computed_ = false;  // a workflow operation writes the fields it computes

 private:
  WriteContext& context_;
};

Result<Json> validate_fields(const EntitySpec& spec, const Json& input, WriteContext& context) {
  if (!input.is_object()) return invalid("the request body must be a JSON object", "");
  for (const auto& name : kEnvelopeFields)
    if (input.contains(name)) return invalid("is assigned by Haven and cannot be set", "/" + std::string(name));
  FieldValidator validator(context);
  validator.current_kind_ = spec.kind;
  return validator.check_object(spec.fields, input, "/");
}

// Computed fields are recomputed on every write; strip them before validating a merged record.
Json without_computed(const EntitySpec& spec, Json record) {
  for (const auto& f : spec.fields)
    if (f.read_only) record.erase(f.name);
  if (record.contains("custom") && record["custom"].is_object()) record["custom"].erase("_form_version");
  return record;
}

}  // namespace

bool is_envelope_field(std::string_view name) {
  return std::find(std::begin(kEnvelopeFields), std::end(kEnvelopeFields), name) !=
         std::end(kEnvelopeFields);
}

Result<Json> prepare_create(const EntitySpec& spec, const Json& input, WriteContext& context) {
  auto fields = validate_fields(spec, input, context);
  HAVEN_TRY(fields);
  HAVEN_TRY(apply_rules(spec, *fields, nullptr, context));
  return fields;
}

Result<Json> validate_workflow_record(const EntitySpec& spec, const Json& fields, WriteContext& context) {
  if (!spec.workflow_only) return Error{ErrorCode::kInternal, spec.kind + " is written through create_record", ""};
  if (!fields.is_object()) return invalid("the record must be a JSON object", "");
  for (const auto& name : kEnvelopeFields)
    if (fields.contains(name)) return invalid("is assigned by Haven and cannot be set", "/" + std::string(name));
  FieldValidator validator(context);
  validator.current_kind_ = spec.kind;
  validator.accept_computed_ = true;
  return validator.check_object(spec.fields, fields, "/");
}

Result<Json> prepare_update(const EntitySpec& spec, const Json& patch, const Json& previous,
                            WriteContext& context) {
  if (!patch.is_object()) return invalid("the request body must be a JSON object", "");
  for (const auto& [name, value] : patch.items()) {
    const FieldSpec* field = spec.field(name);
    if (field && field->read_only) return invalid("is computed by Haven and cannot be set", "/" + name);
  }
  Json merged = without_computed(spec, previous);
  for (const auto& [name, value] : patch.items()) {
    if (value.is_null())
      merged.erase(name);
    else
      merged[name] = value;
  }
  auto fields = validate_fields(spec, merged, context);
  HAVEN_TRY(fields);
  HAVEN_TRY(apply_rules(spec, *fields, &previous, context));
  return fields;
}

}  // namespace haven
