// Private to haven_store: the SQLite backend's classes, shared by sqlite_store.cpp (records) and
// sqlite_accounts.cpp (users, sessions, audit rows, evidence files). One writer connection
// (SQLite allows one writer at a time; a mutex queues writers in-process instead of spinning on
// SQLITE_BUSY) and a pool of reader connections, all in WAL mode so readers never block the
// writer.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "store/migrations.hpp"
#include "store/record_layout.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace haven::sqlite {

using layout::ColumnKind;
using layout::column_kind;
using layout::encode_cursor;
using layout::is_sealed;
using layout::seal_context;
using layout::SealError;
using layout::table_name;

inline Error to_error(const SqliteError& e) {
  const int primary = e.code & 0xff;
  if (e.code == SQLITE_CONSTRAINT_UNIQUE || e.code == SQLITE_CONSTRAINT_PRIMARYKEY)
    return Error{ErrorCode::kConflict, std::string("a record with the same key exists: ") + e.what(), ""};
  if (e.code == SQLITE_CONSTRAINT_FOREIGNKEY)
    return Error{ErrorCode::kInvalidArgument, "a referenced record does not exist", ""};
  // SQLite answers SQLITE_FULL when a write finds the disk full (ENOSPC); it has then rolled the
  // statement or transaction back, so nothing of it is kept.
  if (primary == SQLITE_FULL)
    return Error{ErrorCode::kStorageFull,
                 "the server's disk is full, so nothing of this change was saved; free space on the server "
                 "(or ask its administrator to), then try again",
                 ""};
  if (primary == SQLITE_IOERR || primary == SQLITE_BUSY ||
      primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY)
    return Error{ErrorCode::kUnavailable, std::string("database unavailable: ") + e.what(), ""};
  return Error{ErrorCode::kInternal, std::string("database error: ") + e.what(), ""};
}

inline void bind_json(Statement& stmt, int index, const Json& value, ColumnKind kind) {
  if (value.is_null()) {
    stmt.bind_null(index);
  } else if (kind == ColumnKind::kInteger) {
    stmt.bind(index, value.is_boolean() ? std::int64_t{value.get<bool>()} : value.get<std::int64_t>());
  } else if (kind == ColumnKind::kReal) {
    stmt.bind(index, value.get<double>());
  } else {
    stmt.bind(index, value.is_string() ? value.get<std::string>() : value.dump());
  }
}

inline Json column_json(const Statement& stmt, int column, ColumnKind kind) {
  if (stmt.is_null(column)) return Json();
  if (kind == ColumnKind::kInteger) return stmt.integer(column);
  if (kind == ColumnKind::kReal) return stmt.real(column);
  return stmt.text(column);
}

// SQL that is true for rows of `spec` that the user bound to ?99 needs to know (empty: all rows).
inline std::string need_to_know_clause(const EntitySpec& spec) { return layout::need_to_know_clause(spec, "?99"); }

