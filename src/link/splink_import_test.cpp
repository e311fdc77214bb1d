// Models trained by Splink: translated exactly, or refused naming the level.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "link/link.hpp"
#include "link/splink_sql.hpp"

namespace haven::link {
namespace {

// One Splink comparison of column `column`: its null level, the given levels (SQL, m, u), ELSE.
Json comparison(const std::string& column, const std::vector<std::string>& conditions) {
  Json levels = Json::array();
  levels.push_back(
      {{"sql_condition", "\"" + column + "_l\" IS NULL OR \"" + column + "_r\" IS NULL"},
       {"label_for_charts", column + " is NULL"},
       {"is_null_level", true}});
  double m = 0.6, u = 0.01;
  for (std::size_t i = 0; i < conditions.size(); ++i, m /= 3, u *= 2)
    levels.push_back({{"sql_condition", conditions[i]},
                      {"label_for_charts", "level " + std::to_string(i + 1) + " of " + column},
                      {"m_probability", m},
                      {"u_probability", u}});
  levels.push_back({{"sql_condition", "ELSE"},
                    {"label_for_charts", "All other comparisons"},
                    {"m_probability", 0.1},
                    {"u_probability", 0.9}});
  return {{"output_column_name", column}, {"comparison_levels", levels}};
}

Json splink_model(Json comparisons, Json rules = Json::array({"l.surname = r.surname"})) {
  return {{"link_type", "dedupe_only"},
          {"unique_id_column_name", "id"},
          {"probability_two_random_records_match", 0.001},
          {"comparisons", std::move(comparisons)},
          {"blocking_rules_to_generate_predictions", std::move(rules)}};
}

TEST(SplinkSql, ParsesQuotingCaseAndWhiteSpaceAlike) {
  for (const char* sql :
       {"jaro_winkler_similarity(\"x_l\", \"x_r\") >= 0.9", "JARO_WINKLER_SIMILARITY(x_l,x_r)>=0.9",
        "  Jaro_Winkler_Similarity ( `x_l` ,\n\"x_r\" )  >=  .9e0 "}) {
    auto e = splink_sql::parse(sql);
    ASSERT_TRUE(e.ok()) << sql << ": " << e.error().message;
    ASSERT_EQ(e->kind, splink_sql::Expr::Kind::kCompare) << sql;
    EXPECT_EQ(e->text, ">=");
    EXPECT_EQ(e->args[0].text, "jaro_winkler_similarity");
    EXPECT_EQ(e->args[0].args[0].text, "x_l");
    EXPECT_EQ(e->args[0].args[1].text, "x_r");
    EXPECT_DOUBLE_EQ(e->args[1].number, 0.9);
  }
  const std::string deep = std::string(100000, '(') + "x_l" + std::string(100000, ')');
  std::string many_nots;
  std::string many_minus = "x_l = ";
  for (int i = 0; i < 50000; ++i) many_nots += "not ", many_minus += "- ";
  many_nots += "x_l", many_minus += "1";
  for (const std::string& bad :
       std::vector<std::string>{"\"x_l\" = ", "abs(\"x_l\" - \"x_r\"", "\"x_l", "x_l ~ x_r", deep,
                                many_nots, many_minus}) {
    auto e = splink_sql::parse(bad);
    EXPECT_FALSE(e.ok()) << bad.substr(0, 40);
  }
}

// DuckDB's Jaro halves the transpositions rounding down and adds Winkler's bonus only above
// Jaro 0.7; Haven's own does neither, so a Splink level needs DuckDB's to place pairs alike.
TEST(DuckDbStrings, DifferFromHavensWhereDuckDbDoes) {
  EXPECT_NEAR(jaro_winkler_duckdb("martha", "marhta"), 0.9611, 1e-4);  // 2 transposed: alike
  EXPECT_DOUBLE_EQ(jaro_winkler_duckdb("martha", "marhta"), jaro_winkler("martha", "marhta"));
  // a, b, c rotated: 3 characters out of order, halved to 1 (DuckDB) or 1.5 (Haven).
  EXPECT_DOUBLE_EQ(jaro_duckdb("abcxxxxx", "bcaxxxxx"), (1.0 + 1.0 + 7.0 / 8) / 3);
  EXPECT_NEAR(jaro("abcxxxxx", "bcaxxxxx"), (1.0 + 1.0 + 6.5 / 8) / 3, 1e-12);
  // Jaro 2/3 with 4 letters in common at the start: no bonus in DuckDB, 0.8 in Haven.
  EXPECT_NEAR(jaro_winkler_duckdb("abcdefgh", "abcdwxyz"), 2.0 / 3, 1e-12);
  EXPECT_NEAR(jaro_winkler("abcdefgh", "abcdwxyz"), 0.8, 1e-12);
  EXPECT_EQ(jaro_winkler_duckdb("", ""), 1.0);
  EXPECT_EQ(jaro_winkler_duckdb("abc", ""), 0.0);
  EXPECT_EQ(jaro_duckdb("a", "a"), 1.0);
  EXPECT_EQ(jaro_duckdb("a", "b"), 0.0);
  EXPECT_EQ(jaro_duckdb("abc", "xyz"), 0.0);
  EXPECT_EQ(jaro_winkler_duckdb("dixon", "dixon"), 1.0);
}

std::string write_csv(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "haven_splink_" + name;
  std::ofstream(path) << text;
  return path;
}

// The linker places pairs by DuckDB's similarity for a model from Splink, by Haven's own for a
// model haven link wrote with the same SQL.
TEST(SplinkImport, PairsArePlacedAsTheModelsEngineWould) {
  const std::string police = write_csv("police.csv", "id,name,city\np1,abcdefgh,cebu\n");
  const std::string ngo = write_csv("ngo.csv", "id,name,city\nn1,abcdwxyz,cebu\n");
  auto level_of_pair = [&](const Json& rule) {
    Json json = splink_model(
        Json::array({comparison("name", {"name_l = name_r",
                                         "jaro_winkler_similarity(name_l, name_r) >= 0.75"}),
                     comparison("city", {"city_l = city_r"})}),
        Json::array({rule}));
    json["link_type"] = "link_only";
    auto model = model_from_json(json);
    EXPECT_TRUE(model.ok()) << model.error().message;
    std::vector<RecordList> lists;
    lists.push_back(*read_list(police, "police", model->spec));
    lists.push_back(*read_list(ngo, "ngo", model->spec));
    auto linker = Linker::create(model->spec, std::move(lists), nullptr);
    EXPECT_TRUE(linker.ok()) << linker.error().message;
    EXPECT_TRUE((*linker)->compare().ok());
    auto pairs = (*linker)->score(*model, 0.0);
    EXPECT_TRUE(pairs.ok() && pairs->size() == 1u);
    return static_cast<int>((*pairs)[0].levels[0]);
  };
  // Jaro 2/3 with four letters in common at the start: DuckDB gives 0.667 (else, level 3),
  // Haven's own 0.8 (the Jaro-Winkler level, 2).
  EXPECT_EQ(level_of_pair("l.city = r.city"), 3);
  EXPECT_EQ(level_of_pair(Json{{"blocking_rule", "city"}, {"sql_dialect", "haven"}}), 2);
}

// Dates as DuckDB reads a date column: YYYY-MM-DD only. Another writing of a date is no date
// (Splink's try_strptime gives NULL), so the date-difference level does not hold.
TEST(SplinkImport, DatesAreReadAsDuckDbReadsThem) {
  const std::string police = write_csv("dpolice.csv", "id,dob\np1,2000-01-05\np2,2000-01-05\n");
  const std::string ngo = write_csv("dngo.csv", "id,dob\nn1,2000-01-09\nn2,09/01/2000\n");
  Json json = splink_model(
      Json::array({comparison("dob", {"dob_l = dob_r",
                                      "ABS(EPOCH(try_strptime(dob_l, '%Y-%m-%d')) - "
                                      "EPOCH(try_strptime(dob_r, '%Y-%m-%d'))) <= 864000"})}),
      Json::array({"substr(l.dob, 1, 2) = substr(r.dob, 1, 2)"}));
  json["link_type"] = "link_only";
  auto model = model_from_json(json);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_DOUBLE_EQ(model->spec.fields[0].levels[1].threshold, 10);
  std::vector<RecordList> lists;
  lists.push_back(*read_list(police, "police", model->spec));
  lists.push_back(*read_list(ngo, "ngo", model->spec));
  auto linker = Linker::create(model->spec, std::move(lists), nullptr);
  ASSERT_TRUE(linker.ok()) << linker.error().message;
  ASSERT_TRUE((*linker)->compare().ok());
  auto pairs = (*linker)->score(*model, 0.0);
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(pairs->size(), 2u);  // p1-n1, p2-n1 ("20" in common); "09/01/2000" blocks apart
  for (const ScoredPair& p : *pairs) EXPECT_EQ(p.levels[0], 2);  // 4 days apart
  // The same lists with the other writing of the date in the block: no date, ELSE.
  const std::string ngo2 = write_csv("dngo2.csv", "id,dob\nn1,20000109\n");
  std::vector<RecordList> lists2;
  lists2.push_back(*read_list(police, "police", model->spec));
  lists2.push_back(*read_list(ngo2, "ngo", model->spec));
  auto linker2 = Linker::create(model->spec, std::move(lists2), nullptr);
  ASSERT_TRUE(linker2.ok());
  ASSERT_TRUE((*linker2)->compare().ok());
  auto pairs2 = (*linker2)->score(*model, 0.0);
  ASSERT_TRUE(pairs2.ok());
  ASSERT_EQ(pairs2->size(), 2u);
  for (const ScoredPair& p : *pairs2) EXPECT_EQ(p.levels[0], 3);
}

TEST(SplinkImport, TranslatesTheComparisonLibrarysSql) {
  Json comparisons = Json::array(
      {comparison("surname", {"\"surname_l\" = \"surname_r\"",
                              "\"surname_l\" = \"given_r\" AND \"surname_r\" = \"given_l\"",
                              "jaro_winkler_similarity(\"surname_l\", \"surname_r\") >= 0.92",
                              "JARO_SIMILARITY(surname_l, surname_r) >= 0.8",
                              "levenshtein(surname_l, surname_r) <= 2"}),
       comparison("given", {"given_l = given_r"}),
       comparison("dob", {"dob_l = dob_r", "abs(date_diff('day', \"dob_l\", \"dob_r\")) <= 30",
                          "ABS(EPOCH(try_strptime(\"dob_l\", '%Y-%m-%d')) - "
                          "EPOCH(try_strptime(\"dob_r\", '%Y-%m-%d'))) <= 31557600.0",
                          "abs(datediff(dob_l, dob_r)) <= 3650"}),
       comparison("age", {"ABS(\"age_l\" - \"age_r\") <= 2"})});
  comparisons[0]["comparison_levels"][1]["tf_adjustment_column"] = "surname";
  comparisons[0]["comparison_levels"][1]["tf_adjustment_weight"] = 1.0;
  const Json json =
      splink_model(comparisons, Json::array({"l.surname = r.surname",
                                             {{"blocking_rule",
                                               "l.\"dob\" = r.\"dob\" and substr(l.given, 1, "
                                               "2) = SUBSTR(r.given,1,2)"},
                                              {"sql_dialect", "duckdb"}}}));
  auto model = model_from_json(json);
  ASSERT_TRUE(model.ok()) << model.error().message << " at " << model.error().field;
  const LinkSpec& spec = model->spec;
  EXPECT_EQ(spec.link_type, LinkType::kDedupeOnly);
  EXPECT_EQ(spec.id_column, "id");
  EXPECT_DOUBLE_EQ(model->prior, 0.001);
  ASSERT_EQ(spec.fields.size(), 4u);
  const FieldSpec& surname = spec.fields[0];
  EXPECT_EQ(surname.column, "surname");
  EXPECT_EQ(surname.normalise, Normalise::kNone);  // Splink compares values as they are
  EXPECT_TRUE(surname.term_frequency);
  ASSERT_EQ(surname.levels.size(), 5u);
  EXPECT_EQ(surname.levels[0].kind, Level::Kind::kExact);
  EXPECT_EQ(surname.levels[0].label, "level 1 of surname");
  EXPECT_EQ(surname.levels[1].kind, Level::Kind::kSwappedWith);
  EXPECT_EQ(surname.levels[1].other, "given");
  EXPECT_EQ(surname.levels[2].kind, Level::Kind::kJaroWinkler);
  EXPECT_DOUBLE_EQ(surname.levels[2].threshold, 0.92);
  EXPECT_TRUE(surname.levels[2].duckdb);   // computed as DuckDB does, where Splink ran it
  EXPECT_FALSE(surname.levels[1].duckdb);  // an exact swap has no similarity
  EXPECT_EQ(surname.levels[3].kind, Level::Kind::kJaro);
  EXPECT_DOUBLE_EQ(surname.levels[3].threshold, 0.8);
  EXPECT_EQ(surname.levels[4].kind, Level::Kind::kLevenshtein);
  EXPECT_DOUBLE_EQ(surname.levels[4].threshold, 2);
  const FieldSpec& dob = spec.fields[2];
  EXPECT_EQ(dob.normalise, Normalise::kIsoDate);  // dates as DuckDB reads them
  EXPECT_EQ(dob.levels[1].kind, Level::Kind::kDateWithin);
  EXPECT_DOUBLE_EQ(dob.levels[1].threshold, 30);
  EXPECT_EQ(dob.levels[2].kind, Level::Kind::kDateWithin);
  EXPECT_DOUBLE_EQ(dob.levels[2].threshold, 365.25);  // a year of seconds, in days
  EXPECT_DOUBLE_EQ(dob.levels[3].threshold, 3650);
  EXPECT_EQ(spec.fields[3].levels[0].kind, Level::Kind::kNumericAbs);
  EXPECT_DOUBLE_EQ(spec.fields[3].levels[0].threshold, 2);
  ASSERT_EQ(spec.blocking.size(), 2u);
  EXPECT_EQ(spec.blocking[0].text, "surname");
  EXPECT_EQ(spec.blocking[1].text, "dob & first(given,2)");
  // m and u as the model gives them (no training): null level unused, then the levels, ELSE.
  ASSERT_EQ(model->fields[0].m.size(), 7u);
  EXPECT_DOUBLE_EQ(model->fields[0].m[1], 0.6);
  EXPECT_DOUBLE_EQ(model->fields[0].u[1], 0.01);
  EXPECT_DOUBLE_EQ(model->fields[0].u_random[1], 0.01);
  EXPECT_DOUBLE_EQ(model->fields[0].m[6], 0.1);
  EXPECT_DOUBLE_EQ(model->fields[0].u[6], 0.9);
}

// A level Haven cannot evaluate exactly refuses the whole model, naming the comparison, the
// level's label and its SQL.
TEST(SplinkImport, RefusesWhatItCannotTranslateFaithfully) {
  struct Case {
    std::string condition, reason;
  };
  const Case cases[] = {
      {"damerau_levenshtein(\"x_l\", \"x_r\") <= 1", "no Damerau-Levenshtein"},
      {"jaro_winkler_similarity(\"x_r\", \"x_l\") >= 0.9", "in the order x_r, x_l"},
      {"jaro_similarity(x_r, x_l) >= 0.9", "in the order x_r, x_l"},
      {"substr(\"x_l\", 1, 1) = substr(\"x_r\", 1, 1)", "not a condition Haven can evaluate"},
      {"lower(\"x_l\") = lower(\"x_r\")", "not a condition Haven can evaluate"},
      {"\"x_l\" = \"x_r\" AND \"y_l\" = \"y_r\"", "not a condition Haven can evaluate"},
      {"array_length(list_intersect(\"x_l\", \"x_r\")) >= 1", "not a condition Haven"},
      {"abs(date_diff('month', \"x_l\", \"x_r\")) <= 1", "counts calendar boundaries"},
      {"abs(date_diff('day', strptime(\"x_l\", '%d/%m/%Y'), strptime(\"x_r\", '%d/%m/%Y'))) <= 1",
       "not a condition Haven"},
      {"\"x_l\" = \"y_r\"", "one direction of a swap"},
      {"\"x_l\" = \"y_r\" AND \"x_r\" = \"z_l\"", "not a condition Haven"},
      {"levenshtein(\"x_l\", \"x_r\") < 2", "not a condition Haven"},
      {"\"y_l\" = \"y_r\"", "compares column \"y\" but the comparison's null level tests \"x\""},
      {"\"x_l\" = ", "not SQL Haven reads"},
      {"CASE WHEN \"x_l\" = \"x_r\" THEN 1 END = 1", "not SQL Haven reads"},
  };
  for (const Case& c : cases) {
    Json comparisons =
        Json::array({comparison("x", {c.condition}), comparison("y", {"y_l = y_r"})});
    comparisons[0]["output_column_name"] = "the x";
    auto model = model_from_json(splink_model(comparisons, Json::array({"l.y = r.y"})));
    ASSERT_FALSE(model.ok()) << c.condition;
    const std::string& message = model.error().message;
    EXPECT_NE(message.find("comparison \"the x\" level 1 \"level 1 of x\" (" + c.condition + ")"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(c.reason), std::string::npos) << message;
    EXPECT_NE(message.find("Haven translates these Splink conditions"), std::string::npos);
    EXPECT_EQ(model.error().field, "/comparisons/0/comparison_levels/1/sql_condition");
  }
}

TEST(SplinkImport, RefusesTermFrequenciesAndStructuresItCannotHonour) {
  struct Case {
    std::function<void(Json&)> change;
    std::string message, field;
  };
  const Case cases[] = {
      {[](Json& j) {
         j["comparisons"][0]["comparison_levels"][1]["tf_adjustment_column"] = "x",
         j["comparisons"][0]["comparison_levels"][1]["tf_adjustment_weight"] = 0.5;
       },
       "tf_adjustment_weight is 0.5; Haven applies the term-frequency adjustment in full",
       "/comparisons/0/comparison_levels/1/sql_condition"},
      {[](Json& j) { j["comparisons"][0]["comparison_levels"][2]["tf_adjustment_column"] = "x"; },
       "Haven adjusts only the exact level", "/comparisons/0/comparison_levels/2/sql_condition"},
      {[](Json& j) { j["comparisons"][0]["comparison_levels"][1]["tf_adjustment_column"] = "y"; },
       "the term-frequency column \"y\" is not the column compared",
       "/comparisons/0/comparison_levels/1/sql_condition"},
      {[](Json& j) {
         j["comparisons"][0]["comparison_levels"][1]["tf_adjustment_column"] = "x";
         j["comparisons"][0]["comparison_levels"][1]["tf_minimum_u_value"] = 0.001;
       },
       "no tf_minimum_u_value", "/comparisons/0/comparison_levels/1/sql_condition"},
      {[](Json& j) { j["comparisons"][0]["comparison_levels"].erase(0); },
       "the first level must be the null level",
       "/comparisons/0/comparison_levels/0/sql_condition"},
      {[](Json& j) { j["comparisons"][0]["comparison_levels"].erase(3); },
       "the last level must be ELSE", "/comparisons/0/comparison_levels/2/sql_condition"},
      {[](Json& j) { j["comparisons"][0]["comparison_levels"][1].erase("m_probability"); },
       "m_probability must be a number in (0, 1]",
       "/comparisons/0/comparison_levels/1/m_probability"},
      {[](Json& j) {
         j["comparisons"][0]["comparison_levels"][0]["sql_condition"] =
             "regexp_extract(\"x_l\", '[0-9]+') IS NULL OR \"x_r\" IS NULL";
       },
       "a null level Haven cannot evaluate", "/comparisons/0/comparison_levels/0/sql_condition"},
      {[](Json& j) { j.erase("probability_two_random_records_match"); },
       "probability_two_random_records_match must be a number between 0 and 1",
       "/probability_two_random_records_match"},
      {[](Json& j) { j.erase("link_type"); }, "link_type is missing", "/link_type"},
      {[](Json& j) { j["comparisons"][0]["comparison_levels"][1]["is_null_level"] = "no"; },
       "is_null_level must be true or false", "/comparisons/0/comparison_levels/1/is_null_level"},
      {[](Json& j) {
         j["sql_dialect"] = "spark";
         j["comparisons"][0]["comparison_levels"][2]["sql_condition"] =
             "jaro_winkler(x_l, x_r) >= 0.9";
       },
       "the model's SQL ran on spark, whose Jaro functions Haven does not reproduce",
       "/comparisons/0/comparison_levels/2/sql_condition"},
      {[](Json& j) { j["link_type"] = "link_sometimes"; }, "specification Haven refuses",
       "/comparisons"},
      {[](Json& j) { j["blocking_rules_to_generate_predictions"] = Json::array(); },
       "must hold at least one rule", "/blocking_rules_to_generate_predictions"},
      {[](Json& j) { j["blocking_rules_to_generate_predictions"][0] = "l.x = r.y"; },
       "blocking rule \"l.x = r.y\" has a part Haven cannot translate",
       "/blocking_rules_to_generate_predictions/0"},
      {[](Json& j) { j["blocking_rules_to_generate_predictions"][0] = "l.postcode = r.postcode"; },
       "blocks on column \"postcode\", which no comparison compares",
       "/blocking_rules_to_generate_predictions/0"},
      {[](Json& j) {
         j["blocking_rules_to_generate_predictions"][0] = "levenshtein(l.x, r.x) <= 1";
       },
       "has a part Haven cannot translate", "/blocking_rules_to_generate_predictions/0"},
      {[](Json& j) {
         j["blocking_rules_to_generate_predictions"][0] = "substr(l.x, 2, 3) = substr(r.x, 2, 3)";
       },
       "has a part Haven cannot translate", "/blocking_rules_to_generate_predictions/0"},
      {[](Json& j) {
         j["blocking_rules_to_generate_predictions"][0] = {
             {"blocking_rule", "l.x = r.x"}, {"arrays_to_explode", Json::array({"x"})}};
       },
       "Haven has no array columns", "/blocking_rules_to_generate_predictions/0/arrays_to_explode"},
      {[](Json& j) {
         j["comparisons"][0]["comparison_levels"][1]["sql_condition"] =
             "\"x_l\" = \"other_r\" AND \"x_r\" = \"other_l\"";
       },
       "swaps it with column \"other\", which no comparison compares",
       "/comparisons/0/comparison_levels/1/sql_condition"},
  };
  for (const Case& c : cases) {
    Json json =
        splink_model(Json::array({comparison("x", {"x_l = x_r", "levenshtein(x_l, x_r) <= 1"})}),
                     Json::array({"l.x = r.x"}));
    ASSERT_TRUE(model_from_json(json).ok());
    c.change(json);
    auto model = model_from_json(json);
    ASSERT_FALSE(model.ok()) << c.message;
    EXPECT_NE(model.error().message.find(c.message), std::string::npos) << model.error().message;
    EXPECT_EQ(model.error().field, c.field) << c.message;
  }
}

TEST(SplinkImport, ReadsAHandWrittenSplinkModel) {
  std::ifstream in(std::string(HAVEN_TEST_DATA_DIR) + "/splink_febrl_model.json");
  ASSERT_TRUE(in) << "tests/data/splink_febrl_model.json";
  auto model = model_from_json(Json::parse(in));
  ASSERT_TRUE(model.ok()) << model.error().message << " at " << model.error().field;
  const LinkSpec& spec = model->spec;
  EXPECT_EQ(spec.link_type, LinkType::kLinkOnly);
  EXPECT_EQ(spec.id_column, "rec_id");
  ASSERT_EQ(spec.fields.size(), 7u);
  EXPECT_EQ(spec.fields[0].levels[1].kind, Level::Kind::kSwappedWith);
  EXPECT_EQ(spec.fields[0].levels[1].other, "surname");
  EXPECT_TRUE(spec.fields[0].levels[2].duckdb);
  EXPECT_EQ(spec.fields[2].name, "dob");
  EXPECT_EQ(spec.fields[2].column, "date_of_birth");
  EXPECT_EQ(spec.fields[2].normalise, Normalise::kIsoDate);
  ASSERT_EQ(spec.blocking.size(), 4u);
  EXPECT_EQ(spec.blocking[2].text, "dob");
  EXPECT_EQ(spec.blocking[3].text, "postcode & first(address_1,3)");
  EXPECT_NE(describe_model(*model).find("trained elsewhere"), std::string::npos);
}

// A model Haven saved, without its haven_spec (as Splink would write it), imports to the same
// specification and gives the same probabilities, bit for bit, on FEBRL 4.
TEST(SplinkImport, RoundTripsAModelHavenSavedOnFebrl4) {
  const Json spec_json = Json::parse(R"json({
    "link_type": "link_only", "id_column": "rec_id", "u_sample_pairs": 200000,
    "fields": [
      {"name": "given_name", "normalise": "none", "term_frequency": true,
       "levels": [{"type": "exact"}, {"type": "swapped_with", "field": "surname"},
                  {"type": "jaro_winkler", "min": 0.92}, {"type": "jaro", "min": 0.85}]},
      {"name": "surname", "normalise": "none", "term_frequency": true,
       "levels": [{"type": "exact"}, {"type": "swapped_with", "field": "given_name", "min": 0.9},
                  {"type": "jaro_winkler", "min": 0.88}]},
      {"name": "street_number", "normalise": "none", "levels": [{"type": "exact"}, {"type": "numeric", "max": 1}]},
      {"name": "address_1", "normalise": "none", "levels": [{"type": "exact"}, {"type": "levenshtein", "max": 2}]},
      {"name": "postcode", "normalise": "none", "levels": [{"type": "exact"}, {"type": "levenshtein", "max": 1}]},
      {"name": "date_of_birth", "normalise": "date", "levels": [{"type": "exact"}, {"type": "within_days", "max": 40}]},
      {"name": "soc_sec_id", "normalise": "none", "levels": [{"type": "exact"}, {"type": "levenshtein", "max": 2}]}
    ],
    "blocking": ["given_name", "surname", "date_of_birth", "soc_sec_id", "postcode & first(address_1,3)"]
  })json");
  auto spec = parse_spec(spec_json);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  const std::string febrl = std::string(HAVEN_LINKAGE_DATA_DIR) + "/febrl/";
  auto link = [&](const LinkSpec& s) {
    std::vector<RecordList> lists;
    for (const char* name : {"dataset4a", "dataset4b"}) {
      auto list = read_list(febrl + name + ".csv", name, s);
      EXPECT_TRUE(list.ok()) << list.error().message;
      lists.push_back(std::move(*list));
    }
    auto linker = Linker::create(s, std::move(lists), nullptr);
    EXPECT_TRUE(linker.ok()) << linker.error().message;
    EXPECT_TRUE((*linker)->compare().ok());
    return std::move(*linker);
  };
  auto linker = link(*spec);
  auto trained = linker->train();
  ASSERT_TRUE(trained.ok()) << trained.error().message;
  Json saved = model_to_json(*trained);
  saved.erase("haven_spec");
  saved.erase("haven_training");
  for (Json& c : saved["comparisons"])  // as Splink writes it: no Haven keys at all
    for (Json& l : c["comparison_levels"]) l.erase("haven_u_random");

  auto imported = model_from_json(Json::parse(saved.dump()));
  ASSERT_TRUE(imported.ok()) << imported.error().message << " at " << imported.error().field;
  const Json before = spec_to_json(*spec), after = spec_to_json(imported->spec);
  for (const char* key : {"link_type", "id_column", "fields", "blocking"})
    EXPECT_EQ(after.at(key), before.at(key)) << key;

  // The same blocking rules in Splink's SQL give the same keys.
  saved["blocking_rules_to_generate_predictions"] = Json::array(
      {"l.given_name = r.given_name",
       {{"blocking_rule", "l.\"surname\" = r.\"surname\""}},
       "l.date_of_birth = r.date_of_birth",
       "l.soc_sec_id = r.soc_sec_id",
       "l.postcode = r.postcode AND substr(l.address_1, 1, 3) = substr(r.address_1, 1, 3)"});
  auto from_sql = model_from_json(saved);
  ASSERT_TRUE(from_sql.ok()) << from_sql.error().message;
  EXPECT_EQ(spec_to_json(from_sql->spec).at("blocking"), before.at("blocking"));

  auto original = linker->score(*trained, 0.0);
  auto relinked = link(imported->spec);
  auto again = relinked->score(*imported, 0.0);
  ASSERT_TRUE(original.ok() && again.ok());
  ASSERT_EQ(again->size(), original->size());
  ASSERT_GT(original->size(), 5000u);
  std::size_t differ = 0, matches = 0;
  for (std::size_t i = 0; i < original->size(); ++i) {
    const ScoredPair &a = (*original)[i], &b = (*again)[i];
    differ += a.left != b.left || a.right != b.right || a.levels != b.levels ||
              a.probability != b.probability;
    matches += a.probability >= 0.9;
  }
  EXPECT_EQ(differ, 0u);
  EXPECT_GT(matches, 4000u);  // FEBRL 4 holds 5,000 true pairs: the model links, not just agrees
}

}  // namespace
}  // namespace haven::link
