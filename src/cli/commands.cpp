#include "cli/commands.hpp"

#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/api.hpp"
#include "audit/audit.hpp"
#include "audit/audit_command.hpp"
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
  std::string dir;
  std::unique_ptr<KeyRing> keys;  // declared first: the store uses it until destroyed
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;  // declared last: flushed before the store closes

  // Records what the operator did from the command line, in its own transaction.
  Status record(const std::string& command, const std::string& action, std::int64_t org_id, Json detail) {
    auto tx = store->begin(true);
    HAVEN_TRY(tx);
    HAVEN_TRY(audit->append(**tx, {org_id, 0, "cli:" + command, action, "", 0, std::move(detail)}));
    return (*tx)->commit();
  }
  // Writes the audit anchor beside the database, so that cutting entries off the end of the log
  // is detected by `haven audit verify`.
  void close_audit() {
    if (!audit) return;
    Status done = audit->flush();
    if (done.ok()) done = audit->write_anchor(fs::path(dir) / "audit.anchor");
    if (!done.ok()) std::fprintf(stderr, "haven: warning: the audit anchor was not written: %s\n", done.error().message.c_str());
  }
};



// The store and audit log of `data_dir`, under `keys`.
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
  auto keys = KeyRing::create(data_dir, *source);
  HAVEN_TRY(keys);
  return open_with(data_dir, std::move(keys.value()), clock);
}

// Removes what a failed `init` or `demo` made, so a retry starts clean.
void remove_new(DataDir& data, const std::string& data_dir) {
  data.audit.reset();
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

// Staff accounts travel with an export so that case assignments keep meaning: users.csv holds
// names and roles, never password hashes or second-factor keys.
Status export_users(Transaction& tx, std::int64_t org_id, const fs::path& file) {
  std::ofstream out(file, std::ios::binary);
  write_csv_row(out, {"id", "username", "display_name", "roles", "disabled"});
  auto users = tx.list_users(org_id);
  HAVEN_TRY(users);
  for (const auto& user : *users) {
    std::string roles;
    for (const auto& role : user.roles) roles += (roles.empty() ? "" : ";") + role;
    write_csv_row(out, {std::to_string(user.id), user.username, user.display_name, roles, user.disabled ? "true" : "false"});
  }
  out.flush();
  if (!out) return Error{ErrorCode::kUnavailable, "cannot write " + file.string(), ""};
  return Status::Ok();
}

// Maps the users of an exported users.csv to accounts here: the same user name in the same
// organisation is the same person; a missing one is created disabled, with no usable password,
// until an administrator resets it.
Status import_users(DataDir& data, std::int64_t org_id, const fs::path& file, IdMaps& id_maps, const Clock& clock) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot read " + file.string(), ""};
  std::vector<std::vector<std::string>> rows;
  HAVEN_TRY(read_csv(in, [&](const CsvRow& row) -> Status {
    if (row.line == 1) {
      if (row.cells.size() != 5 || row.cells[0] != "id" || row.cells[1] != "username")
        return invalid("users.csv must have the columns id,username,display_name,roles,disabled", "line 1");
      return Status::Ok();
    }
    rows.push_back(row.cells);
    return Status::Ok();
  }));
  auto tx = data.store->begin(true);
  HAVEN_TRY(tx);
  Authenticator auth(*data.store, clock);
  for (const auto& cells : rows) {
    std::int64_t old_id = 0;
    try {
      old_id = std::stoll(cells[0]);
    } catch (const std::exception&) {
      return invalid("the id " + cells[0] + " is not a number", "users.csv");
    }
    auto existing = (*tx)->find_user(cells[1]);
    if (existing.ok()) {
      if (existing->org_id != org_id)
        return Error{ErrorCode::kConflict, "user " + cells[1] + " belongs to another organisation here", "users.csv"};
      id_maps["user"][old_id] = existing->id;
      continue;
    }
    std::vector<std::string> roles;
    for (std::size_t start = 0; start <= cells[3].size();) {
      const auto end = std::min(cells[3].find(';', start), cells[3].size());
      if (end > start) roles.push_back(cells[3].substr(start, end - start));
      start = end + 1;
    }
    unsigned char random[32];
    randombytes_buf(random, sizeof random);
    char unusable[65];
    sodium_bin2hex(unusable, sizeof unusable, random, sizeof random);
    auto created = auth.create_user(**tx, org_id, cells[1], cells[2], roles, unusable);
    HAVEN_TRY(created);
    User disabled = *created;
    disabled.disabled = true;
    HAVEN_TRY((*tx)->update_user(disabled));
    HAVEN_TRY(data.audit->append(**tx, {org_id, 0, "cli:import", "permission_change", "user", created->id,
                                        {{"roles", roles}, {"created", true}, {"disabled", true}}}));
    id_maps["user"][old_id] = created->id;
  }
  return (*tx)->commit();
}