class SqliteStore;

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteStore& store, Connection& connection, bool write,
                    std::unique_lock<std::mutex> writer_lock);
  ~SqliteTransaction() override;

  Result<Record> insert(const EntitySpec& spec, std::int64_t org_id, Json fields) override;
  Result<Record> get(const EntitySpec& spec, std::int64_t id, std::int64_t org_id) override;
  Result<Record> update(const EntitySpec& spec, std::int64_t id, std::int64_t org_id,
                        std::int64_t expected_version, Json fields) override;
  Result<ListPage> list(const EntitySpec& spec, std::int64_t org_id,
                        const ListQuery& query) override;
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
  AuditRecord read_audit(Statement& stmt);
  template <class F>
  auto guarded(F&& body) -> decltype(body()) {
    try {
      return body();
    } catch (const SqliteError& e) {
      return to_error(e);
    } catch (const Json::exception& e) {
      return Error{ErrorCode::kInternal, std::string("stored record is unreadable: ") + e.what(), ""};
    } catch (const SealError& e) {
      return Error{ErrorCode::kInternal, e.what(), ""};
    }
  }
  Status require_write() const {
    if (!write_) return Error{ErrorCode::kInternal, "write in a read transaction", ""};
    return Status::Ok();
  }
  Record read_record(const EntitySpec& spec, Statement& stmt);
  // Splits fields into the public JSON document and the sealed blob (empty when nothing to seal).
  std::pair<std::string, std::string> split_and_seal(const EntitySpec& spec, std::int64_t org_id, std::int64_t id,
                                                     const Json& fields);
  void write_blind_indexes(const EntitySpec& spec, std::int64_t org_id, std::int64_t id, const Json& fields);
  void create_data_key(std::int64_t org_id);
  void write_assignments(std::int64_t case_id, const Json& fields);
  void load_new_data_keys();
  KeyRing* keys() const;
  std::string next_display_code(const EntitySpec& spec, std::int64_t org_id, const std::string& now);
  User read_user(Statement& stmt);

  SqliteStore& store_;
  Connection& connection_;
  bool write_;
  bool open_ = true;
  std::unique_lock<std::mutex> writer_lock_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::filesystem::path file, const Clock& clock, SqliteOptions options)
      : file_(std::move(file)), clock_(clock), options_(options) {}

  Status open() {
    try {
      writer_ = std::make_unique<Connection>(file_.string(), false);
      writer_->execute("PRAGMA journal_mode = WAL;");
      HAVEN_TRY(migrate());
      return load_data_keys();
    } catch (const SqliteError& e) {
      return to_error(e);
    }
  }

  Result<std::unique_ptr<Transaction>> begin(bool write) override {
    try {
      if (write) {
        std::unique_lock lock(writer_mutex_);
        writer_->execute("BEGIN IMMEDIATE");
        return std::unique_ptr<Transaction>(
            std::make_unique<SqliteTransaction>(*this, *writer_, true, std::move(lock)));
      }
      Connection& reader = acquire_reader();
      try {
        reader.execute("BEGIN");
      } catch (...) {
        release_reader(reader);
        throw;
      }
      return std::unique_ptr<Transaction>(
          std::make_unique<SqliteTransaction>(*this, reader, false, std::unique_lock<std::mutex>()));
    } catch (const SqliteError& e) {
      return to_error(e);
    }
  }

  int schema_version() const override { return version_; }

  Status rewrap_data_keys(const KeyRing& new_master) override {
    std::lock_guard lock(writer_mutex_);
    try {
      writer_->execute("BEGIN IMMEDIATE");
      struct Row {
        std::int64_t org, version;
        std::string wrapped;
      };
      std::vector<Row> rows;
      {
        Statement stmt = writer_->prepare("SELECT org_id, key_version, wrapped FROM data_key");
        while (stmt.step()) rows.push_back({stmt.integer(0), stmt.integer(1), stmt.blob(2)});
      }
      for (const auto& row : rows) {
        auto rewrapped = options_.key_ring->rewrap(row.wrapped, new_master);
        if (!rewrapped.ok()) {
          writer_->execute("ROLLBACK");
          return rewrapped.error();
        }
        writer_->prepare("UPDATE data_key SET wrapped = ? WHERE org_id = ? AND key_version = ?")
            .bind_blob(1, *rewrapped).bind(2, row.org).bind(3, row.version).step();
      }
      writer_->execute("COMMIT");
      return Status::Ok();
    } catch (const SqliteError& e) {
      try { writer_->execute("ROLLBACK"); } catch (const SqliteError&) {}
      return to_error(e);
    }
  }

  Result<std::uint64_t> rotate_data_keys(const std::function<void(std::uint64_t, std::uint64_t)>& progress) override {
    std::lock_guard lock(writer_mutex_);
    KeyRing& keys = *options_.key_ring;
    try {
      // 1. A new version for every organisation, loaded before anything is sealed with it.
      writer_->execute("BEGIN IMMEDIATE");
      std::vector<std::pair<std::int64_t, std::int64_t>> next;
      {
        Statement stmt = writer_->prepare("SELECT org_id, MAX(key_version) + 1 FROM data_key GROUP BY org_id");
        while (stmt.step()) next.emplace_back(stmt.integer(0), stmt.integer(1));
      }
      for (const auto& [org, version] : next) {
        auto wrapped = keys.new_wrapped_data_key();
        if (!wrapped.ok()) throw SealError(wrapped.error().message);
        writer_->prepare("INSERT INTO data_key(org_id, key_version, wrapped, created_at) VALUES (?, ?, ?, ?)")
            .bind(1, org).bind(2, version).bind_blob(3, *wrapped).bind(4, format_datetime(clock_.now())).step();
        if (auto loaded = keys.load_data_key(org, static_cast<std::int32_t>(version), *wrapped); !loaded.ok())
          throw SealError(loaded.error().message);
      }
      writer_->execute("COMMIT");
      // 2. Every sealed value, in batches of 1000 rows per transaction: each entity's sealed
      // fields, and the original files of evidence items.
      struct SealedTable {
        std::string table, id_column, context_prefix;  // the seal's context is prefix + id
      };
      std::vector<SealedTable> tables;
      for (const auto& spec : entity_specs()) tables.push_back({table_name(spec), "id", spec.kind + ":"});
      tables.push_back({"evidence_file", "evidence_id", "evidence_file:"});
      std::uint64_t total = 0, done = 0;
      for (const auto& t : tables) {
        Statement count = writer_->prepare("SELECT count(*) FROM " + t.table + " WHERE sealed IS NOT NULL");
        count.step();
        total += static_cast<std::uint64_t>(count.integer(0));
      }
      for (const auto& t : tables) {
        std::int64_t after = 0;
        for (bool more = true; more;) {
          writer_->execute("BEGIN IMMEDIATE");
          std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> rows;
          {
            Statement stmt = writer_->prepare("SELECT " + t.id_column + ", org_id, sealed FROM " + t.table + " WHERE sealed IS NOT NULL AND " +
                                              t.id_column + " > ? ORDER BY " + t.id_column + " LIMIT 1000");
            stmt.bind(1, after);
            while (stmt.step()) rows.emplace_back(stmt.integer(0), stmt.integer(1), stmt.blob(2));
          }
          for (const auto& [id, org, sealed] : rows) {
            const std::string context = t.context_prefix + std::to_string(id);
            auto opened = keys.open_sealed(org, sealed, context);
            if (!opened.ok()) throw SealError(opened.error().message);
            auto resealed = keys.seal(org, *opened, context);
            if (!resealed.ok()) throw SealError(resealed.error().message);
            writer_->prepare("UPDATE " + t.table + " SET sealed = ? WHERE " + t.id_column + " = ?").bind_blob(1, *resealed).bind(2, id).step();
            after = id;
          }
          writer_->execute("COMMIT");
          done += rows.size();
          if (progress) progress(done, total);
          more = rows.size() == 1000;
        }
      }
      return done;
    } catch (const SqliteError& e) {
      try { writer_->execute("ROLLBACK"); } catch (const SqliteError&) {}
      return to_error(e);
    } catch (const SealError& e) {
      try { writer_->execute("ROLLBACK"); } catch (const SqliteError&) {}
      return Error{ErrorCode::kInternal, e.what(), ""};
    }
  }

  Status backup_to(const std::filesystem::path& file) override {
    try {
      std::error_code ignored;
      if (std::filesystem::exists(file, ignored))
        return Error{ErrorCode::kInvalidArgument, "the backup file " + file.string() +
                         " already exists; choose a new name", ""};
      Connection& reader = acquire_reader();
      try {
        // VACUUM INTO reads one snapshot, so the copy is consistent while writers go on.
        reader.prepare("VACUUM INTO ?").bind(1, file.string()).step();
      } catch (...) {
        release_reader(reader);
        throw;
      }
      release_reader(reader);
      return Status::Ok();
    } catch (const SqliteError& e) {
      return to_error(e);
    }
  }

  const Clock& clock() const { return clock_; }
  KeyRing* keys() const { return options_.key_ring; }
  void set_person_encoder(PersonEncoder encoder) override { person_encoder_ = std::move(encoder); }
  const PersonEncoder& person_encoder() const { return person_encoder_; }

  Connection& acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_available_.wait(lock, [&] { return !idle_readers_.empty() || readers_.size() < options_.max_readers; });
    if (!idle_readers_.empty()) {
      Connection* reader = idle_readers_.back();
      idle_readers_.pop_back();
      return *reader;
    }
    readers_.push_back(std::make_unique<Connection>(file_.string(), true));
    return *readers_.back();
  }

  void release_reader(Connection& reader) {
    {
      std::lock_guard lock(pool_mutex_);
      idle_readers_.push_back(&reader);
    }
    pool_available_.notify_one();
  }

  bool is_writer(const Connection& connection) const { return &connection == writer_.get(); }

 private:
  Status migrate() {
    {
      Statement stmt = writer_->prepare("PRAGMA user_version");
      stmt.step();
      version_ = static_cast<int>(stmt.integer(0));
    }
    const int target = options_.target_version < 0 ? kLatestSchemaVersion : options_.target_version;
    if (version_ > kLatestSchemaVersion)
      return Error{ErrorCode::kFailedPrecondition,
                   "the database " + file_.string() + " has schema version " +
                       std::to_string(version_) + ", newer than this Haven knows (" +
                       std::to_string(kLatestSchemaVersion) + "); upgrade Haven to open it",
                   ""};
    for (const auto& migration : migrations()) {
      if (migration.version <= version_ || migration.version > target) continue;
      writer_->execute("BEGIN IMMEDIATE");
      try {
        writer_->execute(migration.sql);
        writer_->execute("PRAGMA user_version = " + std::to_string(migration.version));
        writer_->execute("COMMIT");
      } catch (...) {
        writer_->execute("ROLLBACK");
        throw;
      }
      version_ = migration.version;
    }
    return Status::Ok();
  }

  // Every organisation's data key, unwrapped once at start; a wrong master key stops here.
  Status load_data_keys() {
    if (!options_.key_ring) return Status::Ok();
    bool has_system_key = false;
    {
      Statement stmt = writer_->prepare("SELECT org_id, key_version, wrapped FROM data_key ORDER BY org_id, key_version");
      while (stmt.step()) {
        has_system_key |= stmt.integer(0) == KeyRing::kSystemKeyOwner;
        HAVEN_TRY(options_.key_ring->load_data_key(stmt.integer(0), static_cast<std::int32_t>(stmt.integer(1)), stmt.blob(2)));
      }
    }
    if (has_system_key) return Status::Ok();
    // The system's own data key (the audit chain key comes from it), made once per database.
    auto wrapped = options_.key_ring->new_wrapped_data_key();
    HAVEN_TRY(wrapped);
    writer_->prepare("INSERT INTO data_key(org_id, key_version, wrapped, created_at) VALUES (?, 1, ?, ?)")
        .bind(1, KeyRing::kSystemKeyOwner).bind_blob(2, *wrapped).bind(3, format_datetime(clock_.now())).step();
    return options_.key_ring->load_data_key(KeyRing::kSystemKeyOwner, 1, *wrapped);
  }

  std::filesystem::path file_;
  const Clock& clock_;
  SqliteOptions options_;
  PersonEncoder person_encoder_;
  int version_ = 0;
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mutex_;
  std::mutex pool_mutex_;
  std::condition_variable pool_available_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
};


}  // namespace haven::sqlite
