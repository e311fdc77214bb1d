// haven migrate's reverse direction: some cases of a PostgreSQL database, and everything that hangs
// off them, into a new SQLite database for a field laptop. Rows are copied as stored (sealed
// values stay sealed, data keys stay wrapped), in one snapshot of the source and one transaction
// of the target, and verified by count and checksum per table. What is copied is decided by the
// foreign keys of the schema, so that the copy is closed (no row refers to one left behind):
//
//   organisation                   every row (shared references: referrals and consents name them)
//   case                           the selection
//   person                         everyone with a role in a selected case, and the persons merged
//                                  into or out of them (so merges can be undone in the field)
//   a table with foreign keys      a row that refers to a copied row and to nothing left behind
//                                  (events, legal cases, hearings, services, consents, evidence
//                                  files, assignments, search encodings, duplicate reviews ...)
//   a table of one organisation    the rows of the selected cases' organisations (users, form
//                                  definitions, trainings)
//   data_key                       the data keys of those organisations, wrapped as stored; never
//                                  the system key (organisation 0): the copy makes its own, so the
//                                  national audit chain's key never leaves the national database
//   code_sequence                  those organisations' counters, so display codes stay unique
//   blind_index                    the look-up digests of the copied records
//   session, audit_log             not copied (see table_copy.hpp)
#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>

#include "store/postgres_backend.hpp"
#include "store/sqlite_backend.hpp"
#include "store/table_copy.hpp"
#include "store/table_copy_io.hpp"

namespace haven {

namespace {

namespace pg = postgres;
namespace lite = sqlite;
using namespace table_copy;  // NOLINT(google-build-using-namespace): the rows of this file

constexpr int kBatchRows = 1000;

bool not_copied(const std::string& table) {
  return table == "session" || table == "audit_log" || table == "haven_schema_version" ||
         table.rfind("haven_copy_", 0) == 0;
}

std::string id_array(const std::set<std::int64_t>& ids) {
  std::string out = "{";
  for (std::int64_t id : ids) out += (out.size() > 1 ? "," : "") + std::to_string(id);
  return out + "}";
}

bool has_column(const Table& table, const std::string& name) {
  return std::any_of(table.columns.begin(), table.columns.end(),
                     [&](const Column& c) { return c.name == name; });
}

class FieldCopier {
 public:
  FieldCopier(pg::Connection& source, lite::Connection& target, const TableCopyOptions& options)
      : source_(source), target_(target), options_(options) {
    for (const auto& key : pg_foreign_keys(source_))
      if (key.references != "organisation")
        references_[key.table].emplace_back(key.column, key.references);
  }

  Status select_cases(const CaseSelection& selection) {
    pg::Params p;
    std::string where = "TRUE";
    if (!selection.case_ids.empty())
      where += " AND id = ANY(" +
               p.add(id_array(
                   std::set<std::int64_t>(selection.case_ids.begin(), selection.case_ids.end()))) +
               "::bigint[])";
    if (selection.org_id != 0) where += " AND org_id = " + p.add(selection.org_id);
    if (!selection.region.empty()) where += " AND f_region = " + p.add(selection.region);
    const pg::Rows rows = source_.run("SELECT id, org_id FROM \"case\" WHERE " + where, p);
    std::set<std::int64_t>& cases = copied_["case"];
    for (int r = 0; r < rows.size(); ++r) {
      cases.insert(rows.integer(r, 0));
      organisations_.insert(rows.integer(r, 1));
    }
    for (std::int64_t id : selection.case_ids)
      if (!cases.count(id))
        return Error{ErrorCode::kInvalidArgument,
                     "case " + std::to_string(id) + " does not exist" +
                         (selection.org_id != 0 || !selection.region.empty()
                              ? " in the organisation or region given"
                              : ""),
                     "--cases"};
    if (cases.empty())
      return Error{ErrorCode::kInvalidArgument, "no case matches the selection; nothing to copy",
                   ""};
    return Status::Ok();
  }

