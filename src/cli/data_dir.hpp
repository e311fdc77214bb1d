// Private to the haven command: opening a data directory (keys, store, audit log) and reporting
// failures the same way in every sub-command.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "audit/audit.hpp"
#include "cli/commands.hpp"
#include "crypto/crypto.hpp"
#include "dedupe/dedupe.hpp"
#include "store/store.hpp"

namespace haven::cli {

// Prints "haven: message" and returns `code`.
int fail(const std::string& message, int code = kExitFailure);
// Prints the error (with the field it names) and returns 3 for refused data, else 1.
int fail(const Error& error);

std::filesystem::path database_file(const std::string& data_dir);

// A data directory normally holds its SQLite database (haven.db). For a national deployment it
// names a PostgreSQL database instead: the file `database` in the directory holds one libpq
// connection string or postgres:// URI (no password: libpq takes it from PGPASSWORD or
// ~/.pgpass). keys.json (salt, cost and check value of the master key; nothing secret) and
// audit.anchor stay in the directory either way, so every server gets a copy of the directory and
// the master key (--key-file or HAVEN_PASSPHRASE) and all of them open the same database.
// Returns the connection string, or "" when the directory uses SQLite.
std::string postgres_location(const std::string& data_dir);
// Where the data of `data_dir` lives, most specific first: the --database option when given, else
// DIR/database, else "" (SQLite, DIR/haven.db).
std::string database_location(const std::string& data_dir, const std::string& database_option);

// A data directory opened for work: its key ring (from the passphrase or key file) and its store.
struct DataDir {
  std::string dir;
  std::string database;  // the PostgreSQL connection string in use, or "" for SQLite (DIR/haven.db)
  std::unique_ptr<KeyRing> keys;  // declared first: the store uses it until destroyed
  // Writes every person's search encodings through the store, so it outlives the store too.
  std::unique_ptr<dedupe::PersonFinder> finder;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;  // declared last: flushed before the store closes

  // Records what the operator did from the command line, in its own transaction.
  Status record(const std::string& command, const std::string& action, std::int64_t org_id, Json detail) {
    auto tx = store->begin(true);
    HAVEN_TRY(tx);
    HAVEN_TRY(audit->append(**tx, {org_id, 0, "cli:" + command, action, "", 0, std::move(detail)}));
    return (*tx)->commit();
  }
  // Loads the person search index, first writing the encodings of every person when the
  // database has none yet (a database from before search), with progress bars on stderr.
  Status prepare_search();

  // Writes the audit anchor beside the database, so that cutting entries off the end of the log
  // is detected by `haven audit verify`.
  void close_audit() {
    if (!audit) return;
    Status done = audit->flush();
    if (done.ok()) done = audit->write_anchor(std::filesystem::path(dir) / "audit.anchor");
    if (!done.ok()) std::fprintf(stderr, "haven: warning: the audit anchor was not written: %s\n", done.error().message.c_str());
  }
};

// The store and audit log of `data_dir`, under `keys`; `database` is the --database option (see
// database_location).
Result<DataDir> open_with(const std::string& data_dir, std::unique_ptr<KeyRing> keys, const Clock& clock,
                          const std::string& database = "");
// An existing data directory, its keys from --key-file, HAVEN_PASSPHRASE or the terminal.
Result<DataDir> open_existing(const std::string& data_dir, const std::string& key_file, const Clock& clock,
                              const std::string& database = "");
// A new data directory: refuses one that already holds a database, never overwriting data.
Result<DataDir> create_new(const std::string& data_dir, const std::string& key_file, const Clock& clock,
                           const std::string& database = "");
// Removes what a failed `init` or `demo` made, so a retry starts clean.
void remove_new(DataDir& data, const std::string& data_dir);

}  // namespace haven::cli
