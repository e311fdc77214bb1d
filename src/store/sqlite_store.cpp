// The SQLite backend: one writer connection (SQLite allows one writer at a time; a mutex queues
// writers in-process instead of spinning on SQLITE_BUSY) and a pool of reader connections, all
// in WAL mode so readers never block the writer.
#include <condition_variable>
#include <mutex>
#include <vector>

#include "store/migrations.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace haven {
namespace {

using sqlite::Connection;
using sqlite::SqliteError;
using sqlite::Statement;

std::string table_name(const EntitySpec& spec) {
  return spec.kind == "case" ? "\"case\"" : spec.kind;  // CASE is an SQL keyword
}

Error to_error(const SqliteError& e) {
  const int primary = e.code & 0xff;
  if (e.code == SQLITE_CONSTRAINT_UNIQUE || e.code == SQLITE_CONSTRAINT_PRIMARYKEY)
    return Error{ErrorCode::kConflict, std::string("a record with the same key exists: ") + e.what(), ""};
  if (e.code == SQLITE_CONSTRAINT_FOREIGNKEY)
    return Error{ErrorCode::kInvalidArgument, "a referenced record does not exist", ""};
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_BUSY ||
      primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY)
    return Error{ErrorCode::kUnavailable, std::string("database unavailable: ") + e.what(), ""};
  return Error{ErrorCode::kInternal, std::string("database error: ") + e.what(), ""};
}

// How a field is stored in its f_<name> column.
enum class ColumnKind { kInteger, kReal, kText };
ColumnKind column_kind(const FieldSpec& f) {
  if (f.type == FieldType::kRef || f.type == FieldType::kInteger || f.type == FieldType::kBoolean)
    return ColumnKind::kInteger;
  if (f.type == FieldType::kNumber) return ColumnKind::kReal;
  return ColumnKind::kText;
}

void bind_json(Statement& stmt, int index, const Json& value, ColumnKind kind) {
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

Json column_json(const Statement& stmt, int column, ColumnKind kind) {
  if (stmt.is_null(column)) return Json();
  if (kind == ColumnKind::kInteger) return stmt.integer(column);
  if (kind == ColumnKind::kReal) return stmt.real(column);
  return stmt.text(column);
}

bool is_sealed(const FieldSpec& f) { return f.sensitivity != Sensitivity::kPublic; }

// Thrown inside the store when a sealed field cannot be opened; guarded() turns it into an Error.
struct SealError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string seal_context(const EntitySpec& spec, std::int64_t id) { return spec.kind + ":" + std::to_string(id); }

// SQL that is true for rows of `spec` that the user bound to ?99 needs to know (empty: all rows).
// Mirrors the rule documented at Transaction::is_visible.
std::string need_to_know_clause(const EntitySpec& spec) {
  auto case_visible = [](const std::string& id) {
    return "(" + id + " IN (SELECT case_id FROM case_assignment WHERE user_id = ?99) OR NOT EXISTS "
           "(SELECT 1 FROM case_assignment WHERE case_id = " + id + "))";
  };
  auto person_visible = [&](const std::string& id) {
    return "(NOT EXISTS (SELECT 1 FROM case_person WHERE f_person_id = " + id +
           ") OR EXISTS (SELECT 1 FROM case_person cp WHERE cp.f_person_id = " + id + " AND " +
           case_visible("cp.f_case_id") + "))";
  };
  // Outer columns are qualified by table: inside the subqueries a bare name would bind to the
  // subquery's own table.
  const std::string table = table_name(spec);
  if (spec.kind == "case") return case_visible(table + ".id");
  if (spec.kind == "person") return person_visible(table + ".id");
  const bool has_case = spec.field("case_id") != nullptr, has_person = spec.field("person_id") != nullptr;
  const std::string case_column = table + ".f_case_id", person_column = table + ".f_person_id";
  if (has_case)
    return "((" + case_column + " IS NOT NULL AND " + case_visible(case_column) + ") OR (" + case_column +
           " IS NULL AND " + (has_person ? person_visible(person_column) : std::string("1")) + "))";
  if (spec.field("legal_case_id"))
    return table + ".f_legal_case_id IN (SELECT lc.id FROM legal_case lc WHERE " + case_visible("lc.f_case_id") + ")";
  if (has_person) return person_visible(person_column);
  return {};
}

// Cursor: the sort key and id of the last row of a page, as compact JSON. It carries no data
// beyond what the page showed, so it is not a secret.
std::string encode_cursor(const Json& key, std::int64_t id) { return Json::array({key, id}).dump(); }

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
  int version_ = 0;
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mutex_;
  std::mutex pool_mutex_;
  std::condition_variable pool_available_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
};