  // Everyone with a role in a selected case, then the persons merged into or out of them, until
  // nothing more joins.
  void select_persons() {
    std::set<std::int64_t>& persons = copied_["person"];
    {
      pg::Params p;
      const std::string sql = "SELECT DISTINCT f_person_id FROM case_person WHERE org_id = ANY(" +
                              p.add(id_array(organisations_)) + "::bigint[]) AND f_case_id = ANY(" +
                              p.add(id_array(copied_["case"])) +
                              "::bigint[]) AND f_person_id IS NOT NULL";
      const pg::Rows rows = source_.run(sql, p);
      for (int r = 0; r < rows.size(); ++r) persons.insert(rows.integer(r, 0));
    }
    for (std::size_t before = 0; before != persons.size();) {
      before = persons.size();
      pg::Params p;
      const std::string ids = p.add(id_array(persons));
      const pg::Rows rows =
          source_.run("SELECT f_merged_into FROM person WHERE id = ANY(" + ids +
                          "::bigint[]) AND f_merged_into IS NOT NULL UNION SELECT id FROM person "
                          "WHERE f_merged_into = ANY(" +
                          ids + "::bigint[])",
                      p);
      for (int r = 0; r < rows.size(); ++r) persons.insert(rows.integer(r, 0));
    }
  }

  // The tables in the order they are copied: the roots, then every table after the tables it
  // refers to, then the tables that describe the copied rows.
  std::vector<std::string> order(const std::vector<std::string>& tables) const {
    std::vector<std::string> ordered = {"organisation", "case", "person"};
    std::set<std::string> placed(ordered.begin(), ordered.end());
    const std::set<std::string> last = {"data_key", "code_sequence", "blind_index"};
    for (bool progress = true; progress;) {
      progress = false;
      for (const auto& table : tables) {
        if (placed.count(table) || last.count(table) || not_copied(table)) continue;
        bool ready = true;
        if (auto refs = references_.find(table); refs != references_.end())
          for (const auto& [column, referenced] : refs->second)
            ready = ready && (referenced == table || placed.count(referenced));
        if (!ready) continue;
        ordered.push_back(table);
        placed.insert(table);
        progress = true;
      }
    }
    for (const auto& table : tables)
      if (!placed.count(table) && !not_copied(table) && !last.count(table))
        ordered.push_back(table);  // a cycle: refused below
    for (const char* table : {"data_key", "code_sequence", "blind_index"})
      ordered.emplace_back(table);
    return ordered;
  }

  // The condition choosing the rows of `table` to copy, its values added to `p`.
  std::string rule(const Table& table, pg::Params& p) {
    auto ids = [&](const std::string& name) {
      return p.add(id_array(copied_[name])) + "::bigint[]";
    };
    auto orgs = [&] { return p.add(id_array(organisations_)) + "::bigint[]"; };
    const std::string& name = table.name;
    if (name == "organisation") return "TRUE";
    if (name == "case" || name == "person") return "id = ANY(" + ids(name) + ")";
    if (name == "data_key") return "org_id = ANY(" + orgs() + ")";
    if (name == "code_sequence") return "(org_id = 0 OR org_id = ANY(" + orgs() + "))";
    if (name == "blind_index") {
      std::string any;
      for (const auto& [copied_table, copied_ids] : copied_) {
        const EntitySpec* spec = find_entity(copied_table);
        if (!spec || copied_ids.empty()) continue;
        any += (any.empty() ? "" : " OR ") + std::string("(kind = ") + p.add(spec->kind) +
               " AND record_id = ANY(" + ids(copied_table) + "))";
      }
      return any.empty() ? "FALSE" : "org_id = ANY(" + orgs() + ") AND (" + any + ")";
    }
    const auto refs = references_.find(name);
    if (refs == references_.end()) {
      if (has_column(table, "org_id"))
        return "org_id = ANY(" + orgs() + ")";  // a table of one organisation
      throw pg::PgError("", "no rule says which rows of table " + name + " a field copy takes",
                        false);
    }
    // Rows that refer to a copied row, and to no row left behind; within the organisations (which
    // lets PostgreSQL use the (org_id, f_..._id, id) indexes).
    std::string any, all;
    for (const auto& [column, referenced] : refs->second) {
      if (!done_.count(referenced) && referenced != name)
        throw pg::PgError(
            "", "table " + name + " refers to " + referenced + ", which is copied after it", false);
      const std::string in = quoted(column) + " = ANY(" + ids(referenced) + ")";
      any += (any.empty() ? "" : " OR ") + in;
      all += " AND (" + quoted(column) + " IS NULL OR " + in + ")";
    }
    return (has_column(table, "org_id") ? "org_id = ANY(" + orgs() + ") AND " : std::string()) +
           "(" + any + ")" + all;
  }

