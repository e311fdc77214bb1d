#include "store/store.hpp"

namespace haven {

Json Record::to_json() const {
  Json out = fields;
  if (out.contains("custom") && out["custom"].is_object()) out["custom"].erase("_form_version");
  out["id"] = id;
  out["org_id"] = org_id;
  out["display_code"] = display_code;
  out["version"] = version;
  out["created_at"] = created_at;
  out["updated_at"] = updated_at;
  return out;
}

Status check_scan_fields(const EntitySpec& spec, const std::vector<std::string>& fields) {
  for (const auto& name : fields) {
    const FieldSpec* f = spec.field(name);
    if (!f) return invalid(spec.kind + " has no field " + name, name);
    if (f->sensitivity != Sensitivity::kPublic)
      return invalid(spec.kind + "." + name + " is sealed: statistics never open sealed fields", name);
  }
  return Status::Ok();
}

Status Transaction::scan(const EntitySpec& spec, std::int64_t org_id, const std::vector<std::string>& fields,
                         const ScanRow& row) {
  HAVEN_TRY(check_scan_fields(spec, fields));
  ListQuery query;
  query.limit = 1000;
  std::vector<Json> values(fields.size());
  do {
    auto page = list(spec, org_id, query);
    HAVEN_TRY(page);
    for (const auto& record : page->records) {
      for (std::size_t i = 0; i < fields.size(); ++i) values[i] = record.fields.value(fields[i], Json());
      row(record.id, record.org_id, values);
    }
    query.cursor = page->next_cursor;
  } while (!query.cursor.empty());
  return Status::Ok();
}

Result<std::vector<Transaction::SearchRow>> Transaction::search_encodings_after(std::int64_t, std::size_t) {
  return Error{ErrorCode::kFailedPrecondition, "this database backend keeps no search encodings yet", ""};
}

Status Transaction::put_search_encodings(std::int64_t, std::int64_t, std::string_view) {
  return Error{ErrorCode::kFailedPrecondition, "this database backend keeps no search encodings yet", ""};
}

Result<Record> create_record(Transaction& tx, const EntitySpec& spec, std::int64_t org_id,
                             const Json& input, const Clock& clock) {
  WriteContext context{org_id, tx, clock};
  auto fields = prepare_create(spec, input, context);
  HAVEN_TRY(fields);
  return tx.insert(spec, org_id, std::move(fields.value()));
}

Result<Record> update_record(Transaction& tx, const EntitySpec& spec, std::int64_t id,
                             std::int64_t org_id, std::int64_t expected_version,
                             const Json& patch, const Clock& clock) {
  auto current = tx.get(spec, id, org_id);
  HAVEN_TRY(current);
  if (current->version != expected_version)
    return Error{ErrorCode::kConflict,
                 spec.kind + " " + std::to_string(id) + " was changed by someone else (now version " +
                     std::to_string(current->version) + ", you had " +
                     std::to_string(expected_version) + "); reload it and apply your change again",
                 "/version"};
  WriteContext context{current->org_id, tx, clock};
  auto fields = prepare_update(spec, patch, current->fields, context);
  HAVEN_TRY(fields);
  return tx.update(spec, id, org_id, expected_version, std::move(fields.value()));
}

}  // namespace haven
