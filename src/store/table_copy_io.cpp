// Rows between the backends for table_copy.cpp (SQLite into PostgreSQL) and field_copy.cpp
// (PostgreSQL into SQLite).
#include "store/table_copy_io.hpp"

namespace haven::table_copy {

namespace pg = postgres;
namespace lite = sqlite;

Row read_sqlite_row(const Table& table, const lite::Statement& stmt) {
  Row row(table.columns.size());
  for (std::size_t c = 0; c < row.size(); ++c) {
    const int i = static_cast<int>(c);
    Value& v = row[c];
    v.null = stmt.is_null(i);
    if (v.null) continue;
    switch (table.columns[c].type) {
      case Type::kInteger:
        v.integer = stmt.integer(i);
        break;
      case Type::kReal:
        v.real = stmt.real(i);
        break;
      case Type::kText:
        v.bytes = stmt.text(i);
        break;
      case Type::kBytes:
        v.bytes = stmt.blob(i);
        break;
    }
  }
  return row;
}

void bind_sqlite_row(lite::Statement& stmt, const Table& table, const Row& row) {
  for (std::size_t c = 0; c < row.size(); ++c) {
    const int index = static_cast<int>(c) + 1;
    const Value& v = row[c];
    if (v.null) {
      stmt.bind_null(index);
      continue;
    }
    switch (table.columns[c].type) {
      case Type::kInteger:
        stmt.bind(index, v.integer);
        break;
      case Type::kReal:
        stmt.bind(index, v.real);
        break;
      case Type::kText:
        stmt.bind(index, std::string_view(v.bytes));
        break;
      case Type::kBytes:
        stmt.bind_blob(index, v.bytes);
        break;
    }
  }
}

std::string add_pg_value(pg::Params& params, Type type, const Value& value) {
  if (value.null) return params.add_null();
  switch (type) {
    case Type::kInteger:
      return params.add(value.integer);
    case Type::kReal:
      return params.add(value.real);
    case Type::kBytes:
      return params.add_bytes(value.bytes);
    case Type::kText:
      break;
  }
  return params.add(std::string_view(value.bytes));
}

bool pg_has_table(pg::Connection& db, const std::string& name) {
  pg::Params p;
  const std::string sql = "SELECT to_regclass(quote_ident(" + p.add(name) + ")) IS NOT NULL";
  return db.run(sql, p).text(0, 0) == "t";
}

std::vector<std::string> pg_tables(pg::Connection& db) {
  const pg::Rows rows = db.run(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
      "AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE \"C\"");
  std::vector<std::string> names;
  for (int r = 0; r < rows.size(); ++r) names.push_back(rows.text(r, 0));
  return names;
}

Table pg_table(pg::Connection& db, const std::string& name) {
  Table table{name, {}, {}};
  pg::Params p;
  std::string sql =
      "SELECT column_name, data_type, is_identity FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = " +
      p.add(name) + " ORDER BY ordinal_position";
  const pg::Rows columns = db.run(sql, p);
  for (int r = 0; r < columns.size(); ++r) {
    const std::string type = columns.text(r, 1);
    Column column{columns.text(r, 0), Type::kText, columns.text(r, 2) == "YES"};
    if (type == "bigint" || type == "integer" || type == "smallint")
      column.type = Type::kInteger;
    else if (type == "double precision" || type == "real")
      column.type = Type::kReal;
    else if (type == "bytea")
      column.type = Type::kBytes;
    table.columns.push_back(std::move(column));
  }
  pg::Params k;
  sql =
      "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
      "a.attnum = ANY(i.indkey) "
      "WHERE i.indrelid = to_regclass(quote_ident(" +
      k.add(name) +
      ")) AND i.indisprimary "
      "ORDER BY array_position(i.indkey::int2[], a.attnum)";
  const pg::Rows key = db.run(sql, k);
  for (int r = 0; r < key.size(); ++r)
    for (std::size_t c = 0; c < table.columns.size(); ++c)
      if (table.columns[c].name == key.text(r, 0)) table.key.push_back(c);
  if (table.key.empty())
    throw pg::PgError("", "table " + name + " has no primary key to copy it in order by", false);
  return table;
}

Row read_pg_row(const Table& table, const pg::Rows& rows, int r) {
  Row row(table.columns.size());
  for (std::size_t c = 0; c < row.size(); ++c) {
    const int i = static_cast<int>(c);
    Value& v = row[c];
    v.null = rows.is_null(r, i);
    if (v.null) continue;
    switch (table.columns[c].type) {
      case Type::kInteger:
        v.integer = rows.integer(r, i);
        break;
      case Type::kReal:
        v.real = rows.real(r, i);
        break;
      case Type::kText:
        v.bytes = rows.text(r, i);
        break;
      case Type::kBytes:
        v.bytes = rows.bytes(r, i);
        break;
    }
  }
  return row;
}

std::vector<ForeignKey> pg_foreign_keys(pg::Connection& db) {
  const pg::Rows rows = db.run(
      "SELECT t.relname, a.attname, r.relname FROM pg_constraint c "
      "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
      "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
      "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace "
      "ORDER BY t.relname COLLATE \"C\", a.attname COLLATE \"C\"");
  std::vector<ForeignKey> keys;
  for (int r = 0; r < rows.size(); ++r)
    keys.push_back({rows.text(r, 0), rows.text(r, 1), rows.text(r, 2)});
  return keys;
}

}  // namespace haven::table_copy
