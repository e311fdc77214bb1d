#include "cli/commands.hpp"

#include <signal.h>
#include <sqlite3.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/api.hpp"
#include "auth/auth.hpp"
#include "crypto/crypto.hpp"
#include "cli/progress.hpp"
#include "csv/csv.hpp"
#include "demo/demo.hpp"
#include "store/store.hpp"

namespace haven::cli {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& message, int code = kExitFailure) {
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

// A data directory opened for work: its key ring (from the passphrase or key file) and its store.
struct DataDir {
  std::unique_ptr<KeyRing> keys;  // declared first: the store uses it until destroyed
  std::unique_ptr<Store> store;
};

Result<DataDir> open_existing(const std::string& data_dir, const std::string& key_file, const Clock& clock) {
  if (!fs::exists(database_file(data_dir)))
    return Error{ErrorCode::kNotFound,
                 "no Haven data in " + data_dir + "; create it with `haven init --data " + data_dir +
                     " ...` or `haven demo --data " + data_dir + "`",
                 ""};
  auto source = key_source_from(key_file, false);
  HAVEN_TRY(source);
  DataDir data;
  auto keys = KeyRing::open(data_dir, *source);
  HAVEN_TRY(keys);
  data.keys = std::move(keys.value());
  SqliteOptions options;
  options.key_ring = data.keys.get();
  auto store = open_sqlite_store(database_file(data_dir), clock, options);
  HAVEN_TRY(store);
  data.store = std::move(store.value());
  return data;
}

// A new data directory: refuses one that already holds a database, never overwriting data.
Result<DataDir> create_new(const std::string& data_dir, const std::string& key_file, const Clock& clock) {
  std::error_code error;
  if (fs::exists(database_file(data_dir), error) || fs::exists(fs::path(data_dir) / "keys.json", error))
    return Error{ErrorCode::kConflict, data_dir + " already holds Haven data; choose a new directory", ""};
  auto source = key_source_from(key_file, true);
  HAVEN_TRY(source);
  fs::create_directories(data_dir, error);
  if (error) return Error{ErrorCode::kUnavailable, "cannot create " + data_dir + ": " + error.message(), ""};
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, error);  // survivors' data: owner only
  DataDir data;
  auto keys = KeyRing::create(data_dir, *source);
  HAVEN_TRY(keys);
  data.keys = std::move(keys.value());
  SqliteOptions options;
  options.key_ring = data.keys.get();
  auto store = open_sqlite_store(database_file(data_dir), clock, options);
  HAVEN_TRY(store);
  data.store = std::move(store.value());
  return data;
}

// Removes what a failed `init` or `demo` made, so a retry starts clean.
void remove_new(DataDir& data, const std::string& data_dir) {
  data.store.reset();
  std::error_code ignored;
  fs::remove_all(data_dir, ignored);
}

Result<std::string> read_password(const std::string& file) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Error{ErrorCode::kNotFound, "cannot read the password file " + file, ""};
    std::string password;
    std::getline(in, password);
    return password;
  }
  if (const char* env = std::getenv("HAVEN_ADMIN_PASSWORD")) return std::string(env);
  if (!::isatty(STDIN_FILENO))
    return Error{ErrorCode::kInvalidArgument,
                 "no administrator password: set HAVEN_ADMIN_PASSWORD or pass --admin-password-file", ""};
  std::fprintf(stderr, "Administrator password (at least 12 characters): ");
  termios saved{};
  tcgetattr(STDIN_FILENO, &saved);
  termios silent = saved;
  silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  std::string password;
  std::getline(std::cin, password);
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::fprintf(stderr, "\n");
  return password;
}

}  // namespace

std::vector<std::string> transfer_kinds() {
  std::vector<std::string> kinds;
  for (const auto& spec : entity_specs())
    if (spec.org_scoped) kinds.push_back(spec.collection);
  return kinds;
}

int run_init(const InitOptions& options) {
  SystemClock clock;
  auto password = read_password(options.password_file);
  if (!password.ok()) return fail(password.error());
  if (auto policy = check_password_policy(*password); !policy.ok()) return fail("the password " + policy.error().message, kExitBadData);
  auto data = create_new(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  auto tx = data->store->begin(true);
  if (!tx.ok()) return fail(tx.error());
  Json organisation = {{"name", options.org_name}, {"type", options.org_type}, {"country", options.country}};
  if (!options.region.empty()) organisation["region"] = options.region;
  auto org = create_record(**tx, *find_entity("organisation"), 0, organisation, clock);
  Authenticator auth(*data->store, clock);
  Result<User> admin = org.ok() ? auth.create_user(**tx, org->id, options.admin, "Administrator", {"org_admin", "system_admin"}, *password)
                                : Result<User>(org.error());
  Status committed = admin.ok() ? (*tx)->commit() : admin.status();
  if (!committed.ok()) {
    tx->reset();
    remove_new(*data, options.data_dir);  // nothing half-made is left behind
    return fail(committed.error());
  }
  std::fprintf(stderr, "Created %s: organisation %lld (%s), administrator %s.\nStart it with: haven serve --data %s\n",
               options.data_dir.c_str(), static_cast<long long>(org->id), options.org_name.c_str(),
               options.admin.c_str(), options.data_dir.c_str());
  return 0;
}

int run_serve(const ServeOptions& options) {
  const auto colon = options.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(options.listen.substr(colon + 1));
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535) return fail("--listen must be ADDRESS:PORT, e.g. 127.0.0.1:8080", 2);
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  // SIGINT and SIGTERM are taken by a thread of their own, so shutdown is an ordinary call.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ApiServer server(*data->store, clock);
  if (auto bound = server.bind(options.listen.substr(0, colon), port); !bound.ok()) return fail(bound.error());
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::fprintf(stderr, "event=stopping signal=%d\n", signal_number);
    server.stop();
  });
  std::fprintf(stderr, "event=serving address=http://%s:%d data=%s\n", options.listen.substr(0, colon).c_str(),
               server.port(), options.data_dir.c_str());
  const Status served = server.listen_bound();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped by itself
  waiter.join();
  return served.ok() ? 0 : fail(served.error());
}

