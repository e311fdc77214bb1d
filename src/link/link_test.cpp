#include "link/link.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

namespace haven::link {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("haven_link_test_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

Json basic_spec() {
  return Json::parse(R"({
    "link_type": "link_only", "id_column": "id",
    "fields": [
      {"name": "given", "levels": [{"type": "exact"}, {"type": "jaro_winkler", "min": 0.88}], "term_frequency": true},
      {"name": "family", "levels": [{"type": "exact"}, {"type": "levenshtein", "max": 1}]},
      {"name": "dob", "normalise": "date", "levels": [{"type": "exact"}, {"type": "date_swap"}, {"type": "same_year"}]}
    ],
    "blocking": ["family", "dob"],
    "u_sample_pairs": 1000
  })");
}

TEST(Strings, JaroWinklerMatchesPublishedValues) {
  // Winkler's examples (1990): MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84, DIXON/DICKSONX 0.813.
  EXPECT_NEAR(jaro_winkler("martha", "marhta"), 0.9611, 1e-4);
  EXPECT_NEAR(jaro_winkler("dwayne", "duane"), 0.84, 1e-4);
  EXPECT_NEAR(jaro_winkler("dixon", "dicksonx"), 0.8133, 1e-4);
  EXPECT_EQ(jaro_winkler("", ""), 1);
  EXPECT_EQ(jaro_winkler("abc", ""), 0);
  EXPECT_EQ(jaro("abc", "xyz"), 0);
}

TEST(Strings, LevenshteinStopsAtTheLimit) {
  EXPECT_EQ(levenshtein("kitten", "sitting", 5), 3);
  EXPECT_EQ(levenshtein("kitten", "sitting", 2), 3);  // limit + 1
  EXPECT_EQ(levenshtein("", "abc", 5), 3);
  EXPECT_EQ(levenshtein("same", "same", 0), 0);
}

TEST(Spec, ParsesAndRoundTrips) {
  auto spec = parse_spec(basic_spec());
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->fields.size(), 3u);
  EXPECT_EQ(spec->blocking.size(), 2u);
  auto again = parse_spec(spec_to_json(*spec));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(spec_to_json(*again), spec_to_json(*spec));
}

TEST(Spec, RefusesMistakesWithTheirLocation) {
  struct Case {
    std::string patch, field, message;
  };
  const std::vector<Case> cases = {
      {R"([{"op":"add","path":"/colour","value":1}])", "/colour", "unknown key \"colour\""},
      {R"([{"op":"replace","path":"/fields/0/levels/1/type","value":"soundex"}])",
       "/fields/0/levels/1/type", "unknown level type \"soundex\""},
      {R"([{"op":"replace","path":"/fields/0/levels/1/min","value":1.5}])",
       "/fields/0/levels/1/min", "between"},
      {R"([{"op":"replace","path":"/blocking/0","value":"nickname"}])", "/blocking/0",
       "\"nickname\", which is not a field"},
      {R"j([{"op":"replace","path":"/blocking/0","value":"first(family)"}])j", "/blocking/0",
       "needs a length"},
      {R"([{"op":"replace","path":"/blocking","value":[]}])", "/blocking", "non-empty"},
      {R"([{"op":"replace","path":"/fields/2/normalise","value":"lower"}])", "/fields/2/normalise",
       "date levels need"},
      {R"([{"op":"replace","path":"/link_type","value":"merge"}])", "/link_type", "link_only"},
      {R"([{"op":"add","path":"/em_convergence","value":0}])", "/em_convergence", "between"},
  };
  for (const Case& c : cases) {
    auto spec = parse_spec(basic_spec().patch(Json::parse(c.patch)));
    ASSERT_FALSE(spec.ok()) << c.patch;
    EXPECT_EQ(spec.error().field, c.field) << c.patch;
    EXPECT_NE(spec.error().message.find(c.message), std::string::npos) << spec.error().message;
  }
}

