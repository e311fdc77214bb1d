// Users, sessions, audit rows and evidence files of the SQLite backend.
#include "store/sqlite_backend.hpp"

namespace haven::sqlite {

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
  // Only the filters given are in the statement, so the planner can use the index that fits
  // (audit_log_record for a record's history, audit_log_user for a user's): a filter switched off
  // by its parameter ("?5 = 0 OR record_id = ?5") hides every index but the primary key's, and a
  // record's history then costs a walk through the whole log. One cached statement per combination.
  return guarded([&]() -> Result<std::vector<AuditRecord>> {
    std::string where = "seq > ?";
    if (query.org_id != 0) where += " AND org_id = ?";
    if (query.user_id != 0) where += " AND user_id = ?";
    if (!query.kind.empty()) where += " AND kind = ?";
    if (query.record_id != 0) where += " AND record_id = ?";
    if (!query.from.empty()) where += " AND at >= ?";
    if (!query.to.empty()) where += " AND at <= ?";
    if (!query.action.empty()) where += " AND action = ?";
    Statement stmt = connection_.prepare(std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE " + where +
                                         " ORDER BY seq LIMIT ?");
    int index = 1;
    stmt.bind(index++, query.after_seq);
    if (query.org_id != 0) stmt.bind(index++, query.org_id);
    if (query.user_id != 0) stmt.bind(index++, query.user_id);
    if (!query.kind.empty()) stmt.bind(index++, query.kind);
    if (query.record_id != 0) stmt.bind(index++, query.record_id);
    if (!query.from.empty()) stmt.bind(index++, query.from);
    if (!query.to.empty()) stmt.bind(index++, query.to);
    if (!query.action.empty()) stmt.bind(index++, query.action);
    stmt.bind(index, static_cast<std::int64_t>(query.limit));
    std::vector<AuditRecord> entries;
    while (stmt.step()) entries.push_back(read_audit(stmt));
    return entries;
  });
}

}  // namespace haven::sqlite
