// haven migrate's engine (store/table_copy.hpp): a demo data set copied from SQLite into a
// PostgreSQL database opens there under the same master key, its sealed fields read back, its
// audit chain verifies, new rows get fresh ids; an interrupted copy resumes; a target holding data
// or a newer schema is refused; a PostgreSQL backup restores into an empty database only. Needs
// HAVEN_TEST_POSTGRES (scripts/with-postgres sets it).
#include <gtest/gtest.h>
#include <unistd.h>

#include "audit/audit.hpp"
#include "demo/demo.hpp"
#include "store/postgres_test_support.hpp"
#include "store/store.hpp"
#include "store/table_copy.hpp"

namespace haven {
namespace {

namespace fs = std::filesystem;

const KeySource kKeys{"a passphrase for the migration test", {}};

class Migrate : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = pg_test::skip_reason(); !reason.empty()) GTEST_SKIP() << reason;
    ASSERT_TRUE(target_.error().empty()) << target_.error();
    dir_ = fs::temp_directory_path() /
           ("haven-migrate-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto keys = KeyRing::create(dir_, kKeys);
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    SqliteOptions options;
    options.key_ring = keys->get();
    auto store = open_sqlite_store(dir_ / "haven.db", clock_, options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    DemoOptions demo;
    demo.persons = 400;
    demo.seed = 5;
    auto summary = generate_demo(**store, demo, clock_, {});
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    AuditLog audit(**store, clock_, (*keys)->audit_chain_key().value());
    auto tx = (*store)->begin(true);
    ASSERT_TRUE(tx.ok());
    auto persons = (*tx)->list(*find_entity("person"), 0, {});
    ASSERT_TRUE(persons.ok() && !persons->records.empty());
    person_ = persons->records.back();
    auto items = (*tx)->list(*find_entity("evidence_item"), 0, {});
    ASSERT_TRUE(items.ok() && !items->records.empty());
    evidence_ = items->records.front();
    ASSERT_TRUE(
        (*tx)->insert_evidence_file(evidence_.id, evidence_.org_id, "a sealed statement").ok());
    for (int i = 0; i < 30; ++i)
      ASSERT_TRUE(audit
                      .append(**tx, {person_.org_id, 0, "cli:test", "read", "person", person_.id,
                                     Json::object()})
                      .ok());
    ASSERT_TRUE((*tx)->commit().ok());
    ASSERT_TRUE(audit.flush().ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  SystemClock clock_;
  pg_test::Database target_;
  fs::path dir_;
  Record person_, evidence_;
};

TEST_F(Migrate, TheCopyOpensWithTheSameKeyReadsSealedFieldsAndKeepsTheAuditChain) {
  TableCopyOptions options;
  options.batch_rows = 7;  // many batches, even for a small data set
  auto report = copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_FALSE(report->resumed);
  EXPECT_EQ(report->schema_version, kLatestSchemaVersion);
  bool saw_person = false, saw_audit = false;
  for (const auto& table : report->tables) {
    EXPECT_TRUE(table.matches()) << table.table;
    EXPECT_EQ(table.source_sha256.size(), 64u);
    EXPECT_NE(table.table, "session");
    saw_person |= table.table == "person" && table.target_rows >= 400;
    saw_audit |= table.table == "audit_log" && table.target_rows == 30;
  }
  EXPECT_TRUE(saw_person);
  EXPECT_TRUE(saw_audit);

  auto keys = KeyRing::open(dir_, kKeys);  // a fresh key ring: the copied data keys must unwrap
  ASSERT_TRUE(keys.ok());
  PostgresOptions pg;
  pg.key_ring = keys->get();
  auto store = open_postgres_store(target_.conninfo(), clock_, pg);
  ASSERT_TRUE(store.ok()) << store.error().message;
  {
    auto tx = (*store)->begin(false);
    ASSERT_TRUE(tx.ok());
    auto person = (*tx)->get(*find_entity("person"), person_.id, person_.org_id);
    ASSERT_TRUE(person.ok()) << person.error().message;
    EXPECT_EQ(person->fields, person_.fields);  // sealed names and birth date opened again
    EXPECT_EQ(person->display_code, person_.display_code);
    auto file = (*tx)->get_evidence_file(evidence_.id, evidence_.org_id);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(*file, "a sealed statement");
  }
  AuditLog audit(**store, clock_, (*keys)->audit_chain_key().value());
  auto verified = audit.verify({});
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->entries, 30u);
  {
    // New rows continue after the copied ids (the identity sequences were moved past them).
    auto tx = (*store)->begin(true);
    ASSERT_TRUE(tx.ok());
    auto users = (*tx)->list_users(person_.org_id);
    ASSERT_TRUE(users.ok() && !users->empty());
    std::int64_t max_user = 0;
    for (const auto& u : *users) max_user = std::max(max_user, u.id);
    User user = users->front();
    user.id = 0;
    user.username = "after.migration";
    auto inserted = (*tx)->insert_user(user);
    ASSERT_TRUE(inserted.ok()) << inserted.error().message;
    EXPECT_GT(inserted->id, max_user);
    ASSERT_TRUE(audit.append(**tx, {0, 0, "cli:test", "import", "", 0, Json::object()}).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  auto again = audit.verify({});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->intact);
  EXPECT_EQ(again->entries, 31u);

  // The target now holds data: a second copy into it is refused.
  auto refused = copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
}

struct Interrupted {};

TEST_F(Migrate, AnInterruptedCopyContinuesAfterTheLastCopiedRow) {
  TableCopyOptions options;
  options.batch_rows = 10;
  options.progress = [](const std::string& table, std::uint64_t done, std::uint64_t) {
    if (table == "person" && done >= 30) throw Interrupted{};
  };
  EXPECT_THROW((void)copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), options),
               Interrupted);
  {
    // Half a copy is no database to serve from.
    auto keys = KeyRing::open(dir_, kKeys);
    ASSERT_TRUE(keys.ok());
    PostgresOptions pg;
    pg.key_ring = keys->get();
    auto store = open_postgres_store(target_.conninfo(), clock_, pg);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(store.error().message.find("unfinished haven migrate"), std::string::npos)
        << store.error().message;
  }

  std::uint64_t first_person_progress = 0;
  std::vector<std::string> done_tables;
  options.progress = [&](const std::string& table, std::uint64_t done, std::uint64_t) {
    if (table == "person" && first_person_progress == 0) first_person_progress = done;
  };
  options.table_done = [&](const std::string& table) { done_tables.push_back(table); };
  auto report = copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->resumed);
  EXPECT_EQ(first_person_progress, 40u);  // the 30 rows of the first run are not copied again
  EXPECT_EQ(done_tables.size(), report->tables.size());
  for (const auto& table : report->tables) EXPECT_TRUE(table.matches()) << table.table;
}

