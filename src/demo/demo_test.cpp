#include "demo/demo.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "demo/random.hpp"
#include "demo/world.hpp"

namespace haven {
namespace {

using std::chrono::sys_days;

const FixedClock kClock{sys_days{std::chrono::year{2026} / 3 / 1} + std::chrono::hours{12}};
constexpr const char* kToday = "2026-03-01";
constexpr const char* kNow = "2026-03-01T12:00:00Z";

// A fresh SQLite store in its own directory, removed afterwards.
class TempStore {
 public:
  explicit TempStore(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() /
             ("haven-demo-" + std::to_string(::getpid()) + "-" + name)) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    SqliteOptions options;
    options.key_ring = keys_.get();
    auto store = open_sqlite_store(dir_ / "haven.db", kClock, options);
    EXPECT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Store& store() { return *store_; }

  // Every record of `kind`, oldest first.
  std::vector<Record> all(const char* kind) {
    std::vector<Record> out;
    auto tx = store_->begin(false);
    EXPECT_TRUE(tx.ok());
    ListQuery query;
    query.limit = 1000;
    for (;;) {
      auto page = (*tx)->list(*find_entity(kind), 0, query);
      EXPECT_TRUE(page.ok()) << page.error().message;
      if (!page.ok()) break;
      for (auto& r : page->records) out.push_back(std::move(r));
      if (page->next_cursor.empty()) break;
      query.cursor = page->next_cursor;
    }
    return out;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<KeyRing> keys_ = KeyRing::from_master_key(Key{3});  // outlives the store
  std::unique_ptr<Store> store_;
};

Result<DemoSummary> run(TempStore& store, DemoOptions options) {
  return generate_demo(store.store(), options, kClock, nullptr);
}

// ---- building blocks ----

TEST(DemoRandom, DrawsDoNotDependOnTheStandardLibrary) {
  // mt19937_64's output is fixed by the standard; our draws from it must stay fixed too, or the
  // same seed would give other data on another platform. Changing a draw changes these numbers.
  demo::Rng rng(1);
  std::vector<std::uint64_t> draws;
  for (int i = 0; i < 4; ++i) draws.push_back(rng.below(1000));
  for (int i = 0; i < 2; ++i) draws.push_back(static_cast<std::uint64_t>(rng.between(-5, 5) + 5));
  draws.push_back(static_cast<std::uint64_t>(rng.unit() * 1e6));
  const double weights[] = {1, 0, 3};
  draws.push_back(rng.weighted(weights));
  EXPECT_EQ(draws, (std::vector<std::uint64_t>{528, 462, 930, 246, 4, 3, 470752, 0}));
}

TEST(DemoRandom, StaysInRange) {
  demo::Rng rng(7);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_LT(rng.below(3), 3u);
    const auto x = rng.between(-2, 2);
    ASSERT_TRUE(x >= -2 && x <= 2);
    const double u = rng.unit();
    ASSERT_TRUE(u >= 0 && u < 1);
    const double weights[] = {0, 2, 0};
    ASSERT_EQ(rng.weighted(weights), 1u);
  }
}

TEST(DemoDates, AgreeWithCore) {
  for (std::int64_t day = -25567; day < 47482; day += 37) {  // 1900 .. 2100
    const auto t = std::chrono::system_clock::time_point{sys_days{std::chrono::days{day}}};
    ASSERT_EQ(demo::date_text(day), format_date(t));
    const demo::Civil c = demo::civil_from_days(day);
    ASSERT_EQ(demo::days_from_civil(c.year, c.month, c.day), day);
    const std::int64_t seconds = day * 86400 + (day % 86400 + 86400) % 86400;
    ASSERT_EQ(
        demo::datetime_text(seconds),
        format_datetime(std::chrono::system_clock::time_point{std::chrono::seconds{seconds}}));
  }
  EXPECT_EQ(demo::date_text(demo::years_before(*parse_date("2024-02-29"), 1)), "2023-02-28");
  EXPECT_EQ(demo::strip_diacritics("Ștefan Țurcanu, Núñez, Kɔmla"), "Stefan Turcanu, Nunez, Komla");
  EXPECT_EQ(demo::ascii_fold("Mădălina Căpraru"), "madalinacapraru");
}

TEST(DemoWorld, TablesAreWellFormed) {
  std::string error;
  const demo::World world = demo::build_world(error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(world.countries.size(), 10u);
  std::set<std::string_view> scripts_seen;
  for (const auto& culture : world.cultures) {
    for (const auto* list :
         {&culture.female, &culture.male, &culture.family, &culture.female_family}) {
      for (const auto& entry : *list) {
        ASSERT_FALSE(entry.latin.empty());
        for (std::size_t f = 0; f < entry.forms(); ++f) {
          const std::string_view form = entry.form(f);
          EXPECT_TRUE(is_valid_utf8(form)) << form;
          EXPECT_FALSE(form.empty() || form.size() > 100) << culture.data->id;
          EXPECT_EQ(form.find_first_of(",/=;"), std::string_view::npos) << form;
        }
        if (!entry.native.empty()) scripts_seen.insert(culture.data->id);
      }
    }
  }
  // Devanagari, Tamil, Khmer and Chinese characters are all present.
  for (const char* id : {"hindi", "tamil", "khmer", "chinese_my", "chinese_cn"})
    EXPECT_TRUE(scripts_seen.count(id)) << id;
  for (const auto& country : world.countries) {
    EXPECT_EQ(std::string_view(country.data->code).size(), 2u);
    for (const auto& region : country.regions) EXPECT_FALSE(region.towns.empty());
  }
}

// ---- generation ----

TEST(DemoGenerate, RejectsOptionsOutOfRange) {
  TempStore store("options");
  DemoOptions options;
  options.duplicate_rate = 0.9;
  EXPECT_EQ(run(store, options).error().code, ErrorCode::kInvalidArgument);
  options = {};
  options.events_per_case = 5000;
  EXPECT_EQ(run(store, options).error().code, ErrorCode::kInvalidArgument);
  const FixedClock long_ago{sys_days{std::chrono::year{1950} / 1 / 1}};
  auto refused = generate_demo(store.store(), DemoOptions{}, long_ago, nullptr);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.all("organisation").size(), 0u);  // refused before writing anything
}

class SmallDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new TempStore("small");
    DemoOptions options;
    options.persons = 300;
    options.events_per_case = 10;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    auto summary = generate_demo(
        store_->store(), options, kClock,
        [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); });
    ASSERT_TRUE(summary.ok()) << summary.error().message << " at " << summary.error().field;
    summary_ = new DemoSummary(std::move(summary.value()));
    progress_ = new std::vector<std::pair<std::uint64_t, std::uint64_t>>(std::move(calls));
  }
  static void TearDownTestSuite() {
    delete store_;
    delete summary_;
    delete progress_;
  }
  static TempStore* store_;
  static DemoSummary* summary_;
  static std::vector<std::pair<std::uint64_t, std::uint64_t>>* progress_;
};
TempStore* SmallDemo::store_ = nullptr;
DemoSummary* SmallDemo::summary_ = nullptr;
std::vector<std::pair<std::uint64_t, std::uint64_t>>* SmallDemo::progress_ = nullptr;

