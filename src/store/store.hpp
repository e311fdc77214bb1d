// Storage: one interface, a backend per database. Every backend must pass the conformance suite
// in conformance_test.cpp. Records are the entities of core/schema.hpp; the store keeps their
// fields as a JSON document plus one column per indexed field (for filters and sorting).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/core.hpp"
#include "crypto/crypto.hpp"

namespace haven {

struct Record {
  std::string kind;
  std::int64_t id = 0;
  std::int64_t org_id = 0;
  std::string display_code;  // e.g. PE-2026-00042, sequential per organisation, kind and year
  std::int64_t version = 0;  // starts at 1, +1 on every update (optimistic concurrency)
  std::string created_at;
  std::string updated_at;
  Json fields = Json::object();

  // The record as the API and exports show it: envelope and fields in one flat object.
  Json to_json() const;
};

struct Filter {
  std::string field;  // an indexed field, "id", "created_at" or "updated_at"
  enum class Op { kEq, kGe, kLe } op = Op::kEq;
  Json value;  // compared as the field's type
};

struct ListQuery {
  std::vector<Filter> filters;
  // Exact matches on sealed fields marked blind_indexed (field, plaintext value); found through
  // keyed digests, never by decrypting. Only within one organisation.
  std::vector<std::pair<std::string, std::string>> exact;
  std::string sort = "id";  // an indexed field, "id", "created_at" or "updated_at"
  bool descending = false;
  std::size_t limit = 50;  // 1..1000
  std::string cursor;      // from the previous page's next_cursor; empty for the first page
  // When not 0: only records this user needs to know (see Transaction::is_visible).
  std::int64_t need_to_know_user = 0;
};

struct ListPage {
  std::vector<Record> records;
  std::string next_cursor;  // empty on the last page
};

struct User {
  std::int64_t id = 0;
  std::int64_t org_id = 0;
  std::string username;
  std::string display_name;
  std::vector<std::string> roles;
  std::string password_hash;  // argon2id, libsodium's crypto_pwhash_str format
  bool disabled = false;
  std::int64_t version = 0;
  std::int64_t failed_logins = 0;  // consecutive failures since the last success
  std::string locked_until;        // UTC date-time; empty when not locked
  std::string totp_secret;         // raw TOTP key (sealed at rest); empty when TOTP is off
};

// One entry of the audit log as stored. The audit module (src/audit) computes `hash` over the
// entry and `prev_hash`, so that any edited, removed or reordered entry breaks the chain.
struct AuditRecord {
  std::int64_t seq = 0;  // 1, 2, 3, ... in append order; 0 = none
  std::string at;        // UTC date-time
  std::int64_t org_id = 0;
  std::int64_t user_id = 0;  // 0 for the system or a command-line operator
  std::string actor;         // user name, or "cli:<command>"
  std::string action;        // read, list, create, update, export, import, login, login_failed, ...
  std::string kind;          // entity kind, or empty
  std::int64_t record_id = 0;
  std::string detail;  // JSON object; never identifying data (field names, not values)
  std::string prev_hash;
  std::string hash;
};

struct AuditQuery {
  std::int64_t org_id = 0;  // 0: every organisation
  std::int64_t user_id = 0;
  std::string kind;
  std::int64_t record_id = 0;
  std::string action;        // e.g. login_failed, break_glass, export; empty: every action
  std::string from, to;      // UTC date-times, inclusive
  std::int64_t after_seq = 0;  // paging: entries with seq > after_seq
  std::size_t limit = 100;
};

// A unit of work. Records come back with their sealed fields opened: the transaction is inside
// the trust boundary, and the access policy decides what leaves it. Destroying a transaction that
// was not committed rolls it back; commit() ends it (a write transaction lets the next writer in
// at once). A transaction belongs to one thread and is not used after commit().
class Transaction : public RecordLookup {
 public:
  // Stores already-validated fields as a new record; assigns id, display code and version 1.
  virtual Result<Record> insert(const EntitySpec& spec, std::int64_t org_id, Json fields) = 0;
  // kNotFound unless the record exists and belongs to org_id (org_id 0: any organisation).
  virtual Result<Record> get(const EntitySpec& spec, std::int64_t id, std::int64_t org_id) = 0;
  // Replaces the fields if the stored version is still expected_version, else kConflict.
  virtual Result<Record> update(const EntitySpec& spec, std::int64_t id, std::int64_t org_id,
                                std::int64_t expected_version, Json fields) = 0;
  // org_id 0 lists every organisation's records (system administrators, exports of the store).
  virtual Result<ListPage> list(const EntitySpec& spec, std::int64_t org_id,
                                const ListQuery& query) = 0;
  virtual Result<std::int64_t> count(const EntitySpec& spec, std::int64_t org_id) = 0;
  // Reports and statistics: the named public (unsealed) fields of every record of `spec` in the
  // organisation (org_id 0: every organisation), in id order, without opening anything sealed, so
  // aggregates never touch identifying data. `row` gets the record's id, its organisation and one
  // value per named field (null when absent). A sealed or unknown field is refused. The default
  // pages through list(); backends push it down to one query.
  using ScanRow = std::function<void(std::int64_t id, std::int64_t org_id, const std::vector<Json>& values)>;
  virtual Status scan(const EntitySpec& spec, std::int64_t org_id, const std::vector<std::string>& fields,
                      const ScanRow& row);
  // Need to know: a case is visible to the users assigned to it, or to everyone in its
  // organisation while nobody is assigned. Records of a case (events, operations, legal cases,
  // hearings, audits, evidence, roles) follow their case; a person is visible through any visible
  // case they take a role in, or to everyone while they are in no case; a person's services,
  // assessments and consents follow the person. Other kinds are visible to all.
  virtual Result<bool> is_visible(const EntitySpec& spec, std::int64_t id, std::int64_t user_id) = 0;

