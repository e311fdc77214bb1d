// The PostgreSQL store itself: the connection pool, opening (with retries while the server is
// unreachable), migrations, transactions, data keys and backups.
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "store/postgres_backend.hpp"

extern char** environ;

namespace haven::postgres {

int run_client_tool(std::vector<std::string> args, const std::string& password) {
  // The password goes through the environment, never the command line (which other users can see).
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("PGPASSWORD=", 0) != 0) env.emplace_back(*e);
  if (!password.empty()) env.push_back("PGPASSWORD=" + password);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args.front().c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Error to_error(const PgError& e) {
  const std::string& state = e.sqlstate;
  // disk_full: PostgreSQL could not extend a table or index file. The statement failed and the
  // transaction is rolled back, so nothing of it is kept.
  if (state == "53100")
    return Error{ErrorCode::kStorageFull,
                 "the database server's disk is full, so nothing of this change was saved; free space on the "
                 "database server (or ask its administrator to), then try again",
                 ""};
  if (e.connection_lost || state.rfind("53", 0) == 0 || state == "40001" || state == "40P01" || state == "55P03" ||
      state == "57014")
    return Error{ErrorCode::kUnavailable, std::string("the database is unavailable; try again shortly (") + e.what() + ")", ""};
  if (state == "23505") return Error{ErrorCode::kConflict, std::string("a record with the same key exists: ") + e.what(), ""};
  if (state == "23503") return Error{ErrorCode::kInvalidArgument, "a referenced record does not exist", ""};
  if (state.rfind("22", 0) == 0) return Error{ErrorCode::kInvalidArgument, std::string("a value does not fit: ") + e.what(), ""};
  return Error{ErrorCode::kInternal, std::string("database error: ") + e.what(), ""};
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  ++waiting_;
  const bool got = available_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_; });
  --waiting_;
  if (!got)
    throw PgError("53300", "all " + std::to_string(max_) + " database connections of this process stayed busy", false);
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(this, std::make_unique<Connection>(conninfo_));
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

Store::ConnectionStats ConnectionPool::stats() const {
  std::lock_guard lock(mutex_);
  return {open_ - idle_.size(), open_, max_, waiting_};
}

void ConnectionPool::release(std::unique_ptr<Connection> connection) {
  // A connection that broke, or was left inside a transaction, is closed rather than reused.
  const bool keep = connection->healthy() && connection->idle();
  {
    std::lock_guard lock(mutex_);
    if (keep) idle_.push_back(std::move(connection));
    else --open_;
  }
  available_.notify_one();
}

void ConnectionPool::discard_idle() {
  std::vector<std::unique_ptr<Connection>> stale;
  {
    std::lock_guard lock(mutex_);
    stale.swap(idle_);
    open_ -= stale.size();
  }
  available_.notify_all();
}

ConnectionPool::Lease PostgresStore::begin_on_connection(bool write) {
  for (int attempt = 0;; ++attempt) {
    ConnectionPool::Lease lease = pool_.acquire();
    try {
      if (write) {
        // READ COMMITTED: after the lock, each statement sees every writer that went before.
        lease->execute("BEGIN ISOLATION LEVEL READ COMMITTED");
        Params p;
        const std::string sql = "SELECT pg_advisory_xact_lock(" + p.add(kWriteLock) + ")";
        lease->run(sql, p);
      } else {
        lease->execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      return lease;
    } catch (const PgError& e) {
      // Idle connections die together when the server restarts: drop them all, try once more.
      if (!e.connection_lost || attempt > 0) throw;
      pool_.discard_idle();
    }
  }
}

Result<std::unique_ptr<Transaction>> PostgresStore::begin(bool write) {
  try {
    return std::unique_ptr<Transaction>(std::make_unique<PostgresTransaction>(*this, begin_on_connection(write), write));
  } catch (const PgError& e) {
    return to_error(e);
  }
}

ConnectionPool::Lease PostgresStore::connect_with_retries() {
  using namespace std::chrono;
  const auto deadline = steady_clock::now() + options_.connect_timeout;
  milliseconds delay{250};
  for (;;) {
    try {
      return pool_.acquire();
    } catch (const PgError& e) {
      if (!e.connection_lost || steady_clock::now() + delay > deadline) throw;
      if (options_.on_retry) options_.on_retry(e.what(), delay);
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, milliseconds{8000});
    }
  }
}

Status PostgresStore::open() {
  try {
    ConnectionPool::Lease lease = connect_with_retries();
    HAVEN_TRY(migrate(*lease));
    // A copy by haven migrate (table_copy.cpp) still under way has its foreign keys set aside.
    if (lease->run("SELECT to_regclass('haven_copy_progress') IS NOT NULL").text(0, 0) == "t")
      return Error{ErrorCode::kFailedPrecondition,
                   "the " + lease->where() + " holds an unfinished haven migrate; run the same haven migrate again to finish it",
                   ""};
    return load_data_keys(*lease);
  } catch (const PgError& e) {
    if (e.connection_lost)
      return Error{ErrorCode::kUnavailable,
                   std::string("cannot reach PostgreSQL (") + e.what() +
                       "); check that the server runs and that the connection string names it",
                   ""};
    return to_error(e);
  }
}

Status PostgresStore::create_schema() {
  try {
    ConnectionPool::Lease lease = connect_with_retries();
    return migrate(*lease);
  } catch (const PgError& e) {
    return to_error(e);
  }
}

