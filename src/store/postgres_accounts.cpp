// Users, sessions, audit rows and evidence files of the PostgreSQL backend.
#include "store/postgres_backend.hpp"

namespace haven::postgres {

namespace {
constexpr const char* kUserColumns =
    "id, org_id, username, display_name, roles, password_hash, disabled, version, failed_logins, locked_until, "
    "totp_sealed";
constexpr const char* kAuditColumns = "seq, at, org_id, user_id, actor, action, kind, record_id, detail, prev_hash, hash";
}  // namespace

User PostgresTransaction::read_user(const Rows& rows, int row) {
  User user;
  user.id = rows.integer(row, 0);
  user.org_id = rows.integer(row, 1);
  user.username = rows.text(row, 2);
  user.display_name = rows.text(row, 3);
  user.roles = Json::parse(rows.text(row, 4)).get<std::vector<std::string>>();
  user.password_hash = rows.text(row, 5);
  user.disabled = rows.integer(row, 6) != 0;
  user.version = rows.integer(row, 7);
  user.failed_logins = rows.integer(row, 8);
  user.locked_until = rows.text(row, 9);
  if (!rows.is_null(row, 10)) {
    if (!keys()) throw SealError("the user has a sealed TOTP key and no key ring was given");
    ensure_data_key(user.org_id);
    auto opened = keys()->open_sealed(user.org_id, rows.bytes(row, 10), "user:" + std::to_string(user.id) + ":totp");
    if (!opened.ok()) throw SealError(opened.error().message);
    user.totp_secret = std::move(opened.value());
  }
  return user;
}

Result<User> PostgresTransaction::update_user(const User& user) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Result<User> {
    Params p;
    std::string sql = "UPDATE app_user SET display_name = " + p.add(user.display_name) + ", roles = " +
                      p.add(Json(user.roles).dump()) + ", password_hash = " + p.add(user.password_hash) +
                      ", disabled = " + p.add(std::int64_t{user.disabled}) + ", failed_logins = " +
                      p.add(user.failed_logins) + ", locked_until = " + p.add(user.locked_until) + ", totp_sealed = ";
    if (user.totp_secret.empty()) {
      sql += p.add_null();
    } else {
      if (!keys()) throw SealError("no key ring to seal the TOTP key");
      ensure_data_key(user.org_id);
      auto sealed = keys()->seal(user.org_id, user.totp_secret, "user:" + std::to_string(user.id) + ":totp");
      if (!sealed.ok()) throw SealError(sealed.error().message);
      sql += p.add_bytes(*sealed);
    }
    sql += ", version = version + 1 WHERE id = " + p.add(user.id) + " AND version = " + p.add(user.version);
    if (db().run(sql, p).affected() != 1)
      return Error{ErrorCode::kConflict, "the account was changed by someone else; reload it", "/version"};
    User updated = user;
    updated.version = user.version + 1;
    return updated;
  });
}

Status PostgresTransaction::delete_sessions_of(std::int64_t user_id) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    Params p;
    const std::string sql = "DELETE FROM session WHERE user_id = " + p.add(user_id);
    db().run(sql, p);
    return Status::Ok();
  });
}

Result<User> PostgresTransaction::insert_user(User user) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Result<User> {
    Params p;
    const std::string sql =
        "INSERT INTO app_user(org_id, username, display_name, roles, password_hash, disabled, version, created_at) "
        "VALUES (" + p.add(user.org_id) + ", " + p.add(user.username) + ", " + p.add(user.display_name) + ", " +
        p.add(Json(user.roles).dump()) + ", " + p.add(user.password_hash) + ", " + p.add(std::int64_t{user.disabled}) +
        ", 1, " + p.add(format_datetime(store_.clock().now())) + ") RETURNING id";
    user.id = db().run(sql, p).integer(0, 0);
    user.version = 1;
    return user;
  });
}