// Organisations named in an export (referrals, consents to share) are matched here by name and
// country; one not known here is created, as the export's organisations.csv describes it.
Status import_organisations(DataDir& data, const fs::path& file, IdMaps& id_maps, const Clock& clock) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, "cannot read " + file.string(), ""};
  const EntitySpec& spec = *find_entity("organisation");
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  HAVEN_TRY(read_csv(in, [&](const CsvRow& row) -> Status {
    if (row.line == 1) header = row.cells; else rows.push_back(row);
    return Status::Ok();
  }));
  auto column = [&](const CsvRow& row, const std::string& name) {
    const auto at = std::find(header.begin(), header.end(), name);
    return at == header.end() ? std::string() : row.cells[at - header.begin()];
  };
  auto tx = data.store->begin(true);
  HAVEN_TRY(tx);
  for (const auto& row : rows) {
    std::int64_t old_id = 0;
    try {
      old_id = std::stoll(column(row, "id"));
    } catch (const std::exception&) {
      return invalid("needs a numeric id", "organisations.csv line " + std::to_string(row.line));
    }
    ListQuery query;
    query.filters = {{"name", Filter::Op::kEq, column(row, "name")}, {"country", Filter::Op::kEq, column(row, "country")}};
    auto found = (*tx)->list(spec, 0, query);
    HAVEN_TRY(found);
    if (!found->records.empty()) {
      id_maps["organisation"][old_id] = found->records.front().id;
      continue;
    }
    Json fields = {{"name", column(row, "name")}, {"type", column(row, "type")}, {"country", column(row, "country")}};
    if (!column(row, "region").empty()) fields["region"] = column(row, "region");
    auto created = create_record(**tx, spec, 0, fields, clock);
    if (!created.ok()) {
      Error error = created.error();
      error.field = "organisations.csv line " + std::to_string(row.line) + " " + error.field;
      return error;
    }
    HAVEN_TRY(data.audit->append(**tx, {created->id, 0, "cli:import", "create", "organisation", created->id, Json::object()}));
    id_maps["organisation"][old_id] = created->id;
  }
  return (*tx)->commit();
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
  Status committed = admin.ok() ? data->audit->append(**tx, {org->id, 0, "cli:init", "permission_change", "user", admin->id,
                                                             {{"roles", admin->roles}, {"created", true}}})
                                : admin.status();
  if (committed.ok()) committed = (*tx)->commit();
  if (!committed.ok()) {
    tx->reset();
    remove_new(*data, options.data_dir);  // nothing half-made is left behind
    return fail(committed.error());
  }
  tx->reset();
  data->close_audit();
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
  // SIGINT and SIGTERM are taken by a thread of their own, so shutdown is an ordinary call. They
  // are blocked before any thread starts (the audit writer too), as threads inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  ApiOptions api_options;
  api_options.tls_cert_file = options.tls_cert;
  api_options.tls_key_file = options.tls_key;
  ApiServer server(*data->store, clock, *data->audit, api_options);
  if (auto bound = server.bind(options.listen.substr(0, colon), port); !bound.ok()) return fail(bound.error());
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::fprintf(stderr, "event=stopping signal=%d\n", signal_number);
    server.stop();
  });
  std::fprintf(stderr, "event=serving address=%s://%s:%d data=%s\n", options.tls_cert.empty() ? "http" : "https",
               options.listen.substr(0, colon).c_str(),
               server.port(), options.data_dir.c_str());
  const Status served = server.listen_bound();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped by itself
  waiter.join();
  data->close_audit();
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
  Json counts = summary->counts;
  if (auto recorded = data->record("demo", "import", 0, {{"synthetic", true}, {"counts", counts}}); !recorded.ok())
    return fail(recorded.error());
  data->close_audit();
  if (!options.truth_file.empty()) {
    std::ofstream out(options.truth_file);
    if (auto written = write_duplicate_truth(*summary, out); !written.ok() || !out) return fail("cannot write " + options.truth_file);
  }
  std::fprintf(stderr, "Demo data in %s. Log in as %s (system administrator) or any demo user; every demo password is %s.\n",
               options.data_dir.c_str(), summary->admin_username.c_str(), std::string(kDemoPassword).c_str());
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
  if (!options.dir.empty() && fs::exists(fs::path(options.dir) / "organisations.csv"))
    if (auto orgs = import_organisations(*data, fs::path(options.dir) / "organisations.csv", id_maps, clock); !orgs.ok())
      return fail(orgs.error());
  if (!options.dir.empty() && fs::exists(fs::path(options.dir) / "users.csv"))
    if (auto users = import_users(*data, options.org_id, fs::path(options.dir) / "users.csv", id_maps, clock); !users.ok())
      return fail(users.error());
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
    if (auto recorded = data->record("import", "import", options.org_id, {{"kind", spec->kind}, {"count", summary->created}});
        !recorded.ok())
      return fail(recorded.error());
    std::fprintf(stderr, "%s: %llu records imported\n", file.string().c_str(), static_cast<unsigned long long>(summary->created));
  }
  data->close_audit();
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
    // Organisations are shared reference data (consents and referrals name them): all of them.
    const std::int64_t org_id = spec.org_scoped ? options.org_id : 0;
    // Recorded before the data leaves: an export that fails half-way was still an export.
    if (auto recorded = data->record("export", "export", org_id, {{"kind", spec.kind}}); !recorded.ok())
      return fail(recorded.error());
    ProgressBar bar("export " + spec.collection);
    auto written = export_records(**tx, spec, org_id, out,
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
    const int code = export_one(*spec, out);
    tx->reset();
    data->close_audit();
    return code;
  }
  std::error_code error;
  fs::create_directories(options.dir, error);
  if (error) return fail("cannot create " + options.dir + ": " + error.message());
  {
    std::ofstream out(fs::path(options.dir) / "organisations.csv", std::ios::binary);
    if (int code = export_one(*find_entity("organisation"), out); code != 0) return code;
  }
  if (options.org_id != 0)
    if (auto users = export_users(**tx, options.org_id, fs::path(options.dir) / "users.csv"); !users.ok()) return fail(users.error());
  for (const auto& kind : transfer_kinds()) {
    std::ofstream out(fs::path(options.dir) / (kind + ".csv"), std::ios::binary);
    if (!out) return fail("cannot write into " + options.dir);
    if (int code = export_one(*find_entity(kind), out); code != 0) return code;
  }
  tx->reset();
  data->close_audit();
  std::fprintf(stderr, "Exported every kind into %s\n", options.dir.c_str());
  return 0;
}