TEST_F(SmallDemo, CreatesEveryKindAndCountsThem) {
  ASSERT_NE(summary_, nullptr);
  for (const auto& spec : entity_specs()) {
    if (spec.kind == "form_definition") continue;  // organisations design their own forms
    // The duplicate review queue and merges come from `haven dedupe scan` and people's decisions.
    if (spec.kind == "duplicate_candidate" || spec.kind == "person_merge") continue;
    const std::size_t stored = store_->all(spec.kind.c_str()).size();
    EXPECT_GT(stored, 0u) << spec.kind;
    EXPECT_EQ(summary_->counts.at(spec.kind), stored) << spec.kind;
  }
  EXPECT_EQ(summary_->counts.at("person"), 300u);
  EXPECT_GT(summary_->counts.at("user"), 0u);
  ASSERT_FALSE(progress_->empty());
  EXPECT_EQ(progress_->back(), std::make_pair(std::uint64_t{300}, std::uint64_t{300}));
}

// The review screen has something to show: the first organisation's queue from linking two noisy
// lists, every pair pending, in the uncertain band, explained field by field with both values.
TEST_F(SmallDemo, SeedsALinkageReviewQueueInTheFirstOrganisation) {
  ASSERT_NE(summary_, nullptr);
  const std::vector<Record> reviews = store_->all("link_review");
  ASSERT_GE(reviews.size(), 10u);
  const std::int64_t first_org = store_->all("organisation").front().id;
  std::set<std::string> lists;
  for (const Record& review : reviews) {
    EXPECT_EQ(review.org_id, first_org);
    EXPECT_EQ(review.fields["run"], "Demo: police × shelter");
    EXPECT_EQ(review.fields["status"], "pending");
    const double probability = review.fields["match_probability"];
    EXPECT_GE(probability, 0.5);
    EXPECT_LT(probability, 0.9);
    lists.insert(review.fields["list_l"].get<std::string>() + "|" + review.fields["list_r"].get<std::string>());
    ASSERT_EQ(review.fields["comparisons"].size(), 5u);
    double weights = 0;
    bool compared_values = false;
    for (const auto& comparison : review.fields["comparisons"]) {
      weights += comparison["weight"].get<double>();
      compared_values = compared_values || (comparison.contains("left") && comparison.contains("right"));
    }
    EXPECT_TRUE(compared_values) << review.fields.dump();
    EXPECT_NE(weights, 0) << "the explanation carries the model's weights";
  }
  EXPECT_EQ(lists, (std::set<std::string>{"police|shelter"}));
  // Someone in the organisation may decide them.
  auto tx = store_->store().begin(false);
  ASSERT_TRUE(tx.ok());
  auto staff = (*tx)->list_users(first_org);
  ASSERT_TRUE(staff.ok());
  EXPECT_TRUE(std::any_of(staff->begin(), staff->end(), [](const User& user) {
    return std::count(user.roles.begin(), user.roles.end(), "supervisor") + std::count(user.roles.begin(), user.roles.end(), "investigator") > 0;
  }));
}

