// What only the PostgreSQL backend has to show: several server processes on one database (each
// with its own Store and key ring, as separate processes would have), a server that goes away
// and comes back, start-up against an unreachable or newer database, and the translated schema.
// The backend-independent contract is in conformance_test.cpp.
#include <gtest/gtest.h>

#include <barrier>
#include <set>
#include <thread>

#include "store/migrations.hpp"
#include "store/postgres_backend.hpp"
#include "store/postgres_test_support.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

class PostgresBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = pg_test::skip_reason(); !reason.empty()) GTEST_SKIP() << reason;
    database_ = std::make_unique<pg_test::Database>();
    ASSERT_EQ(database_->error(), "");
  }
  void TearDown() override {
    servers_.clear();
    database_.reset();
  }

  // A "server process": its own key ring (same master key) and its own store and pool.
  Store& server(PostgresOptions options = {}) {
    rings_.push_back(KeyRing::from_master_key(Key{4, 2}));
    options.key_ring = rings_.back().get();
    options.connect_timeout = std::chrono::milliseconds(2000);
    auto store = open_postgres_store(database_->conninfo(), clock_, std::move(options));
    EXPECT_TRUE(store.ok()) << store.error().message;
    servers_.push_back(std::move(store.value()));
    return *servers_.back();
  }
  static const EntitySpec& spec(const char* kind) { return *find_entity(kind); }
  Record create(Store& store, const char* kind, std::int64_t org, const Json& fields) {
    auto tx = store.begin(true);
    EXPECT_TRUE(tx.ok()) << tx.error().message;
    auto record = create_record(**tx, spec(kind), org, fields, clock_);
    EXPECT_TRUE(record.ok()) << record.error().message;
    EXPECT_TRUE((*tx)->commit().ok());
    return record.ok() ? *record : Record{};
  }
  Record make_case(Store& store, std::int64_t org) {
    return create(store, "case", org,
                  {{"title", "t"}, {"exploitation_form", "osec"}, {"country", "PH"}, {"opened_on", "2026-02-01"}});
  }
  std::int64_t make_org(Store& store) {
    return create(store, "organisation", 0, {{"name", "NGO"}, {"type", "ngo"}, {"country", "PH"}}).id;
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::unique_ptr<pg_test::Database> database_;
  std::vector<std::unique_ptr<KeyRing>> rings_;
  std::vector<std::unique_ptr<Store>> servers_;
};

TEST_F(PostgresBackend, TwoServersUpdatingOneRecordExactlyOneWinsPerVersion) {
  Store& a = server();
  Store& b = server();
  const std::int64_t org = make_org(a);
  const Record the_case = make_case(a, org);
  constexpr int kRounds = 20;
  std::barrier start(2);
  std::atomic<int> wins{0}, conflicts{0};
  auto writer = [&](Store& store, const std::string& title) {
    for (int round = 0; round < kRounds; ++round) {
      start.arrive_and_wait();
      const std::int64_t expected = round + 1;  // both read the same version
      auto tx = store.begin(true);
      ASSERT_TRUE(tx.ok()) << tx.error().message;
      auto updated = update_record(**tx, spec("case"), the_case.id, org, expected, {{"title", title}}, clock_);
      if (updated.ok()) {
        ASSERT_TRUE((*tx)->commit().ok());
        ++wins;
      } else {
        EXPECT_EQ(updated.error().code, ErrorCode::kConflict) << updated.error().message;
        ++conflicts;
      }
      start.arrive_and_wait();  // the round is over for both before the next version is read
    }
  };
  std::thread first(writer, std::ref(a), "from a"), second(writer, std::ref(b), "from b");
  first.join(), second.join();
  EXPECT_EQ(wins, kRounds);
  EXPECT_EQ(conflicts, kRounds);
  auto tx = b.begin(false);
  EXPECT_EQ((*tx)->get(spec("case"), the_case.id, org)->version, kRounds + 1);
}

