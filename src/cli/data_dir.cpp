#include "cli/data_dir.hpp"

#include <cstdio>
#include <fstream>

#include "cli/progress.hpp"

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

std::string postgres_location(const std::string& data_dir) {
  std::ifstream in(fs::path(data_dir) / "database");
  std::string line, location;
  while (location.empty() && std::getline(in, line)) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;  // blank lines and comments
    location = line.substr(start);
    while (!location.empty() && (location.back() == ' ' || location.back() == '\r')) location.pop_back();
  }
  return location;
}

std::string database_location(const std::string& data_dir, const std::string& database_option) {
  return database_option.empty() ? postgres_location(data_dir) : database_option;
}

namespace {

Result<std::unique_ptr<Store>> open_store(const std::string& data_dir, const std::string& location, KeyRing& keys,
                                          const Clock& clock) {
  if (!location.empty()) {
    PostgresOptions options;
    options.key_ring = &keys;
    // The server may still be starting (a deployment bringing everything up at once): say so and wait.
    options.on_retry = [](const std::string& problem, std::chrono::milliseconds retry_in) {
      std::fprintf(stderr, "haven: event=database_unreachable retry_in_ms=%lld problem=\"%s\"\n",
                   static_cast<long long>(retry_in.count()), problem.c_str());
    };
    return open_postgres_store(location, clock, std::move(options));
  }
  SqliteOptions options;
  options.key_ring = &keys;
  return open_sqlite_store(database_file(data_dir), clock, options);
}

}  // namespace

Result<DataDir> open_with(const std::string& data_dir, std::unique_ptr<KeyRing> keys, const Clock& clock,
                          const std::string& database) {
  DataDir data;
  data.dir = data_dir;
  data.database = database_location(data_dir, database);
  data.keys = std::move(keys);
  auto finder = dedupe::PersonFinder::create(*data.keys);
  HAVEN_TRY(finder);
  data.finder = std::move(finder.value());
  auto store = open_store(data_dir, data.database, *data.keys, clock);
  HAVEN_TRY(store);
  data.store = std::move(store.value());
  data.store->set_person_encoder(data.finder->encoder());
  auto chain_key = data.keys->audit_chain_key();
  HAVEN_TRY(chain_key);
  data.audit = std::make_unique<AuditLog>(*data.store, clock, *chain_key);
  return data;
}

Status DataDir::prepare_search() {
  {
    auto tx = store->begin(false);
    HAVEN_TRY(tx);
    auto indexed = (*tx)->search_encodings_after(0, 1);
    HAVEN_TRY(indexed);
    auto persons = (*tx)->count(*find_entity("person"), 0);
    HAVEN_TRY(persons);
    if (indexed->empty() && *persons > 0) {
      (*tx).reset();
      ProgressBar bar("search encodings");
      auto written = finder->reindex(*store, 0, [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
      bar.finish();
      HAVEN_TRY(written);
    }
  }
  ProgressBar bar("search index");
  Status loaded = finder->refresh(*store, [&](std::uint64_t done, std::uint64_t) { bar.update(done, 0); });
  bar.finish();
  return loaded;
}

Result<DataDir> open_existing(const std::string& data_dir, const std::string& key_file, const Clock& clock,
                              const std::string& database) {
  if (!fs::exists(database_file(data_dir)) && database_location(data_dir, database).empty())
    return Error{ErrorCode::kNotFound,
                 "no Haven data in " + data_dir + "; create it with `haven init --data " + data_dir +
                     " ...` or `haven demo --data " + data_dir + "`",
                 ""};
  auto source = key_source_from(key_file, false);
  HAVEN_TRY(source);
  auto keys = KeyRing::open(data_dir, *source);
  HAVEN_TRY(keys);
  return open_with(data_dir, std::move(keys.value()), clock, database);
}

Result<DataDir> create_new(const std::string& data_dir, const std::string& key_file, const Clock& clock,
                           const std::string& database) {
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
  auto data = open_with(data_dir, std::move(keys.value()), clock, database);
  if (database_location(data_dir, database).empty()) return data;
  // A PostgreSQL database outlives the directory: never start a second Haven inside one that
  // already holds Haven data (its data keys then refuse the new master key, or it has organisations).
  Result<std::int64_t> organisations = data.ok() ? Result<std::int64_t>(0) : Result<std::int64_t>(data.error());
  if (data.ok()) {
    auto tx = data->store->begin(false);
    organisations = tx.ok() ? (*tx)->count(*find_entity("organisation"), 0) : Result<std::int64_t>(tx.error());
  }
  if (organisations.ok() && *organisations == 0) return data;
  if (data.ok()) remove_new(*data, data_dir);
  else fs::remove(fs::path(data_dir) / "keys.json", error);
  if (!organisations.ok() && organisations.error().code != ErrorCode::kUnauthenticated) return organisations.error();
  return Error{ErrorCode::kConflict, "the PostgreSQL database named by --database or " + data_dir +
                                         "/database already holds Haven data; name an empty database", ""};
  return data;
}

void remove_new(DataDir& data, const std::string& data_dir) {
  data.audit.reset();
  data.store.reset();
  std::error_code ignored;
  if (!data.database.empty()) {
    // The operator's `database` file stays; what init made in the directory goes.
    for (const char* made : {"keys.json", "audit.anchor"}) fs::remove(fs::path(data_dir) / made, ignored);
    return;
  }
  fs::remove_all(data_dir, ignored);
}

}  // namespace haven::cli