TEST(Lists, ColumnsNotMatchingTheSpecAreNamed) {
  auto spec = parse_spec(basic_spec());
  const std::string path = write_file("cols.csv", "id,given,surname,dob\n1,ann,lee,2000-01-01\n");
  auto list = read_list(path, "x", *spec);
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.error().message.find("does not have the column \"family\""), std::string::npos)
      << list.error().message;
  EXPECT_NE(list.error().message.find("its columns are \"id\", \"given\", \"surname\", \"dob\""),
            std::string::npos);
}

TEST(Lists, EmptyListsAndDuplicateIdsAreRefused) {
  auto spec = parse_spec(basic_spec());
  auto empty = read_list(write_file("empty.csv", "id,given,family,dob\n"), "x", *spec);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("the list has no records"), std::string::npos)
      << empty.error().message;
  auto nothing = read_list(write_file("nothing.csv", ""), "x", *spec);
  ASSERT_FALSE(nothing.ok());
  auto twice =
      read_list(write_file("twice.csv", "id,given,family,dob\n1,a,b,\n1,c,d,\n"), "x", *spec);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("the id \"1\" is used by more than one record"),
            std::string::npos);
  EXPECT_NE(twice.error().message.find("line 3"), std::string::npos);
  auto missing = read_list("/nonexistent/list.csv", "x", *spec);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

RecordList make_list(const std::string& name, const std::vector<std::vector<std::string>>& rows) {
  RecordList list;
  list.name = name;
  for (const auto& row : rows) {
    list.ids.push_back(row[0]);
    list.values.emplace_back(row.begin() + 1, row.end());
  }
  return list;
}

TEST(Linker, ExplodingBlocksAreRefusedBeforeComparing) {
  auto spec = parse_spec(basic_spec());
  spec->max_block_pairs = 10;
  std::vector<std::vector<std::string>> a, b;
  for (int i = 0; i < 5; ++i)
    a.push_back({"a" + std::to_string(i), "ann", "lee", "2000-01-0" + std::to_string(i + 1)});
  for (int i = 0; i < 4; ++i)
    b.push_back({"b" + std::to_string(i), "ann", "lee", "1990-01-0" + std::to_string(i + 1)});
  auto linker = Linker::create(*spec, {make_list("police", a), make_list("ngo", b)}, nullptr);
  ASSERT_FALSE(linker.ok());
  const std::string& message = linker.error().message;
  EXPECT_NE(message.find(
                "blocking rule 1 \"family\" makes 1 block larger than max_block_pairs (10 pairs)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("\"lee\" (5 in police + 4 in ngo: 20 pairs)"), std::string::npos)
      << message;
  EXPECT_EQ(linker.error().field, "/blocking/0");
}

TEST(Linker, PairKeysBlockSwappedNamesTogether) {
  // Given and family name swapped on one list, a typo in one of them, and another birth date:
  // only a key that ignores which field holds which name brings the two records together.
  auto json = basic_spec();
  json["fields"][0]["levels"].push_back(
      {{"type", "swapped_with"}, {"field", "family"}, {"min", 0.88}});
  json["blocking"] = Json::array({"pair(given, family)"});
  auto spec = parse_spec(json);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  auto again = parse_spec(spec_to_json(*spec));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->fields[0].levels.back().threshold, 0.88);
  EXPECT_EQ(again->blocking[0].keys[0].transform, BlockingKey::Transform::kPair);
  auto linker = Linker::create(
      *spec,
      {make_list("police", {{"a1", "mariam", "tesfaye", "1990-02-03"}, {"a2", "ann", "lee", ""}}),
       make_list("ngo", {{"b1", "tesfaye", "mariam", "1991-02-03"}, {"b2", "lee", "", ""}})},
      nullptr);
  ASSERT_TRUE(linker.ok()) << linker.error().message;
  ASSERT_TRUE((*linker)->compare().ok());
  EXPECT_EQ((*linker)->candidate_pairs(), 1u);  // a missing name gives no pair key

  for (const char* rule : {"pair(given)", "pair(given, given)", "pair(given, nickname)"}) {
    json["blocking"] = Json::array({rule});
    auto bad = parse_spec(json);
    ASSERT_FALSE(bad.ok()) << rule;
    EXPECT_NE(bad.error().message.find("pair(f, g) needs two different fields"), std::string::npos)
        << bad.error().message;
  }
}

