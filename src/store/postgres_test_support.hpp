// Test-only: throwaway databases on the PostgreSQL cluster named by HAVEN_TEST_POSTGRES (a libpq
// key=value connection string, as scripts/with-postgres exports it). Each test gets a database of
// its own, so tests stay independent even when ctest runs binaries in parallel.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace haven::pg_test {

inline std::string cluster() {
  const char* conninfo = std::getenv("HAVEN_TEST_POSTGRES");
  return conninfo ? conninfo : "";
}

inline std::string skip_reason() {
  return cluster().empty() ? "HAVEN_TEST_POSTGRES is not set: run the tests under scripts/with-postgres "
                             "(scripts/test does) to include the PostgreSQL backend"
                           : "";
}

// Runs one statement on the cluster's maintenance connection; returns libpq's error, or "".
inline std::string admin(const std::string& sql, const std::string& dbname = "") {
  PGconn* conn = PQconnectdb((cluster() + (dbname.empty() ? "" : " dbname=" + dbname)).c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK)
      error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

// A new, empty database, dropped when this object goes (after every store on it is closed).
class Database {
 public:
  Database() {
    static std::atomic<int> counter{0};
    name_ = "haven_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    admin("DROP DATABASE IF EXISTS " + name_);
    error_ = admin("CREATE DATABASE " + name_);
  }
  ~Database() { admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& error() const { return error_; }  // empty when the database was made
  const std::string& name() const { return name_; }
  std::string conninfo() const { return cluster() + " dbname=" + name_; }

 private:
  std::string name_, error_;
};

// A store that owns its database: the conformance suite's factories return just a Store.
class OwningStore final : public Store {
 public:
  OwningStore(std::unique_ptr<Database> database, std::unique_ptr<Store> store)
      : database_(std::move(database)), store_(std::move(store)) {}
  ~OwningStore() override { store_.reset(); }
  Result<std::unique_ptr<Transaction>> begin(bool write) override { return store_->begin(write); }
  int schema_version() const override { return store_->schema_version(); }
  void set_person_encoder(PersonEncoder encoder) override { store_->set_person_encoder(std::move(encoder)); }
  Status backup_to(const std::filesystem::path& file) override { return store_->backup_to(file); }
  std::optional<ConnectionStats> connection_stats() const override { return store_->connection_stats(); }
  Status rewrap_data_keys(const KeyRing& new_master) override { return store_->rewrap_data_keys(new_master); }
  Result<std::uint64_t> rotate_data_keys(const std::function<void(std::uint64_t, std::uint64_t)>& progress) override {
    return store_->rotate_data_keys(progress);
  }

 private:
  std::unique_ptr<Database> database_;  // declared first: dropped after the store closes
  std::unique_ptr<Store> store_;
};

}  // namespace haven::pg_test
