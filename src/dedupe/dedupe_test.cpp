#include "dedupe/dedupe.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace haven::dedupe {
namespace {

class Dedupe : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("haven-dedupe-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    keys_ = KeyRing::from_master_key(Key{9, 9});
    SqliteOptions options;
    options.key_ring = keys_.get();
    auto store = open_sqlite_store(dir_ / "haven.db", clock_, options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store.value());
    auto finder = PersonFinder::create(*keys_);
    ASSERT_TRUE(finder.ok()) << finder.error().message;
    finder_ = std::move(finder.value());
    store_->set_person_encoder(finder_->encoder());

    auto tx = store_->begin(true);
    org_ = add(**tx, "organisation", 0, {{"name", "Mission Dhaka"}, {"type", "ngo"}, {"country", "BD"}});
    other_org_ = add(**tx, "organisation", 0, {{"name", "Shelter Kolkata"}, {"type", "shelter"}, {"country", "IN"}});
    rahman_ = add(**tx, "person", org_, {{"given_name", "Mohammed"}, {"family_name", "Rahman"}, {"birth_date", "1990-05-04"}, {"sex", "male"}});
    // The same man at a second intake: name order swapped, honorific, day and month swapped.
    rahman_again_ = add(**tx, "person", org_, {{"given_name", "Rahman"}, {"family_name", "Md."}, {"birth_date", "1990-04-05"}, {"sex", "male"}});
    santos_ = add(**tx, "person", org_, {{"given_name", "Maria"}, {"family_name", "Santos"}, {"birth_date", "2004-11-30"}, {"sex", "female"}});
    theirs_ = add(**tx, "person", other_org_, {{"given_name", "Mohammed"}, {"family_name", "Rahman"}, {"birth_date", "1990-05-04"}});
    ASSERT_TRUE((*tx)->commit().ok());
    ASSERT_TRUE(finder_->refresh(*store_).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::int64_t add(Transaction& tx, const char* kind, std::int64_t org, const Json& fields) {
    auto record = create_record(tx, *find_entity(kind), org, fields, clock_);
    EXPECT_TRUE(record.ok()) << kind << ": " << record.error().message;
    return record.ok() ? record->id : 0;
  }
  std::vector<std::int64_t> found(const Json& query, std::int64_t org = 0) {
    search::QueryOptions options;
    auto matches = finder_->find(org ? org : org_, query, options, *parse_date("2026-11-26"));
    EXPECT_TRUE(matches.ok()) << matches.error().message;
    std::vector<std::int64_t> ids;
    if (matches.ok())
      for (const auto& match : *matches) ids.push_back(match.person_id);
    return ids;
  }
  Record get(const char* kind, std::int64_t id) {
    auto tx = store_->begin(false);
    return (*tx)->get(*find_entity(kind), id, org_).value();
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::filesystem::path dir_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PersonFinder> finder_;
  std::int64_t org_ = 0, other_org_ = 0, rahman_ = 0, rahman_again_ = 0, santos_ = 0, theirs_ = 0;
};

TEST_F(Dedupe, FindsTheSamePersonWithinTheOrganisationOnly) {
  const auto ids = found({{"name", "Rahman Mohammed"}, {"birth_date", "1990-05-04"}});
  ASSERT_GE(ids.size(), 2u);
  EXPECT_EQ(ids[0], rahman_);
  EXPECT_EQ(ids[1], rahman_again_);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), theirs_), 0) << "another organisation's person is never found";
  EXPECT_EQ(found({{"name", "Mohammed Rahman"}}, other_org_).front(), theirs_);
  EXPECT_EQ(finder_->size(), 4u);
}

TEST_F(Dedupe, AWriteByAnyoneIsFoundAfterARefresh) {
  {
    auto tx = store_->begin(true);
    add(**tx, "person", org_, {{"given_name", "Sokha"}, {"family_name", "Chan"}});
    // A name search cannot read (emoji only) does not stop the person from being saved.
    add(**tx, "person", org_, {{"given_name", "\xF0\x9F\x98\x80"}, {"phone", "+855 12 345 678"}});
    ASSERT_TRUE((*tx)->commit().ok());
  }
  EXPECT_TRUE(found({{"name", "Sokha Chan"}}).empty() || found({{"name", "Sokha Chan"}}).front() != rahman_);
  ASSERT_TRUE(finder_->refresh(*store_).ok());
  EXPECT_EQ(finder_->size(), 6u);
  EXPECT_FALSE(found({{"name", "Chan Sokha"}}).empty());
  EXPECT_FALSE(found({{"phone", "+85512345678"}}).empty());
}

TEST_F(Dedupe, ScanQueuesEachPairOnce) {
  ScanOptions options;
  options.org_id = org_;
  auto first = scan_duplicates(*store_, *finder_, options, clock_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->persons, 3u);
  EXPECT_EQ(first->new_pairs, 1u);
  auto tx = store_->begin(false);
  auto queue = (*tx)->list(*find_entity("duplicate_candidate"), org_, {});
  ASSERT_EQ(queue->records.size(), 1u);
  EXPECT_EQ(queue->records[0].fields["person_id"], rahman_);
  EXPECT_EQ(queue->records[0].fields["other_person_id"], rahman_again_);
  EXPECT_EQ(queue->records[0].fields["status"], "open");
  EXPECT_FALSE(queue->records[0].fields["explanation"].get<std::string>().empty());
  (*tx).reset();
  auto again = scan_duplicates(*store_, *finder_, options, clock_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pairs, 1u);
  EXPECT_EQ(again->new_pairs, 0u);
}