TEST(Linker, RefusesEmptyAndSameNamedLists) {
  auto spec = parse_spec(basic_spec());
  auto empty =
      Linker::create(*spec, {make_list("a", {{"1", "x", "y", ""}}), make_list("b", {})}, nullptr);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("the list \"b\" has no records"), std::string::npos);
  auto same = Linker::create(
      *spec, {make_list("a", {{"1", "x", "y", ""}}), make_list("a", {{"1", "x", "y", ""}})},
      nullptr);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.error().message.find("both named \"a\""), std::string::npos);
  auto one = Linker::create(*spec, {make_list("a", {{"1", "x", "y", ""}})}, nullptr);
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.error().message.find("link_only needs at least two lists"), std::string::npos);
}

// A small world: 60 people on list A, 40 of them also on list B with typing errors.
std::vector<RecordList> small_world() {
  const char* given[] = {"ann",  "maria", "john", "li",  "fatima",
                         "ivan", "sara",  "omar", "kim", "nadia"};
  const char* family[] = {"lee",   "garcia", "smith", "wang",   "khan",   "petrov",
                          "cohen", "ali",    "park",  "haddad", "nguyen", "silva"};
  std::vector<std::vector<std::string>> a, b;
  for (int i = 0; i < 60; ++i) {
    const std::string g = given[i % 10], f = family[(i * 7) % 12];
    char dob[16];
    std::snprintf(dob, sizeof dob, "19%02d-%02d-%02d", 50 + i % 40, 1 + i % 12, 1 + (i * 5) % 28);
    a.push_back({"a" + std::to_string(i), g, f, dob});
    if (i < 40) {
      std::string g2 = g, f2 = f, d2 = dob;
      if (i % 4 == 1) f2 += "e";  // a typing error
      if (i % 4 == 2 && g2.size() > 3) g2.erase(2, 1);
      if (i % 5 == 3) std::swap(d2[5], d2[8]), std::swap(d2[6], d2[9]);  // day and month swapped
      b.push_back({"b" + std::to_string(i), g2, f2, d2});
    }
  }
  return {make_list("police", a), make_list("ngo", b)};
}

TEST(Linker, FindsTheSamePeopleWithoutLabels) {
  auto spec = parse_spec(basic_spec());
  auto linker = Linker::create(*spec, small_world(), nullptr);
  ASSERT_TRUE(linker.ok()) << linker.error().message;
  ASSERT_TRUE((*linker)->compare().ok());
  auto model = (*linker)->train();
  ASSERT_TRUE(model.ok()) << model.error().message;
  auto pairs = (*linker)->score(*model, 0.0);
  ASSERT_TRUE(pairs.ok());
  int true_found = 0, false_found = 0;
  for (const ScoredPair& p : *pairs) {
    if (p.probability < spec->threshold) continue;
    const bool same =
        (*linker)->record_id(p.left).substr(1) == (*linker)->record_id(p.right).substr(1);
    same ? ++true_found : ++false_found;
  }
  EXPECT_GE(true_found, 38);
  EXPECT_LE(false_found, 1);
  // The capture history: people on both lists, on police only.
  const auto clusters = cluster(**linker, *pairs, spec->threshold, spec->cluster_density);
  const std::string capture = capture_history_csv(**linker, clusters);
  EXPECT_EQ(capture.substr(0, 17), "police,ngo,count\n");
  EXPECT_NE(capture.find("\n1,1,"), std::string::npos);

  // A saved model reloads and scores the same.
  auto reloaded = model_from_json(Json::parse(model_to_json(*model).dump()));
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message;
  auto again = (*linker)->score(*reloaded, 0.0);
  ASSERT_EQ(again->size(), pairs->size());
  for (std::size_t i = 0; i < pairs->size(); ++i)
    EXPECT_NEAR((*again)[i].weight, (*pairs)[i].weight, 1e-9);
  EXPECT_NE(describe_model(*model).find("given"), std::string::npos);
}