Status PostgresStore::migrate(Connection& db) {
  const int target = options_.target_version < 0 ? kLatestSchemaVersion : options_.target_version;
  // One migration per transaction, each under the migration lock, re-reading the version: several
  // servers starting at once apply each migration exactly once. DDL is transactional here, so a
  // failed migration leaves nothing behind.
  for (;;) {
    db.execute("BEGIN");
    try {
      Params p;
      const std::string lock = "SELECT pg_advisory_xact_lock(" + p.add(kMigrationLock) + ")";
      db.run(lock, p);
      db.execute("CREATE TABLE IF NOT EXISTS haven_schema_version (version BIGINT NOT NULL)");
      const Rows rows = db.run("SELECT version FROM haven_schema_version");
      version_ = rows.empty() ? 0 : static_cast<int>(rows.integer(0, 0));
      if (version_ > kLatestSchemaVersion) {
        db.execute("ROLLBACK");
        return Error{ErrorCode::kFailedPrecondition,
                     "the " + db.where() + " has schema version " + std::to_string(version_) +
                         ", newer than this Haven knows (" + std::to_string(kLatestSchemaVersion) +
                         "); upgrade Haven to open it",
                     ""};
      }
      const PgMigration* next = nullptr;
      for (const auto& m : postgres_migrations())
        if (m.version > version_ && m.version <= target) {
          next = &m;
          break;
        }
      if (!next) {
        db.execute("COMMIT");
        return Status::Ok();
      }
      db.execute(next->sql);
      Params v;
      const std::string set = rows.empty() ? "INSERT INTO haven_schema_version(version) VALUES (" + v.add(std::int64_t{next->version}) + ")"
                                           : "UPDATE haven_schema_version SET version = " + v.add(std::int64_t{next->version});
      db.run(set, v);
      db.execute("COMMIT");
      version_ = next->version;
    } catch (...) {
      if (db.healthy() && !db.idle()) db.execute("ROLLBACK");
      throw;
    }
  }
}

// Every organisation's data key, unwrapped once at start; a wrong master key stops here.
Status PostgresStore::load_data_keys(Connection& db) {
  if (!options_.key_ring) return Status::Ok();
  db.execute("BEGIN");
  try {
    // Under the write lock: two servers starting on a new database make one system key.
    Params p;
    const std::string lock = "SELECT pg_advisory_xact_lock(" + p.add(kWriteLock) + ")";
    db.run(lock, p);
    bool has_system_key = false;
    const Rows rows = db.run("SELECT org_id, key_version, wrapped FROM data_key ORDER BY org_id, key_version");
    for (int r = 0; r < rows.size(); ++r) {
      has_system_key |= rows.integer(r, 0) == KeyRing::kSystemKeyOwner;
      if (auto loaded = options_.key_ring->load_data_key(rows.integer(r, 0), static_cast<std::int32_t>(rows.integer(r, 1)),
                                                         rows.bytes(r, 2));
          !loaded.ok()) {
        db.execute("ROLLBACK");
        return loaded;
      }
    }
    if (!has_system_key) {
      // The system's own data key (the audit chain key comes from it), made once per database.
      auto wrapped = options_.key_ring->new_wrapped_data_key();
      if (!wrapped.ok()) {
        db.execute("ROLLBACK");
        return wrapped.error();
      }
      Params k;
      const std::string sql = "INSERT INTO data_key(org_id, key_version, wrapped, created_at) VALUES (" +
                              k.add(KeyRing::kSystemKeyOwner) + ", 1, " + k.add_bytes(*wrapped) + ", " +
                              k.add(format_datetime(clock_.now())) + ")";
      db.run(sql, k);
      HAVEN_TRY(options_.key_ring->load_data_key(KeyRing::kSystemKeyOwner, 1, *wrapped));
    }
    db.execute("COMMIT");
    return Status::Ok();
  } catch (...) {
    if (db.healthy() && !db.idle()) db.execute("ROLLBACK");
    throw;
  }
}

Status PostgresStore::backup_to(const std::filesystem::path& file) {
  std::error_code ignored;
  if (std::filesystem::exists(file, ignored))
    return Error{ErrorCode::kInvalidArgument, "the backup file " + file.string() + " already exists; choose a new name", ""};
  std::string conninfo, password;
  try {
    ConnectionPool::Lease lease = pool_.acquire();
    conninfo = lease->conninfo_without_password();
    password = lease->password();
  } catch (const PgError& e) {
    return to_error(e);
  }
  // pg_dump reads one snapshot, so the copy is consistent while others keep writing.
  const int status = run_client_tool({options_.pg_dump, "--format=custom", "--no-password", "--file=" + file.string(),
                                      "--dbname=" + conninfo},
                                     password);
  if (status == -1)
    return Error{ErrorCode::kFailedPrecondition,
                 "cannot run " + options_.pg_dump + ": a PostgreSQL backup needs pg_dump (Debian package postgresql-client) on the PATH",
                 ""};
  if (status != 0) {
    std::filesystem::remove(file, ignored);  // never leave half a backup that looks whole
    return Error{ErrorCode::kUnavailable, "pg_dump failed (see its message above); no backup was written", ""};
  }
  return Status::Ok();
}

}  // namespace haven::postgres

namespace haven {

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo, const Clock& clock,
                                                   PostgresOptions options) {
  if (!options.key_ring)
    return Error{ErrorCode::kInternal, "open_postgres_store needs PostgresOptions::key_ring: Haven never stores identifying fields unsealed", ""};
  if (options.max_connections < 1) return invalid("the connection pool needs at least one connection", "max_connections");
  auto store = std::make_unique<postgres::PostgresStore>(conninfo, clock, std::move(options));
  HAVEN_TRY(store->open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace haven