TEST_F(Migrate, ATargetWithANewerSchemaOrOtherDataIsRefused) {
  ASSERT_EQ(pg_test::admin("CREATE TABLE haven_schema_version (version BIGINT NOT NULL); "
                           "INSERT INTO haven_schema_version VALUES (99)",
                           target_.name()),
            "");
  auto newer = copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), {});
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos) << newer.error().message;

  ASSERT_EQ(pg_test::admin("DROP TABLE haven_schema_version; CREATE TABLE payroll (id INT); INSERT "
                           "INTO payroll VALUES (1)",
                           target_.name()),
            "");
  auto other = copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), {});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(other.error().message.find("payroll"), std::string::npos) << other.error().message;
}

TEST_F(Migrate, ABackupRestoresIntoAnEmptyDatabaseOnly) {
  ASSERT_TRUE(copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), {}).ok());
  auto keys = KeyRing::open(dir_, kKeys);
  ASSERT_TRUE(keys.ok());
  PostgresOptions pg;
  pg.key_ring = keys->get();
  const fs::path archive = dir_ / "backup.pgdump";
  {
    auto store = open_postgres_store(target_.conninfo(), clock_, pg);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->backup_to(archive).ok());
  }
  pg_test::Database fresh;
  ASSERT_TRUE(fresh.error().empty()) << fresh.error();
  auto restored = restore_postgres_backup(archive, fresh.conninfo());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  auto again = restore_postgres_backup(archive, fresh.conninfo());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);

  auto reopened_keys = KeyRing::open(dir_, kKeys);
  ASSERT_TRUE(reopened_keys.ok());
  pg.key_ring = reopened_keys->get();
  auto store = open_postgres_store(fresh.conninfo(), clock_, pg);
  ASSERT_TRUE(store.ok()) << store.error().message;
  {
    auto tx = (*store)->begin(false);
    ASSERT_TRUE(tx.ok());
    auto person = (*tx)->get(*find_entity("person"), person_.id, person_.org_id);
    ASSERT_TRUE(person.ok()) << person.error().message;
    EXPECT_EQ(person->fields, person_.fields);
  }
  AuditLog audit(**store, clock_, (*reopened_keys)->audit_chain_key().value());
  auto verified = audit.verify({});
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->entries, 30u);
}

}  // namespace
}  // namespace haven
