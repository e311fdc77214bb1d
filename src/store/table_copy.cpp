// haven migrate's engine: SQLite rows into PostgreSQL, as stored, resumable, verified. The target
// database's catalogue is the reference for tables, columns, types and primary keys (its schema
// comes from the same migrations at the same version); the source must have the same columns.
#include "store/table_copy.hpp"

#include <sodium.h>

#include <cstdio>
#include <map>
#include <set>

#include "store/postgres_backend.hpp"
#include "store/sqlite_db.hpp"
#include "store/table_copy_io.hpp"

namespace haven {

namespace {

namespace pg = postgres;
namespace lite = sqlite;
using namespace table_copy;  // NOLINT(google-build-using-namespace): the rows of this file

// Tables of the copy's own bookkeeping, removed once the copy is verified.
constexpr const char* kProgress = "haven_copy_progress";
constexpr const char* kSource = "haven_copy_source";
constexpr const char* kForeignKeys = "haven_copy_foreign_key";
constexpr std::size_t kBatchBytes = 16u << 20;  // a batch also ends here: evidence files are large

// ---- the source (SQLite) ----

// Rows after `after` (a key as key_json writes it; null = from the start) in key order.
std::vector<Row> sqlite_batch(lite::Connection& db, const Table& table, const Json& after,
                              std::size_t limit) {
  std::string sql = "SELECT " + column_list(table) + " FROM " + quoted(table.name);
  if (!after.is_null()) {
    sql += " WHERE (" + key_list(table) + ") > (";
    for (std::size_t k = 0; k < table.key.size(); ++k) sql += k ? ", ?" : "?";
    sql += ")";
  }
  sql += " ORDER BY " + key_list(table) + " LIMIT ?";
  lite::Statement stmt = db.prepare(sql);
  int index = 1;
  if (!after.is_null())
    for (const Json& part : after)
      part.is_number_integer() ? stmt.bind(index++, part.get<std::int64_t>())
                               : stmt.bind(index++, part.get<std::string>());
  stmt.bind(index, static_cast<std::int64_t>(limit));
  std::vector<Row> rows;
  std::size_t bytes = 0;
  while (bytes < kBatchBytes && stmt.step()) {
    rows.push_back(read_sqlite_row(table, stmt));
    for (const auto& v : rows.back()) bytes += v.bytes.size() + 8;
  }
  return rows;
}

std::uint64_t sqlite_count(lite::Connection& db, const std::string& table) {
  lite::Statement stmt = db.prepare("SELECT COUNT(*) FROM " + quoted(table));
  stmt.step();
  return static_cast<std::uint64_t>(stmt.integer(0));
}

std::set<std::string> sqlite_columns(lite::Connection& db, const std::string& table) {
  std::set<std::string> names;
  lite::Statement stmt = db.prepare("SELECT name FROM pragma_table_info(?)");
  stmt.bind(1, std::string_view(table));
  while (stmt.step()) names.insert(stmt.text(0));
  return names;
}

// ---- the target (PostgreSQL) ----

void pg_insert(pg::Connection& db, const Table& table, const std::vector<Row>& rows) {
  pg::Params p;
  std::string sql = "INSERT INTO " + quoted(table.name) + " (" + column_list(table) + ") VALUES ";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      sql += (c ? ", " : "") + add_pg_value(p, table.columns[c].type, rows[r][c]);
    sql += ")";
  }
  db.run(sql, p);
}

std::string pg_digest(pg::Connection& db, const Table& table, std::uint64_t& rows_seen,
                      std::size_t batch) {
  RowDigest digest;
  Json after;
  for (;;) {
    pg::Params p;
    std::string sql = "SELECT " + column_list(table) + " FROM " + quoted(table.name);
    if (!after.is_null()) {
      sql += " WHERE (" + key_list(table) + ") > (";
      for (std::size_t k = 0; k < after.size(); ++k)
        sql +=
            (k ? ", " : "") + (after[k].is_number_integer() ? p.add(after[k].get<std::int64_t>())
                                                            : p.add(after[k].get<std::string>()));
      sql += ")";
    }
    sql += " ORDER BY " + key_list(table) + " LIMIT " + p.add(static_cast<std::int64_t>(batch));
    const pg::Rows rows = db.run(sql, p);
    for (int r = 0; r < rows.size(); ++r) {
      const Row row = read_pg_row(table, rows, r);
      digest.add(table, row);
      if (r + 1 == rows.size()) after = key_json(table, row);
    }
    if (static_cast<std::size_t>(rows.size()) < batch) break;
  }
  rows_seen = digest.rows();
  return digest.finish();
}

// ---- the copy ----

class Copier {
 public:
  Copier(lite::Connection& source, pg::Connection& target, const TableCopyOptions& options)
      : source_(source), target_(target), options_(options) {}