int run_backup(const BackupOptions& options) {
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  if (auto recorded = data->record("backup", "backup", 0, {{"to", fs::path(options.to).filename().string()}}); !recorded.ok())
    return fail(recorded.error());
  data->close_audit();
  if (auto done = data->store->backup_to(options.to); !done.ok()) return fail(done.error());
  // The backup holds sealed fields and wrapped keys only; keys.json (no secret in it) goes beside
  // it, so that the backup opens with the same passphrase or key file.
  std::error_code error;
  fs::copy_file(fs::path(options.data_dir) / "keys.json", options.to + ".keys.json", fs::copy_options::overwrite_existing, error);
  if (error) return fail("the backup was written but " + options.to + ".keys.json was not: " + error.message());
  std::fprintf(stderr, "Backup written to %s (with %s.keys.json)\n", options.to.c_str(), options.to.c_str());
  return 0;
}

int run_audit(const AuditOptions& options) {
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  if (options.verify) {
    std::string anchor = options.anchor;
    if (anchor.empty() && fs::exists(fs::path(options.data_dir) / "audit.anchor"))
      anchor = (fs::path(options.data_dir) / "audit.anchor").string();
    ProgressBar bar("verify");
    AuditCommandIo io{std::cout, std::cerr, [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); }};
    const int code = run_audit_verify(*data->store, *data->audit, anchor, io);
    bar.finish();
    return code;
  }
  if (auto recorded = data->record("audit", "audit_view", options.query.org_id, Json::object()); !recorded.ok())
    return fail(recorded.error());
  const int code = run_audit_show(*data->audit, options.query, options.json);
  data->close_audit();
  return code;
}

