#include "core/rules.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace haven {
namespace {

std::string text_of(const Json& record, const char* name) {
  const auto it = record.find(name);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status not_after(const Json& record, const char* field, const std::string& limit,
                 const std::string& what) {
  const std::string value = text_of(record, field);
  if (!value.empty() && value.substr(0, limit.size()) > limit)
    return invalid("cannot be after " + what + " (" + limit + ")", std::string("/") + field);
  return Status::Ok();
}

Status not_before(const Json& record, const char* field, const char* earlier_field) {
  const std::string value = text_of(record, field);
  const std::string earlier = text_of(record, earlier_field);
  if (!value.empty() && !earlier.empty() && value < earlier)
    return invalid(std::string("cannot be before ") + earlier_field + " (" + earlier + ")",
                   std::string("/") + field);
  return Status::Ok();
}

// Case workflow: which status may follow which. Reopening a closed case is allowed (new evidence,
// a survivor returns) and is recorded like any other change.
Status case_rules(Json& record, const Json* previous, const std::string& today) {
  if (!record.contains("status")) record["status"] = "open";
  const std::string status = record["status"];
  if (previous) {
    static const std::map<std::string, std::vector<std::string>> kAllowed = {
        {"open", {"investigation", "prosecution", "aftercare", "closed"}},
        {"investigation", {"prosecution", "aftercare", "closed"}},
        {"prosecution", {"aftercare", "closed"}},
        {"aftercare", {"prosecution", "closed"}},
        {"closed", {"open"}}};
    const std::string before = text_of(*previous, "status");
    if (before != status) {
      const auto& next = kAllowed.at(before.empty() ? "open" : before);
      if (std::find(next.begin(), next.end(), status) == next.end()) {
        std::string allowed;
        for (const auto& s : next) allowed += (allowed.empty() ? "" : ", ") + s;
        return Error{ErrorCode::kFailedPrecondition,
                     "a case cannot go from " + before + " to " + status +
                         "; from " + before + " it can go to: " + allowed,
                     "/status"};
      }
      if (before == "closed") record.erase("closed_on");
    }
  }
  if (status == "closed" && !record.contains("closed_on")) record["closed_on"] = today;
  if (status != "closed" && record.contains("closed_on"))
    return invalid("can only be set when the case is closed", "/closed_on");
  HAVEN_TRY(not_after(record, "opened_on", today, "today"));
  HAVEN_TRY(not_after(record, "incident_date", today, "today"));
  HAVEN_TRY(not_after(record, "closed_on", today, "today"));
  return not_before(record, "closed_on", "opened_on");
}

Status person_rules(Json& record, const std::string& today) {
  HAVEN_TRY(not_after(record, "birth_date", today, "today"));
  HAVEN_TRY(not_after(record, "age_estimated_on", today, "today"));
  if (record.contains("age_estimate") && !record.contains("age_estimated_on"))
    record["age_estimated_on"] = today;
  if (record.contains("age_estimated_on") && !record.contains("age_estimate"))
    return invalid("needs age_estimate", "/age_estimated_on");
  return Status::Ok();
}

// A person's age at `on`, from the birth date, or else from the age estimate and when it was made.
std::optional<int> age_at(const Json& person, const std::string& on) {
  const std::string born = text_of(person, "birth_date");
  if (!born.empty()) return years_between(born, on);
  if (person.contains("age_estimate") && person.contains("age_estimated_on")) {
    const auto since = years_between(text_of(person, "age_estimated_on"), on);
    // Without a birth date the estimate is whole years: move it by whole elapsed years only.
    if (since) return person["age_estimate"].get<int>() + *since;
  }
  return std::nullopt;
}

Status case_person_rules(Json& record, WriteContext& context) {
  auto the_case = context.lookup.find("case", record["case_id"].get<std::int64_t>(), context.org_id);
  HAVEN_TRY(the_case);
  auto person =
      context.lookup.find("person", record["person_id"].get<std::int64_t>(), context.org_id);
  HAVEN_TRY(person);
  std::string reference = text_of(*the_case, "incident_date");
  if (reference.empty()) reference = text_of(*the_case, "opened_on");
  if (const auto age = age_at(*person, reference)) record["is_minor"] = *age < 18;
  return Status::Ok();
}

// Stages follow the order of the law: each at most once, in order, dates never going back.
// A verdict needs charges filed before it; a sentence needs a conviction or a plea; an appeal
// needs a verdict.
Status legal_case_rules(Json& record, const std::string& today) {
  if (!record.contains("stages")) return Status::Ok();
  const auto& order = choices::kLegalStages;
  auto index_of = [&](const std::string& stage) {
    return std::find(order.begin(), order.end(), stage) - order.begin();
  };
  std::ptrdiff_t last_index = -1;
  std::string last_date, verdict;
  bool charged = false;
  const Json& stages = record["stages"];
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string at = "/stages/" + std::to_string(i);
    const std::string stage = stages[i]["stage"];
    const std::string date = stages[i]["date"];
    const auto index = index_of(stage);
    if (index <= last_index)
      return Error{ErrorCode::kFailedPrecondition,
                   "stage " + stage + " cannot come after " + order[last_index] +
                       "; stages go in the order: complaint, investigation, charges_filed, "
                       "arraignment, trial, verdict, sentence, appeal",
                   at + "/stage"};
    if (date < last_date)
      return Error{ErrorCode::kFailedPrecondition,
                   "date " + date + " is before the previous stage's date " + last_date,
                   at + "/date"};
    if (date > today) return invalid("cannot be in the future", at + "/date");
    if (stages[i].contains("verdict") && stage != "verdict")
      return invalid("can only be given on the verdict stage", at + "/verdict");
    if (stages[i].contains("sentence_months") && stage != "sentence")
      return invalid("can only be given on the sentence stage", at + "/sentence_months");
    if (stage == "charges_filed") charged = true;
    if (stage == "verdict") {
      if (!charged)
        return Error{ErrorCode::kFailedPrecondition,
                     "a verdict needs charges filed first; add the charges_filed stage",
                     at + "/stage"};
      if (!stages[i].contains("verdict"))
        return invalid("is required on the verdict stage: one of conviction, acquittal, "
                       "dismissal, plea",
                       at + "/verdict");
      verdict = stages[i]["verdict"];
    }
    if (stage == "sentence" && verdict != "conviction" && verdict != "plea")
      return Error{ErrorCode::kFailedPrecondition,
                   "a sentence needs a verdict of conviction or plea before it", at + "/stage"};
    if (stage == "appeal" && verdict.empty())
      return Error{ErrorCode::kFailedPrecondition, "an appeal needs a verdict before it",
                   at + "/stage"};
    last_index = index;
    last_date = date;
  }
  if (last_index >= 0) record["current_stage"] = order[last_index];
  if (!verdict.empty()) record["verdict"] = verdict;
  return Status::Ok();
}

Status assessment_rules(Json& record, WriteContext& context, const std::string& today) {
  HAVEN_TRY(not_after(record, "assessed_on", today, "today"));
  auto organisation = context.lookup.find("organisation", context.org_id, context.org_id);
  HAVEN_TRY(organisation);
  const int threshold = organisation->value("restored_threshold", 3);
  bool restored = true;
  for (const auto& domain : choices::kAssessmentDomains)
    restored = restored && record["scores"][domain].get<int>() >= threshold;
  record["restored"] = restored;
  return Status::Ok();
}

Status evidence_rules(const Json& record, const Json* previous) {
  if (!previous) return Status::Ok();
  if (text_of(*previous, "sha256") != text_of(record, "sha256"))
    return Error{ErrorCode::kFailedPrecondition,
                 "the original is immutable: register a new evidence item for a new file",
                 "/sha256"};
  const Json before = previous->value("custody", Json::array());
  const Json after = record.value("custody", Json::array());
  const bool appended = after.size() >= before.size() &&
                        std::equal(before.begin(), before.end(), after.begin());
  if (!appended)
    return Error{ErrorCode::kFailedPrecondition,
                 "the chain of custody is append-only: entries can be added, never changed or "
                 "removed",
                 "/custody"};
  return Status::Ok();
}

Status form_definition_rules(Json& record, const Json* previous, WriteContext& context) {
  if (previous)
    return Error{ErrorCode::kFailedPrecondition,
                 "form definitions are immutable; create a new definition to make the next "
                 "version",
                 ""};
  std::vector<std::string> keys;
  const Json& fields = record["fields"];
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string at = "/fields/" + std::to_string(i);
    const std::string key = fields[i]["key"];
    if (std::find(keys.begin(), keys.end(), key) != keys.end())
      return invalid("key " + key + " is defined twice", at + "/key");
    keys.push_back(key);
    const bool has_choices = fields[i].contains("choices") && !fields[i]["choices"].empty();
    if ((fields[i]["type"] == "choice") != has_choices)
      return invalid("choices are required for a choice field and only allowed there",
                     at + "/choices");
  }
  auto latest = context.lookup.latest_form(context.org_id, record["target_kind"].get<std::string>());
  HAVEN_TRY(latest);
  record["form_version"] = latest->is_null() ? 1 : (*latest)["form_version"].get<int>() + 1;
  return Status::Ok();
}

