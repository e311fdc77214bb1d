#include "link_review/link_review.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace haven::link_review {
namespace {

link::LinkSpec small_spec() {
  auto spec = link::parse_spec(Json::parse(R"({
    "link_type": "link_only", "id_column": "id",
    "fields": [
      {"name": "given", "levels": [{"type": "exact"}, {"type": "jaro_winkler", "min": 0.88}]},
      {"name": "family", "levels": [{"type": "exact"}, {"type": "levenshtein", "max": 1}]},
      {"name": "dob", "normalise": "date", "levels": [{"type": "exact"}, {"type": "same_year"}]}
    ],
    "blocking": ["family", "dob"],
    "u_sample_pairs": 1000
  })"));
  EXPECT_TRUE(spec.ok());
  return *spec;
}

// Two lists of the same twelve people, the second written with the errors lists have.
std::vector<link::RecordList> two_lists() {
  const char* given[] = {"Maria", "Jose", "Ana", "Luz", "Ramon", "Elena", "Pedro", "Rosa", "Juan", "Carmen", "Luis", "Teresa"};
  const char* family[] = {"Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Flores", "Rivera",
                          "Gonzales", "Ramos"};
  link::RecordList police{"police", {}, {}}, shelter{"shelter", {}, {}};
  for (int i = 0; i < 12; ++i) {
    const std::string dob = "19" + std::to_string(70 + i) + "-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10);
    police.ids.push_back("P" + std::to_string(i));
    police.values.push_back({given[i], family[i], dob});
    shelter.ids.push_back("S" + std::to_string(i));
    std::string written = given[i];
    if (i % 3 == 0) written += "a";  // a typing error
    shelter.values.push_back({"  " + written + " ", family[i], i % 4 == 1 ? "" : dob});
  }
  return {police, shelter};
}

struct Linked {
  std::unique_ptr<link::Linker> linker;
  link::Model model;
  std::vector<link::ScoredPair> pairs;
};

Linked link_lists() {
  Linked out;
  auto linker = link::Linker::create(small_spec(), two_lists(), nullptr, 1);
  EXPECT_TRUE(linker.ok()) << linker.error().message;
  out.linker = std::move(*linker);
  EXPECT_TRUE(out.linker->compare().ok());
  auto model = out.linker->train();
  EXPECT_TRUE(model.ok()) << model.error().message;
  out.model = *model;
  auto pairs = out.linker->score(out.model, 0);
  EXPECT_TRUE(pairs.ok());
  out.pairs = *pairs;
  return out;
}

TEST(ReviewBand, HoldsThePairsBetweenReviewFromAndThresholdWithTheirExplanation) {
  Linked linked = link_lists();
  ASSERT_GE(linked.pairs.size(), 6u);
  std::vector<double> probabilities;
  for (const auto& p : linked.pairs) probabilities.push_back(p.probability);
  std::sort(probabilities.begin(), probabilities.end());
  // A band with pairs on both sides of it: its bounds are two pairs' own probabilities.
  linked.model.spec.review_from = probabilities[1];
  linked.model.spec.threshold = probabilities[probabilities.size() - 2];
  const auto expected = std::count_if(probabilities.begin(), probabilities.end(), [&](double p) {
    return p >= linked.model.spec.review_from && p < linked.model.spec.threshold;
  });
  ASSERT_GT(expected, 0);
  const std::vector<Json> band = review_band(*linked.linker, linked.model, linked.pairs, "March");
  ASSERT_EQ(static_cast<std::ptrdiff_t>(band.size()), expected);
  for (const Json& review : band) {
    EXPECT_EQ(review["run"], "March");
    EXPECT_EQ(review["status"], kPending);
    EXPECT_EQ(review["list_l"], "police");
    EXPECT_EQ(review["list_r"], "shelter");
    const std::string left = review["record_l"], right = review["record_r"];
    const auto& pair = *std::find_if(linked.pairs.begin(), linked.pairs.end(), [&](const link::ScoredPair& p) {
      return linked.linker->record_id(p.left) == left && linked.linker->record_id(p.right) == right;
    });
    EXPECT_EQ(review["match_probability"], pair.probability);
    EXPECT_EQ(review["match_weight"], pair.weight);
    const auto weights = linked.linker->field_weights(linked.model, pair);
    ASSERT_EQ(review["comparisons"].size(), 3u);
    for (std::size_t f = 0; f < 3; ++f) {
      const Json& comparison = review["comparisons"][f];
      EXPECT_EQ(comparison["field"], linked.model.spec.fields[f].name);
      EXPECT_EQ(comparison["weight"], weights[f]);
      const std::size_t level = pair.levels[f];
      EXPECT_EQ(comparison["level"], level == 0 ? "null" : level > linked.model.spec.fields[f].levels.size()
                                                             ? "else"
                                                             : linked.model.spec.fields[f].levels[level - 1].label);
      // The values as compared: trimmed and lower-cased.
      if (comparison.contains("right")) {
        EXPECT_EQ(comparison["right"], linked.linker->compared_value(f, pair.right));
      }
      if (f == 0) {
        EXPECT_EQ(comparison["right"].get<std::string>().find_first_of(" ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos);
      }
    }
  }
}

class Queue : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() / ("haven-link-review-" + std::to_string(::getpid()) + ".db");
    remove();
    SqliteOptions options;
    options.key_ring = ring_.get();
    auto store = open_sqlite_store(file_, clock_, options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    auto tx = store_->begin(true);
    for (const char* name : {"Mission", "Police"}) {
      auto org = create_record(**tx, *find_entity("organisation"), 0, {{"name", name}, {"type", "ngo"}, {"country", "PH"}}, clock_);
      ASSERT_TRUE(org.ok());
      orgs_.push_back(org->id);
    }
    User user;
    user.org_id = orgs_[0];
    user.username = "sam";
    user.roles = {"supervisor"};
    user.password_hash = "not used";
    auto inserted = (*tx)->insert_user(user);
    ASSERT_TRUE(inserted.ok());
    user_ = inserted->id;
    ASSERT_TRUE((*tx)->commit().ok());
  }
  void TearDown() override {
    store_.reset();
    remove();
  }
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file_.string() + suffix);
  }
  static Json pair(const std::string& run, const std::string& left) {
    return {{"run", run}, {"list_l", "police"}, {"record_l", left}, {"list_r", "shelter"}, {"record_r", "S" + left},
            {"match_probability", 0.6}, {"match_weight", 0.5}, {"status", kPending},
            {"comparisons", {{{"field", "given"}, {"level", "exact"}, {"weight", 3.5}, {"left", "maria"}, {"right", "maria"}}}}};
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::unique_ptr<KeyRing> ring_ = KeyRing::from_master_key(Key{4});
  std::filesystem::path file_;
  std::unique_ptr<Store> store_;
  std::vector<std::int64_t> orgs_;
  std::int64_t user_ = 0;
};

TEST_F(Queue, StoresARunOnceDecidesAndReadsTheDecisionsBack) {
  auto tx = store_->begin(true);
  ASSERT_TRUE(store_run(**tx, orgs_[0], {pair("March", "1"), pair("March", "2")}, clock_).ok());
  ASSERT_TRUE(store_run(**tx, orgs_[1], {pair("March", "1")}, clock_).ok());  // another organisation may use the name
  auto again = store_run(**tx, orgs_[0], {pair("March", "3")}, clock_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_NE(again.error().message.find("already has a linkage run named \"March\""), std::string::npos);

  auto listed = decisions(**tx, orgs_[0], "March");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  const std::int64_t first = [&] {
    auto page = (*tx)->list(spec(), orgs_[0], {});
    return page->records.front().id;
  }();
  auto matched = decide(**tx, orgs_[0], first, kMatch, "same mother", user_, clock_);
  ASSERT_TRUE(matched.ok()) << matched.error().message;
  EXPECT_EQ(matched->fields["decided_by"], user_);
  EXPECT_EQ(matched->fields["note"], "same mother");
  EXPECT_EQ(decide(**tx, orgs_[0], first, kNonMatch, "", user_, clock_).error().code, ErrorCode::kConflict);
  EXPECT_EQ(decide(**tx, orgs_[1], first, kMatch, "", user_, clock_).error().code, ErrorCode::kNotFound);
  auto too_long = decide(**tx, orgs_[0], first + 1, kMatch, std::string(2001, 'x'), user_, clock_);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().field, "/note");

  auto after = decisions(**tx, orgs_[0], "March");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].status, kMatch);
  EXPECT_EQ((*after)[0].record_l, "1");
  EXPECT_EQ((*after)[0].record_r, "S1");
  EXPECT_EQ((*after)[1].status, kPending);
  auto everywhere = decisions(**tx, 0, "March");
  ASSERT_TRUE(everywhere.ok());
  EXPECT_EQ(everywhere->size(), 3u);
  EXPECT_EQ(decisions(**tx, orgs_[0], "April").error().code, ErrorCode::kNotFound);

  auto summaries = runs(**tx, orgs_[0]);
  ASSERT_TRUE(summaries.ok());
  ASSERT_EQ(summaries->size(), 1u);
  EXPECT_EQ((*summaries)[0].match, 1u);
  EXPECT_EQ((*summaries)[0].pending, 1u);
  EXPECT_EQ((*summaries)[0].total(), 2u);

  auto reopened = decide(**tx, orgs_[0], first, kPending, "", user_, clock_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(reopened->fields.contains("decided_by") || reopened->fields.contains("note"));
  EXPECT_EQ(decide(**tx, orgs_[0], first, kPending, "", user_, clock_).error().code, ErrorCode::kConflict);
}

TEST_F(Queue, ARefusedPairNamesItselfWithoutItsValues) {
  Json bad = pair("March", "7");
  bad["comparisons"][0]["left"] = "wilhelmina" + std::string(1000, 'a');
  auto tx = store_->begin(true);
  auto stored = store_run(**tx, orgs_[0], {pair("March", "6"), bad}, clock_);
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(stored.error().message.find("pair 2 (police 7, shelter S7)"), std::string::npos) << stored.error().message;
  EXPECT_EQ(stored.error().message.find("wilhelmina"), std::string::npos) << stored.error().message;
}

}  // namespace
}  // namespace haven::link_review
