// Private to haven_store: the PostgreSQL backend's classes, shared by postgres_store.cpp
// (records), postgres_accounts.cpp (users, sessions, audit rows, evidence files) and
// postgres_admin.cpp (opening, migrations, keys, backup).
//
// Concurrency mirrors the SQLite backend, across processes: a write transaction takes a
// transaction-scoped advisory lock (kWriteLock) as its first statement, so writers of every
// process queue there, in READ COMMITTED, and then see every earlier commit. That keeps the
// version check, the MAX(id)+1 ids, the display-code sequences and the audit hash chain single
// without retry loops. Read transactions are REPEATABLE READ, READ ONLY: one snapshot, never
// blocked by the writer. Every call of a write transaction runs in a savepoint, so a failed call
// (a duplicate key, say) leaves the transaction usable and nothing of that call written — the
// statement-level rollback SQLite gives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "store/postgres_db.hpp"
#include "store/record_layout.hpp"
#include "store/store.hpp"

namespace haven::postgres {

using layout::ColumnKind;
using layout::column_kind;
using layout::encode_cursor;
using layout::is_sealed;
using layout::seal_context;
using layout::SealError;
using layout::table_name;

// Advisory lock keys ("havenWRT", "havenMIG"): one writer at a time; one migrator at a time.
inline constexpr std::int64_t kWriteLock = 0x686176656e575254;
inline constexpr std::int64_t kMigrationLock = 0x686176656e4d4947;

Error to_error(const PgError& e);
// Runs a PostgreSQL client program (pg_dump, pg_restore) found on the PATH, the password in its
// environment only; returns its exit status, -1 when it cannot be started.
int run_client_tool(std::vector<std::string> args, const std::string& password);

// The PostgreSQL text of every migration of migrations.cpp, in the same versions.
struct PgMigration {
  int version;
  std::string sql;
};
const std::vector<PgMigration>& postgres_migrations();
// One SQLite migration's text in PostgreSQL's dialect (exposed for the test that checks it).
std::string to_postgres_dialect(const std::string& sqlite_sql);

inline void bind_json(Params& params, std::string& sql, const Json& value, ColumnKind kind) {
  if (value.is_null()) sql += params.add_null();
  else if (kind == ColumnKind::kInteger)
    sql += params.add(value.is_boolean() ? std::int64_t{value.get<bool>()} : value.get<std::int64_t>());
  else if (kind == ColumnKind::kReal) sql += params.add(value.get<double>());
  else sql += params.add(value.is_string() ? value.get<std::string>() : value.dump());
}

inline Json column_json(const Rows& rows, int row, int column, ColumnKind kind) {
  if (rows.is_null(row, column)) return Json();
  if (kind == ColumnKind::kInteger) return rows.integer(row, column);
  if (kind == ColumnKind::kReal) return rows.real(row, column);
  return rows.text(row, column);
}

// A bounded set of connections. acquire() hands out an idle one, opens a new one while fewer than
// `max` exist, or waits; a connection found broken when it comes back is closed, so the pool
// heals by itself once the server is reachable again.
class ConnectionPool {
 public:
  ConnectionPool(std::string conninfo, std::size_t max, std::chrono::milliseconds wait)
      : conninfo_(std::move(conninfo)), max_(max), wait_(wait) {}

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ && connection_) pool_->release(std::move(connection_));
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Throws PgError when no connection can be had (server down, or every connection busy for the
  // whole wait).
  Lease acquire();
  // Closes every idle connection (after one was found dead: the others died with it).
  void discard_idle();
  Store::ConnectionStats stats() const;
  const std::string& conninfo() const { return conninfo_; }

 private:
  void release(std::unique_ptr<Connection> connection);

  std::string conninfo_;
  std::size_t max_;
  std::chrono::milliseconds wait_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;     // idle and leased
  std::size_t waiting_ = 0;  // callers of acquire() waiting for a connection
};

class PostgresStore;

class PostgresTransaction final : public Transaction {
 public:
  PostgresTransaction(PostgresStore& store, ConnectionPool::Lease lease, bool write)
      : store_(store), lease_(std::move(lease)), write_(write) {}
  ~PostgresTransaction() override;

  Result<Record> insert(const EntitySpec& spec, std::int64_t org_id, Json fields) override;
  Result<Record> get(const EntitySpec& spec, std::int64_t id, std::int64_t org_id) override;
  Result<Record> update(const EntitySpec& spec, std::int64_t id, std::int64_t org_id,
                        std::int64_t expected_version, Json fields) override;
  Result<ListPage> list(const EntitySpec& spec, std::int64_t org_id, const ListQuery& query) override;
  Result<std::int64_t> count(const EntitySpec& spec, std::int64_t org_id) override;
  Status scan(const EntitySpec& spec, std::int64_t org_id, const std::vector<std::string>& fields,
              const ScanRow& row) override;
  Result<bool> is_visible(const EntitySpec& spec, std::int64_t id, std::int64_t user_id) override;
  Result<Json> find(std::string_view kind, std::int64_t id, std::int64_t org_id) override;
  Result<Json> latest_form(std::int64_t org_id, std::string_view target_kind) override;
  Result<bool> exists(std::string_view kind, std::int64_t id, std::int64_t org_id) override;