// A referral shares only what the survivor agreed to: the consent must be in force, allow
// referrals and this purpose, and name the receiving organisation.
Status referral_rules(Json& record, const Json* previous, WriteContext& context) {
  if (previous)
    return Error{ErrorCode::kFailedPrecondition,
                 "a referral does not change; the receiver accepts or declines it, the sender revokes it "
                 "(POST /api/v1/referrals/{id}/accept, /decline or /revoke)",
                 ""};
  if (record["to_org_id"].get<std::int64_t>() == context.org_id)
    return invalid("is your own organisation; a referral goes to another one", "/to_org_id");
  auto consent = context.lookup.find("consent", record["consent_id"].get<std::int64_t>(), context.org_id);
  HAVEN_TRY(consent);
  if (consent->contains("withdrawn_on"))
    return Error{ErrorCode::kFailedPrecondition, "the survivor withdrew this consent on " + text_of(*consent, "withdrawn_on"),
                 "/consent_id"};
  const Json purposes = consent->value("purposes", Json::array());
  for (const std::string& needed : {std::string("referral"), record["purpose"].get<std::string>()})
    if (std::find(purposes.begin(), purposes.end(), needed) == purposes.end())
      return Error{ErrorCode::kFailedPrecondition, "the survivor did not consent to " + needed, "/consent_id"};
  const Json orgs = consent->value("share_with_org_ids", Json::array());
  if (std::find(orgs.begin(), orgs.end(), record["to_org_id"]) == orgs.end())
    return Error{ErrorCode::kFailedPrecondition, "the survivor did not consent to sharing with this organisation", "/to_org_id"};
  record["status"] = "pending";
  return Status::Ok();
}