  virtual Result<User> insert_user(User user) = 0;
  virtual Result<User> find_user(std::string_view username) = 0;
  virtual Result<User> get_user(std::int64_t id) = 0;
  virtual Result<std::vector<User>> list_users(std::int64_t org_id) = 0;
  // Replaces the user's fields if its version is still user.version (else kConflict).
  virtual Result<User> update_user(const User& user) = 0;

  virtual Status insert_session(const std::string& token_hash, std::int64_t user_id,
                                const std::string& expires_at, const std::string& csrf_token) = 0;
  struct SessionRow {
    std::int64_t user_id = 0;
    std::string csrf_token;
  };
  // The session if it has not expired at `now`, else kUnauthenticated.
  virtual Result<SessionRow> find_session(const std::string& token_hash, const std::string& now) = 0;
  virtual Status delete_session(const std::string& token_hash) = 0;
  // Ends every session of a user (password change, disabled account, role change).
  virtual Status delete_sessions_of(std::int64_t user_id) = 0;

  // The original file of evidence item `evidence_id`, sealed under the organisation's data key.
  // kConflict if a file is already stored: the original never changes.
  virtual Status insert_evidence_file(std::int64_t evidence_id, std::int64_t org_id, std::string_view bytes) = 0;
  // The file, opened; kNotFound when none was stored (or for another organisation).
  virtual Result<std::string> get_evidence_file(std::int64_t evidence_id, std::int64_t org_id) = 0;

  // The last audit entry (seq 0 when the log is empty). In a write transaction the caller holds
  // the write lock, so appending after it keeps one chain even with several writers.
  virtual Result<AuditRecord> last_audit() = 0;
  virtual Status insert_audit(const AuditRecord& entry) = 0;
  // Entries matching `query` in seq order.
  virtual Result<std::vector<AuditRecord>> list_audit(const AuditQuery& query) = 0;

  // Fuzzy person search (src/search keeps the index, src/dedupe runs it). Each person's keyed
  // encodings are stored beside it, numbered by a sequence that grows with every write, so any
  // server process can catch up with the writes of others. Empty encodings: not indexed (a merged
  // duplicate). The defaults answer kFailedPrecondition: a backend without search encodings.
  struct SearchRow {
    std::int64_t person_id = 0, org_id = 0, seq = 0;
    std::string encodings;
  };
  // Rows written after `after_seq`, in sequence order, at most `limit` of them.
  virtual Result<std::vector<SearchRow>> search_encodings_after(std::int64_t after_seq, std::size_t limit);
  // Writes (or, with empty bytes, withdraws) a person's encodings.
  virtual Status put_search_encodings(std::int64_t person_id, std::int64_t org_id, std::string_view encodings);

  virtual Status commit() = 0;
};

// Turns a person's fields into the keyed encodings the search index holds; called by the store
// inside the transaction that writes the person. Empty bytes: nothing to index.
using PersonEncoder = std::function<std::string(std::int64_t org_id, const Json& fields)>;

class Store {
 public:
  virtual ~Store() = default;
  // A write transaction takes the database's write lock at once, so writers queue instead of
  // failing late with a busy error.
  virtual Result<std::unique_ptr<Transaction>> begin(bool write) = 0;
  virtual int schema_version() const = 0;
  // Every later person write also writes the person's search encodings (see Transaction::
  // put_search_encodings). Set once, before the store is shared between threads.
  virtual void set_person_encoder(PersonEncoder encoder) { (void)encoder; }
  // A consistent copy of the whole database, taken while others keep reading and writing.
  virtual Status backup_to(const std::filesystem::path& file) = 0;

