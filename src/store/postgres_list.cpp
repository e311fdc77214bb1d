// Lists of the PostgreSQL backend: filters, exact look-ups through blind indexes, sorting, keyset
// cursors and the need-to-know rule, all in one SQL statement, so only the page leaves the server.
#include "store/postgres_backend.hpp"

namespace haven::postgres {

namespace {
constexpr const char* kRecordColumns = "id, org_id, display_code, version, created_at, updated_at, data, sealed";
}

Result<ListPage> PostgresTransaction::list(const EntitySpec& spec, std::int64_t org_id, const ListQuery& query) {
  // Column names come from the entity description, never from the request; values are parameters.
  auto column_of = [&](const std::string& name) -> std::optional<std::pair<std::string, ColumnKind>> {
    if (name == "id") return std::pair{std::string("id"), ColumnKind::kInteger};
    if (name == "created_at" || name == "updated_at") return std::pair{name, ColumnKind::kText};
    const FieldSpec* f = spec.field(name);
    if (!f || !f->indexed) return std::nullopt;
    return std::pair{"f_" + f->name, column_kind(*f)};
  };
  auto sort = column_of(query.sort);
  if (!sort)
    return invalid("cannot sort by " + query.sort + ": sort by id, created_at, updated_at or an indexed field", "sort");
  if (query.limit < 1 || query.limit > 1000) return invalid("limit must be between 1 and 1000", "limit");
  Params p;
  std::string where = org_id != 0 ? "org_id = " + p.add(org_id) : "TRUE";
  for (const auto& filter : query.filters) {
    auto column = column_of(filter.field);
    if (!column) return invalid("cannot filter by " + filter.field + ": not an indexed field", filter.field);
    if (filter.value.is_null()) return invalid("needs a value", filter.field);
    where += " AND " + column->first +
             (filter.op == Filter::Op::kEq ? " = " : filter.op == Filter::Op::kGe ? " >= " : " <= ");
    if (column->second == ColumnKind::kInteger && !filter.value.is_number_integer() && !filter.value.is_boolean())
      return invalid("needs a whole number", filter.field);
    if (column->second == ColumnKind::kReal && !filter.value.is_number()) return invalid("needs a number", filter.field);
    bind_json(p, where, filter.value, column->second);
  }
  for (const auto& [name, value] : query.exact) {
    const FieldSpec* f = spec.field(name);
    if (!f || !f->blind_indexed) return invalid("cannot look up by " + name, name);
    if (org_id == 0 || !keys()) return invalid("exact look-ups on sealed fields work within one organisation", name);
    if (keys()->current_key_version(org_id) == 0) {
      // An organisation made by another process: its key is loaded on first use.
      HAVEN_TRY(guarded([&]() -> Status {
        load_new_data_keys();
        return Status::Ok();
      }));
    }
    auto digest = keys()->blind_index(org_id, name, normalise_for_equality(name, value));
    HAVEN_TRY(digest);
    where += " AND id IN (SELECT record_id FROM blind_index WHERE org_id = " + p.add(org_id) +
             " AND kind = " + p.add(spec.kind) + " AND field = " + p.add(name) + " AND digest = " + p.add(*digest) + ")";
  }
  const bool nullable = sort->first != "id" && sort->first != "created_at" && sort->first != "updated_at";
  const std::string null_key = sort->second == ColumnKind::kText      ? "''"
                               : sort->second == ColumnKind::kInteger ? "-9000000000000000000"
                                                                      : "-9.0e18";
  const std::string key = nullable ? "COALESCE(" + sort->first + ", " + null_key + ")" : sort->first;
  if (!query.cursor.empty()) {
    const Json cursor = Json::parse(query.cursor, nullptr, false);
    if (!cursor.is_array() || cursor.size() != 2 || !cursor[1].is_number_integer())
      return invalid("the cursor is not one this server issued; start again from the first page", "cursor");
    const Json& cursor_key = cursor[0];
    const bool fits = sort->second == ColumnKind::kText      ? cursor_key.is_string()
                      : sort->second == ColumnKind::kInteger ? cursor_key.is_number_integer()
                                                             : cursor_key.is_number();
    if (!fits) return invalid("the cursor is not one this server issued; start again from the first page", "cursor");
    std::string key_param;
    bind_json(p, key_param, cursor_key, sort->second);
    const std::string cmp = query.descending ? " < " : " > ";
    where += " AND (" + key + cmp + key_param + " OR (" + key + " = " + key_param + " AND id" + cmp +
             p.add(cursor[1].get<std::int64_t>()) + "))";
  }
  // The user's parameter is bound only when the kind has a rule: a parameter the statement never
  // names is refused by the server ("bind message supplies 2 parameters ... requires 1").
  if (query.need_to_know_user != 0 && !layout::need_to_know_clause(spec, "$0").empty())
    where += " AND " + layout::need_to_know_clause(spec, p.add(query.need_to_know_user) + "::bigint");
  const char* direction = query.descending ? " DESC" : "";
  const std::string sql = std::string("SELECT ") + kRecordColumns + ", " + key + " FROM " + table_name(spec) +
                          " WHERE " + where + " ORDER BY " + key + direction + ", id" + direction + " LIMIT " +
                          std::to_string(query.limit + 1);
  return guarded([&]() -> Result<ListPage> {
    const Rows rows = db().run(sql, p);
    ListPage page;
    const int shown = std::min(rows.size(), static_cast<int>(query.limit));
    for (int r = 0; r < shown; ++r) page.records.push_back(read_record(spec, rows, r));
    if (rows.size() > shown)
      page.next_cursor = encode_cursor(column_json(rows, shown - 1, 8, sort->second), page.records.back().id);
    return page;
  });
}

Status PostgresTransaction::scan(const EntitySpec& spec, std::int64_t org_id, const std::vector<std::string>& fields,
                                 const ScanRow& row) {
  HAVEN_TRY(check_scan_fields(spec, fields));
  // Indexed fields come from their columns; the rest from the public JSON document, extracted by
  // the server (as JSON text, so every type parses back as it was). Batches of 10,000 rows by id
  // keep the client's memory flat on a national table; the read snapshot keeps them consistent.
  constexpr int kBatch = 10000;
  std::vector<const FieldSpec*> specs;
  for (const auto& name : fields) specs.push_back(spec.field(name));
  return guarded([&]() -> Status {
    std::vector<Json> values(fields.size());
    for (std::int64_t after = 0;;) {
      Params p;
      std::string sql = "SELECT id, org_id";
      for (const FieldSpec* f : specs) sql += f->indexed ? ", f_" + f->name : ", (data::jsonb -> " + p.add(f->name) + ")::text";
      sql += " FROM " + table_name(spec) + " WHERE id > " + p.add(after);
      if (org_id != 0) sql += " AND org_id = " + p.add(org_id);
      sql += " ORDER BY id LIMIT " + std::to_string(kBatch);
      const Rows rows = db().run(sql, p);
      for (int r = 0; r < rows.size(); ++r) {
        for (std::size_t i = 0; i < specs.size(); ++i) {
          const int column = static_cast<int>(i) + 2;
          const FieldSpec& f = *specs[i];
          if (rows.is_null(r, column)) values[i] = Json();
          else if (!f.indexed) values[i] = Json::parse(rows.text(r, column));
          else if (f.type == FieldType::kBoolean) values[i] = rows.integer(r, column) != 0;
          else if (f.type == FieldType::kObject || f.type == FieldType::kObjectList || f.type == FieldType::kStringList ||
                   f.type == FieldType::kRefList || f.type == FieldType::kEnumList || f.type == FieldType::kCustom)
            values[i] = Json::parse(rows.text(r, column));
          else values[i] = column_json(rows, r, column, column_kind(f));
        }
        row(rows.integer(r, 0), rows.integer(r, 1), values);
        after = rows.integer(r, 0);
      }
      if (rows.size() < kBatch) return Status::Ok();
    }
  });
}

}  // namespace haven::postgres
