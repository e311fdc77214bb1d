// Appending: in the caller's transaction, and through the background writer for reads.
#include <set>
#include <thread>

#include "audit/audit_test_support.hpp"

namespace haven::audit_test {
namespace {

using namespace std::chrono_literals;

class AuditAppendTest : public AuditFixture {};

TEST_F(AuditAppendTest, RolledBackAppendLeavesNoEntry) {
  {
    auto tx = store_->begin(true);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(log_->append(**tx, person_event("update", 42)).ok());
    // Not committed: destroying the transaction rolls back the change and its audit entry.
  }
  EXPECT_TRUE(all_entries().empty());

  append_committed(1);
  const auto entries = all_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].seq, 1);  // the rolled-back entry left no gap
  EXPECT_EQ(entries[0].prev_hash, std::string(64, '0'));
  EXPECT_TRUE(verify().intact);
}

TEST_F(AuditAppendTest, EntriesCarryTheEventAndLinkToThePreviousEntry) {
  append_committed(3);
  const auto entries = all_entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].at, "2026-03-14T00:00:00Z");
  EXPECT_EQ(entries[2].at, "2026-03-14T00:00:02Z");
  EXPECT_EQ(entries[1].org_id, 1);
  EXPECT_EQ(entries[1].user_id, 7);
  EXPECT_EQ(entries[1].actor, "worker7");
  EXPECT_EQ(entries[1].action, "update");
  EXPECT_EQ(entries[1].kind, "person");
  EXPECT_EQ(entries[1].record_id, 2);
  EXPECT_EQ(entries[1].detail, R"({"fields":["birth_date","sex"]})");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(entries[i].hash.size(), 64u);
    if (i > 0) {
      EXPECT_EQ(entries[i].prev_hash, entries[i - 1].hash);
    }
  }
  EXPECT_NE(entries[0].hash, entries[1].hash);
}

TEST_F(AuditAppendTest, RefusesMalformedEventsAndWritesNothing) {
  struct Case {
    const char* name;
    void (*edit)(AuditEvent&);
    const char* field;
  };
  const Case cases[] = {
      {"no action", [](AuditEvent& e) { e.action.clear(); }, "action"},
      {"action in capitals", [](AuditEvent& e) { e.action = "Read"; }, "action"},
      {"action with a space", [](AuditEvent& e) { e.action = "read all"; }, "action"},
      {"no actor", [](AuditEvent& e) { e.actor.clear(); }, "actor"},
      {"actor not UTF-8", [](AuditEvent& e) { e.actor = "\xff\xfe"; }, "actor"},
      {"kind with a dash", [](AuditEvent& e) { e.kind = "legal-case"; }, "kind"},
      {"negative record id", [](AuditEvent& e) { e.record_id = -1; }, "record_id"},
      {"negative org id", [](AuditEvent& e) { e.org_id = -3; }, "org_id"},
      {"detail an array", [](AuditEvent& e) { e.detail = Json::array(); }, "detail"},
      {"detail not UTF-8",
       [](AuditEvent& e) {
         e.detail = Json{{"x", "\xc3"}};
       },
       "detail"},
      {"detail too long",
       [](AuditEvent& e) {
         e.detail = Json{{"x", std::string(5000, 'a')}};
       },
       "detail"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    AuditEvent event = person_event("read", 1);
    c.edit(event);
    auto tx = store_->begin(true);
    ASSERT_TRUE(tx.ok());
    Status status = log_->append(**tx, event);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.error().field, c.field);
    ASSERT_TRUE((*tx)->commit().ok());
  }
  EXPECT_TRUE(all_entries().empty());
}

TEST_F(AuditAppendTest, AppendInAReadTransactionFails) {
  auto tx = store_->begin(false);
  ASSERT_TRUE(tx.ok());
  EXPECT_FALSE(log_->append(**tx, person_event("update", 1)).ok());
}

