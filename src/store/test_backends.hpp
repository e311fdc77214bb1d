// Test-only: one test body run against both backends. SQLite runs in a temporary file;
// PostgreSQL in a fresh database on the cluster of HAVEN_TEST_POSTGRES (see
// postgres_test_support.hpp), and is skipped, saying why, when that is not set.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/postgres_test_support.hpp"
#include "store/store.hpp"

namespace haven {

enum class Backend { kSqlite, kPostgres };

inline const auto kBothBackends = ::testing::Values(Backend::kSqlite, Backend::kPostgres);

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

// Empty when the backend can run here; else what to do to include it.
inline std::string skip_reason(Backend backend) {
  return backend == Backend::kPostgres ? pg_test::skip_reason() : std::string();
}

// A new, empty store. For PostgreSQL `database` receives the database (drop it after the store
// closes); for SQLite `file` receives the file (remove it and its -wal and -shm afterwards).
// `name` tells concurrent test processes' files apart.
inline Result<std::unique_ptr<Store>> open_test_store(Backend backend, KeyRing& ring,
                                                      const Clock& clock,
                                                      std::unique_ptr<pg_test::Database>& database,
                                                      std::filesystem::path& file,
                                                      const std::string& name) {
  if (backend == Backend::kPostgres) {
    database = std::make_unique<pg_test::Database>();
    if (!database->error().empty()) return Error{ErrorCode::kUnavailable, database->error(), ""};
    PostgresOptions options;
    options.key_ring = &ring;
    options.connect_timeout = std::chrono::milliseconds(5000);
    return open_postgres_store(database->conninfo(), clock, options);
  }
  file = std::filesystem::temp_directory_path() /
         ("haven-" + name + "-" + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  SqliteOptions options;
  options.key_ring = &ring;
  return open_sqlite_store(file, clock, options);
}

inline void remove_test_file(const std::filesystem::path& file) {
  if (file.empty()) return;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
}

}  // namespace haven
