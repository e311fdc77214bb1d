// Records of the PostgreSQL backend: insert, get, update, list, visibility. The SQL mirrors
// sqlite_store.cpp statement for statement; only the dialect differs.
#include "store/postgres_backend.hpp"

namespace haven::postgres {

namespace {
constexpr const char* kRecordColumns = "id, org_id, display_code, version, created_at, updated_at, data, sealed";
}

PostgresTransaction::~PostgresTransaction() {
  if (open_ && db().healthy()) {
    try {
      db().execute("ROLLBACK");
    } catch (const PgError&) {
      // The connection broke; the pool closes it, and the server rolls the transaction back.
    }
  }
}

Status PostgresTransaction::commit() {
  if (!open_) return Error{ErrorCode::kInternal, "the transaction has ended", ""};
  try {
    open_ = false;  // committed or not, the transaction is over (a failed COMMIT rolls back)
    db().execute("COMMIT");  // releases the write lock: the next writer goes on at once
    return Status::Ok();
  } catch (const PgError& e) {
    return to_error(e);
  }
}

KeyRing* PostgresTransaction::keys() const { return store_.keys(); }

std::string PostgresTransaction::next_display_code(const EntitySpec& spec, std::int64_t org_id,
                                                   const std::string& now) {
  const std::string year = now.substr(0, 4);
  Params p;
  const std::string sql = "INSERT INTO code_sequence(org_id, prefix, year, last) VALUES (" + p.add(org_id) + ", " +
                          p.add(spec.code_prefix) + ", " + p.add(std::int64_t{std::stoi(year)}) +
                          ", 1) ON CONFLICT (org_id, prefix, year) DO UPDATE SET last = code_sequence.last + 1 "
                          "RETURNING last";
  const Rows rows = db().run(sql, p);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%s-%s-%05lld", spec.code_prefix.c_str(), year.c_str(),
                static_cast<long long>(rows.integer(0, 0)));
  return buffer;
}

void PostgresTransaction::load_new_data_keys() {
  const Rows rows = db().run("SELECT org_id, key_version, wrapped FROM data_key ORDER BY org_id, key_version");
  for (int r = 0; r < rows.size(); ++r)
    if (keys()->current_key_version(rows.integer(r, 0)) < rows.integer(r, 1))
      if (auto loaded = keys()->load_data_key(rows.integer(r, 0), static_cast<std::int32_t>(rows.integer(r, 1)),
                                              rows.bytes(r, 2));
          !loaded.ok())
        throw SealError(loaded.error().message);
}

// Another server may have created the organisation: its data key is then in the database but not
// yet in this process's key ring.
void PostgresTransaction::ensure_data_key(std::int64_t org_id) {
  if (keys()->current_key_version(org_id) == 0) load_new_data_keys();
}

std::pair<std::string, std::string> PostgresTransaction::split_and_seal(const EntitySpec& spec, std::int64_t org_id,
                                                                        std::int64_t id, const Json& fields) {
  if (!keys()) return {fields.dump(), {}};
  const auto [open_part, sealed_part] = layout::split_sealed(spec, fields);
  if (sealed_part.empty()) return {open_part.dump(), {}};
  ensure_data_key(org_id);
  auto sealed = keys()->seal(org_id, sealed_part.dump(), seal_context(spec, id));
  if (!sealed.ok()) throw SealError(sealed.error().message);
  return {open_part.dump(), std::move(sealed.value())};
}

void PostgresTransaction::write_blind_indexes(const EntitySpec& spec, std::int64_t org_id, std::int64_t id,
                                              const Json& fields) {
  if (!keys()) return;
  {
    Params p;
    const std::string sql = "DELETE FROM blind_index WHERE kind = " + p.add(spec.kind) + " AND record_id = " + p.add(id);
    db().run(sql, p);
  }
  for (const auto& f : spec.fields) {
    if (!f.blind_indexed || !fields.contains(f.name) || !fields[f.name].is_string()) continue;
    ensure_data_key(org_id);
    auto digest = keys()->blind_index(org_id, f.name, normalise_for_equality(f.name, fields[f.name].get<std::string>()));
    if (!digest.ok()) throw SealError(digest.error().message);
    Params p;
    const std::string sql = "INSERT INTO blind_index(org_id, kind, field, digest, record_id) VALUES (" + p.add(org_id) +
                            ", " + p.add(spec.kind) + ", " + p.add(f.name) + ", " + p.add(*digest) + ", " + p.add(id) +
                            ") ON CONFLICT DO NOTHING";
    db().run(sql, p);
  }
}