TEST_F(SmallDemo, AdminCanLogInWithTheDemoPassword) {
  ASSERT_NE(summary_, nullptr);
  auto tx = store_->store().begin(false);
  ASSERT_TRUE(tx.ok());
  auto admin = (*tx)->find_user(summary_->admin_username);
  ASSERT_TRUE(admin.ok()) << summary_->admin_username;
  EXPECT_EQ(admin->roles, std::vector<std::string>{"system_admin"});
  ASSERT_GE(sodium_init(), 0);
  EXPECT_EQ(crypto_pwhash_str_verify(admin->password_hash.c_str(), kDemoPassword.data(),
                                     kDemoPassword.size()),
            0);
}

TEST_F(SmallDemo, RecordsDuplicatesAsTheyWereMade) {
  ASSERT_NE(summary_, nullptr);
  EXPECT_EQ(summary_->duplicates.size(), 6u);  // 2% of 300
  std::map<std::int64_t, Record> persons;
  for (auto& p : store_->all("person")) persons.emplace(p.id, p);
  for (const auto& truth : summary_->duplicates) {
    ASSERT_TRUE(persons.count(truth.original_id) && persons.count(truth.duplicate_id));
    const Record& original = persons.at(truth.original_id);
    const Record& duplicate = persons.at(truth.duplicate_id);
    EXPECT_LT(original.id, duplicate.id);
    EXPECT_EQ(original.org_id, duplicate.org_id);
    EXPECT_EQ(original.fields["sex"], duplicate.fields["sex"]);
    EXPECT_EQ(original.fields["nationality"], duplicate.fields["nationality"]);
  }
  std::ostringstream csv;
  ASSERT_TRUE(write_duplicate_truth(*summary_, csv).ok());
  std::istringstream lines(csv.str());
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "original_id,duplicate_id,corruptions");
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    const auto& truth = summary_->duplicates[rows++];
    EXPECT_EQ(
        line.rfind(
            std::to_string(truth.original_id) + "," + std::to_string(truth.duplicate_id) + ",", 0),
        0u)
        << line;
  }
  EXPECT_EQ(rows, summary_->duplicates.size());
}

