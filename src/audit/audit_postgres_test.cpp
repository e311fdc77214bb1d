// Several servers on one PostgreSQL database append to one audit log: the write lock each write
// transaction takes at begin keeps a single chain, which verify() checks with the real hashes.
#include <gtest/gtest.h>

#include <thread>

#include "audit/audit.hpp"
#include "audit/audit_test_support.hpp"
#include "store/postgres_test_support.hpp"

namespace haven {
namespace {

TEST(AuditOnPostgres, TwoServersAppendingKeepOneValidChain) {
  if (const std::string reason = pg_test::skip_reason(); !reason.empty()) GTEST_SKIP() << reason;
  pg_test::Database database;
  ASSERT_EQ(database.error(), "");
  SystemClock clock;
  struct Server {
    std::unique_ptr<KeyRing> keys;
    std::unique_ptr<Store> store;
    std::unique_ptr<AuditLog> log;
  };
  std::vector<Server> servers(2);
  for (auto& server : servers) {
    server.keys = KeyRing::from_master_key(Key{5});
    PostgresOptions options;
    options.key_ring = server.keys.get();
    auto store = open_postgres_store(database.conninfo(), clock, options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    server.store = std::move(store.value());
    server.log = std::make_unique<AuditLog>(*server.store, clock, audit_test::kKey);
  }
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Server& server = servers[static_cast<std::size_t>(t % 2)];
      for (int i = 0; i < kEach; ++i) {
        auto tx = server.store->begin(true);
        ASSERT_TRUE(tx.ok()) << tx.error().message;
        ASSERT_TRUE(server.log->append(**tx, audit_test::person_event("update", t * 100 + i)).ok());
        ASSERT_TRUE((*tx)->commit().ok());
      }
    });
  for (auto& t : threads) t.join();
  auto report = servers[1].log->verify({});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->entries, static_cast<std::uint64_t>(kThreads * kEach));
  servers.clear();
}

}  // namespace
}  // namespace haven