SqliteTransaction::SqliteTransaction(SqliteStore& store, Connection& connection, bool write,
                                     std::unique_lock<std::mutex> writer_lock)
    : store_(store), connection_(connection), write_(write), writer_lock_(std::move(writer_lock)) {}

SqliteTransaction::~SqliteTransaction() {
  if (open_) {
    try {
      connection_.execute("ROLLBACK");
    } catch (const SqliteError&) {
      // The transaction is already gone (e.g. SQLite rolled it back on an I/O error).
    }
  }
  if (!write_) store_.release_reader(connection_);
}

Status SqliteTransaction::commit() {
  return guarded([&]() -> Status {
    connection_.execute("COMMIT");
    open_ = false;
    // Other writers may go on now, even while this object lives a little longer.
    if (writer_lock_.owns_lock()) writer_lock_.unlock();
    return Status::Ok();
  });
}

std::string SqliteTransaction::next_display_code(const EntitySpec& spec, std::int64_t org_id,
                                                 const std::string& now) {
  const std::string year = now.substr(0, 4);
  Statement stmt = connection_.prepare(
      "INSERT INTO code_sequence(org_id, prefix, year, last) VALUES (?, ?, ?, 1) "
      "ON CONFLICT(org_id, prefix, year) DO UPDATE SET last = last + 1 RETURNING last");
  stmt.bind(1, org_id).bind(2, spec.code_prefix).bind(3, std::int64_t{std::stoi(year)});
  stmt.step();
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%s-%s-%05lld", spec.code_prefix.c_str(), year.c_str(),
                static_cast<long long>(stmt.integer(0)));
  return buffer;
}

KeyRing* SqliteTransaction::keys() const { return store_.keys(); }

std::pair<std::string, std::string> SqliteTransaction::split_and_seal(const EntitySpec& spec, std::int64_t org_id,
                                                                      std::int64_t id, const Json& fields) {
  if (!keys()) return {fields.dump(), {}};
  Json open_part = Json::object(), sealed_part = Json::object();
  for (const auto& [name, value] : fields.items()) {
    const FieldSpec* f = spec.field(name);
    (f && is_sealed(*f) ? sealed_part : open_part)[name] = value;
  }
  if (sealed_part.empty()) return {open_part.dump(), {}};
  auto sealed = keys()->seal(org_id, sealed_part.dump(), seal_context(spec, id));
  if (!sealed.ok()) throw SealError(sealed.error().message);
  return {open_part.dump(), std::move(sealed.value())};
}

void SqliteTransaction::write_blind_indexes(const EntitySpec& spec, std::int64_t org_id, std::int64_t id,
                                            const Json& fields) {
  if (!keys()) return;
  connection_.prepare("DELETE FROM blind_index WHERE kind = ? AND record_id = ?").bind(1, spec.kind).bind(2, id).step();
  for (const auto& f : spec.fields) {
    if (!f.blind_indexed || !fields.contains(f.name) || !fields[f.name].is_string()) continue;
    auto digest = keys()->blind_index(org_id, f.name, normalise_for_equality(f.name, fields[f.name].get<std::string>()));
    if (!digest.ok()) throw SealError(digest.error().message);
    connection_.prepare("INSERT OR IGNORE INTO blind_index(org_id, kind, field, digest, record_id) VALUES (?, ?, ?, ?, ?)")
        .bind(1, org_id).bind(2, spec.kind).bind(3, f.name).bind(4, *digest).bind(5, id).step();
  }
}

void SqliteTransaction::create_data_key(std::int64_t org_id) {
  if (!keys()) return;
  auto wrapped = keys()->new_wrapped_data_key();
  if (!wrapped.ok()) throw SealError(wrapped.error().message);
  connection_.prepare("INSERT INTO data_key(org_id, key_version, wrapped, created_at) VALUES (?, 1, ?, ?)")
      .bind(1, org_id).bind_blob(2, *wrapped).bind(3, format_datetime(store_.clock().now())).step();
  if (auto loaded = keys()->load_data_key(org_id, 1, *wrapped); !loaded.ok()) throw SealError(loaded.error().message);
}