  // Refuses a target that is not empty (unless it holds an unfinished copy of this source).
  Status check_target(const std::string& source_id, const std::set<std::string>& source_tables,
                      bool& resuming) {
    resuming = pg_has_table(target_, kProgress);
    if (resuming) {
      const pg::Rows rows = target_.run(std::string("SELECT source_id FROM ") + kSource);
      if (rows.empty() || rows.text(0, 0) != source_id)
        return Error{ErrorCode::kFailedPrecondition,
                     "the target database holds an unfinished copy of another database; drop it "
                     "and create an empty one",
                     ""};
      return Status::Ok();
    }
    if (pg_has_table(target_, "haven_schema_version")) {
      const pg::Rows v = target_.run("SELECT version FROM haven_schema_version");
      if (!v.empty() && v.integer(0, 0) > kLatestSchemaVersion)
        return Error{ErrorCode::kFailedPrecondition,
                     "the target database has schema version " + v.text(0, 0) +
                         ", newer than this Haven knows (" + std::to_string(kLatestSchemaVersion) +
                         "); name an empty database",
                     ""};
    }
    for (const std::string& name : pg_tables(target_)) {
      if (name == "haven_schema_version") continue;
      if (!source_tables.count(name))
        return Error{ErrorCode::kFailedPrecondition,
                     "the target database holds table " + name +
                         ", which is not Haven's; name an empty database",
                     ""};
      const pg::Rows any = target_.run("SELECT EXISTS (SELECT 1 FROM " + quoted(name) + ")");
      if (any.text(0, 0) == "t")
        return Error{
            ErrorCode::kFailedPrecondition,
            "the target database already holds data (table " + name + "); name an empty database",
            ""};
    }
    return Status::Ok();
  }

  // The bookkeeping tables, and the foreign keys set aside (recorded first, in one transaction).
  void prepare(const std::string& source_id) {
    target_.execute("BEGIN");
    target_.execute(std::string("CREATE TABLE IF NOT EXISTS ") + kProgress +
                    " (table_name TEXT PRIMARY KEY, rows_copied BIGINT NOT NULL, last_key TEXT, "
                    "done BOOLEAN NOT NULL)");
    target_.execute(std::string("CREATE TABLE IF NOT EXISTS ") + kSource +
                    " (source_id TEXT NOT NULL)");
    target_.execute(std::string("CREATE TABLE IF NOT EXISTS ") + kForeignKeys +
                    " (table_name TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL, "
                    "PRIMARY KEY (table_name, name))");
    if (target_.run(std::string("SELECT 1 FROM ") + kSource).empty()) {
      pg::Params p;
      const std::string sql =
          std::string("INSERT INTO ") + kSource + " VALUES (" + p.add(source_id) + ")";
      target_.run(sql, p);
    }
    target_.execute(std::string("INSERT INTO ") + kForeignKeys +
                    " SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                    "FROM pg_constraint c "
                    "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace ON "
                    "CONFLICT DO NOTHING");
    const pg::Rows keys = target_.run(std::string("SELECT table_name, name FROM ") + kForeignKeys);
    for (int r = 0; r < keys.size(); ++r)
      target_.execute("ALTER TABLE " + keys.text(r, 0) + " DROP CONSTRAINT IF EXISTS " +
                      quoted(keys.text(r, 1)));
    target_.execute("COMMIT");
  }

