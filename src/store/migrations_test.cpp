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