void SqliteTransaction::load_new_data_keys() {
  Statement stmt = connection_.prepare("SELECT org_id, key_version, wrapped FROM data_key ORDER BY org_id, key_version");
  while (stmt.step())
    if (keys()->current_key_version(stmt.integer(0)) < stmt.integer(1))
      if (auto loaded = keys()->load_data_key(stmt.integer(0), static_cast<std::int32_t>(stmt.integer(1)), stmt.blob(2)); !loaded.ok())
        throw SealError(loaded.error().message);
}

void SqliteTransaction::write_assignments(std::int64_t case_id, const Json& fields) {
  connection_.prepare("DELETE FROM case_assignment WHERE case_id = ?").bind(1, case_id).step();
  for (const auto& user : fields.value("assigned_user_ids", Json::array()))
    connection_.prepare("INSERT OR IGNORE INTO case_assignment(case_id, user_id) VALUES (?, ?)")
        .bind(1, case_id).bind(2, user.get<std::int64_t>()).step();
}

Result<bool> SqliteTransaction::is_visible(const EntitySpec& spec, std::int64_t id, std::int64_t user_id) {
  const std::string clause = need_to_know_clause(spec);
  if (clause.empty()) return true;
  return guarded([&]() -> Result<bool> {
    Statement stmt = connection_.prepare("SELECT 1 FROM " + table_name(spec) + " WHERE id = ?1 AND " + clause);
    stmt.bind(1, id).bind(99, user_id);
    return stmt.step();
  });
}

Result<Record> SqliteTransaction::insert(const EntitySpec& spec, std::int64_t org_id, Json fields) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Result<Record> {
    Record record;
    record.kind = spec.kind;
    record.created_at = record.updated_at = format_datetime(store_.clock().now());
    record.version = 1;
    // The id is taken before the insert (this transaction holds the write lock) because sealed
    // fields are bound to it.
    Statement next = connection_.prepare("SELECT IFNULL(MAX(id), 0) + 1 FROM " + table_name(spec));
    next.step();
    record.id = next.integer(0);
    // For an organisation, org_id is its own id.
    record.org_id = spec.org_scoped ? org_id : record.id;
    if (!spec.org_scoped) create_data_key(record.id);
    std::string columns = "id, org_id, display_code, version, created_at, updated_at, data, sealed";
    std::string values = "?, ?, ?, ?, ?, ?, ?, ?";
    for (const auto& f : spec.fields)
      if (f.indexed) columns += ", f_" + f.name, values += ", ?";
    record.display_code = next_display_code(spec, spec.org_scoped ? org_id : 0, record.created_at);
    Statement stmt = connection_.prepare("INSERT INTO " + table_name(spec) + " (" + columns +
                                         ") VALUES (" + values + ")");
    const auto [data, sealed] = split_and_seal(spec, record.org_id, record.id, fields);
    stmt.bind(1, record.id).bind(2, record.org_id).bind(3, record.display_code).bind(4, record.version);
    stmt.bind(5, record.created_at).bind(6, record.updated_at).bind(7, data);
    if (sealed.empty()) stmt.bind_null(8); else stmt.bind_blob(8, sealed);
    int index = 9;
    for (const auto& f : spec.fields)
      if (f.indexed) bind_json(stmt, index++, fields.value(f.name, Json()), column_kind(f));
    stmt.step();
    write_blind_indexes(spec, record.org_id, record.id, fields);
    if (spec.kind == "case") write_assignments(record.id, fields);
    record.fields = std::move(fields);
    return record;
  });
}

Record SqliteTransaction::read_record(const EntitySpec& spec, Statement& stmt) {
  Record record;
  record.kind = spec.kind;
  record.id = stmt.integer(0);
  record.org_id = stmt.integer(1);
  record.display_code = stmt.text(2);
  record.version = stmt.integer(3);
  record.created_at = stmt.text(4);
  record.updated_at = stmt.text(5);
  record.fields = Json::parse(stmt.text(6));
  if (!stmt.is_null(7)) {
    if (!keys()) throw SealError("the record has sealed fields and no key ring was given");
    const std::string sealed = stmt.blob(7);
    auto opened = keys()->open_sealed(record.org_id, sealed, seal_context(spec, record.id));
    if (!opened.ok() && opened.error().code == ErrorCode::kNotFound) {
      // Sealed under a data key version made by another process (`haven rekey` while this
      // server runs): load the stored versions once and open again.
      load_new_data_keys();
      opened = keys()->open_sealed(record.org_id, sealed, seal_context(spec, record.id));
    }
    if (!opened.ok()) throw SealError(opened.error().message);
    Json sealed_fields = Json::parse(*opened);
    for (auto& [name, value] : sealed_fields.items()) record.fields[name] = std::move(value);
  }
  return record;
}

