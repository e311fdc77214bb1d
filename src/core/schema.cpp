#include "core/schema.hpp"

#include <cstdint>
#include <utility>

namespace haven {
namespace {

// Small builders keep the entity table below readable as a data dictionary.
FieldSpec str(std::string name, std::size_t max_length = 200) {
  FieldSpec f;
  f.name = std::move(name);
  f.max_length = max_length;
  return f;
}
FieldSpec text(std::string name, std::size_t max_length = 20000) {
  FieldSpec f = str(std::move(name), max_length);
  f.type = FieldType::kText;
  f.sensitivity = Sensitivity::kSensitive;
  return f;
}
FieldSpec of_type(std::string name, FieldType type) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  return f;
}
FieldSpec enumeration(std::string name, std::vector<std::string> values) {
  FieldSpec f = of_type(std::move(name), FieldType::kEnum);
  f.choices = std::move(values);
  return f;
}
FieldSpec enum_list(std::string name, std::vector<std::string> values) {
  FieldSpec f = of_type(std::move(name), FieldType::kEnumList);
  f.choices = std::move(values);
  f.max_length = f.choices.size();
  return f;
}
FieldSpec integer(std::string name, std::int64_t min, std::int64_t max) {
  FieldSpec f = of_type(std::move(name), FieldType::kInteger);
  f.min = min;
  f.max = max;
  return f;
}
FieldSpec number(std::string name, std::int64_t min, std::int64_t max) {
  FieldSpec f = integer(std::move(name), min, max);
  f.type = FieldType::kNumber;
  return f;
}
FieldSpec ref(std::string name, std::string kind) {
  FieldSpec f = of_type(std::move(name), FieldType::kRef);
  f.ref_kind = std::move(kind);
  f.indexed = true;
  return f;
}
FieldSpec ref_list(std::string name, std::string kind, std::size_t max_items = 50) {
  FieldSpec f = of_type(std::move(name), FieldType::kRefList);
  f.ref_kind = std::move(kind);
  f.max_length = max_items;
  return f;
}
FieldSpec string_list(std::string name, std::size_t max_items = 50) {
  FieldSpec f = of_type(std::move(name), FieldType::kStringList);
  f.max_length = max_items;
  return f;
}
FieldSpec object_list(std::string name, std::vector<FieldSpec> fields, std::size_t max_items) {
  FieldSpec f = of_type(std::move(name), FieldType::kObjectList);
  f.fields = std::move(fields);
  f.max_length = max_items;
  return f;
}
FieldSpec country(std::string name) {
  FieldSpec f = str(std::move(name), 2);
  f.format = "country";
  f.description = "ISO 3166-1 alpha-2 code, e.g. PH";
  return f;
}
FieldSpec with_format(FieldSpec f, std::string format) {
  f.format = std::move(format);
  return f;
}
FieldSpec custom() { return of_type("custom", FieldType::kCustom); }

FieldSpec required(FieldSpec f) {
  f.required = true;
  return f;
}
FieldSpec indexed(FieldSpec f) {
  f.indexed = true;
  return f;
}
FieldSpec identifying(FieldSpec f) {
  f.sensitivity = Sensitivity::kIdentifying;
  return f;
}
FieldSpec sensitive(FieldSpec f) {
  f.sensitivity = Sensitivity::kSensitive;
  return f;
}
FieldSpec findable(FieldSpec f) {
  f.blind_indexed = true;
  return f;
}
FieldSpec computed(FieldSpec f) {
  f.read_only = true;
  f.required = false;
  return f;
}
FieldSpec described(FieldSpec f, std::string description) {
  f.description = std::move(description);
  return f;
}

EntitySpec entity(std::string kind, std::string collection, std::string prefix,
                  std::string description, std::vector<FieldSpec> fields) {
  EntitySpec e;
  e.kind = std::move(kind);
  e.collection = std::move(collection);
  e.code_prefix = std::move(prefix);
  e.description = std::move(description);
  e.fields = std::move(fields);
  return e;
}

std::vector<EntitySpec> build_specs() {
  using namespace choices;
  std::vector<EntitySpec> specs;

  EntitySpec organisation = entity(
      "organisation", "organisations", "OR",
      "An NGO, police unit, prosecutor's office, court, shelter, labour inspectorate or social "
      "welfare office.",
      {required(indexed(str("name", 200))),
       required(indexed(enumeration("type", {"ngo", "police", "prosecutor", "court", "shelter",
                                              "labour_inspectorate", "social_welfare"}))),
       required(indexed(country("country"))),
       indexed(str("region", 100)),
       described(integer("restored_threshold", 1, 4),
                 "Minimum score (1-4) in every assessment domain for a survivor to count as "
                 "restored; 3 when not set.")});
  organisation.org_scoped = false;
  specs.push_back(std::move(organisation));

  specs.push_back(entity(
      "form_definition", "form-definitions", "FD",
      "Custom fields an organisation adds to a form. Definitions are immutable: saving a new one "
      "for the same form creates the next version, and records are validated against the latest.",
      {required(indexed(enumeration("target_kind", {"person", "case", "report", "service",
                                                    "outcome_assessment", "operation"}))),
       computed(indexed(integer("form_version", 1, 100000))),
       required(object_list(
           "fields",
           {required(with_format(described(str("key", 60), "lower_snake_case identifier"), "key")),
            required(str("label", 200)),
            required(enumeration("type", {"text", "number", "date", "boolean", "choice"})),
            of_type("required", FieldType::kBoolean), string_list("choices", 100)},
           100))}));

  specs.push_back(entity(
      "case", "cases", "CA",
      "A case: one situation of exploitation, the people in it, and the work done on it.",
      {required(sensitive(described(str("title", 200), "Sealed at rest: titles often name people"))),
       required(indexed(enumeration("exploitation_form", kExploitationForms))),
       indexed(described(enumeration("status", kCaseStatuses),
                         "open when not given; changes follow the case workflow")),
       required(indexed(country("country"))), indexed(str("region", 100)),
       sensitive(str("location", 300)),
       indexed(enumeration("sensitivity", {"normal", "high", "restricted"})),
       ref_list("assigned_user_ids", "user", 20),
       required(indexed(of_type("opened_on", FieldType::kDate))),
       indexed(described(of_type("incident_date", FieldType::kDate),
                         "When the exploitation took place; minors are judged at this date.")),
       indexed(of_type("closed_on", FieldType::kDate)), text("summary"), custom()}));

  specs.push_back(entity(
      "report", "reports", "RP", "A tip or referral received: how, when, and which case it became.",
      {required(indexed(enumeration("channel", {"hotline", "community", "police",
                                                "online_platform", "self_referral",
                                                "ngo_referral", "other"}))),
       required(indexed(of_type("received_at", FieldType::kDateTime))),
       required(indexed(enumeration("priority", {"low", "medium", "high", "urgent"}))),
       indexed(enumeration("exploitation_form", kExploitationForms)),
       indexed(country("country")), indexed(str("region", 100)), text("narrative"),
       identifying(str("reporter_contact", 200)), ref("case_id", "case"), custom()}));

  specs.push_back(entity(
      "person", "persons", "PE",
      "Anyone in a case: survivor, suspect, witness, guardian or reporter. Identifying fields are "
      "sealed at rest; lists and exports show the display code.",
      {findable(identifying(str("given_name", 200))), findable(identifying(str("family_name", 200))),
       identifying(string_list("aliases", 20)),
       indexed(enumeration("sex", {"female", "male", "other", "unknown"})),
       findable(identifying(of_type("birth_date", FieldType::kDate))),
       described(integer("age_estimate", 0, 120),
                 "Estimated age in years when no birth date is known, as of age_estimated_on."),
       of_type("age_estimated_on", FieldType::kDate),
       findable(identifying(described(str("phone", 40), "International format, e.g. +63 917 555 0101"))),
       identifying(str("address", 500)), indexed(country("nationality")),
       indexed(country("country")), indexed(str("region", 100)),
       computed(described(ref("merged_into", "person"),
                          "Set when this record was merged into another as a duplicate (POST "
                          "/api/v1/persons/{id}/merge); cleared when the merge is undone.")),
       custom()}));

  specs.push_back(entity(
      "case_person", "case-persons", "CP", "The role a person takes in a case.",
      {required(ref("case_id", "case")), required(ref("person_id", "person")),
       required(indexed(enumeration("role", kCaseRoles))),
       computed(indexed(described(of_type("is_minor", FieldType::kBoolean),
                                  "Derived: under 18 at the case's incident date (or opening "
                                  "date), from birth date or age estimate."))),
       text("notes", 5000)}));

  specs.push_back(entity(
      "case_event", "case-events", "EV", "An entry in a case's timeline.",
      {required(ref("case_id", "case")),
       required(indexed(of_type("occurred_at", FieldType::kDateTime))),
       required(indexed(enumeration("type", {"note", "contact", "interview", "referral",
                                             "operation", "hearing", "service", "assessment",
                                             "status_change", "document"}))),
       text("summary", 5000)}));

  specs.push_back(entity(
      "operation", "operations", "OP", "A rescue or intervention with partner agencies.",
      {required(ref("case_id", "case")),
       required(indexed(enumeration("type", {"rescue", "arrest", "inspection", "intervention"}))),
       required(indexed(of_type("date", FieldType::kDate))), sensitive(str("place", 300)),
       string_list("partner_agencies", 20), integer("victims_identified", 0, 100000),
       integer("suspects_arrested", 0, 100000), text("notes"), custom()}));

  specs.push_back(entity(
      "legal_case", "legal-cases", "LC",
      "Proceedings in court: charges, defendants, and stages in order with non-decreasing dates.",
      {required(ref("case_id", "case")), indexed(str("court", 200)),
       indexed(str("docket_number", 100)),
       object_list("charges",
                   {required(str("statute", 200)), required(integer("counts", 1, 1000))}, 50),
       ref_list("defendant_person_ids", "person", 50),
       object_list("stages",
                   {required(enumeration("stage", kLegalStages)),
                    required(of_type("date", FieldType::kDate)), enumeration("verdict", kVerdicts),
                    integer("sentence_months", 0, 1200), str("note", 500)},
                   20),
       computed(indexed(enumeration("current_stage", kLegalStages))),
       computed(indexed(enumeration("verdict", kVerdicts)))}));

  specs.push_back(entity(
      "hearing", "hearings", "HE", "A court hearing in a legal case.",
      {required(ref("legal_case_id", "legal_case")),
       required(indexed(of_type("scheduled_at", FieldType::kDateTime))),
       of_type("held", FieldType::kBoolean), of_type("postponed", FieldType::kBoolean),
       str("postponement_reason", 300), of_type("survivor_testified", FieldType::kBoolean),
       described(of_type("victim_sensitive", FieldType::kBoolean),
                 "Was the testimony taken in a victim-sensitive way (closed court, screen, video)?"),
       text("notes", 5000)}));

  specs.push_back(entity(
      "service_plan", "service-plans", "SP", "A survivor's aftercare plan.",
      {required(ref("person_id", "person")), ref("case_id", "case"),
       required(indexed(of_type("start_date", FieldType::kDate))),
       indexed(of_type("review_date", FieldType::kDate)), text("goals")}));

  specs.push_back(entity(
      "service", "services", "SE", "A service delivered to a survivor.",
      {required(ref("person_id", "person")), ref("service_plan_id", "service_plan"),
       required(indexed(enumeration("type", kServiceKinds))),
       required(indexed(of_type("start_date", FieldType::kDate))),
       of_type("end_date", FieldType::kDate), str("provider", 200), text("notes", 5000),
       custom()}));

  std::vector<FieldSpec> scores;
  for (const auto& domain : kAssessmentDomains) scores.push_back(required(integer(domain, 1, 4)));
  FieldSpec score_object = of_type("scores", FieldType::kObject);
  score_object.fields = std::move(scores);
  score_object.required = true;
  specs.push_back(entity(
      "outcome_assessment", "outcome-assessments", "OA",
      "A survivor's assessment in six domains, each scored 1 (in crisis) to 4 (thriving).",
      {required(ref("person_id", "person")),
       required(indexed(of_type("assessed_on", FieldType::kDate))), std::move(score_object),
       computed(indexed(described(of_type("restored", FieldType::kBoolean),
                                  "Derived: every domain at or above the organisation's "
                                  "restored threshold."))),
       text("notes", 5000), custom()}));

  specs.push_back(entity(
      "training", "trainings", "TR", "A training of justice-system officials.",
      {required(indexed(str("audience_agency", 200))),
       required(indexed(of_type("held_on", FieldType::kDate))), string_list("topics", 30),
       required(integer("participants", 1, 10000)), number("pre_test_mean", 0, 100),
       number("post_test_mean", 0, 100)}));

  specs.push_back(entity(
      "case_audit", "case-audits", "AU", "A case-file audit against a checklist.",
      {required(ref("case_id", "case")), required(indexed(of_type("audited_on", FieldType::kDate))),
       required(object_list("checklist",
                            {required(str("item", 300)),
                             required(of_type("compliant", FieldType::kBoolean))},
                            200)),
       computed(indexed(integer("compliance_percent", 0, 100)))}));

  specs.push_back(entity(
      "evidence_item", "evidence-items", "EI",
      "An exhibit for prosecution with its SHA-256 and chain of custody (append-only).",
      {required(ref("case_id", "case")), required(str("description", 500)),
       required(with_format(described(str("sha256", 64), "Hex SHA-256 of the original file"), "sha256")),
       str("media_type", 100),
       object_list("custody",
                   {required(of_type("at", FieldType::kDateTime)), required(str("handler", 200)),
                    required(str("action", 200)), str("reason", 500)},
                   500)}));

  specs.push_back(entity(
      "consent", "consents", "CO",
      "What a survivor agreed to: sharing with which organisations, for which purposes.",
      {required(ref("person_id", "person")),
       required(indexed(of_type("given_on", FieldType::kDate))),
       required(enum_list("purposes", {"case_management", "referral", "prosecution",
                                       "research", "reporting"})),
       ref_list("share_with_org_ids", "organisation", 50), identifying(str("witness", 200)),
       indexed(of_type("withdrawn_on", FieldType::kDate))}));

  specs.push_back(entity(
      "referral", "referrals", "RF",
      "A case shared with another organisation, within what the survivor consented to. The receiving "
      "organisation sees the case's public fields, the consenting survivor's fields named in `shared`, "
      "and the other people in the case pseudonymised.",
      {required(ref("case_id", "case")),
       required(described(ref("consent_id", "consent"),
                          "The survivor's consent: it must allow the purpose and name the receiving organisation")),
       required(ref("to_org_id", "organisation")),
       required(enum_list("shared", {"case_details", "person_names", "person_contact", "person_birth_date", "timeline"})),
       required(indexed(enumeration("purpose", {"case_management", "referral", "prosecution"}))),
       computed(indexed(described(enumeration("status", {"pending", "accepted", "declined", "revoked"}),
                                  "pending when made; the receiver accepts or declines, the sender may revoke"))),
       text("message", 2000)}));

  specs.push_back(entity(
      "duplicate_candidate", "duplicate-candidates", "DC",
      "Two person records that may be the same person, found by a duplicate scan or flagged by "
      "staff, waiting for a person to confirm, reject or merge them.",
      {required(ref("person_id", "person")), required(ref("other_person_id", "person")),
       described(number("score", 0, 1), "Similarity from 0 to 1 (1: certainly the same)"),
       str("explanation", 500),
       indexed(enumeration("source", {"scan", "intake", "staff"})),
       computed(indexed(described(enumeration("status", {"open", "confirmed", "rejected", "merged"}),
                                  "open when found; changed by POST "
                                  "/api/v1/duplicate-candidates/{id}/confirm, /reject or a merge")))}));

  EntitySpec merge = entity(
      "person_merge", "person-merges", "PM",
      "Two records of one person made one: the duplicate's roles, services, assessments and "
      "consents moved to the kept record, which the duplicate now points to. Undo moves them back.",
      {required(ref("person_id", "person")), required(ref("merged_person_id", "person")),
       object_list("moved", {required(str("kind", 40)), required(integer("id", 1, INT64_MAX))}, 10000),
       text("reason", 2000),
       indexed(enumeration("status", {"merged", "undone"})), of_type("undone_at", FieldType::kDateTime)});
  merge.workflow_only = true;
  specs.push_back(std::move(merge));

  // The compared values are of people on agencies' lists: sealed with the whole explanation,
  // since the store seals top-level fields only (an object's sub-field cannot be sealed alone).
  EntitySpec link_review = entity(
      "link_review", "link-reviews", "LR",
      "A pair of records from two agencies' lists that record linkage (haven link) scored in the "
      "uncertain band, waiting for a person to decide whether they are the same person. Made by "
      "haven link --review-into; decided with POST /api/v1/link-reviews/{id}/match or /non-match.",
      {required(indexed(described(str("run", 100), "The linkage run's name, unique in the organisation"))),
       required(described(str("list_l", 200), "The left record's list")),
       required(described(str("record_l", 200), "The left record's id in its list")),
       required(described(str("list_r", 200), "The right record's list")),
       required(described(str("record_r", 200), "The right record's id in its list")),
       indexed(described(number("match_probability", 0, 1), "The model's probability that the two are one person")),
       described(number("match_weight", -10000, 10000), "log2 Bayes factor of the pair, the prior included"),
       identifying(described(
           object_list("comparisons",
                       {required(str("field", 100)), required(described(str("level", 200), "The comparison level that held")),
                        required(described(number("weight", -10000, 10000), "What this comparison added to the match weight (log2 Bayes factor)")),
                        described(str("left", 1000), "The left record's value as compared (normalised)"),
                        described(str("right", 1000), "The right record's value as compared (normalised)")},
                       100),
           "Per field: the level, its weight and the two compared values (identifying: sealed at rest, "
           "hidden from analysts and auditors)")),
       computed(indexed(described(enumeration("status", {"pending", "match", "non_match"}),
                                  "pending when made; set by POST /api/v1/link-reviews/{id}/match, /non-match "
                                  "or /reopen"))),
       computed(text("note", 2000)),
       computed(described(ref("decided_by", "user"), "The reviewer who decided")),
       computed(described(of_type("decided_at", FieldType::kDateTime), "When the pair was decided"))});
  link_review.workflow_only = true;
  specs.push_back(std::move(link_review));

  return specs;
}

}  // namespace

const FieldSpec* EntitySpec::field(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

const std::vector<EntitySpec>& entity_specs() {
  static const std::vector<EntitySpec> specs = build_specs();  // immutable after first use
  return specs;
}

const EntitySpec* find_entity(std::string_view kind_or_collection) {
  for (const auto& e : entity_specs())
    if (e.kind == kind_or_collection || e.collection == kind_or_collection) return &e;
  return nullptr;
}

const char* field_type_name(FieldType type) {
  switch (type) {
    case FieldType::kString: return "string";
    case FieldType::kText: return "text";
    case FieldType::kEnum: return "enum";
    case FieldType::kDate: return "date";
    case FieldType::kDateTime: return "date-time";
    case FieldType::kInteger: return "integer";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kRef: return "reference";
    case FieldType::kStringList: return "list of strings";
    case FieldType::kEnumList: return "list of choices";
    case FieldType::kRefList: return "list of references";
    case FieldType::kObject: return "object";
    case FieldType::kObjectList: return "list of objects";
    case FieldType::kCustom: return "custom fields";
  }
  return "unknown";
}

}  // namespace haven
