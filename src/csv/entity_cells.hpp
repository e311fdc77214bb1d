// Private to haven_csv: one field's value as a cell and back, shared by export and import.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/core.hpp"

namespace haven {

// The envelope columns every export starts with, in order.
inline constexpr std::array<std::string_view, 5> kEnvelopeColumns = {
    "id", "display_code", "version", "created_at", "updated_at"};

// `value` (null when the field is absent) as the text of its cell.
std::string field_cell(const FieldSpec& field, const Json& value);

// The JSON value of a non-empty cell of `field`, before validation (create_record validates), or
// kInvalidArgument with a message saying what the cell must be and no location.
Result<Json> cell_value(const FieldSpec& field, std::string_view cell);

// `text` without blanks (spaces, tabs, line breaks) at either end.
std::string_view trim_blanks(std::string_view text);

// Parses a whole number written in decimal, nothing else around it.
std::optional<std::int64_t> parse_whole_number(std::string_view text);

}  // namespace haven