constexpr const char* kRecordColumns = "id, org_id, display_code, version, created_at, updated_at, data, sealed";

Result<Record> SqliteTransaction::get(const EntitySpec& spec, std::int64_t id, std::int64_t org_id) {
  return guarded([&]() -> Result<Record> {
    Statement stmt = connection_.prepare(std::string("SELECT ") + kRecordColumns + " FROM " +
                                         table_name(spec) + " WHERE id = ?");
    stmt.bind(1, id);
    if (!stmt.step())
      return Error{ErrorCode::kNotFound, spec.kind + " " + std::to_string(id) + " does not exist", ""};
    Record record = read_record(spec, stmt);
    if (org_id != 0 && record.org_id != org_id)  // same answer as absent: no leak of existence
      return Error{ErrorCode::kNotFound, spec.kind + " " + std::to_string(id) + " does not exist", ""};
    return record;
  });
}

Result<Record> SqliteTransaction::update(const EntitySpec& spec, std::int64_t id,
                                         std::int64_t org_id, std::int64_t expected_version,
                                         Json fields) {
  HAVEN_TRY(require_write());
  auto current = get(spec, id, org_id);
  HAVEN_TRY(current);
  if (current->version != expected_version)
    return Error{ErrorCode::kConflict,
                 spec.kind + " " + std::to_string(id) + " was changed by someone else (now version " +
                     std::to_string(current->version) + ", you had " +
                     std::to_string(expected_version) + "); reload it and apply your change again",
                 "/version"};
  return guarded([&]() -> Result<Record> {
    Record record = std::move(current.value());
    record.updated_at = format_datetime(store_.clock().now());
    std::string assignments = "version = version + 1, updated_at = ?, data = ?, sealed = ?";
    for (const auto& f : spec.fields)
      if (f.indexed) assignments += ", f_" + f.name + " = ?";
    Statement stmt = connection_.prepare("UPDATE " + table_name(spec) + " SET " + assignments +
                                         " WHERE id = ? AND version = ?");
    const auto [data, sealed] = split_and_seal(spec, record.org_id, id, fields);
    stmt.bind(1, record.updated_at).bind(2, data);
    if (sealed.empty()) stmt.bind_null(3); else stmt.bind_blob(3, sealed);
    int index = 4;
    for (const auto& f : spec.fields)
      if (f.indexed) bind_json(stmt, index++, fields.value(f.name, Json()), column_kind(f));
    stmt.bind(index, id).bind(index + 1, expected_version);
    stmt.step();
    if (connection_.changes() != 1)
      return Error{ErrorCode::kConflict, spec.kind + " " + std::to_string(id) + " was changed by someone else", "/version"};
    write_blind_indexes(spec, record.org_id, id, fields);
    if (spec.kind == "case") write_assignments(id, fields);
    record.version = expected_version + 1;
    record.fields = std::move(fields);
    return record;
  });
}

