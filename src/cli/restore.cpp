// haven restore: a backup (haven backup) into a new data directory, never over existing data.
// An SQLite backup is a database file; a PostgreSQL one is pg_dump's custom-format archive. Either
// way BACKUP.keys.json, written beside it, becomes the directory's keys.json.
#include <cstdio>
#include <cstring>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"

namespace haven::cli {

namespace fs = std::filesystem;

namespace {

enum class BackupKind { kUnknown, kSqlite, kPostgres };

BackupKind backup_kind(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  if (std::memcmp(head, "SQLite format 3", 16) == 0)
    return BackupKind::kSqlite;  // includes the NUL
  if (std::memcmp(head, "PGDMP", 5) == 0) return BackupKind::kPostgres;
  return BackupKind::kUnknown;
}

}  // namespace

int run_restore(const RestoreOptions& options) {
  const fs::path dir(options.data_dir), backup(options.from), keys(options.from + ".keys.json");
  std::error_code error;
  if (!fs::exists(backup, error)) return fail("no backup at " + options.from, kExitBadData);
  if (!fs::exists(keys, error))
    return fail(keys.string() +
                    " is missing: haven backup writes it beside the backup, and the data cannot be "
                    "opened without it",
                kExitBadData);
  const BackupKind kind = backup_kind(backup);
  if (kind == BackupKind::kUnknown)
    return fail(options.from +
                    " is neither an SQLite database nor a pg_dump archive written by haven backup",
                kExitBadData);
  if (fs::exists(database_file(options.data_dir), error) || fs::exists(dir / "keys.json", error))
    return fail(options.data_dir +
                    " already holds Haven data; restore into a new directory (nothing was changed)",
                kExitBadData);
  if (!options.database.empty() && fs::exists(dir / "database", error) &&
      postgres_location(options.data_dir) != options.database)
    return fail(options.data_dir + "/database names another database than --database; choose one",
                2);
  const bool to_postgres =
      !options.database.empty() || !postgres_location(options.data_dir).empty();
  if (kind == BackupKind::kSqlite && to_postgres)
    return fail(
        "this is an SQLite backup: restore it into a directory without a database file, then use "
        "haven migrate",
        kExitBadData);
  if (kind == BackupKind::kPostgres && !to_postgres)
    return fail("this is a PostgreSQL backup: name an empty database with --database (or in " +
                    options.data_dir + "/database)",
                kExitBadData);

  const bool made_dir = !fs::exists(dir, error);
  fs::create_directories(dir, error);
  if (error) return fail("cannot create " + options.data_dir + ": " + error.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
  if (!options.database.empty() && postgres_location(options.data_dir).empty()) {
    std::ofstream out(dir / "database", std::ios::trunc);
    out << "# The PostgreSQL database of this data directory (written by haven restore)\n"
        << options.database << "\n";
    if (!out.flush()) return fail("cannot write " + options.data_dir + "/database");
  }
  if (kind == BackupKind::kSqlite) {
    fs::copy_file(backup, database_file(options.data_dir), error);
    if (error)
      return fail("cannot copy the backup into " + options.data_dir + ": " + error.message());
  } else if (auto restored = restore_postgres_backup(backup, postgres_location(options.data_dir));
             !restored.ok()) {
    if (made_dir) fs::remove_all(dir, error);  // nothing half-made is left behind
    return fail(restored.error());
  }
  fs::copy_file(keys, dir / "keys.json", error);
  if (error) return fail("cannot copy " + keys.string() + ": " + error.message());

  // The restored data must open under its master key, and its audit chain must hold.
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock);
  if (!data.ok()) return fail(data.error());
  auto verified = data->audit->verify({});
  if (!verified.ok()) return fail(verified.error());
  if (!verified->intact)
    return fail("the restored audit log does not verify: " + verified->problem, 4);
  if (auto recorded = data->record(
          "restore", "import", 0,
          {{"from", "backup"}, {"backend", kind == BackupKind::kSqlite ? "sqlite" : "postgresql"}});
      !recorded.ok())
    return fail(recorded.error());
  data->close_audit();
  std::fprintf(stderr, "Restored %s into %s; audit chain intact (%llu entries).\n",
               options.from.c_str(), options.data_dir.c_str(),
               static_cast<unsigned long long>(verified->entries));
  return 0;
}

}  // namespace haven::cli