  Result<User> insert_user(User user) override;
  Result<User> find_user(std::string_view username) override;
  Result<User> get_user(std::int64_t id) override;
  Result<std::vector<User>> list_users(std::int64_t org_id) override;
  Result<User> update_user(const User& user) override;
  Status delete_sessions_of(std::int64_t user_id) override;
  Status insert_session(const std::string& token_hash, std::int64_t user_id,
                        const std::string& expires_at, const std::string& csrf_token) override;
  Result<SessionRow> find_session(const std::string& token_hash, const std::string& now) override;
  Status delete_session(const std::string& token_hash) override;

  Status insert_evidence_file(std::int64_t evidence_id, std::int64_t org_id, std::string_view bytes) override;
  Result<std::string> get_evidence_file(std::int64_t evidence_id, std::int64_t org_id) override;
  Result<std::vector<SearchRow>> search_encodings_after(std::int64_t after_seq, std::size_t limit) override;
  Status put_search_encodings(std::int64_t person_id, std::int64_t org_id, std::string_view encodings) override;
  Result<AuditRecord> last_audit() override;
  Status insert_audit(const AuditRecord& entry) override;
  Result<std::vector<AuditRecord>> list_audit(const AuditQuery& query) override;

  Status commit() override;

 private:
  Connection& db() { return *lease_; }
  // Runs one call of the interface: in a savepoint in a write transaction (undone when the call
  // fails), with errors turned into values.
  template <class F>
  auto guarded(F&& body) -> decltype(body()) {
    if (!open_) return Error{ErrorCode::kInternal, "the transaction has ended", ""};
    bool in_savepoint = false;
    try {
      if (write_) db().execute("SAVEPOINT haven_call"), in_savepoint = true;
      auto result = body();
      if (in_savepoint)
        db().execute(result.ok() ? "RELEASE SAVEPOINT haven_call"
                                 : "ROLLBACK TO SAVEPOINT haven_call; RELEASE SAVEPOINT haven_call");
      return result;
    } catch (const PgError& e) {
      undo_call(in_savepoint);
      return to_error(e);
    } catch (const Json::exception& e) {
      undo_call(in_savepoint);
      return Error{ErrorCode::kInternal, std::string("stored record is unreadable: ") + e.what(), ""};
    } catch (const SealError& e) {
      undo_call(in_savepoint);
      return Error{ErrorCode::kInternal, e.what(), ""};
    }
  }
  void undo_call(bool in_savepoint) {
    if (!in_savepoint || !db().healthy()) return;
    try {
      db().execute("ROLLBACK TO SAVEPOINT haven_call; RELEASE SAVEPOINT haven_call");
    } catch (const PgError&) {
      // The transaction is beyond repair; the caller's error already says so.
    }
  }
  Status require_write() const {
    if (!write_) return Error{ErrorCode::kInternal, "write in a read transaction", ""};
    return Status::Ok();
  }
  Record read_record(const EntitySpec& spec, const Rows& rows, int row);
  std::pair<std::string, std::string> split_and_seal(const EntitySpec& spec, std::int64_t org_id, std::int64_t id,
                                                     const Json& fields);
  void write_blind_indexes(const EntitySpec& spec, std::int64_t org_id, std::int64_t id, const Json& fields);
  void create_data_key(std::int64_t org_id);
  void write_assignments(std::int64_t case_id, const Json& fields);
  // Loads data keys stored by other processes (new organisations, rotated versions).
  void load_new_data_keys();
  void ensure_data_key(std::int64_t org_id);
  KeyRing* keys() const;
  std::string next_display_code(const EntitySpec& spec, std::int64_t org_id, const std::string& now);
  User read_user(const Rows& rows, int row);
  AuditRecord read_audit(const Rows& rows, int row);

  PostgresStore& store_;
  ConnectionPool::Lease lease_;
  bool write_;
  bool open_ = true;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& conninfo, const Clock& clock, PostgresOptions options)
      : clock_(clock), options_(std::move(options)),
        pool_(conninfo, options_.max_connections, options_.acquire_timeout) {}

  // Connects (retrying with back-off while the server is unreachable), migrates, loads data keys.
  Status open();
  // Connects and migrates up to options.target_version only: no data key is read or made (a
  // database about to receive another database's rows through table_copy.hpp).
  Status create_schema();

  Result<std::unique_ptr<Transaction>> begin(bool write) override;
  int schema_version() const override { return version_; }
  Status backup_to(const std::filesystem::path& file) override;
  std::optional<ConnectionStats> connection_stats() const override { return pool_.stats(); }
  Status rewrap_data_keys(const KeyRing& new_master) override;
  Result<std::uint64_t> rotate_data_keys(
      const std::function<void(std::uint64_t, std::uint64_t)>& progress) override;

  const Clock& clock() const { return clock_; }
  KeyRing* keys() const { return options_.key_ring; }
  ConnectionPool& pool() { return pool_; }
  void set_person_encoder(PersonEncoder encoder) override { person_encoder_ = std::move(encoder); }
  const PersonEncoder& person_encoder() const { return person_encoder_; }

 private:
  ConnectionPool::Lease connect_with_retries();
  Status migrate(Connection& db);
  Status load_data_keys(Connection& db);
  // A leased connection inside BEGIN, holding the write lock when `write`. Retries once on a
  // fresh connection when the pooled one turns out to be dead (the server restarted).
  ConnectionPool::Lease begin_on_connection(bool write);

  const Clock& clock_;
  PostgresOptions options_;
  PersonEncoder person_encoder_;
  ConnectionPool pool_;
  int version_ = 0;
};

}  // namespace haven::postgres
