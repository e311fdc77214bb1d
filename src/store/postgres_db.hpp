// Private to haven_store: a thin RAII layer over libpq. Exceptions (PgError) are used inside the
// store and turned into Status at its border, as with sqlite_db.hpp. Every statement is sent with
// its values as separate parameters ($1, $2, ...), never spliced into the SQL text.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace haven::postgres {

struct PgError : std::runtime_error {
  PgError(std::string sqlstate, const std::string& message, bool connection_lost)
      : std::runtime_error(message), sqlstate(std::move(sqlstate)), connection_lost(connection_lost) {}
  std::string sqlstate;  // e.g. 23505 unique_violation; empty when the server never answered
  bool connection_lost;  // the connection is unusable: discard it
};

// Positional parameters. Each add() returns its placeholder ("$3") for the SQL being built, so the
// text and the values cannot drift apart.
class Params {
 public:
  std::string add(std::int64_t value) { return push(std::to_string(value), false); }
  std::string add(double value);
  std::string add(std::string_view text) { return push(std::string(text), false); }
  std::string add(const char* text) { return add(std::string_view(text)); }
  std::string add_bytes(std::string_view bytes) { return push(std::string(bytes), true); }  // bytea
  std::string add_null();
  std::size_t size() const { return values_.size(); }

 private:
  friend class Connection;
  std::string push(std::string value, bool binary);
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
};

// The rows of one statement's result, in libpq's text format.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  double real(int row, int column) const;
  std::string bytes(int row, int column) const;  // a bytea column, decoded
  std::int64_t affected() const;                 // rows changed by INSERT/UPDATE/DELETE

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One connection with its prepared-statement cache. Not thread-safe: one user at a time (the pool
// hands it out).
class Connection {
 public:
  // Throws PgError (connection_lost) when the server cannot be reached.
  explicit Connection(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement, prepared once per connection and reused.
  Rows run(const std::string& sql, const Params& params = {});
  // Several statements without parameters (migrations, BEGIN/COMMIT).
  void execute(const std::string& sql);
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }
  int backend_pid() const { return PQbackendPID(conn_); }
  // Where this connection goes, for messages (never the password).
  std::string where() const;
  // The parameters libpq used to connect, password excluded, as a connection string; and the
  // password (empty if none), for tools such as pg_dump that take it from the environment.
  std::string conninfo_without_password() const;
  std::string password() const;

 private:
  [[noreturn]] void fail(PGresult* result);
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace haven::postgres