void PostgresTransaction::create_data_key(std::int64_t org_id) {
  if (!keys()) return;
  auto wrapped = keys()->new_wrapped_data_key();
  if (!wrapped.ok()) throw SealError(wrapped.error().message);
  Params p;
  const std::string sql = "INSERT INTO data_key(org_id, key_version, wrapped, created_at) VALUES (" + p.add(org_id) +
                          ", 1, " + p.add_bytes(*wrapped) + ", " + p.add(format_datetime(store_.clock().now())) + ")";
  db().run(sql, p);
  if (auto loaded = keys()->load_data_key(org_id, 1, *wrapped); !loaded.ok()) throw SealError(loaded.error().message);
}

void PostgresTransaction::write_assignments(std::int64_t case_id, const Json& fields) {
  {
    Params p;
    const std::string sql = "DELETE FROM case_assignment WHERE case_id = " + p.add(case_id);
    db().run(sql, p);
  }
  for (const auto& user : fields.value("assigned_user_ids", Json::array())) {
    Params p;
    const std::string sql = "INSERT INTO case_assignment(case_id, user_id) VALUES (" + p.add(case_id) + ", " +
                            p.add(user.get<std::int64_t>()) + ") ON CONFLICT DO NOTHING";
    db().run(sql, p);
  }
}

Status PostgresTransaction::put_search_encodings(std::int64_t person_id, std::int64_t org_id, std::string_view encodings) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    // Writers hold the database-wide write lock, so the next number is this transaction's alone.
    Params p;
    const std::string value = encodings.empty() ? p.add_null() : p.add_bytes(encodings);
    const std::string sql = "INSERT INTO person_search(person_id, org_id, encodings, written_seq) VALUES (" + p.add(person_id) + ", " +
                            p.add(org_id) + ", " + value +
                            ", (SELECT COALESCE(MAX(written_seq), 0) + 1 FROM person_search)) ON CONFLICT (person_id) DO UPDATE SET "
                            "org_id = excluded.org_id, encodings = excluded.encodings, written_seq = excluded.written_seq";
    db().run(sql, p);
    return Status::Ok();
  });
}

Result<std::vector<Transaction::SearchRow>> PostgresTransaction::search_encodings_after(std::int64_t after_seq, std::size_t limit) {
  return guarded([&]() -> Result<std::vector<SearchRow>> {
    Params p;
    const std::string sql = "SELECT person_id, org_id, written_seq, encodings FROM person_search WHERE written_seq > " + p.add(after_seq) +
                            " ORDER BY written_seq LIMIT " + p.add(static_cast<std::int64_t>(limit));
    const Rows rows = db().run(sql, p);
    std::vector<SearchRow> out;
    for (int r = 0; r < rows.size(); ++r)
      out.push_back({rows.integer(r, 0), rows.integer(r, 1), rows.integer(r, 2), rows.is_null(r, 3) ? std::string() : rows.bytes(r, 3)});
    return out;
  });
}

Result<bool> PostgresTransaction::is_visible(const EntitySpec& spec, std::int64_t id, std::int64_t user_id) {
  return guarded([&]() -> Result<bool> {
    Params p;
    const std::string id_param = p.add(id);
    const std::string clause = layout::need_to_know_clause(spec, p.add(user_id) + "::bigint");
    if (clause.empty()) return true;
    return !db().run("SELECT 1 FROM " + table_name(spec) + " WHERE id = " + id_param + " AND " + clause, p).empty();
  });
}