Result<ListPage> SqliteTransaction::list(const EntitySpec& spec, std::int64_t org_id,
                                         const ListQuery& query) {
  // Column names come from the entity description, never from the request; values are bound.
  auto column_of = [&](const std::string& name) -> std::optional<std::pair<std::string, ColumnKind>> {
    if (name == "id") return std::pair{std::string("id"), ColumnKind::kInteger};
    if (name == "created_at" || name == "updated_at") return std::pair{name, ColumnKind::kText};
    const FieldSpec* f = spec.field(name);
    if (!f || !f->indexed) return std::nullopt;
    return std::pair{"f_" + f->name, column_kind(*f)};
  };
  auto sort = column_of(query.sort);
  if (!sort)
    return invalid("cannot sort by " + query.sort + ": sort by id, created_at, updated_at or an indexed field", "sort");
  if (query.limit < 1 || query.limit > 1000) return invalid("limit must be between 1 and 1000", "limit");
  std::string where = org_id != 0 ? "org_id = ?" : "1 = 1";
  for (const auto& filter : query.filters) {
    auto column = column_of(filter.field);
    if (!column) return invalid("cannot filter by " + filter.field + ": not an indexed field", filter.field);
    where += " AND " + column->first +
             (filter.op == Filter::Op::kEq ? " = ?" : filter.op == Filter::Op::kGe ? " >= ?" : " <= ?");
  }
  std::vector<std::string> digests;
  for (const auto& [name, value] : query.exact) {
    const FieldSpec* f = spec.field(name);
    if (!f || !f->blind_indexed) return invalid("cannot look up by " + name, name);
    if (org_id == 0 || !keys()) return invalid("exact look-ups on sealed fields work within one organisation", name);
    auto digest = keys()->blind_index(org_id, name, normalise_for_equality(name, value));
    HAVEN_TRY(digest);
    digests.push_back(std::move(digest.value()));
    where += " AND id IN (SELECT record_id FROM blind_index WHERE org_id = ? AND kind = ? AND field = ? AND digest = ?)";
  }
  const bool nullable = sort->first != "id" && sort->first != "created_at" && sort->first != "updated_at";
  const std::string null_key = sort->second == ColumnKind::kText ? "''" : "-9.0e18";
  const std::string key = nullable ? "IFNULL(" + sort->first + ", " + null_key + ")" : sort->first;
  Json cursor_key;
  std::int64_t cursor_id = 0;
  if (!query.cursor.empty()) {
    const Json cursor = Json::parse(query.cursor, nullptr, false);
    if (!cursor.is_array() || cursor.size() != 2 || !cursor[1].is_number_integer())
      return invalid("the cursor is not one this server issued; start again from the first page", "cursor");
    cursor_key = cursor[0];
    cursor_id = cursor[1].get<std::int64_t>();
    const char* cmp = query.descending ? "<" : ">";
    where += " AND (" + key + " " + cmp + " ? OR (" + key + " = ? AND id " + cmp + " ?))";
  }
  // Last in the text: the clause's ?99 must come after every positional parameter, or SQLite
  // would number those after 99.
  const std::string visibility = query.need_to_know_user != 0 ? need_to_know_clause(spec) : std::string();
  if (!visibility.empty()) where += " AND " + visibility;
  const char* direction = query.descending ? " DESC" : "";
  const std::string sql = std::string("SELECT ") + kRecordColumns + ", " + key + " FROM " +
                          table_name(spec) + " WHERE " + where + " ORDER BY " + key + direction +
                          ", id" + direction + " LIMIT " + std::to_string(query.limit + 1);
  return guarded([&]() -> Result<ListPage> {
    Statement stmt = connection_.prepare(sql);
    int index = 1;
    if (org_id != 0) stmt.bind(index++, org_id);
    for (const auto& filter : query.filters) {
      const auto column = column_of(filter.field);
      if (filter.value.is_null()) return invalid("needs a value", filter.field);
      bind_json(stmt, index++, filter.value, column->second);
    }
    for (std::size_t i = 0; i < query.exact.size(); ++i, index += 4)
      stmt.bind(index, org_id).bind(index + 1, spec.kind).bind(index + 2, query.exact[i].first).bind(index + 3, digests[i]);
    if (!query.cursor.empty()) {
      const ColumnKind kind = cursor_key.is_string() ? ColumnKind::kText
                              : cursor_key.is_number_integer() ? ColumnKind::kInteger
                                                               : ColumnKind::kReal;
      if (!cursor_key.is_primitive() || cursor_key.is_null() || cursor_key.is_boolean())
        return invalid("the cursor is not one this server issued", "cursor");
      bind_json(stmt, index++, cursor_key, kind);
      bind_json(stmt, index++, cursor_key, kind);
      stmt.bind(index++, cursor_id);
    }
    if (!visibility.empty()) stmt.bind(99, query.need_to_know_user);
    ListPage page;
    Json last_key;
    while (stmt.step()) {
      if (page.records.size() == query.limit) {
        page.next_cursor = encode_cursor(last_key, page.records.back().id);
        break;
      }
      page.records.push_back(read_record(spec, stmt));
      last_key = column_json(stmt, 8, sort->second);
    }
    return page;
  });
}

Result<std::int64_t> SqliteTransaction::count(const EntitySpec& spec, std::int64_t org_id) {
  return guarded([&]() -> Result<std::int64_t> {
    Statement stmt = connection_.prepare("SELECT count(*) FROM " + table_name(spec) +
                                         (org_id != 0 ? " WHERE org_id = ?" : " WHERE ? = 0"));
    stmt.bind(1, org_id);
    stmt.step();
    return stmt.integer(0);
  });
}