TEST_F(SmallDemo, HasMinorsAsHavenDerivesThem) {
  ASSERT_NE(summary_, nullptr);
  std::size_t minors = 0, victims = 0, suspects = 0, witnesses = 0;
  for (const auto& link : store_->all("case_person")) {
    if (link.fields.value("is_minor", false)) ++minors;
    const std::string role = link.fields["role"];
    victims += role == "victim";
    suspects += role == "suspect";
    witnesses += role == "witness";
  }
  EXPECT_GT(minors, 0u);
  EXPECT_EQ(minors, summary_->minors);
  EXPECT_GT(victims, suspects);
  EXPECT_GT(suspects, 0u);
  EXPECT_GT(witnesses, 0u);
}

TEST_F(SmallDemo, LegalCasesFollowTheOrderOfTheLaw) {
  ASSERT_NE(summary_, nullptr);
  const auto& order = choices::kLegalStages;
  std::size_t verdicts = 0, sentences = 0;
  for (const auto& legal : store_->all("legal_case")) {
    const Json& stages = legal.fields["stages"];
    ASSERT_FALSE(stages.empty());
    EXPECT_EQ(stages[0]["stage"], "complaint");
    std::ptrdiff_t last = -1;
    std::string last_date, verdict;
    for (const auto& stage : stages) {
      const auto index = std::find(order.begin(), order.end(), stage["stage"]) - order.begin();
      EXPECT_GT(index, last) << legal.to_json().dump();
      const std::string date = stage["date"];
      EXPECT_GE(date, last_date);
      EXPECT_LE(date, kToday);
      if (stage["stage"] == "verdict") verdict = stage["verdict"], ++verdicts;
      if (stage["stage"] == "sentence") {
        ++sentences;
        EXPECT_TRUE(verdict == "conviction" || verdict == "plea") << legal.to_json().dump();
        EXPECT_GT(stage["sentence_months"].get<int>(), 0);
      }
      last = index;
      last_date = date;
    }
    EXPECT_EQ(legal.fields["current_stage"], stages.back()["stage"]);
    EXPECT_EQ(legal.fields.value("verdict", ""), verdict);
    EXPECT_FALSE(legal.fields["defendant_person_ids"].empty());
  }
  EXPECT_GT(verdicts, 0u);
  EXPECT_GT(sentences, 0u);
  std::size_t postponed = 0;
  for (const auto& hearing : store_->all("hearing")) {
    EXPECT_FALSE(hearing.fields.value("held", false) && hearing.fields.value("postponed", false));
    postponed += hearing.fields.value("postponed", false);
  }
  EXPECT_GT(postponed, 0u);
}

TEST_F(SmallDemo, NothingHappensAfterNow) {
  ASSERT_NE(summary_, nullptr);
  const std::pair<const char*, const char*> dated[] = {{"case", "opened_on"},
                                                       {"case", "closed_on"},
                                                       {"case", "incident_date"},
                                                       {"report", "received_at"},
                                                       {"case_event", "occurred_at"},
                                                       {"operation", "date"},
                                                       {"outcome_assessment", "assessed_on"},
                                                       {"service", "start_date"},
                                                       {"service", "end_date"},
                                                       {"consent", "given_on"},
                                                       {"training", "held_on"},
                                                       {"case_audit", "audited_on"},
                                                       {"person", "birth_date"}};
  for (const auto& [kind, field] : dated)
    for (const auto& r : store_->all(kind))
      if (r.fields.contains(field)) {
        EXPECT_LE(r.fields[field].get<std::string>(), kNow) << kind << "." << field;
      }
  for (const auto& c : store_->all("case")) {
    if (c.fields["status"] == "closed") {
      EXPECT_TRUE(c.fields.contains("closed_on"));
    }
  }
}

