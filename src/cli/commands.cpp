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
#include "audit/audit_command.hpp"
#include "auth/auth.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/progress.hpp"
#include "demo/demo.hpp"

namespace haven::cli {
namespace {

namespace fs = std::filesystem;

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

int run_init(const InitOptions& options) {
  SystemClock clock;
  auto password = read_password(options.password_file);
  if (!password.ok()) return fail(password.error());
  if (auto policy = check_password_policy(*password); !policy.ok()) return fail("the password " + policy.error().message, kExitBadData);
  auto data = create_new(options.data_dir, options.key_file, clock, options.database);
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
  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
  if (!data.ok()) return fail(data.error());
  if (auto search = data->prepare_search(); !search.ok()) return fail(search.error());
  ApiOptions api_options;
  api_options.tls_cert_file = options.tls_cert;
  api_options.tls_key_file = options.tls_key;
  api_options.person_finder = data->finder.get();
  api_options.serve_metrics = options.metrics;
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
  auto data = create_new(options.data_dir, options.key_file, clock, options.database);
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

int run_backup(const BackupOptions& options) {
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
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
  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
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
  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
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