Result<Json> SqliteTransaction::find(std::string_view kind, std::int64_t id, std::int64_t org_id) {
  if (kind == "user") {
    auto user = get_user(id);
    HAVEN_TRY(user);
    if (user->org_id != org_id)
      return Error{ErrorCode::kNotFound, "user " + std::to_string(id) + " does not exist", ""};
    return Json{{"username", user->username}};
  }
  const EntitySpec* spec = find_entity(kind);
  if (!spec) return Error{ErrorCode::kInternal, "unknown kind " + std::string(kind), ""};
  // Organisations are shared references (consent, referrals): any organisation may be named.
  auto record = get(*spec, id, spec->org_scoped ? org_id : 0);
  HAVEN_TRY(record);
  return record->fields;
}

Result<bool> SqliteTransaction::exists(std::string_view kind, std::int64_t id, std::int64_t org_id) {
  const EntitySpec* spec = kind == "user" ? nullptr : find_entity(kind);
  if (kind != "user" && !spec) return Error{ErrorCode::kInternal, "unknown kind " + std::string(kind), ""};
  const std::string table = spec ? table_name(*spec) : "app_user";
  const bool any_org = spec && !spec->org_scoped;  // organisations are shared references
  return guarded([&]() -> Result<bool> {
    Statement stmt = connection_.prepare("SELECT 1 FROM " + table + " WHERE id = ? AND (? OR org_id = ?)");
    stmt.bind(1, id).bind(2, std::int64_t{any_org}).bind(3, org_id);
    return stmt.step();
  });
}

Result<Json> SqliteTransaction::latest_form(std::int64_t org_id, std::string_view target_kind) {
  return guarded([&]() -> Result<Json> {
    Statement stmt = connection_.prepare(
        "SELECT data FROM form_definition WHERE org_id = ? AND f_target_kind = ? "
        "ORDER BY f_form_version DESC LIMIT 1");
    stmt.bind(1, org_id).bind(2, target_kind);
    if (!stmt.step()) return Json();
    return Json::parse(stmt.text(0));
  });
}

User SqliteTransaction::read_user(Statement& stmt) {
  User user;
  user.id = stmt.integer(0);
  user.org_id = stmt.integer(1);
  user.username = stmt.text(2);
  user.display_name = stmt.text(3);
  user.roles = Json::parse(stmt.text(4)).get<std::vector<std::string>>();
  user.password_hash = stmt.text(5);
  user.disabled = stmt.integer(6) != 0;
  user.version = stmt.integer(7);
  user.failed_logins = stmt.integer(8);
  user.locked_until = stmt.text(9);
  if (!stmt.is_null(10)) {
    if (!keys()) throw SealError("the user has a sealed TOTP key and no key ring was given");
    auto opened = keys()->open_sealed(user.org_id, stmt.blob(10), "user:" + std::to_string(user.id) + ":totp");
    if (!opened.ok()) throw SealError(opened.error().message);
    user.totp_secret = std::move(opened.value());
  }
  return user;
}

constexpr const char* kUserColumns =
    "id, org_id, username, display_name, roles, password_hash, disabled, version, failed_logins, locked_until, totp_sealed";

Result<User> SqliteTransaction::update_user(const User& user) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Result<User> {
    Statement stmt = connection_.prepare(
        "UPDATE app_user SET display_name = ?, roles = ?, password_hash = ?, disabled = ?, failed_logins = ?, "
        "locked_until = ?, totp_sealed = ?, version = version + 1 WHERE id = ? AND version = ?");
    stmt.bind(1, user.display_name).bind(2, Json(user.roles).dump()).bind(3, user.password_hash);
    stmt.bind(4, std::int64_t{user.disabled}).bind(5, user.failed_logins).bind(6, user.locked_until);
    if (user.totp_secret.empty()) {
      stmt.bind_null(7);
    } else {
      if (!keys()) throw SealError("no key ring to seal the TOTP key");
      auto sealed = keys()->seal(user.org_id, user.totp_secret, "user:" + std::to_string(user.id) + ":totp");
      if (!sealed.ok()) throw SealError(sealed.error().message);
      stmt.bind_blob(7, *sealed);
    }
    stmt.bind(8, user.id).bind(9, user.version);
    stmt.step();
    if (connection_.changes() != 1)
      return Error{ErrorCode::kConflict, "the account was changed by someone else; reload it", "/version"};
    User updated = user;
    updated.version = user.version + 1;
    return updated;
  });
}