Result<Record> PostgresTransaction::insert(const EntitySpec& spec, std::int64_t org_id, Json fields) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Result<Record> {
    Record record;
    record.kind = spec.kind;
    record.created_at = record.updated_at = format_datetime(store_.clock().now());
    record.version = 1;
    // The id is taken before the insert (this transaction holds the write lock, in every process)
    // because sealed fields are bound to it.
    record.id = db().run("SELECT COALESCE(MAX(id), 0) + 1 FROM " + table_name(spec)).integer(0, 0);
    record.org_id = spec.org_scoped ? org_id : record.id;  // for an organisation, its own id
    if (!spec.org_scoped) create_data_key(record.id);
    record.display_code = next_display_code(spec, spec.org_scoped ? org_id : 0, record.created_at);
    const auto [data, sealed] = split_and_seal(spec, record.org_id, record.id, fields);
    Params p;
    std::string columns = kRecordColumns;
    std::string values = p.add(record.id) + ", " + p.add(record.org_id) + ", " + p.add(record.display_code) + ", " +
                         p.add(record.version) + ", " + p.add(record.created_at) + ", " + p.add(record.updated_at) +
                         ", " + p.add(data) + ", " + (sealed.empty() ? p.add_null() : p.add_bytes(sealed));
    for (const auto& f : spec.fields)
      if (f.indexed) {
        columns += ", f_" + f.name;
        values += ", ";
        bind_json(p, values, fields.value(f.name, Json()), column_kind(f));
      }
    db().run("INSERT INTO " + table_name(spec) + " (" + columns + ") VALUES (" + values + ")", p);
    write_blind_indexes(spec, record.org_id, record.id, fields);
    if (spec.kind == "case") write_assignments(record.id, fields);
    if (spec.kind == "person") layout::write_person_search(*this, store_.person_encoder(), record.id, record.org_id, fields);
    record.fields = std::move(fields);
    return record;
  });
}

Record PostgresTransaction::read_record(const EntitySpec& spec, const Rows& rows, int row) {
  Record record;
  record.kind = spec.kind;
  record.id = rows.integer(row, 0);
  record.org_id = rows.integer(row, 1);
  record.display_code = rows.text(row, 2);
  record.version = rows.integer(row, 3);
  record.created_at = rows.text(row, 4);
  record.updated_at = rows.text(row, 5);
  record.fields = Json::parse(rows.text(row, 6));
  if (!rows.is_null(row, 7)) {
    if (!keys()) throw SealError("the record has sealed fields and no key ring was given");
    const std::string sealed = rows.bytes(row, 7);
    auto opened = keys()->open_sealed(record.org_id, sealed, seal_context(spec, record.id));
    if (!opened.ok() && opened.error().code == ErrorCode::kNotFound) {
      // Sealed under a data key another process made (a new organisation, or a rotation).
      load_new_data_keys();
      opened = keys()->open_sealed(record.org_id, sealed, seal_context(spec, record.id));
    }
    if (!opened.ok()) throw SealError(opened.error().message);
    Json sealed_fields = Json::parse(*opened);
    for (auto& [name, value] : sealed_fields.items()) record.fields[name] = std::move(value);
  }
  return record;
}

Result<Record> PostgresTransaction::get(const EntitySpec& spec, std::int64_t id, std::int64_t org_id) {
  return guarded([&]() -> Result<Record> {
    Params p;
    const Rows rows = db().run(std::string("SELECT ") + kRecordColumns + " FROM " + table_name(spec) +
                                   " WHERE id = " + p.add(id), p);
    // Another organisation's record gets the same answer as an absent one: no leak of existence.
    if (rows.empty() || (org_id != 0 && rows.integer(0, 1) != org_id))
      return Error{ErrorCode::kNotFound, spec.kind + " " + std::to_string(id) + " does not exist", ""};
    return read_record(spec, rows, 0);
  });
}

