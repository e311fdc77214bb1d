// Private to haven_store: reading and writing the rows of table_copy_rows.hpp on each backend, and
// the PostgreSQL catalogue that describes the tables (both copies take it as the reference: the
// two schemas come from the same migrations at the same version).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/postgres_db.hpp"
#include "store/sqlite_db.hpp"
#include "store/table_copy_rows.hpp"

namespace haven::table_copy {

// A row of `table` from the current row of `stmt`, its columns in the table's order.
Row read_sqlite_row(const Table& table, const sqlite::Statement& stmt);
// Row `r` of `rows`, its columns in the table's order.
Row read_pg_row(const Table& table, const postgres::Rows& rows, int r);
// Binds `row` to ?1..?n of an INSERT naming the table's columns in order.
void bind_sqlite_row(sqlite::Statement& stmt, const Table& table, const Row& row);
// Appends `value` of a column of type `type` to `params`; returns its placeholder.
std::string add_pg_value(postgres::Params& params, Type type, const Value& value);

bool pg_has_table(postgres::Connection& db, const std::string& name);
// The base tables of the current schema, by name in byte order.
std::vector<std::string> pg_tables(postgres::Connection& db);
// A table's columns with their types, and its primary key. Throws PgError for a table without one.
Table pg_table(postgres::Connection& db, const std::string& name);

// One foreign key column: `table`.`column` REFERENCES `references`.
struct ForeignKey {
  std::string table, column, references;
};
std::vector<ForeignKey> pg_foreign_keys(postgres::Connection& db);

}  // namespace haven::table_copy
