// haven migrate: a field office's SQLite data directory into a PostgreSQL one, rows as stored
// (nothing is decrypted), resumable, verified by counts and checksums per table; and back, some
// cases of a PostgreSQL data directory into a new SQLite one for the field.
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

// One progress bar per table being copied, drawn as the copy reports; clear() ends them all.
class TableProgressBars {
 public:
  TableCopyOptions copy_options() {
    TableCopyOptions copy;
    copy.progress = [this](const std::string& table, std::uint64_t done, std::uint64_t total) {
      bar(table).update(done, total);
    };
    copy.table_done = [this](const std::string& table) { bar(table).finish(); };
    return copy;
  }
  void clear() { bars_.clear(); }

 private:
  ProgressBar& bar(const std::string& table) {
    auto& bar = bars_[table];
    if (!bar) bar = std::make_unique<ProgressBar>(table);
    return *bar;
  }
  std::map<std::string, std::unique_ptr<ProgressBar>> bars_;
};

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

// A field copy: some cases of a PostgreSQL data directory into a new SQLite one.
int run_field_copy(const MigrateOptions& options, const std::string& source_database) {
  if (!options.database.empty())
    return fail("--database names a PostgreSQL target; a field copy from PostgreSQL goes into SQLite (--to)", 2);
  if (options.case_ids.empty() && options.org_id == 0 && options.region.empty())
    return fail(options.from + " uses PostgreSQL: say which cases to copy into the field with --cases ID,ID, "
                    "--org ID and/or --region R",
                2);
  const fs::path to(options.to);
  std::error_code error;
  if (fs::exists(to, error) && !fs::is_empty(to, error))
    return fail(options.to + " is not empty; a field copy goes into a new directory", kExitBadData);
  SystemClock clock;
  auto source = key_source_from(options.key_file, false);
  if (!source.ok()) return fail(source.error());
  CaseSelection selection{options.case_ids, options.org_id, options.region};
  // The national log records the copy before it starts (an attempt that fails is recorded too);
  // its last entry then is what the copy's own log starts from.
  AuditLog::Anchor national_anchor;
  {
    auto keys = KeyRing::open(options.from, *source);
    if (!keys.ok()) return fail(keys.error());
    auto national = open_with(options.from, std::move(keys.value()), clock, options.from_database);
    if (!national.ok()) return fail(national.error());
    Json scope = {{"to", "sqlite"}, {"scope", "cases"}};
    if (!selection.case_ids.empty()) {
      if (selection.case_ids.size() <= 200) scope["case_ids"] = selection.case_ids;
      else scope["case_count"] = selection.case_ids.size();
    }
    if (selection.org_id != 0) scope["org"] = selection.org_id;
    if (!selection.region.empty()) scope["region"] = selection.region;
    if (auto recorded = national->record("migrate", "export", selection.org_id, scope); !recorded.ok())
      return fail(recorded.error());
    auto anchor = national->audit->current_anchor();
    if (!anchor.ok()) return fail(anchor.error());
    national_anchor = *anchor;
    national->close_audit();
  }

  const bool made_dir = !fs::exists(to, error);
  fs::create_directories(to, error);
  if (error) return fail("cannot create " + options.to + ": " + error.message());
  fs::permissions(to, fs::perms::owner_all, fs::perm_options::replace, error);  // survivors' data: owner only
  auto undo = [&] {
    if (made_dir) fs::remove_all(to, error);
    else for (const char* name : {"keys.json", "haven.db", "audit.anchor"}) fs::remove(to / name, error);
  };
  fs::copy_file(fs::path(options.from) / "keys.json", to / "keys.json", error);
  if (error) {
    undo();
    return fail("cannot copy keys.json into " + options.to + ": " + error.message());
  }
  TableProgressBars bars;
  const TableCopyOptions copy = bars.copy_options();
  auto report = copy_cases_to_sqlite(source_database, database_file(options.to), selection, copy);
  bars.clear();
  if (!report.ok()) {
    undo();
    return fail(report.error());
  }
  print_checksums(*report);

  // The copy's own audit chain (under its own system key) starts by naming the national log's entry.
  auto keys = KeyRing::open(options.to, *source);
  if (!keys.ok()) return fail(keys.error());
  auto field = open_with(options.to, std::move(keys.value()), clock);
  if (!field.ok()) return fail(field.error());
  const Json imported = {{"from", "postgresql"},
                         {"scope", "cases"},
                         {"cases", report->cases},
                         {"persons", report->persons},
                         {"source_audit_seq", national_anchor.last_seq},
                         {"source_audit_hash", national_anchor.last_hash}};
  if (auto recorded = field->record("migrate", "import", selection.org_id, imported); !recorded.ok())
    return fail(recorded.error());
  if (auto flushed = field->audit->flush(); !flushed.ok()) return fail(flushed.error());
  auto verified = field->audit->verify({});
  if (!verified.ok()) return fail(verified.error());
  if (!verified->intact) return fail("the field copy's audit log does not verify: " + verified->problem);
  field->close_audit();
  std::string organisations;
  for (std::int64_t org : report->organisations) organisations += (organisations.empty() ? "" : ", ") + std::to_string(org);
  std::fprintf(stderr,
               "Copied %llu cases and %llu persons of organisation(s) %s from %s to %s (SQLite, schema %d); its audit "
               "log starts after entry %lld of the national log. Serve it with haven serve --data %s\n",
               static_cast<unsigned long long>(report->cases), static_cast<unsigned long long>(report->persons),
               organisations.c_str(), options.from.c_str(), options.to.c_str(), report->schema_version,
               static_cast<long long>(national_anchor.last_seq), options.to.c_str());
  return 0;
}

}  // namespace

int run_migrate(const MigrateOptions& options) {
  if (std::error_code same_error; fs::equivalent(options.from, options.to, same_error))
    return fail("--from and --to are the same directory", 2);
  if (const std::string source = database_location(options.from, options.from_database); !source.empty())
    return run_field_copy(options, source);
  if (!options.case_ids.empty() || options.org_id != 0 || !options.region.empty())
    return fail("--cases, --org and --region choose the cases of a field copy from PostgreSQL; " + options.from +
                    " uses SQLite, and haven migrate copies it whole",
                2);
  if (!fs::exists(database_file(options.from)))
    return fail("no Haven data in " + options.from + " (no haven.db)", kExitBadData);
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

  TableProgressBars bars;
  const TableCopyOptions copy = bars.copy_options();
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