TEST(Model, SavesSplinkStyleSettings) {
  auto spec = parse_spec(basic_spec());
  auto linker = Linker::create(*spec, small_world(), nullptr);
  ASSERT_TRUE(linker.ok());
  ASSERT_TRUE((*linker)->compare().ok());
  auto model = (*linker)->train();
  ASSERT_TRUE(model.ok()) << model.error().message;
  const Json json = model_to_json(*model);
  EXPECT_EQ(json["link_type"], "link_only");
  EXPECT_GT(json["probability_two_random_records_match"].get<double>(), 0);
  const Json& given = json["comparisons"][0];
  EXPECT_EQ(given["output_column_name"], "given");
  EXPECT_EQ(given["comparison_levels"][0]["is_null_level"], true);
  EXPECT_EQ(given["comparison_levels"][1]["sql_condition"], "\"given_l\" = \"given_r\"");
  EXPECT_EQ(given["comparison_levels"][1]["tf_adjustment_column"], "given");
  EXPECT_EQ(given["comparison_levels"][2]["sql_condition"],
            "jaro_winkler_similarity(\"given_l\", \"given_r\") >= 0.88");
  EXPECT_EQ(given["comparison_levels"][3]["sql_condition"], "ELSE");
  EXPECT_TRUE(given["comparison_levels"][3].contains("m_probability"));

  // A model for another specification is refused when scoring.
  Model other = *model;
  other.fields.pop_back();
  auto refused = (*linker)->score(other, 0.5);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("the model has 2 fields but the specification 3"),
            std::string::npos);
}

TEST(Model, RefusesModelsItCannotRead) {
  auto not_haven = model_from_json(Json::parse(R"({"link_type":"dedupe_only","comparisons":[]})"));
  ASSERT_FALSE(not_haven.ok());
  // Without haven_spec it is read as a model trained by Splink (splink_import_test.cpp).
  EXPECT_NE(not_haven.error().message.find("probability_two_random_records_match"),
            std::string::npos)
      << not_haven.error().message;
}

// EM stops at Splink's tolerance (1e-4 on the largest change of a parameter) well inside the
// iteration cap, and where it stops no weight is more than a hundredth of a bit from the fixed
// point EM reaches with a tolerance 100,000 times smaller.
TEST(Model, EmConvergesAtSplinksToleranceNearTheFixedPoint) {
  auto spec = read_spec(std::string(HAVEN_SPECS_DIR) + "/fake_1000.json");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->em_convergence, 1e-4);
  auto train = [&](const LinkSpec& s) {
    auto list = read_list(std::string(HAVEN_LINKAGE_DATA_DIR) + "/splink/fake_1000.csv", "fake", s);
    EXPECT_TRUE(list.ok());
    auto linker = Linker::create(s, {*list}, nullptr);
    EXPECT_TRUE(linker.ok());
    EXPECT_TRUE((*linker)->compare().ok());
    auto model = (*linker)->train();
    EXPECT_TRUE(model.ok());
    return *model;
  };
  const Model model = train(*spec);
  EXPECT_TRUE(model.em_converged);
  EXPECT_LE(model.em_iterations, 25 * static_cast<int>(spec->blocking.size()));  // Splink's cap

  LinkSpec strict = *spec;
  strict.em_convergence = 1e-9, strict.em_max_iterations = 5000;
  const Model fixed_point = train(strict);
  ASSERT_TRUE(fixed_point.em_converged);
  EXPECT_GT(fixed_point.em_iterations, model.em_iterations);
  for (std::size_t f = 0; f < model.fields.size(); ++f)
    for (std::size_t l = 1; l < model.fields[f].m.size(); ++l)
      EXPECT_NEAR(std::log2(model.fields[f].m[l] / model.fields[f].u[l]),
                  std::log2(fixed_point.fields[f].m[l] / fixed_point.fields[f].u[l]), 0.01)
          << spec->fields[f].name << " level " << l;
  EXPECT_NEAR(model.prior / fixed_point.prior, 1, 1e-3);
}