// A pair flagged for review: two different persons; its status changes only through the review.
Status duplicate_rules(Json& record, const Json* previous) {
  if (previous)
    return Error{ErrorCode::kFailedPrecondition,
                 "a duplicate candidate does not change; confirm or reject it (POST "
                 "/api/v1/duplicate-candidates/{id}/confirm or /reject) or merge the two persons",
                 ""};
  if (record["person_id"] == record["other_person_id"]) return invalid("is the same person as person_id", "/other_person_id");
  if (!record.contains("source")) record["source"] = "staff";
  record["status"] = "open";
  return Status::Ok();
}

Status audit_rules(Json& record, const std::string& today) {
  HAVEN_TRY(not_after(record, "audited_on", today, "today"));
  const Json& checklist = record["checklist"];
  if (checklist.empty()) return invalid("needs at least one item", "/checklist");
  const auto compliant = std::count_if(checklist.begin(), checklist.end(),
                                       [](const Json& item) { return item["compliant"] == true; });
  record["compliance_percent"] =
      (200 * compliant + static_cast<long>(checklist.size())) / (2 * static_cast<long>(checklist.size()));
  return Status::Ok();
}

}  // namespace

Status apply_rules(const EntitySpec& spec, Json& record, const Json* previous,
                   WriteContext& context) {
  const std::string today = format_date(context.clock.now());
  const std::string now = format_datetime(context.clock.now());
  const std::string& kind = spec.kind;
  if (kind == "case") return case_rules(record, previous, today);
  if (kind == "person") return person_rules(record, today);
  if (kind == "case_person") return case_person_rules(record, context);
  if (kind == "legal_case") return legal_case_rules(record, today);
  if (kind == "outcome_assessment") return assessment_rules(record, context, today);
  if (kind == "evidence_item") return evidence_rules(record, previous);
  if (kind == "form_definition") return form_definition_rules(record, previous, context);
  if (kind == "case_audit") return audit_rules(record, today);
  if (kind == "report") return not_after(record, "received_at", now, "now");
  if (kind == "operation") return not_after(record, "date", today, "today");
  if (kind == "service") return not_before(record, "end_date", "start_date");
  if (kind == "consent") return not_before(record, "withdrawn_on", "given_on");
  if (kind == "referral") return referral_rules(record, previous, context);
  if (kind == "duplicate_candidate") return duplicate_rules(record, previous);
  if (spec.workflow_only)
    return Error{ErrorCode::kFailedPrecondition, spec.collection + " are made by their own operation, not written directly", ""};
  if (kind == "hearing" && record.value("held", false) && record.value("postponed", false))
    return invalid("a hearing cannot be both held and postponed", "/postponed");
  if (kind == "service_plan") return not_before(record, "review_date", "start_date");
  return Status::Ok();
}

}  // namespace haven
