// Merging two records of one person, and undoing it. Every moved record is named in the merge
// record, so that undo moves exactly those back; nothing is deleted either way.
#include <algorithm>
#include <set>

#include "dedupe/dedupe.hpp"

namespace haven::dedupe {
namespace {

const EntitySpec& spec_of(const char* kind) { return *find_entity(kind); }

// The kinds whose records belong to one person through their person_id.
const std::vector<const char*>& person_kinds() {
  static const std::vector<const char*> kinds = {"case_person", "service_plan", "service", "outcome_assessment", "consent"};
  return kinds;
}

Result<std::vector<Record>> records_of(Transaction& tx, const EntitySpec& spec, std::int64_t org_id, const std::string& field,
                                       std::int64_t person_id) {
  std::vector<Record> out;
  ListQuery query;
  query.filters.push_back({field, Filter::Op::kEq, person_id});
  query.limit = 1000;
  do {
    auto page = tx.list(spec, org_id, query);
    HAVEN_TRY(page);
    for (auto& record : page->records) out.push_back(std::move(record));
    query.cursor = page->next_cursor;
  } while (!query.cursor.empty());
  return out;
}

// Legal cases naming `person_id` among their defendants (a list field, so scanned).
Result<std::vector<std::int64_t>> legal_cases_naming(Transaction& tx, std::int64_t org_id, std::int64_t person_id) {
  std::vector<std::int64_t> ids;
  HAVEN_TRY(tx.scan(spec_of("legal_case"), org_id, {"defendant_person_ids"}, [&](std::int64_t id, std::int64_t, const std::vector<Json>& v) {
    if (v[0].is_array() && std::find(v[0].begin(), v[0].end(), Json(person_id)) != v[0].end()) ids.push_back(id);
  }));
  return ids;
}

// Replaces `from` by `to` in a legal case's defendants (once; no defendant twice).
Status replace_defendant(Transaction& tx, std::int64_t org_id, std::int64_t legal_case_id, std::int64_t from, std::int64_t to,
                         const Clock& clock) {
  auto legal = tx.get(spec_of("legal_case"), legal_case_id, org_id);
  HAVEN_TRY(legal);
  Json defendants = Json::array();
  for (const auto& id : legal->fields.value("defendant_person_ids", Json::array())) {
    const Json replaced = id == from ? Json(to) : id;
    if (std::find(defendants.begin(), defendants.end(), replaced) == defendants.end()) defendants.push_back(replaced);
  }
  return update_record(tx, spec_of("legal_case"), legal_case_id, org_id, legal->version, {{"defendant_person_ids", defendants}}, clock)
      .status();
}

Status set_pair_status(Transaction& tx, std::int64_t org_id, std::int64_t a, std::int64_t b, const std::string& from,
                       const std::string& to) {
  auto candidates = records_of(tx, spec_of("duplicate_candidate"), org_id, "person_id", std::min(a, b));
  HAVEN_TRY(candidates);
  auto reversed = records_of(tx, spec_of("duplicate_candidate"), org_id, "person_id", std::max(a, b));
  HAVEN_TRY(reversed);
  candidates->insert(candidates->end(), reversed->begin(), reversed->end());
  for (auto& candidate : *candidates) {
    const std::int64_t other = candidate.fields.value("other_person_id", std::int64_t{0});
    const std::int64_t own = candidate.fields.value("person_id", std::int64_t{0});
    if (!((own == a && other == b) || (own == b && other == a))) continue;
    if (candidate.fields.value("status", std::string()) != from) continue;
    Json fields = candidate.fields;
    fields["status"] = to;
    HAVEN_TRY(tx.update(spec_of("duplicate_candidate"), candidate.id, org_id, candidate.version, fields));
  }
  return Status::Ok();
}

Error refuse(const std::string& message, const std::string& field = {}) {
  return Error{ErrorCode::kFailedPrecondition, message, field};
}

}  // namespace

Result<Record> merge_persons(Transaction& tx, std::int64_t org_id, std::int64_t kept_id, std::int64_t duplicate_id,
                             const std::string& reason, const Clock& clock) {
  const EntitySpec& persons = spec_of("person");
  if (kept_id == duplicate_id) return invalid("a person cannot be merged into itself", "/duplicate_id");
  auto kept = tx.get(persons, kept_id, org_id);
  HAVEN_TRY(kept);
  auto duplicate = tx.get(persons, duplicate_id, org_id);
  HAVEN_TRY(duplicate);
  if (kept->fields.contains("merged_into"))
    return refuse(kept->display_code + " was itself merged into another record; merge into that one", "/person_id");
  if (duplicate->fields.contains("merged_into")) return refuse(duplicate->display_code + " is already merged", "/duplicate_id");

  // One role per person and case: the same role of both in one case cannot become two of one.
  auto kept_roles = records_of(tx, spec_of("case_person"), org_id, "person_id", kept_id);
  HAVEN_TRY(kept_roles);
  std::set<std::pair<std::int64_t, std::string>> roles;
  for (const auto& role : *kept_roles) roles.emplace(role.fields.value("case_id", std::int64_t{0}), role.fields.value("role", std::string()));

  Json moved = Json::array();
  for (const char* kind : person_kinds()) {
    auto records = records_of(tx, spec_of(kind), org_id, "person_id", duplicate_id);
    HAVEN_TRY(records);
    for (const auto& record : *records) {
      if (std::string(kind) == "case_person" &&
          roles.count({record.fields.value("case_id", std::int64_t{0}), record.fields.value("role", std::string())}))
        return refuse("both are " + record.fields.value("role", std::string()) + " in the same case (" + record.display_code +
                      "); remove one of the two roles first");
      HAVEN_TRY(update_record(tx, spec_of(kind), record.id, org_id, record.version, {{"person_id", kept_id}}, clock));
      moved.push_back({{"kind", kind}, {"id", record.id}});
    }
  }
  auto legal_cases = legal_cases_naming(tx, org_id, duplicate_id);
  HAVEN_TRY(legal_cases);
  auto kept_cases = legal_cases_naming(tx, org_id, kept_id);
  HAVEN_TRY(kept_cases);
  for (std::int64_t id : *legal_cases) {
    // "legal_case_removed": the kept person was a defendant already, so the duplicate was only removed.
    const bool kept_there = std::find(kept_cases->begin(), kept_cases->end(), id) != kept_cases->end();
    HAVEN_TRY(replace_defendant(tx, org_id, id, duplicate_id, kept_id, clock));
    moved.push_back({{"kind", kept_there ? "legal_case_removed" : "legal_case"}, {"id", id}});
  }

  Json marked = duplicate->fields;
  marked["merged_into"] = kept_id;
  HAVEN_TRY(tx.update(persons, duplicate_id, org_id, duplicate->version, marked));
  HAVEN_TRY(set_pair_status(tx, org_id, kept_id, duplicate_id, "open", "merged"));
  HAVEN_TRY(set_pair_status(tx, org_id, kept_id, duplicate_id, "confirmed", "merged"));
  Json merge = {{"person_id", kept_id}, {"merged_person_id", duplicate_id}, {"moved", moved}, {"status", "merged"}};
  if (!reason.empty()) merge["reason"] = reason;
  return tx.insert(spec_of("person_merge"), org_id, merge);
}

Result<Record> undo_merge(Transaction& tx, std::int64_t org_id, std::int64_t merge_id, const Clock& clock) {
  auto merge = tx.get(spec_of("person_merge"), merge_id, org_id);
  HAVEN_TRY(merge);
  if (merge->fields.value("status", std::string()) != "merged") return refuse("this merge was undone already", "/status");
  const std::int64_t kept_id = merge->fields.value("person_id", std::int64_t{0});
  const std::int64_t duplicate_id = merge->fields.value("merged_person_id", std::int64_t{0});
  for (const auto& entry : merge->fields.value("moved", Json::array())) {
    const std::string kind = entry.value("kind", std::string());
    const std::int64_t id = entry.value("id", std::int64_t{0});
    if (kind == "legal_case" || kind == "legal_case_removed") {
      auto legal = tx.get(spec_of("legal_case"), id, org_id);
      HAVEN_TRY(legal);
      Json defendants = legal->fields.value("defendant_person_ids", Json::array());
      if (kind == "legal_case") {
        for (auto& d : defendants)
          if (d == kept_id) d = duplicate_id;
      } else if (std::find(defendants.begin(), defendants.end(), Json(duplicate_id)) == defendants.end()) {
        defendants.push_back(duplicate_id);
      }
      HAVEN_TRY(update_record(tx, spec_of("legal_case"), id, org_id, legal->version, {{"defendant_person_ids", defendants}}, clock));
      continue;
    }
    const EntitySpec* spec = find_entity(kind);
    if (!spec) return Error{ErrorCode::kInternal, "the merge names an unknown kind " + kind, ""};
    auto record = tx.get(*spec, id, org_id);
    HAVEN_TRY(record);
    // A record moved on since the merge (to a third person) stays where it is now.
    if (record->fields.value("person_id", std::int64_t{0}) != kept_id) continue;
    HAVEN_TRY(update_record(tx, *spec, id, org_id, record->version, {{"person_id", duplicate_id}}, clock));
  }
  auto duplicate = tx.get(spec_of("person"), duplicate_id, org_id);
  HAVEN_TRY(duplicate);
  Json restored = duplicate->fields;
  restored.erase("merged_into");
  HAVEN_TRY(tx.update(spec_of("person"), duplicate_id, org_id, duplicate->version, restored));
  HAVEN_TRY(set_pair_status(tx, org_id, kept_id, duplicate_id, "merged", "open"));
  Json fields = merge->fields;
  fields["status"] = "undone";
  fields["undone_at"] = format_datetime(clock.now());
  return tx.update(spec_of("person_merge"), merge_id, org_id, merge->version, fields);
}

}  // namespace haven::dedupe