TEST_F(AuditAppendTest, ConcurrentAppendsInTheirOwnTransactionsKeepOneChain) {
  constexpr int kPerThread = 150;
  std::atomic<int> failures{0};
  auto writer = [&](std::int64_t user) {
    for (int i = 0; i < kPerThread; ++i) {
      auto tx = store_->begin(true);
      if (!tx.ok() || !log_->append(**tx, person_event("update", i + 1, user)).ok() ||
          !(*tx)->commit().ok()) {
        ++failures;
      }
    }
  };
  std::thread a(writer, 1), b(writer, 2);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  const auto entries = all_entries();
  ASSERT_EQ(entries.size(), 2u * kPerThread);
  EXPECT_EQ(entries.back().seq, 2 * kPerThread);
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries, 2u * kPerThread);
}

TEST_F(AuditAppendTest, ReadsFromFourThreadsAreAllWrittenInOneChain) {
  constexpr int kThreads = 4, kPerThread = 600;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        log_->append_read(person_event("read", t * 10000 + i, t + 1));
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(log_->flush().ok());

  const auto entries = all_entries();
  ASSERT_EQ(entries.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::set<std::int64_t> records;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(entries[i].action, "read");
    records.insert(entries[i].record_id);
  }
  EXPECT_EQ(records.size(), static_cast<std::size_t>(kThreads * kPerThread));  // none twice
  const VerifyReport report = verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.entries, static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(AuditAppendTest, QueuedReadIsWrittenSoonWithoutAFlush) {
  log_->append_read(person_event("read", 5));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (all_entries().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(all_entries().size(), 1u);
}

TEST_F(AuditAppendTest, DestructorWritesWhatIsQueued) {
  for (int i = 1; i <= 250; ++i) log_->append_read(person_event("read", i));
  log_.reset();
  EXPECT_EQ(all_entries().size(), 250u);
}

TEST_F(AuditAppendTest, MalformedReadIsReportedByTheNextFlush) {
  AuditEvent bad = person_event("read", 1);
  bad.action = "READ";
  log_->append_read(bad);
  log_->append_read(person_event("read", 2));
  Status first = log_->flush();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().field, "action");
  EXPECT_TRUE(log_->flush().ok());  // reported once
  const auto entries = all_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].record_id, 2);
}

class AuditQueueFaultTest : public AuditFixture {
 protected:
  std::unique_ptr<AuditLog> faulty_log(AuditLogOptions options = {}) {
    faulty_ = std::make_unique<FaultyStore>(*store_);
    return std::make_unique<AuditLog>(*faulty_, clock_, kKey, options);
  }
  std::unique_ptr<FaultyStore> faulty_;
};

TEST_F(AuditQueueFaultTest, FailedWriteIsReportedByFlushAndRetriedWithoutLoss) {
  auto log = faulty_log();
  faulty_->fail_writes = true;
  for (int i = 1; i <= 20; ++i) log->append_read(person_event("read", i));
  Status failed = log->flush();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_GE(faulty_->refused.load(), 1);
  EXPECT_TRUE(all_entries().empty());

  faulty_->fail_writes = false;  // the disk has room again
  ASSERT_TRUE(log->flush().ok());
  const auto entries = all_entries();
  ASSERT_EQ(entries.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(entries[static_cast<std::size_t>(i)].record_id, i + 1);
  EXPECT_TRUE(verify().intact);
}

TEST_F(AuditQueueFaultTest, AppendReadWaitsForRoomInsteadOfDropping) {
  AuditLogOptions options;
  options.read_queue_limit = 5;
  auto log = faulty_log(options);
  faulty_->fail_writes = true;
  std::atomic<int> queued{0};
  std::thread reader([&] {
    for (int i = 1; i <= 12; ++i) {
      log->append_read(person_event("read", i));
      ++queued;
    }
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(queued.load(), 5);  // the sixth read waits for room

  faulty_->fail_writes = false;
  reader.join();
  EXPECT_EQ(queued.load(), 12);
  ASSERT_TRUE(log->flush().ok());
  EXPECT_EQ(all_entries().size(), 12u);
}

TEST_F(AuditQueueFaultTest, DestructorGivesUpAfterTheShutdownRetryTime) {
  AuditLogOptions options;
  options.shutdown_retry = 200ms;
  auto log = faulty_log(options);
  faulty_->fail_writes = true;
  log->append_read(person_event("read", 1));
  const auto start = std::chrono::steady_clock::now();
  log.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_GE(faulty_->refused.load(), 2);  // it did retry
}

}  // namespace
}  // namespace haven::audit_test