TEST_F(PostgresBackend, TwoServersInsertingGiveUniqueSequentialDisplayCodes) {
  Store& a = server();
  Store& b = server();
  const std::int64_t org = make_org(a);
  std::vector<std::thread> threads;
  for (Store* store : {&a, &b, &a, &b})
    threads.emplace_back([&, store] {
      for (int i = 0; i < 25; ++i) make_case(*store, org);
    });
  for (auto& t : threads) t.join();
  auto tx = a.begin(false);
  ListQuery all;
  all.limit = 1000;
  auto page = (*tx)->list(spec("case"), org, all);
  ASSERT_TRUE(page.ok());
  std::set<std::string> codes;
  for (const auto& r : page->records) codes.insert(r.display_code);
  EXPECT_EQ(codes.size(), 100u);
  EXPECT_EQ(*codes.begin(), "CA-2026-00001");
  EXPECT_EQ(*codes.rbegin(), "CA-2026-00100");
}

// Each append reads the last entry and chains to it, as AuditLog::append does; the write lock
// taken at begin makes that one chain across servers (src/audit checks it with real hashes).
TEST_F(PostgresBackend, AuditAppendsFromTwoServersFormOneChain) {
  Store& a = server();
  Store& b = server();
  std::vector<std::thread> threads;
  for (Store* store : {&a, &b, &a, &b})
    threads.emplace_back([store] {
      for (int i = 0; i < 25; ++i) {
        auto tx = store->begin(true);
        ASSERT_TRUE(tx.ok());
        auto last = (*tx)->last_audit();
        ASSERT_TRUE(last.ok());
        AuditRecord entry;
        entry.seq = last->seq + 1;
        entry.at = "2026-11-26T00:00:00Z";
        entry.actor = "t";
        entry.action = "read";
        entry.detail = "{}";
        entry.prev_hash = last->hash;
        entry.hash = "h" + std::to_string(entry.seq);
        ASSERT_TRUE((*tx)->insert_audit(entry).ok());
        ASSERT_TRUE((*tx)->commit().ok());
      }
    });
  for (auto& t : threads) t.join();
  auto tx = b.begin(false);
  AuditQuery query;
  query.limit = 1000;
  auto entries = (*tx)->list_audit(query);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 100u);
  for (std::size_t i = 0; i < entries->size(); ++i) {
    EXPECT_EQ((*entries)[i].seq, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ((*entries)[i].prev_hash, i == 0 ? "" : (*entries)[i - 1].hash);
  }
}

TEST_F(PostgresBackend, AnOrganisationMadeByOneServerIsSealedAndReadByAnother) {
  Store& a = server();
  Store& b = server();
  const std::int64_t org = make_org(a);  // its data key exists only in a's key ring so far
  const Record person = create(b, "person", org, {{"given_name", "Asha"}, {"phone", "+63 900 000 0001"}});
  auto tx = a.begin(false);
  auto read = (*tx)->get(spec("person"), person.id, org);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->fields["given_name"], "Asha");
  ListQuery query;
  query.exact = {{"phone", "+639000000001"}};
  EXPECT_EQ((*tx)->list(spec("person"), org, query)->records.size(), 1u);
}

TEST_F(PostgresBackend, ALostConnectionFailsTheRequestCleanlyAndThePoolRecovers) {
  Store& store = server();
  const std::int64_t org = make_org(store);
  {
    auto tx = store.begin(true);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(create_record(**tx, spec("case"), org,
                              {{"title", "x"}, {"exploitation_form", "osec"}, {"country", "PH"}, {"opened_on", "2026-02-01"}},
                              clock_).ok());
    // The server ends every session of this database (a restart or failover looks the same).
    ASSERT_EQ(pg_test::admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                             database_->name() + "' AND pid <> pg_backend_pid()"), "");
    auto read = (*tx)->count(spec("case"), org);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, ErrorCode::kUnavailable) << read.error().message;
    EXPECT_FALSE((*tx)->commit().ok());
  }
  // Nothing half-written, and the next requests get working connections.
  for (int i = 0; i < 3; ++i) {
    auto tx = store.begin(false);
    ASSERT_TRUE(tx.ok()) << tx.error().message;
    EXPECT_EQ(*(*tx)->count(spec("case"), org), 0);
  }
  EXPECT_EQ(make_case(store, org).display_code, "CA-2026-00001");
}

