// The domain as data: every entity Haven stores is described once here, and validation, storage
// columns, CSV headers and the OpenAPI document are all derived from these descriptions, so they
// cannot drift apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace haven {

enum class FieldType {
  kString,      // one line of text, up to max_length code points
  kText,        // free text (narratives), up to max_length code points
  kEnum,        // one of `choices`
  kDate,        // YYYY-MM-DD, a real calendar date between 1900 and 2100
  kDateTime,    // RFC 3339 in UTC: YYYY-MM-DDTHH:MM:SSZ
  kInteger,     // between min and max
  kNumber,      // decimal between min and max
  kBoolean,
  kRef,         // id of a record of `ref_kind` in the same organisation
  kStringList,  // array of kString
  kEnumList,    // array of `choices`
  kRefList,     // array of ids of `ref_kind`
  kObject,      // nested object described by `fields`
  kObjectList,  // array of nested objects described by `fields`
  kCustom,      // custom fields, validated against the organisation's form definition
};

const char* field_type_name(FieldType type);

// How dangerous a field is if it leaks; the access policy and field encryption key off this.
enum class Sensitivity {
  kPublic,       // codes, categories, dates of procedure
  kSensitive,    // narratives, locations of operations: need-to-know
  kIdentifying,  // names, birth dates, phones, addresses: sealed at rest, never shown to analysts
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  bool read_only = false;  // computed by Haven (e.g. is_minor); rejected on input
  bool indexed = false;    // stored in its own column: filterable and sortable in lists
  bool blind_indexed = false;  // sealed, but findable by exact value through a keyed digest
  Sensitivity sensitivity = Sensitivity::kPublic;
  std::size_t max_length = 200;  // code points for strings, items for lists
  std::int64_t min = 0;
  std::int64_t max = 1'000'000'000;
  std::vector<std::string> choices;  // kEnum, kEnumList
  std::string ref_kind;              // kRef, kRefList
  std::string format;  // extra rule for strings: "country" (ISO 3166-1 alpha-2), "sha256", "key"
  std::vector<FieldSpec> fields;     // kObject, kObjectList
  std::string description;
};

struct EntitySpec {
  std::string kind;        // singular, as stored: "legal_case"
  std::string collection;  // as in URLs: "legal-cases"
  std::string code_prefix; // display codes: "LC-2026-00042"
  std::string description;
  std::vector<FieldSpec> fields;
  bool org_scoped = true;  // false only for organisations themselves
  // Created and changed only by its own operation (a merge of duplicates), never by the generic
  // POST and PATCH, nor by CSV import: the operation changes other records with it.
  bool workflow_only = false;

  const FieldSpec* field(std::string_view name) const;
};

// Every entity in dependency order (a kind only references kinds before it).
const std::vector<EntitySpec>& entity_specs();
const EntitySpec* find_entity(std::string_view kind_or_collection);

// The enumerations users talk about, shared with the generator and reports.
namespace choices {
inline const std::vector<std::string> kExploitationForms = {
    "labour_brick_kiln", "labour_rice_mill", "labour_garment", "labour_fishing",
    "labour_domestic_work", "labour_agriculture", "labour_other", "sex_trafficking",
    "osec", "forced_criminality", "other"};
inline const std::vector<std::string> kCaseStatuses = {
    "open", "investigation", "prosecution", "aftercare", "closed"};
inline const std::vector<std::string> kLegalStages = {
    "complaint", "investigation", "charges_filed", "arraignment", "trial",
    "verdict", "sentence", "appeal"};
inline const std::vector<std::string> kVerdicts = {"conviction", "acquittal", "dismissal", "plea"};
inline const std::vector<std::string> kAssessmentDomains = {
    "safety", "legal_protection", "mental_wellbeing", "economic_empowerment",
    "social_support", "physical_wellbeing"};
inline const std::vector<std::string> kServiceKinds = {
    "shelter", "medical", "psychosocial", "legal_aid", "education", "livelihood",
    "family_tracing", "repatriation"};
inline const std::vector<std::string> kCaseRoles = {
    "victim", "suspect", "witness", "guardian", "reporter"};
inline const std::vector<std::string> kRoles = {
    "caseworker", "social_worker", "investigator", "lawyer", "supervisor",
    "analyst", "org_admin", "system_admin", "auditor"};
}  // namespace choices

}  // namespace haven