int run_rekey(const RekeyOptions& options) {
  if (!options.new_master && options.new_key_file.empty() && !options.rotate_data_keys)
    return fail("say what to change: --new-passphrase, --new-key-file FILE, and/or --rotate-data-keys", 2);
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  if (options.rotate_data_keys) {
    ProgressBar bar("re-seal");
    auto resealed = data->store->rotate_data_keys([&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
    bar.finish();
    if (!resealed.ok()) return fail(resealed.error());
    if (auto recorded = data->record("rekey", "key_rotation", 0, {{"data_keys", true}, {"resealed", *resealed}}); !recorded.ok())
      return fail(recorded.error());
    std::fprintf(stderr, "New data keys; %llu sealed values re-sealed.\n", static_cast<unsigned long long>(*resealed));
  }
  if (options.new_master || !options.new_key_file.empty()) {
    KeySource source;
    if (!options.new_key_file.empty()) {
      source.key_file = options.new_key_file;
    } else if (const char* env = std::getenv("HAVEN_NEW_PASSPHRASE"); env && *env) {
      source.passphrase = env;
    } else {
      const char* saved = std::getenv("HAVEN_PASSPHRASE");
      const std::string old = saved ? saved : "";
      ::unsetenv("HAVEN_PASSPHRASE");  // ask for the new one, not reuse the old
      auto asked = key_source_from("", true);
      if (!old.empty()) ::setenv("HAVEN_PASSPHRASE", old.c_str(), 1);
      if (!asked.ok()) return fail("the new passphrase: " + asked.error().message, kExitBadData);
      source = *asked;
    }
    if (source.key_file.empty() && source.passphrase.size() < 12)
      return fail("the new passphrase must be at least 12 characters", kExitBadData);
    // Order matters for a crash at any point: the new parameters are staged, the data keys are
    // re-wrapped in one transaction, and only then do the new parameters replace the old.
    if (auto recorded = data->record("rekey", "key_rotation", 0, {{"master_key", true}}); !recorded.ok())
      return fail(recorded.error());
    data->close_audit();
    auto staged = KeyRing::stage_new_master(options.data_dir, source);
    if (!staged.ok()) return fail(staged.error());
    if (auto rewrapped = data->store->rewrap_data_keys(**staged); !rewrapped.ok()) return fail(rewrapped.error());
    if (auto promoted = KeyRing::promote_new_master(options.data_dir); !promoted.ok()) return fail(promoted.error());
    std::fprintf(stderr, "The data directory now opens with the new %s only.\n", source.key_file.empty() ? "passphrase" : "key file");
    return 0;
  }
  data->close_audit();
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