TEST_F(PostgresBackend, AnUnreachableServerIsRetriedThenRefusedWithAClearMessage) {
  const std::string closed_port = "host=127.0.0.1 port=1 connect_timeout=1";
  auto ring = KeyRing::from_master_key(Key{4, 2});
  PostgresOptions options;
  options.key_ring = ring.get();
  options.connect_timeout = std::chrono::milliseconds(800);
  int retries = 0;
  options.on_retry = [&](const std::string& problem, std::chrono::milliseconds) {
    ++retries;
    EXPECT_NE(problem.find("127.0.0.1"), std::string::npos);
  };
  auto store = open_postgres_store(closed_port, clock_, options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find("cannot reach PostgreSQL"), std::string::npos) << store.error().message;
  EXPECT_GE(retries, 1);
}

TEST_F(PostgresBackend, ASchemaNewerThanThisHavenIsRefused) {
  server();
  servers_.clear();
  ASSERT_EQ(pg_test::admin("UPDATE haven_schema_version SET version = " + std::to_string(kLatestSchemaVersion + 1),
                           database_->name()), "");
  auto ring = KeyRing::from_master_key(Key{4, 2});
  PostgresOptions options;
  options.key_ring = ring.get();
  auto store = open_postgres_store(database_->conninfo(), clock_, options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(store.error().message.find("newer than this Haven knows"), std::string::npos);
}

TEST_F(PostgresBackend, UpgradesFromEveryEarlierVersionKeepingData) {
  for (int from = 1; from < kLatestSchemaVersion; ++from) {
    database_ = std::make_unique<pg_test::Database>();
    PostgresOptions old;
    old.target_version = from;
    Store& before = server(old);
    EXPECT_EQ(before.schema_version(), from);
    const std::int64_t org = make_org(before);
    const Record the_case = make_case(before, org);
    servers_.clear();
    Store& after = server();
    EXPECT_EQ(after.schema_version(), kLatestSchemaVersion);
    auto tx = after.begin(false);
    EXPECT_EQ((*tx)->get(spec("case"), the_case.id, org)->fields["title"], "t");
    tx = Result<std::unique_ptr<Transaction>>(nullptr);
    servers_.clear();
  }
}

// Version 5 adds the linkage review queue to a database of version 4: pairs stored with their
// compared values sealed, filtered by run and status, sorted by probability.
TEST_F(PostgresBackend, Version5AddsTheLinkReviewQueueToAVersion4Database) {
  const EntitySpec& reviews = spec("link_review");
  PostgresOptions old;
  old.target_version = 4;
  Store& before = server(old);
  const std::int64_t org = make_org(before);
  EXPECT_NE(pg_test::admin("SELECT 1 FROM link_review", database_->name()), "") << "version 4 has no link_review table";
  servers_.clear();
  Store& after = server();
  EXPECT_EQ(after.schema_version(), 5);
  auto tx = after.begin(true);
  ASSERT_TRUE(tx.ok());
  for (double probability : {0.55, 0.85, 0.7}) {
    const Json fields = {{"run", "March"}, {"list_l", "police"}, {"record_l", "P-1"}, {"list_r", "shelter"}, {"record_r", "S-1"},
                         {"match_probability", probability}, {"status", "pending"},
                         {"comparisons", {{{"field", "name"}, {"level", "exact"}, {"weight", 4.5}, {"left", "amina"}, {"right", "amina"}}}}};
    ASSERT_TRUE((*tx)->insert(reviews, org, fields).ok());
  }
  ListQuery query;
  query.filters = {{"run", Filter::Op::kEq, "March"}, {"status", Filter::Op::kEq, "pending"}};
  query.sort = "match_probability";
  query.descending = true;
  auto page = (*tx)->list(reviews, org, query);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->records.size(), 3u);
  EXPECT_EQ(page->records[0].fields["match_probability"], 0.85);
  EXPECT_EQ(page->records[2].fields["match_probability"], 0.55);
  EXPECT_EQ(page->records[0].fields["comparisons"][0]["left"], "amina");
  ASSERT_TRUE((*tx)->commit().ok());
  tx = Result<std::unique_ptr<Transaction>>(nullptr);
  EXPECT_NE(pg_test::admin("DO $$ BEGIN IF EXISTS (SELECT 1 FROM link_review WHERE data LIKE '%amina%' OR "
                           "position(convert_to('amina', 'UTF8') in sealed) > 0) THEN RAISE EXCEPTION 'in the clear'; END IF; "
                           "IF (SELECT count(*) FROM link_review) = 3 THEN RAISE EXCEPTION 'three sealed pairs'; END IF; END $$;",
                           database_->name())
                .find("three sealed pairs"),
            std::string::npos);
  servers_.clear();
}