Result<User> PostgresTransaction::find_user(std::string_view username) {
  return guarded([&]() -> Result<User> {
    Params p;
    const Rows rows = db().run(std::string("SELECT ") + kUserColumns + " FROM app_user WHERE username = " + p.add(username), p);
    if (rows.empty()) return Error{ErrorCode::kNotFound, "no such user", ""};
    return read_user(rows, 0);
  });
}

Result<User> PostgresTransaction::get_user(std::int64_t id) {
  return guarded([&]() -> Result<User> {
    Params p;
    const Rows rows = db().run(std::string("SELECT ") + kUserColumns + " FROM app_user WHERE id = " + p.add(id), p);
    if (rows.empty()) return Error{ErrorCode::kNotFound, "user " + std::to_string(id) + " does not exist", ""};
    return read_user(rows, 0);
  });
}

Result<std::vector<User>> PostgresTransaction::list_users(std::int64_t org_id) {
  return guarded([&]() -> Result<std::vector<User>> {
    Params p;
    const Rows rows = db().run(
        std::string("SELECT ") + kUserColumns + " FROM app_user WHERE org_id = " + p.add(org_id) + " ORDER BY id", p);
    std::vector<User> users;
    for (int r = 0; r < rows.size(); ++r) users.push_back(read_user(rows, r));
    return users;
  });
}

Status PostgresTransaction::insert_session(const std::string& token_hash, std::int64_t user_id,
                                           const std::string& expires_at, const std::string& csrf_token) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    Params p;
    const std::string sql = "INSERT INTO session(token_hash, user_id, expires_at, csrf_token) VALUES (" +
                            p.add(token_hash) + ", " + p.add(user_id) + ", " + p.add(expires_at) + ", " +
                            p.add(csrf_token) + ")";
    db().run(sql, p);
    return Status::Ok();
  });
}

Result<Transaction::SessionRow> PostgresTransaction::find_session(const std::string& token_hash, const std::string& now) {
  return guarded([&]() -> Result<SessionRow> {
    Params p;
    const std::string sql = "SELECT user_id, csrf_token FROM session WHERE token_hash = " + p.add(token_hash) +
                            " AND expires_at > " + p.add(now);
    const Rows rows = db().run(sql, p);
    if (rows.empty()) return Error{ErrorCode::kUnauthenticated, "the session has expired or does not exist; log in again", ""};
    return SessionRow{rows.integer(0, 0), rows.text(0, 1)};
  });
}

Status PostgresTransaction::delete_session(const std::string& token_hash) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    Params p;
    const std::string sql = "DELETE FROM session WHERE token_hash = " + p.add(token_hash);
    db().run(sql, p);
    return Status::Ok();
  });
}

Status PostgresTransaction::insert_evidence_file(std::int64_t evidence_id, std::int64_t org_id, std::string_view bytes) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    ensure_data_key(org_id);
    auto sealed = keys()->seal(org_id, bytes, "evidence_file:" + std::to_string(evidence_id));
    if (!sealed.ok()) throw SealError(sealed.error().message);
    Params p;
    const std::string sql = "INSERT INTO evidence_file(evidence_id, org_id, size, sealed, created_at) VALUES (" +
                            p.add(evidence_id) + ", " + p.add(org_id) + ", " +
                            p.add(static_cast<std::int64_t>(bytes.size())) + ", " + p.add_bytes(*sealed) + ", " +
                            p.add(format_datetime(store_.clock().now())) + ")";
    try {
      db().run(sql, p);
    } catch (const PgError& e) {
      if (e.sqlstate == "23505")  // the savepoint of guarded() undoes the failed insert
        return Error{ErrorCode::kConflict, "this evidence item already has its original file; the original never changes", ""};
      throw;
    }
    return Status::Ok();
  });
}