TEST_F(SmallDemo, AssessmentsImproveOverTime) {
  ASSERT_NE(summary_, nullptr);
  std::map<std::int64_t, std::vector<int>> totals;  // person -> total score per assessment
  for (const auto& a : store_->all("outcome_assessment")) {
    int total = 0;
    for (const auto& [domain, score] : a.fields["scores"].items()) total += score.get<int>();
    totals[a.fields["person_id"]].push_back(total);
  }
  int better = 0, worse = 0;
  for (const auto& [person, series] : totals)
    if (series.size() > 1) (series.back() > series.front() ? better : worse) += 1;
  EXPECT_GT(better, 3 * worse);
}

TEST(DemoGenerate, SameSeedSameDataOtherSeedOtherData) {
  DemoOptions options;
  options.persons = 150;
  options.events_per_case = 3;
  TempStore a("seed-a"), b("seed-b"), c("seed-c");
  auto first = run(a, options);
  auto second = run(b, options);
  options.seed = 2;
  auto third = run(c, options);
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, *third);
  for (const char* kind : {"organisation", "person", "case", "legal_case", "case_event"}) {
    const auto x = a.all(kind), y = b.all(kind), z = c.all(kind);
    ASSERT_EQ(x.size(), y.size()) << kind;
    for (std::size_t i = 0; i < x.size() && i < 40; ++i)
      EXPECT_EQ(x[i].to_json(), y[i].to_json()) << kind;
    bool differs = x.size() != z.size();
    for (std::size_t i = 0; !differs && i < x.size(); ++i) differs = x[i].fields != z[i].fields;
    EXPECT_TRUE(differs) << kind;
  }
}

TEST(DemoGenerate, ShapeMatchesTheReferenceData) {
  // The reference scale: 1M persons, 300k cases, 10M events, i.e. 0.3 cases per person.
  TempStore store("shape");
  DemoOptions options;
  options.persons = 2000;
  options.duplicate_rate = 0.1;
  auto summary = run(store, options);
  ASSERT_TRUE(summary.ok()) << summary.error().message << " at " << summary.error().field;
  const double cases = static_cast<double>(summary->counts.at("case"));
  EXPECT_NEAR(cases / 2000, 0.3, 0.05);
  EXPECT_NEAR(static_cast<double>(summary->counts.at("case_event")) / cases, 33, 4);
  EXPECT_EQ(summary->duplicates.size(), 200u);
  // Every corruption occurs, and a lone one shows in the stored fields.
  std::map<std::int64_t, Json> persons;
  for (const auto& p : store.all("person")) persons.emplace(p.id, p.fields);
  std::map<std::string, int> seen;
  for (const auto& truth : summary->duplicates) {
    for (const auto& c : truth.corruptions) ++seen[c];
    if (truth.corruptions.size() != 1) continue;
    const Json& o = persons.at(truth.original_id);
    const Json& d = persons.at(truth.duplicate_id);
    const std::string& kind = truth.corruptions[0];
    if (kind == "swapped_names") {
      EXPECT_EQ(o["given_name"], d["family_name"]);
      EXPECT_EQ(o["family_name"], d["given_name"]);
    } else if (kind == "missing_birth_date") {
      EXPECT_TRUE(o.contains("birth_date") && !d.contains("birth_date"));
    } else if (kind == "day_month_swap") {
      const std::string a = o["birth_date"], b = d["birth_date"];
      EXPECT_EQ(a.substr(0, 4) + a.substr(8, 2) + a.substr(5, 2),
                b.substr(0, 4) + b.substr(5, 2) + b.substr(8, 2));
    } else {  // typo, transliteration: the name changed, the birth date did not
      EXPECT_NE(o.value("given_name", "") + "|" + o.value("family_name", ""),
                d.value("given_name", "") + "|" + d.value("family_name", ""));
      EXPECT_EQ(o.value("birth_date", ""), d.value("birth_date", ""));
    }
  }
  for (const char* kind :
       {"typo", "swapped_names", "transliteration", "missing_birth_date", "day_month_swap"})
    EXPECT_GT(seen[kind], 0) << kind;
}

}  // namespace
}  // namespace haven