  // Copies the chosen rows of `table` in key order, keeping their digest and their ids.
  TableChecksum copy(const Table& table) {
    TableChecksum sum;
    sum.table = table.name;
    std::uint64_t total = 0;
    {
      pg::Params p;
      const std::string where = rule(table, p);
      total = static_cast<std::uint64_t>(
          source_.run("SELECT count(*) FROM " + quoted(table.name) + " WHERE " + where, p)
              .integer(0, 0));
    }
    std::string insert =
        "INSERT INTO " + quoted(table.name) + " (" + column_list(table) + ") VALUES (";
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      insert += (c ? ", ?" : "?") + std::to_string(c + 1);
    insert += ")";
    std::size_t id_column = table.columns.size();
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c].name == "id" && table.columns[c].type == Type::kInteger) id_column = c;
    RowDigest digest;
    // One cursor per table, planned once with the id lists as they are: batches by key ("after the
    // last key") made PostgreSQL walk a composite primary key from the start for every id of the
    // list, every batch. Evidence files (up to 32 MiB each) come a few at a time.
    pg::Params p;
    source_.run("DECLARE haven_field_copy NO SCROLL CURSOR FOR SELECT " + column_list(table) +
                    " FROM " + quoted(table.name) + " WHERE " + rule(table, p) + " ORDER BY " +
                    key_list(table),
                p);
    const int batch = table.name == "evidence_file" ? 4 : kBatchRows;
    for (;;) {
      const pg::Rows rows =
          source_.run("FETCH " + std::to_string(batch) + " FROM haven_field_copy");
      for (int r = 0; r < rows.size(); ++r) {
        const Row row = read_pg_row(table, rows, r);
        lite::Statement stmt = target_.prepare(insert);
        bind_sqlite_row(stmt, table, row);
        stmt.step();
        digest.add(table, row);
        if (id_column < row.size()) copied_[table.name].insert(row[id_column].integer);
      }
      if (options_.progress) options_.progress(table.name, digest.rows(), total);
      if (rows.size() < batch) break;
    }
    source_.execute("CLOSE haven_field_copy");
    done_.insert(table.name);
    if (options_.table_done) options_.table_done(table.name);
    sum.source_rows = digest.rows();
    sum.source_sha256 = digest.finish();
    return sum;
  }

  // The target's side of the checksum: the whole table (it holds only what was copied).
  void verify(const Table& table, TableChecksum& sum) {
    RowDigest digest;
    lite::Statement stmt = target_.prepare("SELECT " + column_list(table) + " FROM " +
                                           quoted(table.name) + " ORDER BY " + key_list(table));
    while (stmt.step()) digest.add(table, read_sqlite_row(table, stmt));
    sum.target_rows = digest.rows();
    sum.target_sha256 = digest.finish();
  }

  const std::set<std::int64_t>& organisations() const { return organisations_; }
  std::size_t copied(const std::string& table) { return copied_[table].size(); }

 private:
  pg::Connection& source_;
  lite::Connection& target_;
  const TableCopyOptions& options_;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>>
      references_;                                        // organisation left out
  std::map<std::string, std::set<std::int64_t>> copied_;  // ids of the copied rows, by table
  std::set<std::string> done_;                            // tables copied so far
  std::set<std::int64_t> organisations_;                  // of the selected cases
};