  void copy_table(const Table& table) {
    pg::Params p;
    std::string sql = std::string("SELECT rows_copied, last_key, done FROM ") + kProgress +
                      " WHERE table_name = " + p.add(table.name);
    const pg::Rows state = target_.run(sql, p);
    std::uint64_t copied = state.empty() ? 0 : static_cast<std::uint64_t>(state.integer(0, 0));
    Json after = state.empty() || state.is_null(0, 1) ? Json() : Json::parse(state.text(0, 1));
    const std::uint64_t total = sqlite_count(source_, table.name);
    if (!state.empty() && state.text(0, 2) == "t") {
      if (options_.table_done) options_.table_done(table.name);
      return;
    }
    const std::size_t batch =
        std::max<std::size_t>(1, std::min(options_.batch_rows, 30000 / table.columns.size()));
    for (;;) {
      const std::vector<Row> rows = sqlite_batch(source_, table, after, batch);
      target_.execute("BEGIN");
      if (!rows.empty()) {
        pg_insert(target_, table, rows);
        after = key_json(table, rows.back());
        copied += rows.size();
      }
      pg::Params u;
      const std::string upsert =
          std::string("INSERT INTO ") + kProgress + " VALUES (" + u.add(table.name) + ", " +
          u.add(static_cast<std::int64_t>(copied)) + ", " +
          (after.is_null() ? u.add_null() : u.add(after.dump())) + ", " +
          (rows.empty() ? "true" : "false") +
          ") ON CONFLICT (table_name) DO UPDATE SET rows_copied = excluded.rows_copied, "
          "last_key = excluded.last_key, done = excluded.done";
      target_.run(upsert, u);
      target_.execute("COMMIT");
      if (options_.progress) options_.progress(table.name, copied, total);
      if (rows.empty()) break;
    }
    if (options_.table_done) options_.table_done(table.name);
  }

  // Foreign keys back (each checked over the copied rows), identity sequences past the copied ids.
  void finish_schema(const std::vector<Table>& tables) {
    target_.execute("BEGIN");
    const pg::Rows keys =
        target_.run(std::string("SELECT table_name, name, definition FROM ") + kForeignKeys);
    for (int r = 0; r < keys.size(); ++r)
      target_.execute("ALTER TABLE " + keys.text(r, 0) + " ADD CONSTRAINT " +
                      quoted(keys.text(r, 1)) + " " + keys.text(r, 2));
    target_.execute(std::string("DELETE FROM ") + kForeignKeys);
    for (const Table& table : tables)
      for (const Column& column : table.columns) {
        if (!column.identity) continue;
        pg::Params p;
        const std::string max =
            "(SELECT MAX(" + quoted(column.name) + ") FROM " + quoted(table.name) + ")";
        const std::string sql = "SELECT setval(pg_get_serial_sequence(" +
                                p.add(quoted(table.name)) + ", " + p.add(column.name) +
                                "), COALESCE(" + max + ", 1), " + max + " IS NOT NULL)";
        target_.run(sql, p);
      }
    target_.execute("COMMIT");
  }

  TableChecksum verify(const Table& table) {
    TableChecksum sum;
    sum.table = table.name;
    RowDigest digest;
    lite::Statement stmt = source_.prepare("SELECT " + column_list(table) + " FROM " +
                                           quoted(table.name) + " ORDER BY " + key_list(table));
    while (stmt.step()) digest.add(table, read_sqlite_row(table, stmt));
    sum.source_rows = digest.rows();
    sum.source_sha256 = digest.finish();
    sum.target_sha256 =
        pg_digest(target_, table, sum.target_rows, std::max<std::size_t>(options_.batch_rows, 1));
    return sum;
  }

  void drop_bookkeeping() {
    target_.execute(std::string("DROP TABLE ") + kProgress + ", " + kSource + ", " + kForeignKeys);
  }