TEST(Cluster, AWeakChainDoesNotJoinTwoGroups) {
  // Two tight triples {0,1,2} and {3,4,5} in one list (dedupe), joined by one link 2~3.
  Json json = basic_spec();
  json["link_type"] = "dedupe_only";
  auto spec = parse_spec(json);
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 6; ++i) rows.push_back({std::to_string(i), "x", "y", ""});
  auto linker = Linker::create(*spec, {make_list("l", rows)}, nullptr);
  ASSERT_TRUE(linker.ok()) << linker.error().message;
  auto pair = [](std::uint32_t a, std::uint32_t b, double p) {
    ScoredPair s;
    s.left = a, s.right = b, s.probability = p;
    return s;
  };
  std::vector<ScoredPair> pairs = {pair(0, 1, 0.99), pair(1, 2, 0.99), pair(0, 2, 0.99),
                                   pair(3, 4, 0.99), pair(4, 5, 0.99), pair(3, 5, 0.99),
                                   pair(2, 3, 0.999)};
  const auto clusters = cluster(**linker, pairs, 0.9, 0.5);
  // The strongest link 2~3 joins {2,3} first; {0,1} then joins it (half of its cross pairs match),
  // but {4,5} does not (one cross pair of four): the chain stops there.
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[0].records, (std::vector<std::uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(clusters[1].records, (std::vector<std::uint32_t>{4, 5}));
  const auto chained = cluster(**linker, pairs, 0.9, 0.0);  // density 0: connected components
  EXPECT_EQ(chained.size(), 1u);
}

Json clk_schema() {
  return Json::parse(R"j({
    "version": 3, "clkConfig": {"l": 1024},
    "features": [
      {"identifier": "id", "ignored": true},
      {"identifier": "given", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
      {"identifier": "family", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}}},
      {"identifier": "dob", "format": {"type": "date"}, "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 80}}}
    ],
    "haven": {"id_column": "id", "blocking": ["phonetic(family)", "dob"]}
  })j");
}

std::vector<EncodedList> encode_world(const ClkSchema& schema, const std::string& secret_a,
                                      const std::string& secret_b) {
  std::vector<RecordList> world = small_world();
  auto a = encode_list(schema, world[0], secret_a, nullptr);
  auto b = encode_list(schema, world[1], secret_b, nullptr);
  EXPECT_TRUE(a.ok() && b.ok());
  return {*a, *b};
}

TEST(Encoded, LinksListsEncodedWithOneSecret) {
  auto schema = parse_clk_schema(clk_schema());
  ASSERT_TRUE(schema.ok()) << schema.error().field << " " << schema.error().message;
  auto lists = encode_world(*schema, "a secret the agencies share", "a secret the agencies share");
  for (std::size_t r = 0; r < lists[0].ids.size(); ++r)
    EXPECT_EQ(lists[0].popcounts[r], 512u);  // balanced
  // Through the file format, as agencies send it.
  for (auto& list : lists) {
    auto back = encoded_from_json(Json::parse(encoded_to_json(list).dump()), list.name);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->clks, list.clks);
    list = *back;
  }
  auto pairs = link_encoded(lists, LinkType::kLinkOnly, 0.8, 1000000, 2);
  ASSERT_TRUE(pairs.ok()) << pairs.error().message;
  int right = 0, wrong = 0;
  for (const EncodedPair& p : *pairs)
    (lists[0].ids[p.left].substr(1) == lists[1].ids[p.right - lists[0].ids.size()].substr(1)
         ? right
         : wrong)++;
  EXPECT_GE(right, 36);
  EXPECT_LE(wrong, 1);
  const auto clusters = cluster_encoded(lists, LinkType::kLinkOnly, *pairs, 0.8, 0.5);
  EXPECT_EQ(clusters.size(), 100u - right);
}