TEST_F(PostgresBackend, TheAuditLogRefusesUpdateDeleteAndTruncate) {
  server();
  const std::string db = database_->name();
  ASSERT_EQ(pg_test::admin("INSERT INTO audit_log VALUES (1, 'at', 0, 0, 'a', 'read', '', 0, '{}', '', 'h')", db), "");
  EXPECT_NE(pg_test::admin("UPDATE audit_log SET actor = 'x'", db).find("append-only"), std::string::npos);
  EXPECT_NE(pg_test::admin("DELETE FROM audit_log", db).find("append-only"), std::string::npos);
  EXPECT_NE(pg_test::admin("TRUNCATE audit_log", db).find("append-only"), std::string::npos);
}

// Every migration translates, and every indexed field of every entity has its column.
TEST_F(PostgresBackend, TheTranslatedSchemaHasEveryIndexedColumn) {
  ASSERT_EQ(postgres::postgres_migrations().size(), migrations().size());
  for (const auto& m : postgres::postgres_migrations()) {
    EXPECT_EQ(m.sql.find("WITHOUT ROWID"), std::string::npos) << m.version;
    EXPECT_EQ(m.sql.find("RAISE(ABORT"), std::string::npos) << m.version;
  }
  server();
  for (const auto& spec : entity_specs())
    for (const auto& field : spec.fields) {
      if (!field.indexed) continue;
      EXPECT_EQ(pg_test::admin("SELECT f_" + field.name + " FROM " + postgres::table_name(spec) + " LIMIT 0",
                               database_->name()), "") << spec.kind << "." << field.name;
    }
}

TEST_F(PostgresBackend, RotationReSealsAndRewrappingNeedsTheNewMaster) {
  Store& store = server();
  const std::int64_t org = make_org(store);
  const Record person = create(store, "person", org, {{"given_name", "Asha"}});
  auto resealed = store.rotate_data_keys({});
  ASSERT_TRUE(resealed.ok()) << resealed.error().message;
  EXPECT_GE(*resealed, 1u);
  auto fresh_master = KeyRing::from_master_key(Key{7, 7});
  ASSERT_TRUE(store.rewrap_data_keys(*fresh_master).ok());
  servers_.clear();
  PostgresOptions options;
  options.key_ring = fresh_master.get();
  auto reopened = open_postgres_store(database_->conninfo(), clock_, options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  auto tx = (*reopened)->begin(false);
  EXPECT_EQ((*tx)->get(spec("person"), person.id, org)->fields["given_name"], "Asha");
  auto old_master = KeyRing::from_master_key(Key{4, 2});
  options.key_ring = old_master.get();
  tx = Result<std::unique_ptr<Transaction>>(nullptr);
  reopened = Result<std::unique_ptr<Store>>(nullptr);
  EXPECT_FALSE(open_postgres_store(database_->conninfo(), clock_, options).ok());
}

}  // namespace
}  // namespace haven
