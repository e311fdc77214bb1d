// CSV import and export of a data directory, with the users and organisations records refer to.
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "auth/auth.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/progress.hpp"
#include "csv/csv.hpp"

namespace haven::cli {
namespace {

namespace fs = std::filesystem;

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
    if (spec.org_scoped && !spec.workflow_only) kinds.push_back(spec.collection);
  return kinds;
}

int run_import(const TransferOptions& options) {
  if (options.kind.empty() == options.dir.empty())
    return fail("give either --kind with a FILE, or --dir with <kind>.csv files", 2);
  SystemClock clock;
  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
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
  auto data = open_existing(options.data_dir, options.key_file, clock, options.database);
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

}  // namespace haven::cli