Status SqliteTransaction::delete_sessions_of(std::int64_t user_id) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    connection_.prepare("DELETE FROM session WHERE user_id = ?").bind(1, user_id).step();
    return Status::Ok();
  });
}

Result<User> SqliteTransaction::insert_user(User user) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Result<User> {
    Statement stmt = connection_.prepare(
        "INSERT INTO app_user(org_id, username, display_name, roles, password_hash, disabled, "
        "version, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)");
    stmt.bind(1, user.org_id).bind(2, user.username).bind(3, user.display_name);
    stmt.bind(4, Json(user.roles).dump()).bind(5, user.password_hash);
    stmt.bind(6, std::int64_t{user.disabled}).bind(7, format_datetime(store_.clock().now()));
    stmt.step();
    user.id = connection_.last_insert_id();
    user.version = 1;
    return user;
  });
}

Result<User> SqliteTransaction::find_user(std::string_view username) {
  return guarded([&]() -> Result<User> {
    Statement stmt = connection_.prepare(std::string("SELECT ") + kUserColumns +
                                         " FROM app_user WHERE username = ?");
    stmt.bind(1, username);
    if (!stmt.step()) return Error{ErrorCode::kNotFound, "no such user", ""};
    return read_user(stmt);
  });
}

Result<User> SqliteTransaction::get_user(std::int64_t id) {
  return guarded([&]() -> Result<User> {
    Statement stmt = connection_.prepare(std::string("SELECT ") + kUserColumns +
                                         " FROM app_user WHERE id = ?");
    stmt.bind(1, id);
    if (!stmt.step()) return Error{ErrorCode::kNotFound, "user " + std::to_string(id) + " does not exist", ""};
    return read_user(stmt);
  });
}

Result<std::vector<User>> SqliteTransaction::list_users(std::int64_t org_id) {
  return guarded([&]() -> Result<std::vector<User>> {
    Statement stmt = connection_.prepare(std::string("SELECT ") + kUserColumns +
                                         " FROM app_user WHERE org_id = ? ORDER BY id");
    stmt.bind(1, org_id);
    std::vector<User> users;
    while (stmt.step()) users.push_back(read_user(stmt));
    return users;
  });
}

Status SqliteTransaction::insert_session(const std::string& token_hash, std::int64_t user_id,
                                         const std::string& expires_at, const std::string& csrf_token) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    connection_.prepare("INSERT INTO session(token_hash, user_id, expires_at, csrf_token) VALUES (?, ?, ?, ?)")
        .bind(1, token_hash).bind(2, user_id).bind(3, expires_at).bind(4, csrf_token).step();
    return Status::Ok();
  });
}

Result<Transaction::SessionRow> SqliteTransaction::find_session(const std::string& token_hash,
                                                                const std::string& now) {
  return guarded([&]() -> Result<SessionRow> {
    Statement stmt = connection_.prepare("SELECT user_id, csrf_token FROM session WHERE token_hash = ? AND expires_at > ?");
    stmt.bind(1, token_hash).bind(2, now);
    if (!stmt.step()) return Error{ErrorCode::kUnauthenticated, "the session has expired or does not exist; log in again", ""};
    return SessionRow{stmt.integer(0), stmt.text(1)};
  });
}

Status SqliteTransaction::delete_session(const std::string& token_hash) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    connection_.prepare("DELETE FROM session WHERE token_hash = ?").bind(1, token_hash).step();
    return Status::Ok();
  });
}

constexpr const char* kAuditColumns =
    "seq, at, org_id, user_id, actor, action, kind, record_id, detail, prev_hash, hash";

AuditRecord SqliteTransaction::read_audit(Statement& stmt) {
  AuditRecord entry;
  entry.seq = stmt.integer(0);
  entry.at = stmt.text(1);
  entry.org_id = stmt.integer(2);
  entry.user_id = stmt.integer(3);
  entry.actor = stmt.text(4);
  entry.action = stmt.text(5);
  entry.kind = stmt.text(6);
  entry.record_id = stmt.integer(7);
  entry.detail = stmt.text(8);
  entry.prev_hash = stmt.text(9);
  entry.hash = stmt.text(10);
  return entry;
}