int run_demo(const DemoCommandOptions& options) {
  SystemClock clock;
  auto data = create_new(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  DemoOptions demo;
  demo.persons = options.persons;
  demo.seed = options.seed;
  ProgressBar bar("demo data");
  auto summary = generate_demo(*data->store, demo, clock, [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
  bar.finish();
  if (!summary.ok()) {
    remove_new(*data, options.data_dir);
    return fail(summary.error());
  }
  for (const auto& [kind, count] : summary->counts)
    std::fprintf(stderr, "  %-20s %llu\n", kind.c_str(), static_cast<unsigned long long>(count));
  if (!options.truth_file.empty()) {
    std::ofstream out(options.truth_file);
    if (auto written = write_duplicate_truth(*summary, out); !written.ok() || !out) return fail("cannot write " + options.truth_file);
  }
  std::fprintf(stderr, "Demo data in %s. Every demo user's password is %s.\n", options.data_dir.c_str(),
               std::string(kDemoPassword).c_str());
  return 0;
}

int run_import(const TransferOptions& options) {
  if (options.kind.empty() == options.dir.empty())
    return fail("give either --kind with a FILE, or --dir with <kind>.csv files", 2);
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  std::vector<std::pair<const EntitySpec*, fs::path>> files;
  if (!options.kind.empty()) {
    const EntitySpec* spec = find_entity(options.kind);
    if (!spec || !spec->org_scoped) return fail("unknown --kind " + options.kind, 2);
    if (options.file.empty()) return fail("name the CSV FILE to import", 2);
    files.emplace_back(spec, options.file);
  } else {
    for (const auto& kind : transfer_kinds()) {
      const fs::path file = fs::path(options.dir) / (kind + ".csv");
      if (fs::exists(file)) files.emplace_back(find_entity(kind), file);
    }
    if (files.empty()) return fail("no <kind>.csv files in " + options.dir, kExitBadData);
  }
  IdMaps id_maps;
  for (const auto& [spec, file] : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail("cannot read " + file.string());
    ProgressBar bar("import " + spec->collection);
    auto summary = import_records(*data->store, *spec, options.org_id, in, clock,
                                  [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); }, id_maps);
    bar.finish();
    if (!summary.ok()) {
      const Error& e = summary.error();
      return fail(file.string() + ", " + (e.field.empty() ? "" : e.field + ": ") + e.message +
                      "\nNothing from this file was imported.",
                  e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kFailedPrecondition ? kExitBadData : kExitFailure);
    }
    std::fprintf(stderr, "%s: %llu records imported\n", file.string().c_str(), static_cast<unsigned long long>(summary->created));
  }
  return 0;
}

int run_export(const TransferOptions& options) {
  if (options.kind.empty() == options.dir.empty()) return fail("give either --kind (and --out), or --dir", 2);
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  auto tx = data->store->begin(false);
  if (!tx.ok()) return fail(tx.error());
  auto export_one = [&](const EntitySpec& spec, std::ostream& out) -> int {
    ProgressBar bar("export " + spec.collection);
    auto written = export_records(**tx, spec, options.org_id, out,
                                  [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
    bar.finish();
    if (!written.ok()) return fail(written.error());
    out.flush();
    if (!out) return fail("writing the export failed (is the disk full?)");
    return 0;
  };
  if (!options.kind.empty()) {
    const EntitySpec* spec = find_entity(options.kind);
    if (!spec) return fail("unknown --kind " + options.kind, 2);
    if (options.file.empty()) return export_one(*spec, std::cout);
    std::ofstream out(options.file, std::ios::binary);
    if (!out) return fail("cannot write " + options.file);
    return export_one(*spec, out);
  }
  std::error_code error;
  fs::create_directories(options.dir, error);
  if (error) return fail("cannot create " + options.dir + ": " + error.message());
  for (const auto& kind : transfer_kinds()) {
    std::ofstream out(fs::path(options.dir) / (kind + ".csv"), std::ios::binary);
    if (!out) return fail("cannot write into " + options.dir);
    if (int code = export_one(*find_entity(kind), out); code != 0) return code;
  }
  std::fprintf(stderr, "Exported every kind into %s\n", options.dir.c_str());
  return 0;
}

int run_backup(const BackupOptions& options) {
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  if (auto done = data->store->backup_to(options.to); !done.ok()) return fail(done.error());
  // The backup holds sealed fields and wrapped keys only; keys.json (no secret in it) goes beside
  // it, so that the backup opens with the same passphrase or key file.
  std::error_code error;
  fs::copy_file(fs::path(options.data_dir) / "keys.json", options.to + ".keys.json", fs::copy_options::overwrite_existing, error);
  if (error) return fail("the backup was written but " + options.to + ".keys.json was not: " + error.message());
  std::fprintf(stderr, "Backup written to %s (with %s.keys.json)\n", options.to.c_str(), options.to.c_str());
  return 0;
}

int run_keygen(const std::string& path) {
  if (auto written = write_new_key_file(path); !written.ok()) return fail(written.error());
  std::fprintf(stderr, "Wrote a new key to %s (readable by you only). Keep a copy somewhere safe: without it the data cannot be read.\n",
               path.c_str());
  return 0;
}

int run_version() {
  std::printf("haven 0.1.0 (schema %d, SQLite %s)\n", kLatestSchemaVersion, sqlite3_libversion());
  return 0;
}

}  // namespace haven::cli
