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
