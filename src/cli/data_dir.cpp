#include "cli/data_dir.hpp"

#include <cstdio>

namespace haven::cli {

namespace fs = std::filesystem;

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "haven: %s\n", message.c_str());
  return code;
}

int fail(const Error& error) {
  std::string message = error.message;
  if (!error.field.empty()) message = error.field + ": " + message;
  return fail(message, error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kFailedPrecondition
                           ? kExitBadData
                           : kExitFailure);
}

fs::path database_file(const std::string& data_dir) { return fs::path(data_dir) / "haven.db"; }

Result<DataDir> open_with(const std::string& data_dir, std::unique_ptr<KeyRing> keys, const Clock& clock) {
  DataDir data;
  data.dir = data_dir;
  data.keys = std::move(keys);
  SqliteOptions options;
  options.key_ring = data.keys.get();
  auto store = open_sqlite_store(database_file(data_dir), clock, options);
  HAVEN_TRY(store);
  data.store = std::move(store.value());
  auto chain_key = data.keys->audit_chain_key();
  HAVEN_TRY(chain_key);
  data.audit = std::make_unique<AuditLog>(*data.store, clock, *chain_key);
  return data;
}

Result<DataDir> open_existing(const std::string& data_dir, const std::string& key_file, const Clock& clock) {
  if (!fs::exists(database_file(data_dir)))
    return Error{ErrorCode::kNotFound,
                 "no Haven data in " + data_dir + "; create it with `haven init --data " + data_dir +
                     " ...` or `haven demo --data " + data_dir + "`",
                 ""};
  auto source = key_source_from(key_file, false);
  HAVEN_TRY(source);
  auto keys = KeyRing::open(data_dir, *source);
  HAVEN_TRY(keys);
  return open_with(data_dir, std::move(keys.value()), clock);
}

Result<DataDir> create_new(const std::string& data_dir, const std::string& key_file, const Clock& clock) {
  std::error_code error;
  if (fs::exists(database_file(data_dir), error) || fs::exists(fs::path(data_dir) / "keys.json", error))
    return Error{ErrorCode::kConflict, data_dir + " already holds Haven data; choose a new directory", ""};
  auto source = key_source_from(key_file, true);
  HAVEN_TRY(source);
  fs::create_directories(data_dir, error);
  if (error) return Error{ErrorCode::kUnavailable, "cannot create " + data_dir + ": " + error.message(), ""};
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, error);  // survivors' data: owner only
  auto keys = KeyRing::create(data_dir, *source);
  HAVEN_TRY(keys);
  return open_with(data_dir, std::move(keys.value()), clock);
}

void remove_new(DataDir& data, const std::string& data_dir) {
  data.audit.reset();
  data.store.reset();
  std::error_code ignored;
  fs::remove_all(data_dir, ignored);
}

}  // namespace haven::cli
