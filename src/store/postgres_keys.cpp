// Key management of the PostgreSQL backend (haven rekey): re-wrapping data keys under a new master
// key, and rotating data keys with re-sealing. The same steps as the SQLite backend, each
// transaction under the write lock so that servers running meanwhile never see half of a step.
#include "store/postgres_backend.hpp"

namespace haven::postgres {

namespace {

// BEGIN plus the write lock, as a write transaction of the store takes it.
void begin_writing(Connection& db) {
  db.execute("BEGIN ISOLATION LEVEL READ COMMITTED");
  Params p;
  const std::string sql = "SELECT pg_advisory_xact_lock(" + p.add(kWriteLock) + ")";
  db.run(sql, p);
}

void roll_back(Connection& db) {
  if (!db.healthy() || db.idle()) return;
  try {
    db.execute("ROLLBACK");
  } catch (const PgError&) {
  }
}

}  // namespace

Status PostgresStore::rewrap_data_keys(const KeyRing& new_master) {
  try {
    ConnectionPool::Lease db = pool_.acquire();
    begin_writing(*db);
    const Rows rows = db->run("SELECT org_id, key_version, wrapped FROM data_key");
    for (int r = 0; r < rows.size(); ++r) {
      auto rewrapped = options_.key_ring->rewrap(rows.bytes(r, 2), new_master);
      if (!rewrapped.ok()) {
        roll_back(*db);
        return rewrapped.error();
      }
      Params p;
      const std::string sql = "UPDATE data_key SET wrapped = " + p.add_bytes(*rewrapped) + " WHERE org_id = " +
                              p.add(rows.integer(r, 0)) + " AND key_version = " + p.add(rows.integer(r, 1));
      db->run(sql, p);
    }
    db->execute("COMMIT");
    return Status::Ok();
  } catch (const PgError& e) {
    return to_error(e);  // the lease closes a connection left inside the transaction
  }
}

Result<std::uint64_t> PostgresStore::rotate_data_keys(const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  KeyRing& keys = *options_.key_ring;
  try {
    ConnectionPool::Lease db = pool_.acquire();
    // 1. A new version for every organisation, loaded before anything is sealed with it.
    begin_writing(*db);
    const Rows next = db->run("SELECT org_id, MAX(key_version) + 1 FROM data_key GROUP BY org_id");
    for (int r = 0; r < next.size(); ++r) {
      const std::int64_t org = next.integer(r, 0), version = next.integer(r, 1);
      auto wrapped = keys.new_wrapped_data_key();
      if (!wrapped.ok()) throw SealError(wrapped.error().message);
      Params p;
      const std::string sql = "INSERT INTO data_key(org_id, key_version, wrapped, created_at) VALUES (" + p.add(org) +
                              ", " + p.add(version) + ", " + p.add_bytes(*wrapped) + ", " +
                              p.add(format_datetime(clock_.now())) + ")";
      db->run(sql, p);
      if (auto loaded = keys.load_data_key(org, static_cast<std::int32_t>(version), *wrapped); !loaded.ok())
        throw SealError(loaded.error().message);
    }
    db->execute("COMMIT");
    // 2. Every sealed value, in batches of 1000 rows per transaction: each entity's sealed fields,
    // and the original files of evidence items.
    struct SealedTable {
      std::string table, id_column, context_prefix;  // the seal's context is prefix + id
    };
    std::vector<SealedTable> tables;
    for (const auto& spec : entity_specs()) tables.push_back({table_name(spec), "id", spec.kind + ":"});
    tables.push_back({"evidence_file", "evidence_id", "evidence_file:"});
    std::uint64_t total = 0, done = 0;
    for (const auto& t : tables)
      total += static_cast<std::uint64_t>(db->run("SELECT count(*) FROM " + t.table + " WHERE sealed IS NOT NULL").integer(0, 0));
    for (const auto& t : tables) {
      std::int64_t after = 0;
      for (bool more = true; more;) {
        begin_writing(*db);
        Params q;
        const std::string select = "SELECT " + t.id_column + ", org_id, sealed FROM " + t.table +
                                   " WHERE sealed IS NOT NULL AND " + t.id_column + " > " + q.add(after) +
                                   " ORDER BY " + t.id_column + " LIMIT 1000";
        const Rows rows = db->run(select, q);
        for (int r = 0; r < rows.size(); ++r) {
          const std::int64_t id = rows.integer(r, 0), org = rows.integer(r, 1);
          const std::string context = t.context_prefix + std::to_string(id);
          auto opened = keys.open_sealed(org, rows.bytes(r, 2), context);
          if (!opened.ok()) throw SealError(opened.error().message);
          auto resealed = keys.seal(org, *opened, context);
          if (!resealed.ok()) throw SealError(resealed.error().message);
          Params u;
          const std::string update = "UPDATE " + t.table + " SET sealed = " + u.add_bytes(*resealed) + " WHERE " +
                                     t.id_column + " = " + u.add(id);
          db->run(update, u);
          after = id;
        }
        db->execute("COMMIT");
        done += static_cast<std::uint64_t>(rows.size());
        if (progress) progress(done, total);
        more = rows.size() == 1000;
      }
    }
    return done;
  } catch (const PgError& e) {
    return to_error(e);
  } catch (const SealError& e) {
    return Error{ErrorCode::kInternal, e.what(), ""};
  }
}

}  // namespace haven::postgres
