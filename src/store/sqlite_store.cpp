#include "store/sqlite_backend.hpp"

namespace haven::sqlite {

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
  const auto [open_part, sealed_part] = layout::split_sealed(spec, fields);
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
    if (spec.kind == "person") layout::write_person_search(*this, store_.person_encoder(), record.id, record.org_id, fields);
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
    if (spec.kind == "person") layout::write_person_search(*this, store_.person_encoder(), id, record.org_id, fields);
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
  // The same expression as PostgreSQL's and as the index on it (migration 4), so the index serves.
  const std::string key = nullable ? "COALESCE(" + sort->first + ", " + null_key + ")" : sort->first;
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

Status SqliteTransaction::put_search_encodings(std::int64_t person_id, std::int64_t org_id, std::string_view encodings) {
  HAVEN_TRY(require_write());
  return guarded([&]() -> Status {
    // The writer lock is held, so the next number is this transaction's alone.
    Statement stmt = connection_.prepare(
        "INSERT INTO person_search(person_id, org_id, encodings, written_seq) "
        "VALUES (?, ?, ?, (SELECT IFNULL(MAX(written_seq), 0) + 1 FROM person_search)) "
        "ON CONFLICT(person_id) DO UPDATE SET org_id = excluded.org_id, encodings = excluded.encodings, "
        "written_seq = excluded.written_seq");
    stmt.bind(1, person_id).bind(2, org_id);
    if (encodings.empty()) stmt.bind_null(3); else stmt.bind_blob(3, encodings);
    stmt.step();
    return Status::Ok();
  });
}

Result<std::vector<Transaction::SearchRow>> SqliteTransaction::search_encodings_after(std::int64_t after_seq, std::size_t limit) {
  return guarded([&]() -> Result<std::vector<SearchRow>> {
    Statement stmt = connection_.prepare(
        "SELECT person_id, org_id, written_seq, encodings FROM person_search WHERE written_seq > ? ORDER BY written_seq LIMIT ?");
    stmt.bind(1, after_seq).bind(2, static_cast<std::int64_t>(limit));
    std::vector<SearchRow> rows;
    while (stmt.step())
      rows.push_back({stmt.integer(0), stmt.integer(1), stmt.integer(2), stmt.is_null(3) ? std::string() : stmt.blob(3)});
    return rows;
  });
}

Status SqliteTransaction::scan(const EntitySpec& spec, std::int64_t org_id, const std::vector<std::string>& fields,
                               const ScanRow& row) {
  HAVEN_TRY(check_scan_fields(spec, fields));
  // Indexed fields come from their columns; the rest from the public JSON document, extracted by
  // SQLite so that no row's document is parsed whole. Names come from the entity description.
  std::string sql = "SELECT id, org_id";
  std::vector<const FieldSpec*> specs;
  for (const auto& name : fields) {
    const FieldSpec* f = spec.field(name);
    specs.push_back(f);
    sql += f->indexed ? ", f_" + f->name : ", json_extract(data, '$." + f->name + "')";
  }
  sql += " FROM " + table_name(spec) + (org_id != 0 ? " WHERE org_id = ?" : " WHERE ? = 0") + " ORDER BY id";
  return guarded([&]() -> Status {
    Statement stmt = connection_.prepare(sql);
    stmt.bind(1, org_id);
    std::vector<Json> values(fields.size());
    while (stmt.step()) {
      for (std::size_t i = 0; i < specs.size(); ++i) {
        const int column = static_cast<int>(i) + 2;
        const FieldType type = specs[i]->type;
        if (stmt.is_null(column)) {
          values[i] = Json();
        } else if (type == FieldType::kBoolean) {
          values[i] = stmt.integer(column) != 0;
        } else if (type == FieldType::kInteger || type == FieldType::kRef) {
          values[i] = stmt.integer(column);
        } else if (type == FieldType::kNumber) {
          values[i] = stmt.real(column);
        } else if (type == FieldType::kObject || type == FieldType::kObjectList || type == FieldType::kStringList ||
                   type == FieldType::kRefList || type == FieldType::kEnumList || type == FieldType::kCustom) {
          values[i] = Json::parse(stmt.text(column));
        } else {
          values[i] = stmt.text(column);
        }
      }
      row(stmt.integer(0), stmt.integer(1), values);
    }
    return Status::Ok();
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

}  // namespace haven::sqlite

namespace haven {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file,
                                                 const Clock& clock, SqliteOptions options) {
  if (!options.key_ring)
    return Error{ErrorCode::kInternal, "open_sqlite_store needs SqliteOptions::key_ring: Haven never stores identifying fields unsealed", ""};
  auto store = std::make_unique<sqlite::SqliteStore>(file, clock, options);
  HAVEN_TRY(store->open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace haven