Result<Record> PostgresTransaction::update(const EntitySpec& spec, std::int64_t id, std::int64_t org_id,
                                           std::int64_t expected_version, Json fields) {
  HAVEN_TRY(require_write());
  auto current = get(spec, id, org_id);
  HAVEN_TRY(current);
  if (current->version != expected_version)
    return Error{ErrorCode::kConflict,
                 spec.kind + " " + std::to_string(id) + " was changed by someone else (now version " +
                     std::to_string(current->version) + ", you had " + std::to_string(expected_version) +
                     "); reload it and apply your change again",
                 "/version"};
  return guarded([&]() -> Result<Record> {
    Record record = std::move(current.value());
    record.updated_at = format_datetime(store_.clock().now());
    const auto [data, sealed] = split_and_seal(spec, record.org_id, id, fields);
    Params p;
    std::string sql = "UPDATE " + table_name(spec) + " SET version = version + 1, updated_at = " +
                      p.add(record.updated_at) + ", data = " + p.add(data) +
                      ", sealed = " + (sealed.empty() ? p.add_null() : p.add_bytes(sealed));
    for (const auto& f : spec.fields)
      if (f.indexed) {
        sql += ", f_" + f.name + " = ";
        bind_json(p, sql, fields.value(f.name, Json()), column_kind(f));
      }
    sql += " WHERE id = " + p.add(id) + " AND version = " + p.add(expected_version);
    // The version in the WHERE clause is the guard that matters: it holds even if a writer of an
    // older Haven skipped the lock.
    if (db().run(sql, p).affected() != 1)
      return Error{ErrorCode::kConflict, spec.kind + " " + std::to_string(id) + " was changed by someone else", "/version"};
    write_blind_indexes(spec, record.org_id, id, fields);
    if (spec.kind == "case") write_assignments(id, fields);
    if (spec.kind == "person") layout::write_person_search(*this, store_.person_encoder(), id, record.org_id, fields);
    record.version = expected_version + 1;
    record.fields = std::move(fields);
    return record;
  });
}

Result<std::int64_t> PostgresTransaction::count(const EntitySpec& spec, std::int64_t org_id) {
  return guarded([&]() -> Result<std::int64_t> {
    Params p;
    const std::string where = org_id != 0 ? " WHERE org_id = " + p.add(org_id) : std::string();
    return db().run("SELECT count(*) FROM " + table_name(spec) + where, p).integer(0, 0);
  });
}

Result<Json> PostgresTransaction::find(std::string_view kind, std::int64_t id, std::int64_t org_id) {
  if (kind == "user") {
    auto user = get_user(id);
    HAVEN_TRY(user);
    if (user->org_id != org_id) return Error{ErrorCode::kNotFound, "user " + std::to_string(id) + " does not exist", ""};
    return Json{{"username", user->username}};
  }
  const EntitySpec* spec = find_entity(kind);
  if (!spec) return Error{ErrorCode::kInternal, "unknown kind " + std::string(kind), ""};
  // Organisations are shared references (consent, referrals): any organisation may be named.
  auto record = get(*spec, id, spec->org_scoped ? org_id : 0);
  HAVEN_TRY(record);
  return record->fields;
}

Result<bool> PostgresTransaction::exists(std::string_view kind, std::int64_t id, std::int64_t org_id) {
  const EntitySpec* spec = kind == "user" ? nullptr : find_entity(kind);
  if (kind != "user" && !spec) return Error{ErrorCode::kInternal, "unknown kind " + std::string(kind), ""};
  const std::string table = spec ? table_name(*spec) : "app_user";
  const bool any_org = spec && !spec->org_scoped;  // organisations are shared references
  return guarded([&]() -> Result<bool> {
    Params p;
    std::string sql = "SELECT 1 FROM " + table + " WHERE id = " + p.add(id);
    if (!any_org) sql += " AND org_id = " + p.add(org_id);
    return !db().run(sql, p).empty();
  });
}

Result<Json> PostgresTransaction::latest_form(std::int64_t org_id, std::string_view target_kind) {
  return guarded([&]() -> Result<Json> {
    Params p;
    const std::string sql = "SELECT data FROM form_definition WHERE org_id = " + p.add(org_id) +
                            " AND f_target_kind = " + p.add(target_kind) + " ORDER BY f_form_version DESC LIMIT 1";
    const Rows rows = db().run(sql, p);
    if (rows.empty()) return Json();
    return Json::parse(rows.text(0, 0));
  });
}

}  // namespace haven::postgres