 private:
  lite::Connection& source_;
  pg::Connection& target_;
  const TableCopyOptions& options_;
};

// Identifies the source database: a digest of its system data key as wrapped (random per database).
std::string source_identity(lite::Connection& db) {
  lite::Statement stmt =
      db.prepare("SELECT wrapped FROM data_key WHERE org_id = 0 ORDER BY key_version LIMIT 1");
  std::string wrapped = stmt.step() ? stmt.blob(0) : std::string();
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(wrapped.data()), wrapped.size());
  return hex(out, sizeof out);
}

}  // namespace

Result<TableCopyReport> copy_sqlite_to_postgres(const std::filesystem::path& sqlite_file,
                                                const std::string& conninfo,
                                                const TableCopyOptions& options) {
  if (sodium_init() < 0) return Error{ErrorCode::kInternal, "libsodium failed to initialise", ""};
  TableCopyReport report;
  try {
    lite::Connection source(sqlite_file.string(), true);
    source.execute("BEGIN");  // one snapshot for the whole run
    {
      lite::Statement v = source.prepare("PRAGMA user_version");
      v.step();
      report.schema_version = static_cast<int>(v.integer(0));
    }
    if (report.schema_version != kLatestSchemaVersion)
      return Error{ErrorCode::kFailedPrecondition,
                   "the source database has schema version " +
                       std::to_string(report.schema_version) + ", not " +
                       std::to_string(kLatestSchemaVersion) +
                       "; open it once with this Haven (e.g. haven audit verify) to upgrade it",
                   ""};
    const std::string source_id = source_identity(source);

    std::set<std::string> source_tables;
    {
      lite::Statement list = source.prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
      while (list.step()) source_tables.insert(list.text(0));
    }
    pg::Connection target(conninfo);
    Copier copier(source, target, options);
    HAVEN_TRY(copier.check_target(source_id, source_tables, report.resumed));
    {
      // The schema, from the same migrations the server runs, at the source's version.
      const SystemClock clock;
      PostgresOptions schema_options;
      schema_options.target_version = report.schema_version;
      schema_options.max_connections = 1;
      pg::PostgresStore schema(conninfo, clock, std::move(schema_options));
      HAVEN_TRY(schema.create_schema());
      if (schema.schema_version() != report.schema_version)
        return Error{ErrorCode::kFailedPrecondition,
                     "the target database's schema is not at version " +
                         std::to_string(report.schema_version),
                     ""};
    }
    copier.prepare(source_id);

    std::vector<Table> tables;
    for (const std::string& name : pg_tables(target)) {
      if (name == "haven_schema_version" || name == "session" || name.rfind("haven_copy_", 0) == 0)
        continue;
      Table table = pg_table(target, name);
      std::set<std::string> wanted;
      for (const auto& c : table.columns) wanted.insert(c.name);
      if (!source_tables.count(name) || sqlite_columns(source, name) != wanted)
        return Error{ErrorCode::kFailedPrecondition,
                     "table " + name + " differs between the source and the target schema", ""};
      tables.push_back(std::move(table));
    }
    for (const Table& table : tables) copier.copy_table(table);
    copier.finish_schema(tables);
    std::vector<std::string> differing;
    for (const Table& table : tables) {
      report.tables.push_back(copier.verify(table));
      if (!report.tables.back().matches()) differing.push_back(table.name);
    }
    if (!differing.empty()) {
      std::string names;
      for (const auto& n : differing) names += (names.empty() ? "" : ", ") + n;
      return Error{ErrorCode::kInternal,
                   "the copy differs from the source in table(s) " + names +
                       "; drop the target database and migrate again",
                   ""};
    }
    copier.drop_bookkeeping();
    return report;
  } catch (const lite::SqliteError& e) {
    return Error{ErrorCode::kUnavailable,
                 std::string("reading the SQLite database failed: ") + e.what(), ""};
  } catch (const pg::PgError& e) {
    return pg::to_error(e);
  } catch (const Json::exception& e) {
    return Error{ErrorCode::kInternal,
                 std::string("the copy's progress record is unreadable: ") + e.what(), ""};
  }
}

}  // namespace haven