TEST(Encoded, RefusesAnotherSecretOrSchema) {
  auto schema = parse_clk_schema(clk_schema());
  auto other_secret =
      encode_world(*schema, "a secret the agencies share", "another secret, not shared");
  auto refused = link_encoded(other_secret, LinkType::kLinkOnly, 0.8, 1000000, 2);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(
                "list \"ngo\" was encoded with another secret than list \"police\""),
            std::string::npos)
      << refused.error().message;

  Json changed = clk_schema();
  changed["features"][1]["hashing"]["strategy"]["bitsPerFeature"] = 120;
  auto other = parse_clk_schema(changed);
  ASSERT_TRUE(other.ok());
  std::vector<RecordList> world = small_world();
  auto a = encode_list(*schema, world[0], "a secret the agencies share", nullptr);
  auto b = encode_list(*other, world[1], "a secret the agencies share", nullptr);
  auto mixed = link_encoded({*a, *b}, LinkType::kLinkOnly, 0.8, 1000000, 2);
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message.find("was encoded with another schema than list \"police\""),
            std::string::npos)
      << mixed.error().message;

  auto short_secret = encode_list(*schema, world[0], "too short", nullptr);
  ASSERT_FALSE(short_secret.ok());
  EXPECT_NE(short_secret.error().message.find("at least 16 bytes"), std::string::npos);
}

TEST(Encoded, RefusesMalformedEncodings) {
  auto schema = parse_clk_schema(clk_schema());
  auto lists = encode_world(*schema, "a secret the agencies share", "a secret the agencies share");
  const Json good = encoded_to_json(lists[0]);
  struct Case {
    std::function<void(Json&)> damage;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](Json& j) { j.erase("haven_encoding"); }, "not an encoded list written by haven encode"},
      {[](Json& j) { j["clks"][3] = j["clks"][3].get<std::string>().substr(0, 40); },
       "CLK 4 is not base64 of 1024 bits"},
      {[](Json& j) {
         std::string c = j["clks"][0].get<std::string>();
         c[0] = c[0] == 'A' ? 'B' : 'A';  // one bit more or less
         j["clks"][0] = c;
       },
       "a balanced CLK has exactly half"},
      {[](Json& j) { j["ids"].erase(j["ids"].size() - 1); }, "ids but"},
      {[](Json& j) { j.erase("secret_check"); }, "secret_check is missing"},
      {[](Json& j) { j["blocks"][0].erase(0); }, "must hold one key per record"},
      {[](Json& j) { j["blocks"][1][0] = "xyz"; }, "16 hex digits"},
      {[](Json& j) {
         j["ids"] = Json::array();
         j["clks"] = Json::array();
       },
       "has no records"},
  };
  for (const Case& c : cases) {
    Json damaged = good;
    c.damage(damaged);
    auto list = encoded_from_json(damaged, "police");
    ASSERT_FALSE(list.ok()) << c.message;
    EXPECT_NE(list.error().message.find(c.message), std::string::npos) << list.error().message;
  }
}

TEST(Encoded, SchemaMistakesAreNamed) {
  Json bad_version = clk_schema();
  bad_version["version"] = 2;
  EXPECT_EQ(parse_clk_schema(bad_version).error().field, "/version");
  Json bad_length = clk_schema();
  bad_length["clkConfig"]["l"] = 1000;
  EXPECT_EQ(parse_clk_schema(bad_length).error().field, "/clkConfig/l");
  Json bad_rule = clk_schema();
  bad_rule["haven"]["blocking"] = {"phonetic(nickname)"};
  auto refused = parse_clk_schema(bad_rule);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "/haven/blocking/0");
}

TEST(Encoded, DiceKernelsAgree) {
  std::vector<std::uint64_t> clks(20 * 16);
  std::uint64_t state = 12345;
  for (auto& w : clks)
    state ^= state << 13, state ^= state >> 7, state ^= state << 17, w = state & (state >> 3);
  std::vector<std::uint32_t> counts(20);
  for (std::size_t i = 0; i < 20; ++i)
    for (std::size_t w = 0; w < 16; ++w)
      counts[i] += static_cast<std::uint32_t>(__builtin_popcountll(clks[i * 16 + w]));
  std::vector<float> row(19);
  dice_row(clks.data(), counts[0], clks.data() + 16, counts.data() + 1, 19, 16, row.data());
  for (std::size_t i = 1; i < 20; ++i) {
    std::uint64_t common = 0;
    for (std::size_t w = 0; w < 16; ++w)
      common += static_cast<std::uint64_t>(__builtin_popcountll(clks[w] & clks[i * 16 + w]));
    EXPECT_NEAR(row[i - 1], 2.0 * common / (counts[0] + counts[i]), 1e-6);
  }
}

}  // namespace
}  // namespace haven::link
