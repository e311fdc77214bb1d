// haven restore for PostgreSQL: pg_restore of a backup_to archive into an empty database.
#include "store/postgres_backend.hpp"

namespace haven {

Status restore_postgres_backup(const std::filesystem::path& archive, const std::string& conninfo,
                               const std::string& pg_restore) {
  std::string where, plain_conninfo, password;
  try {
    postgres::Connection db(conninfo);
    where = db.where();
    plain_conninfo = db.conninfo_without_password();
    password = db.password();
    const postgres::Rows tables = db.run(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', "
        "'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%'");
    if (tables.integer(0, 0) != 0)
      return Error{ErrorCode::kFailedPrecondition,
                   "the " + where +
                       " is not empty; a restore needs a new, empty database (createdb) and never "
                       "overwrites one",
                   ""};
  } catch (const postgres::PgError& e) {
    return postgres::to_error(e);
  }
  const int status = postgres::run_client_tool(
      {pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
       "--no-password", "--dbname=" + plain_conninfo, archive.string()},
      password);
  if (status == -1)
    return Error{
        ErrorCode::kFailedPrecondition,
        "cannot run " + pg_restore +
            ": restoring a PostgreSQL backup needs pg_restore (Debian package postgresql-client)",
        ""};
  if (status != 0)
    return Error{
        ErrorCode::kUnavailable,
        "pg_restore failed (see its message above); nothing was restored into the " + where, ""};
  return Status::Ok();
}

}  // namespace haven