Status SqliteTransaction::insert_evidence_file(std::int64_t evidence_id, std::int64_t org_id, std::string_view bytes) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    auto sealed = keys()->seal(org_id, bytes, "evidence_file:" + std::to_string(evidence_id));
    if (!sealed.ok()) throw SealError(sealed.error().message);
    Statement stmt = connection_.prepare(
        "INSERT INTO evidence_file(evidence_id, org_id, size, sealed, created_at) VALUES (?, ?, ?, ?, ?)");
    stmt.bind(1, evidence_id).bind(2, org_id).bind(3, static_cast<std::int64_t>(bytes.size())).bind_blob(4, *sealed);
    stmt.bind(5, format_datetime(store_.clock().now()));
    try {
      stmt.step();
    } catch (const SqliteError& e) {
      if (e.code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return Error{ErrorCode::kConflict, "this evidence item already has its original file; the original never changes", ""};
      throw;
    }
    return Status::Ok();
  });
}

Result<std::string> SqliteTransaction::get_evidence_file(std::int64_t evidence_id, std::int64_t org_id) {
  return guarded([&]() -> Result<std::string> {
    Statement stmt = connection_.prepare("SELECT sealed FROM evidence_file WHERE evidence_id = ? AND org_id = ?");
    stmt.bind(1, evidence_id).bind(2, org_id);
    if (!stmt.step()) return Error{ErrorCode::kNotFound, "no file is stored for evidence item " + std::to_string(evidence_id), ""};
    auto opened = keys()->open_sealed(org_id, stmt.blob(0), "evidence_file:" + std::to_string(evidence_id));
    if (!opened.ok()) throw SealError(opened.error().message);
    return std::move(opened.value());
  });
}

Result<AuditRecord> SqliteTransaction::last_audit() {
  return guarded([&]() -> Result<AuditRecord> {
    Statement stmt = connection_.prepare(std::string("SELECT ") + kAuditColumns + " FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!stmt.step()) return AuditRecord{};
    return read_audit(stmt);
  });
}

Status SqliteTransaction::insert_audit(const AuditRecord& entry) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    Statement stmt = connection_.prepare(std::string("INSERT INTO audit_log(") + kAuditColumns +
                                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    stmt.bind(1, entry.seq).bind(2, entry.at).bind(3, entry.org_id).bind(4, entry.user_id);
    stmt.bind(5, entry.actor).bind(6, entry.action).bind(7, entry.kind).bind(8, entry.record_id);
    stmt.bind(9, entry.detail).bind(10, entry.prev_hash).bind(11, entry.hash);
    stmt.step();
    return Status::Ok();
  });
}

Result<std::vector<AuditRecord>> SqliteTransaction::list_audit(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > 10000) return invalid("limit must be between 1 and 10000", "limit");
  // Every condition is always present and switched off by its parameter, so one cached statement
  // serves every combination of filters.
  return guarded([&]() -> Result<std::vector<AuditRecord>> {
    Statement stmt = connection_.prepare(
        std::string("SELECT ") + kAuditColumns +
        " FROM audit_log WHERE seq > ?1 AND (?2 = 0 OR org_id = ?2) AND (?3 = 0 OR user_id = ?3)"
        " AND (?4 = '' OR kind = ?4) AND (?5 = 0 OR record_id = ?5) AND (?6 = '' OR at >= ?6)"
        " AND (?7 = '' OR at <= ?7) AND (?9 = '' OR action = ?9) ORDER BY seq LIMIT ?8");
    stmt.bind(1, query.after_seq).bind(2, query.org_id).bind(3, query.user_id).bind(4, query.kind);
    stmt.bind(5, query.record_id).bind(6, query.from).bind(7, query.to);
    stmt.bind(8, static_cast<std::int64_t>(query.limit)).bind(9, query.action);
    std::vector<AuditRecord> entries;
    while (stmt.step()) entries.push_back(read_audit(stmt));
    return entries;
  });
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file,
                                                 const Clock& clock, SqliteOptions options) {
  if (!options.key_ring)
    return Error{ErrorCode::kInternal, "open_sqlite_store needs SqliteOptions::key_ring: Haven never stores identifying fields unsealed", ""};
  auto store = std::make_unique<SqliteStore>(file, clock, options);
  HAVEN_TRY(store->open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace haven