TEST_F(Dedupe, MergeMovesEverythingAndUndoMovesItBack) {
  std::int64_t role = 0, service = 0, legal = 0, merge_id = 0;
  {
    auto tx = store_->begin(true);
    const auto case_id = add(**tx, "case", org_, {{"title", "Brick kiln"}, {"exploitation_form", "labour_brick_kiln"}, {"country", "BD"}, {"opened_on", "2026-01-10"}});
    role = add(**tx, "case_person", org_, {{"case_id", case_id}, {"person_id", rahman_again_}, {"role", "victim"}});
    service = add(**tx, "service", org_, {{"person_id", rahman_again_}, {"type", "shelter"}, {"start_date", "2026-02-01"}});
    legal = add(**tx, "legal_case", org_, {{"case_id", case_id}, {"defendant_person_ids", {santos_, rahman_again_}}});
    add(**tx, "duplicate_candidate", org_, {{"person_id", rahman_}, {"other_person_id", rahman_again_}});
    auto merged = merge_persons(**tx, org_, rahman_, rahman_again_, "same man, second intake", clock_);
    ASSERT_TRUE(merged.ok()) << merged.error().message;
    merge_id = merged->id;
    EXPECT_EQ(merged->fields["moved"].size(), 3u);
    ASSERT_TRUE((*tx)->commit().ok());
  }
  EXPECT_EQ(get("case_person", role).fields["person_id"], rahman_);
  EXPECT_EQ(get("service", service).fields["person_id"], rahman_);
  EXPECT_EQ(get("legal_case", legal).fields["defendant_person_ids"], Json({santos_, rahman_}));
  EXPECT_EQ(get("person", rahman_again_).fields["merged_into"], rahman_);
  ASSERT_TRUE(finder_->refresh(*store_).ok());
  auto ids = found({{"name", "Mohammed Rahman"}, {"birth_date", "1990-05-04"}});
  EXPECT_EQ(std::count(ids.begin(), ids.end(), rahman_again_), 0) << "a merged duplicate leaves the index";
  {
    auto tx = store_->begin(true);
    EXPECT_EQ(merge_persons(**tx, org_, rahman_, rahman_again_, "", clock_).error().code, ErrorCode::kFailedPrecondition);
    auto undone = undo_merge(**tx, org_, merge_id, clock_);
    ASSERT_TRUE(undone.ok()) << undone.error().message;
    EXPECT_EQ(undone->fields["status"], "undone");
    EXPECT_EQ(undo_merge(**tx, org_, merge_id, clock_).error().code, ErrorCode::kFailedPrecondition);
    ASSERT_TRUE((*tx)->commit().ok());
  }
  EXPECT_EQ(get("case_person", role).fields["person_id"], rahman_again_);
  EXPECT_EQ(get("service", service).fields["person_id"], rahman_again_);
  EXPECT_EQ(get("legal_case", legal).fields["defendant_person_ids"], Json({santos_, rahman_again_}));
  EXPECT_FALSE(get("person", rahman_again_).fields.contains("merged_into"));
  ASSERT_TRUE(finder_->refresh(*store_).ok());
  ids = found({{"name", "Mohammed Rahman"}, {"birth_date", "1990-05-04"}});
  EXPECT_EQ(std::count(ids.begin(), ids.end(), rahman_again_), 1) << "back in the index after undo";
}

TEST_F(Dedupe, MergeRefusesTwoOfOneRoleInACase) {
  auto tx = store_->begin(true);
  const auto case_id = add(**tx, "case", org_, {{"title", "Kiln"}, {"exploitation_form", "labour_brick_kiln"}, {"country", "BD"}, {"opened_on", "2026-01-10"}});
  add(**tx, "case_person", org_, {{"case_id", case_id}, {"person_id", rahman_}, {"role", "victim"}});
  add(**tx, "case_person", org_, {{"case_id", case_id}, {"person_id", rahman_again_}, {"role", "victim"}});
  auto merged = merge_persons(**tx, org_, rahman_, rahman_again_, "", clock_);
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(merged.error().message.find("victim"), std::string::npos);
  EXPECT_EQ(merge_persons(**tx, org_, rahman_, rahman_, "", clock_).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(merge_persons(**tx, org_, rahman_, theirs_, "", clock_).error().code, ErrorCode::kNotFound);
}

TEST_F(Dedupe, ReindexRewritesEveryPerson) {
  auto written = finder_->reindex(*store_, 0);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(*written, 4u);
  ASSERT_TRUE(finder_->refresh(*store_).ok());
  EXPECT_EQ(finder_->size(), 4u);
}

}  // namespace
}  // namespace haven::dedupe
