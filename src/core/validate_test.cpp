#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/core.hpp"

namespace haven {
namespace {

// Records the rules may look up, held in memory for these unit tests; the store's own behaviour
// is covered by the conformance suite.
class MemoryLookup final : public RecordLookup {
 public:
  std::map<std::pair<std::string, std::int64_t>, Json> records;
  Json form;
  Result<Json> find(std::string_view kind, std::int64_t id, std::int64_t) override {
    auto it = records.find({std::string(kind), id});
    if (it == records.end()) return Error{ErrorCode::kNotFound, "absent", ""};
    return it->second;
  }
  Result<Json> latest_form(std::int64_t, std::string_view) override { return form; }
  Result<bool> exists(std::string_view kind, std::int64_t id, std::int64_t) override {
    return records.count({std::string(kind), id}) > 0;
  }
};

class Validation : public ::testing::Test {
 protected:
  MemoryLookup lookup;
  FixedClock clock{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  WriteContext context{1, lookup, clock};

  Result<Json> create(const char* kind, const Json& input) {
    return prepare_create(*find_entity(kind), input, context);
  }
  void expect_error(const char* kind, const Json& input, const std::string& field,
                    const std::string& message_part) {
    auto result = create(kind, input);
    ASSERT_FALSE(result.ok()) << input.dump();
    EXPECT_EQ(result.error().field, field) << result.error().message;
    EXPECT_NE(result.error().message.find(message_part), std::string::npos)
        << result.error().message;
  }
  Json legal_case(Json stages) { return {{"case_id", 7}, {"stages", std::move(stages)}}; }
};

const Json kCase = {{"title", "Kiln 4"}, {"exploitation_form", "labour_brick_kiln"},
                    {"country", "IN"}, {"opened_on", "2026-01-10"}};

TEST_F(Validation, AcceptsAValidCaseAndDefaultsItsStatus) {
  auto result = create("case", kCase);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ((*result)["status"], "open");
}

TEST_F(Validation, NamesTheOffendingFieldForBadInput) {
  Json unknown = kCase;
  unknown["colour"] = "red";
  expect_error("case", unknown, "/colour", "not a known field");
  Json wrong_type = kCase;
  wrong_type["title"] = 42;
  expect_error("case", wrong_type, "/title", "must be a string");
  Json missing = kCase;
  missing.erase("title");
  expect_error("case", missing, "/title", "required");
  Json long_title = kCase;
  long_title["title"] = std::string(201, 'a');
  expect_error("case", long_title, "/title", "too long");
  Json bad_date = kCase;
  bad_date["opened_on"] = "2026-02-30";
  expect_error("case", bad_date, "/opened_on", "YYYY-MM-DD");
  Json bad_enum = kCase;
  bad_enum["exploitation_form"] = "piracy";
  expect_error("case", bad_enum, "/exploitation_form", "must be one of");
  Json bad_country = kCase;
  bad_country["country"] = "in";
  expect_error("case", bad_country, "/country", "ISO 3166-1");
  Json future = kCase;
  future["opened_on"] = "2026-12-01";
  expect_error("case", future, "/opened_on", "after today");
  Json envelope = kCase;
  envelope["id"] = 5;
  expect_error("case", envelope, "/id", "assigned by Haven");
  Json invalid_text = kCase;
  invalid_text["title"] = std::string("bad \xC3\x28");
  expect_error("case", invalid_text, "/title", "UTF-8");
  expect_error("case", Json::array(), "", "JSON object");
}

TEST_F(Validation, CaseStatusFollowsTheWorkflow) {
  const Json previous = *create("case", kCase);
  auto closed = prepare_update(*find_entity("case"), {{"status", "closed"}}, previous, context);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  EXPECT_EQ((*closed)["closed_on"], "2026-11-26");
  auto back = prepare_update(*find_entity("case"), {{"status", "investigation"}}, *closed, context);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(back.error().message.find("it can go to: open"), std::string::npos);
  auto reopened = prepare_update(*find_entity("case"), {{"status", "open"}}, *closed, context);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_FALSE(reopened->contains("closed_on"));
}

TEST_F(Validation, LegalStagesGoInOrderWithNonDecreasingDates) {
  lookup.records[{"case", 7}] = kCase;
  auto ok = create("legal_case",
                   legal_case({{{"stage", "complaint"}, {"date", "2025-01-02"}},
                               {{"stage", "charges_filed"}, {"date", "2025-03-01"}},
                               {{"stage", "verdict"}, {"date", "2026-02-01"}, {"verdict", "conviction"}},
                               {{"stage", "sentence"}, {"date", "2026-02-01"}, {"sentence_months", 120}}}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["current_stage"], "sentence");
  EXPECT_EQ((*ok)["verdict"], "conviction");

  expect_error("legal_case",
               legal_case({{{"stage", "complaint"}, {"date", "2025-01-02"}},
                           {{"stage", "verdict"}, {"date", "2025-06-01"}, {"verdict", "conviction"}}}),
               "/stages/1/stage", "charges filed first");
  expect_error("legal_case",
               legal_case({{{"stage", "charges_filed"}, {"date", "2025-03-01"}},
                           {{"stage", "verdict"}, {"date", "2025-06-01"}, {"verdict", "acquittal"}},
                           {{"stage", "sentence"}, {"date", "2025-07-01"}}}),
               "/stages/2/stage", "conviction or plea");
  expect_error("legal_case",
               legal_case({{{"stage", "trial"}, {"date", "2025-03-01"}},
                           {{"stage", "complaint"}, {"date", "2025-06-01"}}}),
               "/stages/1/stage", "cannot come after trial");
  expect_error("legal_case",
               legal_case({{{"stage", "complaint"}, {"date", "2025-03-01"}},
                           {{"stage", "trial"}, {"date", "2025-02-01"}}}),
               "/stages/1/date", "before the previous stage");
  expect_error("legal_case", legal_case({{{"stage", "charges_filed"}, {"date", "2025-03-01"}},
                                         {{"stage", "verdict"}, {"date", "2025-06-01"}}}),
               "/stages/1/verdict", "required on the verdict stage");
  expect_error("legal_case", {{"case_id", 8}}, "/case_id", "does not exist");
}

TEST_F(Validation, MinorIsDerivedAtTheIncidentDate) {
  Json the_case = kCase;
  the_case["incident_date"] = "2020-05-01";
  lookup.records[{"case", 7}] = the_case;
  lookup.records[{"person", 1}] = {{"birth_date", "2003-06-01"}};  // 16 at the incident
  lookup.records[{"person", 2}] = {{"age_estimate", 25}, {"age_estimated_on", "2026-01-01"}};
  lookup.records[{"person", 3}] = Json::object();
  auto minor = create("case_person", {{"case_id", 7}, {"person_id", 1}, {"role", "victim"}});
  ASSERT_TRUE(minor.ok()) << minor.error().message;
  EXPECT_EQ((*minor)["is_minor"], true);
  auto adult = create("case_person", {{"case_id", 7}, {"person_id", 2}, {"role", "victim"}});
  EXPECT_EQ((*adult)["is_minor"], false);  // 25 in 2026 means about 19 in 2020
  auto unknown = create("case_person", {{"case_id", 7}, {"person_id", 3}, {"role", "witness"}});
  EXPECT_FALSE(unknown->contains("is_minor"));
  expect_error("case_person", {{"case_id", 7}, {"person_id", 1}, {"role", "victim"}, {"is_minor", false}},
               "/is_minor", "computed");
}

TEST_F(Validation, RestoredNeedsEveryDomainAtTheThreshold) {
  lookup.records[{"organisation", 1}] = {{"restored_threshold", 3}};
  lookup.records[{"person", 1}] = Json::object();
  Json scores = {{"safety", 3}, {"legal_protection", 3}, {"mental_wellbeing", 4},
                 {"economic_empowerment", 3}, {"social_support", 3}, {"physical_wellbeing", 3}};
  auto restored = create("outcome_assessment", {{"person_id", 1}, {"assessed_on", "2026-05-01"}, {"scores", scores}});
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ((*restored)["restored"], true);
  scores["safety"] = 2;
  auto not_yet = create("outcome_assessment", {{"person_id", 1}, {"assessed_on", "2026-05-01"}, {"scores", scores}});
  EXPECT_EQ((*not_yet)["restored"], false);
  scores["safety"] = 5;
  expect_error("outcome_assessment", {{"person_id", 1}, {"assessed_on", "2026-05-01"}, {"scores", scores}},
               "/scores/safety", "between 1 and 4");
}

TEST_F(Validation, CustomFieldsFollowTheLatestFormDefinition) {
  lookup.form = {{"target_kind", "person"}, {"form_version", 2},
                 {"fields", {{{"key", "village_code"}, {"label", "Village"}, {"type", "text"}, {"required", true}},
                             {{"key", "caste"}, {"label", "Group"}, {"type", "choice"}, {"choices", {"a", "b"}}}}}};
  auto ok = create("person", {{"custom", {{"village_code", "V12"}, {"caste", "a"}}}});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["custom"]["_form_version"], 2);
  expect_error("person", {{"custom", {{"caste", "a"}}}}, "/custom/village_code", "required custom");
  expect_error("person", {{"custom", {{"village_code", "V"}, {"caste", "c"}}}}, "/custom/caste", "one of: a, b");
  expect_error("person", {{"custom", {{"village_code", "V"}, {"shoe", 1}}}}, "/custom/shoe", "not a custom field");
}

TEST_F(Validation, EvidenceCustodyIsAppendOnly) {
  lookup.records[{"case", 7}] = kCase;
  const std::string hash(64, 'a');
  Json entry = {{"at", "2026-01-01T10:00:00Z"}, {"handler", "Officer 12"}, {"action", "seized"}};
  auto item = create("evidence_item", {{"case_id", 7}, {"description", "phone"}, {"sha256", hash}, {"custody", {entry}}});
  ASSERT_TRUE(item.ok()) << item.error().message;
  const EntitySpec& spec = *find_entity("evidence_item");
  Json second = {{"at", "2026-01-02T10:00:00Z"}, {"handler", "Lab"}, {"action", "imaged"}};
  EXPECT_TRUE(prepare_update(spec, {{"custody", {entry, second}}}, *item, context).ok());
  auto rewritten = prepare_update(spec, {{"custody", {second}}}, *item, context);
  ASSERT_FALSE(rewritten.ok());
  EXPECT_EQ(rewritten.error().field, "/custody");
  EXPECT_FALSE(prepare_update(spec, {{"sha256", std::string(64, 'b')}}, *item, context).ok());
}

}  // namespace
}  // namespace haven
