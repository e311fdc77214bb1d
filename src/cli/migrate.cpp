// haven migrate: a field office's SQLite data directory into a PostgreSQL one, rows as stored
// (nothing is decrypted), resumable, verified by counts and checksums per table.
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/progress.hpp"
#include "store/table_copy.hpp"

namespace haven::cli {

namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The target directory: made with its `database` file when --database names the server, else it
// must already name one. keys.json, when present, must be the source's (an earlier, interrupted
// run).
Status prepare_target(const MigrateOptions& options) {
  const fs::path to(options.to);
  std::error_code error;
  if (!options.database.empty()) {
    if (fs::exists(to / "database", error) && postgres_location(options.to) != options.database)
      return Error{
          ErrorCode::kConflict,
          options.to + "/database names another database than --database; choose a new directory",
          ""};
    fs::create_directories(to, error);
    if (error)
      return Error{ErrorCode::kUnavailable, "cannot create " + options.to + ": " + error.message(),
                   ""};
    fs::permissions(to, fs::perms::owner_all, fs::perm_options::replace, error);
    std::ofstream out(to / "database", std::ios::trunc);
    out << "# The PostgreSQL database of this data directory (written by haven migrate)\n"
        << options.database << "\n";
    if (!out.flush())
      return Error{ErrorCode::kUnavailable, "cannot write " + options.to + "/database", ""};
  }
  if (postgres_location(options.to).empty())
    return invalid(
        options.to +
            " does not name a PostgreSQL database: give --database postgres://... (or a key=value "
            "connection string), or write it into " +
            options.to + "/database",
        "--to");
  if (fs::exists(to / "haven.db", error))
    return invalid(options.to + " holds an SQLite database; choose a new directory", "--to");
  const fs::path keys = to / "keys.json";
  if (fs::exists(keys, error) && file_text(keys) != file_text(fs::path(options.from) / "keys.json"))
    return Error{
        ErrorCode::kConflict,
        options.to + " already holds the keys of another data directory; choose a new directory",
        ""};
  fs::copy_file(fs::path(options.from) / "keys.json", keys, fs::copy_options::overwrite_existing,
                error);
  if (error)
    return Error{ErrorCode::kUnavailable,
                 "cannot copy keys.json into " + options.to + ": " + error.message(), ""};
  return Status::Ok();
}

void print_checksums(const TableCopyReport& report) {
  std::printf("%-22s %10s  %s\n", "table", "rows", "sha256 (source = target)");
  for (const auto& t : report.tables)
    std::printf("%-22s %10llu  %s%s\n", t.table.c_str(),
                static_cast<unsigned long long>(t.target_rows), t.target_sha256.c_str(),
                t.matches() ? "" : "  DIFFERS");
}

}  // namespace

int run_migrate(const MigrateOptions& options) {
  if (!postgres_location(options.from).empty())
    return fail(options.from +
                    " already uses PostgreSQL; haven migrate copies an SQLite data directory into "
                    "PostgreSQL",
                kExitBadData);
  if (!fs::exists(database_file(options.from)))
    return fail("no Haven data in " + options.from + " (no haven.db)", kExitBadData);
  if (std::error_code same_error; fs::equivalent(options.from, options.to, same_error))
    return fail("--from and --to are the same directory", 2);
  SystemClock clock;
  auto source = key_source_from(options.key_file, false);
  if (!source.ok()) return fail(source.error());
  {
    // Opening checks the master key, brings the schema up to date, and records the export.
    auto keys = KeyRing::open(options.from, *source);
    if (!keys.ok()) return fail(keys.error());
    auto data = open_with(options.from, std::move(keys.value()), clock);
    if (!data.ok()) return fail(data.error());
    if (auto recorded =
            data->record("migrate", "export", 0, {{"to", "postgresql"}, {"scope", "all"}});
        !recorded.ok())
      return fail(recorded.error());
    data->close_audit();
  }
  std::error_code error;
  const bool made_dir = !fs::exists(options.to, error);
  if (auto ready = prepare_target(options); !ready.ok()) {
    if (made_dir) fs::remove_all(options.to, error);
    return fail(ready.error());
  }

  std::map<std::string, std::unique_ptr<ProgressBar>> bars;
  TableCopyOptions copy;
  copy.progress = [&](const std::string& table, std::uint64_t done, std::uint64_t total) {
    auto& bar = bars[table];
    if (!bar) bar = std::make_unique<ProgressBar>(table);
    bar->update(done, total);
  };
  copy.table_done = [&](const std::string& table) {
    auto& bar = bars[table];
    if (!bar) bar = std::make_unique<ProgressBar>(table);
    bar->finish();
  };
  auto report =
      copy_sqlite_to_postgres(database_file(options.from), postgres_location(options.to), copy);
  bars.clear();
  if (!report.ok()) {
    // A refused target got nothing: leave no directory behind that looks like a copy. (An
    // interrupted copy keeps its directory, so that the same command resumes it.)
    if (made_dir && report.error().code == ErrorCode::kFailedPrecondition)
      fs::remove_all(options.to, error);
    return fail(report.error());
  }
  print_checksums(*report);

  // The copy opens under the same master key, and its audit chain holds.
  fs::copy_file(fs::path(options.from) / "audit.anchor", fs::path(options.to) / "audit.anchor",
                fs::copy_options::overwrite_existing, error);
  auto keys = KeyRing::open(options.to, *source);
  if (!keys.ok()) return fail(keys.error());
  auto target = open_with(options.to, std::move(keys.value()), clock);
  if (!target.ok()) return fail(target.error());
  std::optional<AuditLog::Anchor> anchor;
  if (auto read = AuditLog::read_anchor(fs::path(options.to) / "audit.anchor"); read.ok())
    anchor = *read;
  auto verified = target->audit->verify({}, anchor);
  if (!verified.ok()) return fail(verified.error());
  if (!verified->intact) return fail("the copied audit log does not verify: " + verified->problem);
  if (auto recorded =
          target->record("migrate", "import", 0, {{"from", "sqlite"}, {"scope", "all"}});
      !recorded.ok())
    return fail(recorded.error());
  target->close_audit();
  std::fprintf(stderr,
               "Migrated %s to %s: %zu tables%s, schema %d, audit chain intact (%llu entries). "
               "Serve it with "
               "haven serve --data %s\n",
               options.from.c_str(), options.to.c_str(), report->tables.size(),
               report->resumed ? " (resumed)" : "", report->schema_version,
               static_cast<unsigned long long>(verified->entries), options.to.c_str());
  return 0;
}

}  // namespace haven::cli