Result<std::string> PostgresTransaction::get_evidence_file(std::int64_t evidence_id, std::int64_t org_id) {
  return guarded([&]() -> Result<std::string> {
    Params p;
    const std::string sql = "SELECT sealed FROM evidence_file WHERE evidence_id = " + p.add(evidence_id) +
                            " AND org_id = " + p.add(org_id);
    const Rows rows = db().run(sql, p);
    if (rows.empty()) return Error{ErrorCode::kNotFound, "no file is stored for evidence item " + std::to_string(evidence_id), ""};
    const std::string sealed = rows.bytes(0, 0);
    auto opened = keys()->open_sealed(org_id, sealed, "evidence_file:" + std::to_string(evidence_id));
    if (!opened.ok() && opened.error().code == ErrorCode::kNotFound) {
      load_new_data_keys();
      opened = keys()->open_sealed(org_id, sealed, "evidence_file:" + std::to_string(evidence_id));
    }
    if (!opened.ok()) throw SealError(opened.error().message);
    return std::move(opened.value());
  });
}

AuditRecord PostgresTransaction::read_audit(const Rows& rows, int row) {
  AuditRecord entry;
  entry.seq = rows.integer(row, 0);
  entry.at = rows.text(row, 1);
  entry.org_id = rows.integer(row, 2);
  entry.user_id = rows.integer(row, 3);
  entry.actor = rows.text(row, 4);
  entry.action = rows.text(row, 5);
  entry.kind = rows.text(row, 6);
  entry.record_id = rows.integer(row, 7);
  entry.detail = rows.text(row, 8);
  entry.prev_hash = rows.text(row, 9);
  entry.hash = rows.text(row, 10);
  return entry;
}

Result<AuditRecord> PostgresTransaction::last_audit() {
  return guarded([&]() -> Result<AuditRecord> {
    const Rows rows = db().run(std::string("SELECT ") + kAuditColumns + " FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (rows.empty()) return AuditRecord{};
    return read_audit(rows, 0);
  });
}

Status PostgresTransaction::insert_audit(const AuditRecord& entry) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    Params p;
    const std::string sql = std::string("INSERT INTO audit_log(") + kAuditColumns + ") VALUES (" + p.add(entry.seq) +
                            ", " + p.add(entry.at) + ", " + p.add(entry.org_id) + ", " + p.add(entry.user_id) + ", " +
                            p.add(entry.actor) + ", " + p.add(entry.action) + ", " + p.add(entry.kind) + ", " +
                            p.add(entry.record_id) + ", " + p.add(entry.detail) + ", " + p.add(entry.prev_hash) + ", " +
                            p.add(entry.hash) + ")";
    db().run(sql, p);
    return Status::Ok();
  });
}

Result<std::vector<AuditRecord>> PostgresTransaction::list_audit(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > 10000) return invalid("limit must be between 1 and 10000", "limit");
  // Only the filters given are in the statement (see the SQLite backend): with every filter
  // present and switched off by its parameter, PostgreSQL's generic plan for the prepared
  // statement (chosen after five runs) walks the primary key through the whole log.
  return guarded([&]() -> Result<std::vector<AuditRecord>> {
    Params p;
    std::string where = "seq > " + p.add(query.after_seq);
    if (query.org_id != 0) where += " AND org_id = " + p.add(query.org_id);
    if (query.user_id != 0) where += " AND user_id = " + p.add(query.user_id);
    if (!query.kind.empty()) where += " AND kind = " + p.add(query.kind);
    if (query.record_id != 0) where += " AND record_id = " + p.add(query.record_id);
    if (!query.from.empty()) where += " AND at >= " + p.add(query.from);
    if (!query.to.empty()) where += " AND at <= " + p.add(query.to);
    if (!query.action.empty()) where += " AND action = " + p.add(query.action);
    const std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE " + where +
                            " ORDER BY seq LIMIT " + p.add(static_cast<std::int64_t>(query.limit));
    const Rows rows = db().run(sql, p);
    std::vector<AuditRecord> entries;
    for (int r = 0; r < rows.size(); ++r) entries.push_back(read_audit(rows, r));
    return entries;
  });
}

}  // namespace haven::postgres
