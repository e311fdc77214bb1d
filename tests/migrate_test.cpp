// haven migrate's engine (store/table_copy.hpp): a demo data set copied from SQLite into a
// PostgreSQL database opens there under the same master key, its sealed fields read back, its
// audit chain verifies, new rows get fresh ids; an interrupted copy resumes; a target holding data
// or a newer schema is refused; a PostgreSQL backup restores into an empty database only; and back,
// a field copy of some cases into a new SQLite database is closed, verified and all or nothing.
// Needs HAVEN_TEST_POSTGRES (scripts/with-postgres sets it).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <map>
#include <set>

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

// One value from the PostgreSQL database `conninfo` (test bookkeeping only); "" when none.
std::string pg_value(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  PGresult* result = PQexec(conn, sql.c_str());
  const std::string value =
      PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  PQfinish(conn);
  return value;
}
std::int64_t pg_number(const std::string& conninfo, const std::string& sql) {
  const std::string value = pg_value(conninfo, sql);
  return value.empty() ? -1 : std::stoll(value);
}

TEST_F(Migrate, AFieldCopyTakesTheSelectedCasesAndEverythingHangingOffThemAndNothingElse) {
  ASSERT_TRUE(copy_sqlite_to_postgres(dir_ / "haven.db", target_.conninfo(), {}).ok());
  const std::string national = target_.conninfo();
  // Three cases of one organisation that have people in them, a person of another case merged into
  // one of theirs (the merge comes along), and a duplicate review with an outsider (it stays).
  const std::int64_t org = person_.org_id;
  std::vector<std::int64_t> chosen;
  std::int64_t insider = 0, merged = 0, outsider = 0;
  {
    auto keys = KeyRing::open(dir_, kKeys);
    ASSERT_TRUE(keys.ok());
    PostgresOptions pg;
    pg.key_ring = keys->get();
    auto store = open_postgres_store(national, clock_, pg);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto tx = (*store)->begin(true);
    ASSERT_TRUE(tx.ok());
    ListQuery roles;
    roles.limit = 1000;
    auto listed = (*tx)->list(*find_entity("case_person"), org, roles);
    ASSERT_TRUE(listed.ok());
    std::set<std::int64_t> chosen_set;
    for (const auto& role : listed->records) {
      const std::int64_t case_id = role.fields["case_id"], person_id = role.fields["person_id"];
      if (chosen_set.size() < 3 || chosen_set.count(case_id)) {
        chosen_set.insert(case_id);
        if (insider == 0) insider = person_id;
      }
    }
    ASSERT_EQ(chosen_set.size(), 3u);
    chosen.assign(chosen_set.begin(), chosen_set.end());
    for (const auto& role : listed->records) {
      const std::int64_t person_id = role.fields["person_id"];
      if (chosen_set.count(role.fields["case_id"])) continue;
      if (pg_number(national, "SELECT count(*) FROM case_person WHERE f_person_id = " + std::to_string(person_id) +
                                  " AND f_case_id IN (" + std::to_string(chosen[0]) + "," + std::to_string(chosen[1]) + "," +
                                  std::to_string(chosen[2]) + ")") != 0)
        continue;
      if (merged == 0) merged = person_id;
      else if (outsider == 0 && person_id != merged) outsider = person_id;
    }
    ASSERT_NE(merged, 0);
    ASSERT_NE(outsider, 0);
    auto duplicate = (*tx)->get(*find_entity("person"), merged, org);
    ASSERT_TRUE(duplicate.ok());
    Json fields = duplicate->fields;
    fields["merged_into"] = insider;
    ASSERT_TRUE((*tx)->update(*find_entity("person"), merged, org, duplicate->version, fields).ok());
    ASSERT_TRUE(create_record(**tx, *find_entity("duplicate_candidate"), org,
                              {{"person_id", insider}, {"other_person_id", outsider}}, clock_)
                    .ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }

  const fs::path field = dir_ / "field.db";
  CaseSelection selection;
  selection.case_ids = chosen;
  std::vector<std::string> done_tables;
  TableCopyOptions options;
  options.table_done = [&](const std::string& table) { done_tables.push_back(table); };
  auto report = copy_cases_to_sqlite(national, field, selection, options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->cases, 3u);
  EXPECT_EQ(report->organisations, std::vector<std::int64_t>{org});
  EXPECT_EQ(done_tables.size(), report->tables.size());
  std::map<std::string, std::uint64_t> rows;
  for (const auto& table : report->tables) {
    EXPECT_TRUE(table.matches()) << table.table;
    rows[table.table] = table.target_rows;
    EXPECT_NE(table.table, "audit_log");
    EXPECT_NE(table.table, "session");
  }
  const std::string in_chosen =
      "(" + std::to_string(chosen[0]) + "," + std::to_string(chosen[1]) + "," + std::to_string(chosen[2]) + ")";
  EXPECT_EQ(rows["case_event"], static_cast<std::uint64_t>(pg_number(national, "SELECT count(*) FROM case_event WHERE f_case_id IN " + in_chosen)));
  EXPECT_EQ(rows["case_person"], static_cast<std::uint64_t>(pg_number(national, "SELECT count(*) FROM case_person WHERE f_case_id IN " + in_chosen)));
  EXPECT_EQ(rows["organisation"], static_cast<std::uint64_t>(pg_number(national, "SELECT count(*) FROM organisation")));
  EXPECT_EQ(rows["app_user"], static_cast<std::uint64_t>(pg_number(national, "SELECT count(*) FROM app_user WHERE org_id = " + std::to_string(org))));
  EXPECT_EQ(rows["data_key"], 1u) << "the organisation's key only: never the system key (organisation 0)";
  EXPECT_EQ(rows["duplicate_candidate"], 0u) << "a review with someone left behind stays behind";
  EXPECT_GT(rows["blind_index"], 0u);
  EXPECT_EQ(report->persons, rows["person"]);

  // The copy opens under the same master key: sealed fields read back, look-ups by blind index
  // work, the merged person came along, cases not chosen did not, and its audit log is its own.
  auto keys = KeyRing::open(dir_, kKeys);
  ASSERT_TRUE(keys.ok());
  SqliteOptions lite;
  lite.key_ring = keys->get();
  auto copy = open_sqlite_store(field, clock_, lite);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  {
    auto tx = (*copy)->begin(false);
    ASSERT_TRUE(tx.ok());
    auto person = (*tx)->get(*find_entity("person"), insider, org);
    ASSERT_TRUE(person.ok()) << person.error().message;
    EXPECT_TRUE(person->fields.contains("given_name")) << person->fields.dump();
    EXPECT_EQ((*tx)->get(*find_entity("person"), merged, org)->fields["merged_into"], insider);
    EXPECT_EQ((*tx)->get(*find_entity("person"), outsider, org).error().code, ErrorCode::kNotFound);
    for (std::int64_t id : chosen) EXPECT_TRUE((*tx)->get(*find_entity("case"), id, org).ok());
    auto all_cases = (*tx)->count(*find_entity("case"), 0);
    EXPECT_EQ(*all_cases, 3);
    if (person->fields.contains("family_name")) {
      ListQuery by_name;
      by_name.exact = {{"family_name", person->fields["family_name"].get<std::string>()}};
      auto found = (*tx)->list(*find_entity("person"), org, by_name);
      ASSERT_TRUE(found.ok()) << found.error().message;
      EXPECT_FALSE(found->records.empty());
    }
  }
  AuditLog audit(**copy, clock_, (*keys)->audit_chain_key().value());
  {
    auto tx = (*copy)->begin(true);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(audit.append(**tx, {org, 0, "cli:migrate", "import", "", 0, Json::object()}).ok());
    ASSERT_TRUE((*tx)->commit().ok());
  }
  auto verified = audit.verify({});
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->entries, 1u) << "the copy's log starts afresh";
  copy->reset();

  // Never over an existing database; a case that does not exist refuses the whole copy, leaving nothing.
  auto again = copy_cases_to_sqlite(national, field, selection, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  selection.case_ids.push_back(987654);
  auto missing = copy_cases_to_sqlite(national, dir_ / "field2.db", selection, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("987654"), std::string::npos) << missing.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "field2.db"));

  // By organisation and region: every case of both, no other.
  CaseSelection by_region;
  by_region.org_id = org;
  by_region.region = pg_value(national, "SELECT f_region FROM \"case\" WHERE id = " + std::to_string(chosen[0]));
  ASSERT_FALSE(by_region.region.empty());
  auto region_copy = copy_cases_to_sqlite(national, dir_ / "region.db", by_region, {});
  ASSERT_TRUE(region_copy.ok()) << region_copy.error().message;
  EXPECT_EQ(region_copy->cases, static_cast<std::uint64_t>(pg_number(
                                    national, "SELECT count(*) FROM \"case\" WHERE org_id = " + std::to_string(org) +
                                                  " AND f_region = '" + by_region.region + "'")));
  for (const auto& table : region_copy->tables) EXPECT_TRUE(table.matches()) << table.table;
}

}  // namespace
}  // namespace haven
