// Shared by the audit tests: a fresh SQLite database per test, a store that refuses writes on
// demand, and tampering with the database file the way someone holding the file would.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit.hpp"

namespace haven::audit_test {

using Key = std::array<unsigned char, 32>;

inline Key key_from(unsigned char seed) {
  Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(seed + i);
  return key;
}
inline const Key kKey = key_from(1);

inline AuditEvent person_event(std::string action, std::int64_t record_id,
                               std::int64_t user_id = 7) {
  AuditEvent event;
  event.org_id = 1;
  event.user_id = user_id;
  event.actor = "worker" + std::to_string(user_id);
  event.action = std::move(action);
  event.kind = "person";
  event.record_id = record_id;
  event.detail = Json{{"fields", Json::array({"birth_date", "sex"})}};
  return event;
}

// Refuses write transactions while fail_writes is set, as a full disk would.
class FaultyStore final : public Store {
 public:
  explicit FaultyStore(Store& inner) : inner_(inner) {}
  Result<std::unique_ptr<Transaction>> begin(bool write) override {
    if (write && fail_writes.load()) {
      ++refused;
      return Error{ErrorCode::kUnavailable, "database unavailable: database or disk is full", ""};
    }
    return inner_.begin(write);
  }
  int schema_version() const override { return inner_.schema_version(); }
  Status backup_to(const std::filesystem::path& file) override { return inner_.backup_to(file); }
  Status rewrap_data_keys(const KeyRing& new_master) override { return inner_.rewrap_data_keys(new_master); }
  Result<std::uint64_t> rotate_data_keys(const std::function<void(std::uint64_t, std::uint64_t)>& progress) override {
    return inner_.rotate_data_keys(progress);
  }

  std::atomic<bool> fail_writes{false};
  std::atomic<int> refused{0};

 private:
  Store& inner_;
};

class AuditFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("haven-audit-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    open();
  }
  void TearDown() override {
    close();
    std::filesystem::remove_all(dir_);
  }

  void open(const Key& key = kKey) {
    close();
    SqliteOptions options;
    options.key_ring = ring_.get();
    auto store = open_sqlite_store(db_file(), clock_, options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    log_ = std::make_unique<AuditLog>(*store_, clock_, key);
  }
  void close() {
    log_.reset();
    store_.reset();
  }
  std::filesystem::path db_file() const { return dir_ / "haven.db"; }
  std::filesystem::path anchor_file() const { return dir_ / "haven.audit-anchor"; }

  // Appends `count` entries, each in its own committed write transaction.
  void append_committed(int count) {
    for (int i = 1; i <= count; ++i) {
      auto tx = store_->begin(true);
      ASSERT_TRUE(tx.ok()) << tx.error().message;
      Status status = log_->append(**tx, person_event("update", i));
      ASSERT_TRUE(status.ok()) << status.error().message;
      ASSERT_TRUE((*tx)->commit().ok());
      clock_.advance(std::chrono::seconds(1));
    }
  }

  std::vector<AuditRecord> all_entries() {
    std::vector<AuditRecord> all;
    auto tx = store_->begin(false);
    EXPECT_TRUE(tx.ok());
    if (!tx.ok()) return all;
    AuditQuery query;
    query.limit = 1000;
    for (;;) {
      auto page = (*tx)->list_audit(query);
      EXPECT_TRUE(page.ok()) << page.error().message;
      if (!page.ok() || page->empty()) return all;
      query.after_seq = page->back().seq;
      all.insert(all.end(), page->begin(), page->end());
    }
  }

  // Edits the database file directly, as someone holding the file would: the store is closed,
  // the append-only triggers dropped, then `sql` runs. The store is opened again afterwards.
  void tamper(const std::string& sql) {
    close();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_file().c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    const std::string script =
        "DROP TRIGGER IF EXISTS audit_log_no_update;"
        "DROP TRIGGER IF EXISTS audit_log_no_delete;" +
        sql;
    const int rc = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &message);
    const std::string error = message ? message : "";
    sqlite3_free(message);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << error;
    open();
  }

  VerifyReport verify(const std::optional<AuditLog::Anchor>& anchor = std::nullopt) {
    auto report = log_->verify({}, anchor);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : VerifyReport{};
  }

  FixedClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 3 / 14}};
  std::filesystem::path dir_;
  std::unique_ptr<KeyRing> ring_ = KeyRing::from_master_key(Key{8});  // outlives the store
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> log_;
};

}  // namespace haven::audit_test