  // The database connections this process holds, for monitoring (GET /metrics). Empty for a
  // backend without a connection pool (SQLite: a file opened in the process).
  struct ConnectionStats {
    std::size_t in_use = 0;   // leased to a transaction now
    std::size_t open = 0;     // in use or idle
    std::size_t max = 0;      // the pool's bound (PostgresOptions::max_connections)
    std::size_t waiting = 0;  // requests waiting for a connection now
  };
  virtual std::optional<ConnectionStats> connection_stats() const { return std::nullopt; }

  // Key management (haven rekey). Re-wraps every stored data key under `new_master`, in one
  // transaction; the store's own key ring stays as it is (reopen with the new one).
  virtual Status rewrap_data_keys(const KeyRing& new_master) = 0;
  // Gives every organisation a new data key version and re-seals every sealed value under it, in
  // batches; returns the number of values re-sealed. Blind indexes keep their keys (version 1),
  // so look-ups keep working; old versions stay stored, as nothing is sealed under them anymore.
  virtual Result<std::uint64_t> rotate_data_keys(
      const std::function<void(std::uint64_t done, std::uint64_t total)>& progress) = 0;
};

struct SqliteOptions {
  // Required. Seals identifying and sensitive fields; its master key must open the stored data
  // keys. One key ring per database (data keys are keyed by organisation id).
  KeyRing* key_ring = nullptr;
  std::size_t max_readers = 64;  // as many as the API server has threads, so no reader waits for a connection
  int target_version = -1;  // migrate up to this schema version; -1 = latest (tests use others)
};

inline constexpr int kLatestSchemaVersion = 5;

// Opens (creating if needed) the SQLite database `file` and migrates it forward to the target
// version. Refuses a database whose schema is newer than this binary knows.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file,
                                                 const Clock& clock, SqliteOptions options = {});

// kInvalidArgument unless every name is a public field of `spec` (what Transaction::scan accepts).
Status check_scan_fields(const EntitySpec& spec, const std::vector<std::string>& fields);

struct PostgresOptions {
  // Required, as for SQLite. Several processes on one database must use the same master key.
  KeyRing* key_ring = nullptr;
  // Connections this process opens at most (a bounded pool; requests wait for a free one).
  std::size_t max_connections = 16;
  // How long a request waits for a pooled connection before it fails with kUnavailable.
  std::chrono::milliseconds acquire_timeout{30000};
  // At start, an unreachable server is retried with doubling delays (0.25 s up to 8 s) for this
  // long before open_postgres_store gives up with kUnavailable.
  std::chrono::milliseconds connect_timeout{60000};
  // Told about every failed attempt at start (what failed, where, when the next try is); may be
  // empty. Never given the password.
  std::function<void(const std::string& problem, std::chrono::milliseconds retry_in)> on_retry;
  int target_version = -1;  // migrate up to this schema version; -1 = latest (tests use others)
  std::string pg_dump = "pg_dump";  // backup_to runs it (found on PATH unless a path is given)
};

// Opens the PostgreSQL database named by `conninfo` (a libpq connection string or
// postgres:// URI) and migrates it forward, serialised with any other process doing the same.
// Several processes may open one database at once: writers are serialised by a database-wide
// lock taken when a write transaction begins (see Store::begin), so versions, display codes and
// the audit chain stay single. Refuses a schema newer than this binary knows, and a database that
// an unfinished `haven migrate` is still filling (both kFailedPrecondition).
// backup_to runs pg_dump and writes its custom-format archive (restore with pg_restore).
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo, const Clock& clock,
                                                   PostgresOptions options);

// Restores an archive written by backup_to (pg_dump's custom format) into the PostgreSQL database
// `conninfo`, with the program `pg_restore` (found on PATH unless a path is given), in one
// transaction: all of it or nothing. Refuses a database that holds any table of its own
// (kFailedPrecondition): a restore never overwrites data. kUnavailable when pg_restore fails.
Status restore_postgres_backup(const std::filesystem::path& archive, const std::string& conninfo,
                               const std::string& pg_restore = "pg_restore");

// Validate-then-write, the path every writer (API, import, demo) takes.
Result<Record> create_record(Transaction& tx, const EntitySpec& spec, std::int64_t org_id,
                             const Json& input, const Clock& clock);
Result<Record> update_record(Transaction& tx, const EntitySpec& spec, std::int64_t id,
                             std::int64_t org_id, std::int64_t expected_version,
                             const Json& patch, const Clock& clock);

}  // namespace haven
