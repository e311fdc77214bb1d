// Private to haven_store: how records are laid out in a relational database, shared by every SQL
// backend (SQLite and PostgreSQL): table and column names, which fields are sealed, the
// need-to-know rule as SQL, and the list cursor. Dialect-specific code stays in each backend.
#pragma once

#include <stdexcept>
#include <string>

#include "store/store.hpp"

namespace haven::layout {

inline std::string table_name(const EntitySpec& spec) {
  return spec.kind == "case" ? "\"case\"" : spec.kind;  // CASE is an SQL keyword
}

// How a field is stored in its f_<name> column.
enum class ColumnKind { kInteger, kReal, kText };
inline ColumnKind column_kind(const FieldSpec& f) {
  if (f.type == FieldType::kRef || f.type == FieldType::kInteger || f.type == FieldType::kBoolean)
    return ColumnKind::kInteger;
  if (f.type == FieldType::kNumber) return ColumnKind::kReal;
  return ColumnKind::kText;
}

inline bool is_sealed(const FieldSpec& f) { return f.sensitivity != Sensitivity::kPublic; }

// Thrown inside the store when a sealed field cannot be opened; the backend's guard turns it into
// an Error.
struct SealError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes a person's search encodings in the person's own transaction (withdrawn while it is merged
// into another); a failure throws SealError, which the backend's guard turns into an Error.
inline void write_person_search(Transaction& tx, const PersonEncoder& encoder, std::int64_t person_id, std::int64_t org_id,
                                const Json& fields) {
  if (!encoder) return;
  const std::string encodings = fields.contains("merged_into") ? std::string() : encoder(org_id, fields);
  const Status written = tx.put_search_encodings(person_id, org_id, encodings);
  if (!written.ok()) throw SealError(written.error().message);
}

inline std::string seal_context(const EntitySpec& spec, std::int64_t id) { return spec.kind + ":" + std::to_string(id); }

// SQL that is true for rows of `spec` that the user whose id is the parameter `user` (e.g. "?99"
// or "$7") needs to know; empty: all rows. Mirrors the rule documented at
// Transaction::is_visible.
inline std::string need_to_know_clause(const EntitySpec& spec, const std::string& user) {
  auto case_visible = [&](const std::string& id) {
    return "(" + id + " IN (SELECT case_id FROM case_assignment WHERE user_id = " + user + ") OR NOT EXISTS "
           "(SELECT 1 FROM case_assignment WHERE case_id = " + id + "))";
  };
  // Visible while in no case (MAX over no roles is NULL), else when any of the person's cases is.
  // One scalar subquery per person, through case_person_person (migration 4), rather than
  // "NOT EXISTS (a role) OR EXISTS (a visible role)": PostgreSQL plans an EXISTS under OR as a
  // hash of the whole case_person table when it expects many persons (1.2 s for a caseworker's
  // first page on the 1M-person demo, 1.5 ms this way), which it never does for an aggregate.
  // "<> 0" rather than "= 1" so that the planner expects most rows to pass and walks the list's
  // index in order, stopping at the page's end.
  auto person_visible = [&](const std::string& id) {
    return "((SELECT COALESCE(MAX(CASE WHEN " + case_visible("cp.f_case_id") +
           " THEN 1 ELSE 0 END), 1) FROM case_person cp WHERE cp.f_person_id = " + id + ") <> 0)";
  };
  // Outer columns are qualified by table: inside the subqueries a bare name would bind to the
  // subquery's own table.
  const std::string table = table_name(spec);
  if (spec.kind == "case") return case_visible(table + ".id");
  if (spec.kind == "person") return person_visible(table + ".id");
  const bool has_case = spec.field("case_id") != nullptr, has_person = spec.field("person_id") != nullptr;
  const std::string case_column = table + ".f_case_id", person_column = table + ".f_person_id";
  if (has_case)
    return "((" + case_column + " IS NOT NULL AND " + case_visible(case_column) + ") OR (" + case_column +
           " IS NULL AND " + (has_person ? person_visible(person_column) : std::string("TRUE")) + "))";
  // Correlated on the row's own legal case: an IN over every visible legal case made the
  // database build that whole set first (0.2-0.3 s for a caseworker's upcoming hearings on the 1M
  // demo); this way a page sorted by an index stops after its rows.
  if (spec.field("legal_case_id"))
    return "EXISTS (SELECT 1 FROM legal_case lc WHERE lc.id = " + table + ".f_legal_case_id AND " +
           case_visible("lc.f_case_id") + ")";
  if (has_person) return person_visible(person_column);
  return {};
}

// Cursor: the sort key and id of the last row of a page, as compact JSON. It carries no data
// beyond what the page showed, so it is not a secret.
inline std::string encode_cursor(const Json& key, std::int64_t id) { return Json::array({key, id}).dump(); }

// Splits fields into the public JSON document and the sealed part (empty when nothing is sealed).
inline std::pair<Json, Json> split_sealed(const EntitySpec& spec, const Json& fields) {
  Json open_part = Json::object(), sealed_part = Json::object();
  for (const auto& [name, value] : fields.items()) {
    const FieldSpec* f = spec.field(name);
    (f && is_sealed(*f) ? sealed_part : open_part)[name] = value;
  }
  return {std::move(open_part), std::move(sealed_part)};
}

}  // namespace haven::layout
