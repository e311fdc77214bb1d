#include "store/postgres_db.hpp"

#include <cstdio>
#include <cstdlib>

namespace haven::postgres {

namespace {

// Connection-class errors and shutdowns: the request may be retried once the server is back.
bool is_connection_state(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

std::string quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string Params::add(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return push(buffer, false);
}

std::string Params::add_null() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return "$" + std::to_string(values_.size());
}

std::string Params::push(std::string value, bool binary) {
  values_.emplace_back(std::move(value));
  formats_.push_back(binary ? 1 : 0);
  return "$" + std::to_string(values_.size());
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Rows::integer(int row, int column) const {
  return is_null(row, column) ? 0 : std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

double Rows::real(int row, int column) const {
  return is_null(row, column) ? 0.0 : std::strtod(PQgetvalue(result_.get(), row, column), nullptr);
}

std::string Rows::bytes(int row, int column) const {
  // bytea in text format is "\x" followed by two hex digits per byte (bytea_output = hex, the
  // default since PostgreSQL 9.0; the connection sets it explicitly).
  const char* text = PQgetvalue(result_.get(), row, column);
  const auto length = static_cast<std::size_t>(PQgetlength(result_.get(), row, column));
  if (length < 2 || text[0] != '\\' || text[1] != 'x') throw PgError("", "unexpected bytea encoding", false);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw PgError("", "unexpected bytea encoding", false);
  };
  std::string out;
  out.reserve((length - 2) / 2);
  for (std::size_t i = 2; i + 1 < length; i += 2)
    out.push_back(static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  return out;
}

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Connection::Connection(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (!conn_) throw PgError("", "out of memory connecting to PostgreSQL", true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("08001", message, true);
  }
  // Fixed session settings the backend relies on: UTC, hex bytea, and no notices on stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  execute("SET TIME ZONE 'UTC'; SET bytea_output = 'hex'; SET client_min_messages = warning");
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

void Connection::fail(PGresult* result) {
  std::string sqlstate, message;
  if (result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    sqlstate = state ? state : "";
    message = trimmed(PQresultErrorMessage(result));
    PQclear(result);
  }
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  const bool lost = PQstatus(conn_) != CONNECTION_OK || is_connection_state(sqlstate);
  throw PgError(sqlstate, message, lost);
}

Rows Connection::run(const std::string& sql, const Params& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "haven_" + std::to_string(prepared_.size());
    PGresult* made = PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.size()), nullptr);
    if (!made || PQresultStatus(made) != PGRES_COMMAND_OK) fail(made);
    PQclear(made);
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths;
  values.reserve(params.size());
  for (const auto& value : params.values_) {
    values.push_back(value ? value->data() : nullptr);
    lengths.push_back(value ? static_cast<int>(value->size()) : 0);
  }
  PGresult* result = PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(values.size()), values.data(),
                                    lengths.data(), params.formats_.data(), 0);
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(result);
  return Rows(result);
}

void Connection::execute(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(result);
  PQclear(result);
}

std::string Connection::where() const {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  const char* db = PQdb(conn_);
  return std::string("database ") + (db ? db : "?") + " on " + (host ? host : "?") + ":" + (port ? port : "?");
}

std::string Connection::conninfo_without_password() const {
  std::string out;
  PQconninfoOption* options = PQconninfo(conn_);
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (!o->val || !*o->val || std::string_view(o->keyword) == "password") continue;
    if (!out.empty()) out += ' ';
    out += std::string(o->keyword) + "=" + quoted(o->val);
  }
  PQconninfoFree(options);
  return out;
}

std::string Connection::password() const {
  const char* password = PQpass(conn_);
  return password ? password : "";
}

}  // namespace haven::postgres
