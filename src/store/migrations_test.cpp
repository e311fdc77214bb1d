#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/migrations.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

class Migrations : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() / ("haven-migrations-" + std::to_string(::getpid()) + ".db");
    remove();
  }
  void TearDown() override { remove(); }
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file_.string() + suffix);
  }
  SqliteOptions options_with(int target_version = -1) {
    SqliteOptions options;
    options.key_ring = ring_.get();
    options.target_version = target_version;
    return options;
  }
  std::unique_ptr<KeyRing> ring_ = KeyRing::from_master_key(Key{9});
  std::filesystem::path file_;
  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
};

TEST_F(Migrations, LatestIsTheLastMigration) {
  EXPECT_EQ(migrations().back().version, kLatestSchemaVersion);
  for (std::size_t i = 0; i < migrations().size(); ++i) EXPECT_EQ(migrations()[i].version, static_cast<int>(i) + 1);
}

// From every earlier version, with data written at that version, to the latest: nothing lost.
TEST_F(Migrations, UpgradesFromEveryEarlierVersionKeepingData) {
  for (int from = 1; from < kLatestSchemaVersion; ++from) {
    remove();
    std::int64_t case_id = 0;
    {
      auto store = open_sqlite_store(file_, clock_, options_with(from));
      ASSERT_TRUE(store.ok()) << store.error().message;
      EXPECT_EQ((*store)->schema_version(), from);
      auto tx = (*store)->begin(true);
      auto org = create_record(**tx, *find_entity("organisation"), 0, {{"name", "NGO"}, {"type", "ngo"}, {"country", "KE"}}, clock_);
      ASSERT_TRUE(org.ok());
      auto the_case = create_record(**tx, *find_entity("case"), org->id,
                                    {{"title", "t"}, {"exploitation_form", "labour_fishing"}, {"country", "KE"}, {"opened_on", "2026-01-01"}}, clock_);
      ASSERT_TRUE(the_case.ok());
      case_id = the_case->id;
      ASSERT_TRUE((*tx)->commit().ok());
    }
    auto store = open_sqlite_store(file_, clock_, options_with());
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_EQ((*store)->schema_version(), kLatestSchemaVersion);
    auto tx = (*store)->begin(false);
    auto read = (*tx)->get(*find_entity("case"), case_id, 0);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->fields["exploitation_form"], "labour_fishing");
  }
}

// Version 5 adds the linkage review queue to a database of version 4 with data in it: pairs are
// stored with their compared values sealed, filtered by run and status, sorted by probability.
TEST_F(Migrations, Version5AddsTheLinkReviewQueueToAVersion4Database) {
  const EntitySpec& reviews = *find_entity("link_review");
  std::int64_t org_id = 0;
  {
    auto store = open_sqlite_store(file_, clock_, options_with(4));
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto tx = (*store)->begin(true);
    auto org = create_record(**tx, *find_entity("organisation"), 0, {{"name", "NGO"}, {"type", "ngo"}, {"country", "KE"}}, clock_);
    ASSERT_TRUE(org.ok());
    org_id = org->id;
    EXPECT_FALSE((*tx)->list(reviews, org_id, {}).ok()) << "version 4 has no link_review table";
    ASSERT_TRUE((*tx)->commit().ok());
  }
  auto store = open_sqlite_store(file_, clock_, options_with());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), 5);
  auto tx = (*store)->begin(true);
  for (double probability : {0.55, 0.85, 0.7}) {
    const Json fields = {{"run", "March"}, {"list_l", "police"}, {"record_l", "P-1"}, {"list_r", "shelter"}, {"record_r", "S-1"},
                         {"match_probability", probability}, {"status", "pending"},
                         {"comparisons", {{{"field", "name"}, {"level", "exact"}, {"weight", 4.5}, {"left", "amina"}, {"right", "amina"}}}}};
    ASSERT_TRUE((*tx)->insert(reviews, org_id, fields).ok());
  }
  ListQuery query;
  query.filters = {{"run", Filter::Op::kEq, "March"}, {"status", Filter::Op::kEq, "pending"}};
  query.sort = "match_probability";
  query.descending = true;
  auto page = (*tx)->list(reviews, org_id, query);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->records.size(), 3u);
  EXPECT_EQ(page->records[0].fields["match_probability"], 0.85);
  EXPECT_EQ(page->records[2].fields["match_probability"], 0.55);
  EXPECT_EQ(page->records[0].fields["comparisons"][0]["left"], "amina");
  EXPECT_EQ(page->records[0].display_code.substr(0, 3), "LR-");
  ASSERT_TRUE((*tx)->commit().ok());
}

TEST_F(Migrations, RefusesADatabaseFromANewerHaven) {
  { ASSERT_TRUE(open_sqlite_store(file_, clock_, options_with()).ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, ("PRAGMA user_version = " + std::to_string(kLatestSchemaVersion + 1)).c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto store = open_sqlite_store(file_, clock_, options_with());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer than this Haven knows"), std::string::npos);
}

// Every indexed field of every entity has its column: a schema change without a migration fails here.
TEST_F(Migrations, EveryIndexedFieldHasAColumn) {
  { ASSERT_TRUE(open_sqlite_store(file_, clock_, options_with()).ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  for (const auto& spec : entity_specs())
    for (const auto& field : spec.fields) {
      if (!field.indexed) continue;
      const std::string table = spec.kind == "case" ? "\"case\"" : spec.kind;
      const std::string sql = "SELECT f_" + field.name + " FROM " + table + " LIMIT 0";
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    }
  sqlite3_close(db);
}

}  // namespace
}  // namespace haven