// The copy itself; on failure the caller removes the new file.
Result<FieldCopyReport> copy_into(const std::string& conninfo,
                                  const std::filesystem::path& sqlite_file,
                                  const CaseSelection& selection, const TableCopyOptions& options) {
  FieldCopyReport report;
  try {
    pg::Connection source(conninfo);
    // Every statement is planned with its own id lists (a generic plan, which PostgreSQL picks
    // after five runs of a statement, cannot see how many ids an array holds), and a cursor for the
    // whole of a table's rows rather than for its first ones.
    source.execute("SET plan_cache_mode = force_custom_plan; SET cursor_tuple_fraction = 1.0");
    // One snapshot for the whole copy: writers on other servers go on, unseen.
    source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (pg_has_table(source, "haven_copy_progress"))
      return Error{ErrorCode::kFailedPrecondition,
                   "the source database is still being filled by an unfinished haven migrate; "
                   "finish that first",
                   ""};
    if (!pg_has_table(source, "haven_schema_version"))
      return Error{ErrorCode::kFailedPrecondition, "the source database holds no Haven data", ""};
    report.schema_version =
        static_cast<int>(source.run("SELECT version FROM haven_schema_version").integer(0, 0));
    if (report.schema_version != kLatestSchemaVersion)
      return Error{ErrorCode::kFailedPrecondition,
                   "the source database has schema version " +
                       std::to_string(report.schema_version) + "; this Haven copies version " +
                       std::to_string(kLatestSchemaVersion) + " (upgrade the one that is older)",
                   ""};
    {
      // The target's schema, from the same migrations at the same version; no key is read or made.
      const SystemClock clock;
      SqliteOptions schema_options;
      schema_options.target_version = report.schema_version;
      schema_options.max_readers = 1;
      lite::SqliteStore schema(sqlite_file, clock, schema_options);
      HAVEN_TRY(schema.open());
    }
    lite::Connection target(sqlite_file.string(), false);
    // All or nothing: one transaction, foreign keys checked at its end (persons merged into a
    // person with a higher id arrive before it).
    target.execute("PRAGMA foreign_keys = ON; BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON;");
    FieldCopier copier(source, target, options);
    HAVEN_TRY(copier.select_cases(selection));
    copier.select_persons();
    for (const std::string& name : copier.order(pg_tables(source))) {
      const Table table = pg_table(source, name);
      report.tables.push_back(copier.copy(table));
    }
    std::vector<std::string> differing;
    for (auto& sum : report.tables) {
      copier.verify(pg_table(source, sum.table), sum);
      if (!sum.matches()) differing.push_back(sum.table);
    }
    {
      lite::Statement dangling = target.prepare("PRAGMA foreign_key_check");
      if (dangling.step())
        return Error{ErrorCode::kInternal,
                     "the copy is not closed: table " + dangling.text(0) + " refers to a row of " +
                         dangling.text(2) + " that was not copied; nothing was kept",
                     ""};
    }
    if (!differing.empty()) {
      std::string names;
      for (const auto& n : differing) names += (names.empty() ? "" : ", ") + n;
      return Error{ErrorCode::kInternal,
                   "the copy differs from the source in table(s) " + names + "; nothing was kept",
                   ""};
    }
    target.execute("COMMIT");
    report.cases = copier.copied("case");
    report.persons = copier.copied("person");
    report.organisations.assign(copier.organisations().begin(), copier.organisations().end());
    source.execute("COMMIT");
    return report;
  } catch (const lite::SqliteError& e) {
    return lite::to_error(e);
  } catch (const pg::PgError& e) {
    return pg::to_error(e);
  } catch (const Json::exception& e) {
    return Error{ErrorCode::kInternal, std::string("a row key is unreadable: ") + e.what(), ""};
  }
}

}  // namespace

Result<FieldCopyReport> copy_cases_to_sqlite(const std::string& conninfo,
                                             const std::filesystem::path& sqlite_file,
                                             const CaseSelection& selection,
                                             const TableCopyOptions& options) {
  if (sodium_init() < 0) return Error{ErrorCode::kInternal, "libsodium failed to initialise", ""};
  if (selection.case_ids.empty() && selection.org_id == 0 && selection.region.empty())
    return Error{ErrorCode::kInvalidArgument,
                 "say which cases to copy: case ids, an organisation or a region", ""};
  std::error_code exists_error;
  if (std::filesystem::exists(sqlite_file, exists_error))
    return Error{ErrorCode::kFailedPrecondition,
                 sqlite_file.string() + " already exists; a field copy goes into a new database",
                 ""};
  auto report = copy_into(conninfo, sqlite_file, selection, options);
  if (!report.ok())  // nothing is kept: not even the empty schema
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(sqlite_file.string() + suffix, exists_error);
  return report;
}

}  // namespace haven
