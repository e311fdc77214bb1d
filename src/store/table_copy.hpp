// Internal to Haven (haven_store and the haven command, never the API): copying a whole database
// from one backend to another row by row, for `haven migrate`. Rows are copied as stored: sealed
// values stay sealed under the same data keys, data keys stay wrapped, and audit entries keep
// their hashes, so the copy needs no key and the audit chain still verifies afterwards.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace haven {

struct TableCopyOptions {
  std::size_t batch_rows = 1000;  // rows per target transaction (and per resume step)
  // Called after every batch: the table, rows copied so far and the rows the source holds.
  std::function<void(const std::string& table, std::uint64_t done, std::uint64_t total)> progress;
  // Called when a table is complete (also for tables finished by an earlier, interrupted run).
  std::function<void(const std::string& table)> table_done;
};

// One table's verification: its rows on both sides and a SHA-256 over them in primary-key order,
// each value encoded by its column's type (so both sides compute the same digest from the same
// rows).
struct TableChecksum {
  std::string table;
  std::uint64_t source_rows = 0, target_rows = 0;
  std::string source_sha256, target_sha256;  // hex
  bool matches() const { return source_rows == target_rows && source_sha256 == target_sha256; }
};

struct TableCopyReport {
  int schema_version = 0;
  bool resumed = false;               // an earlier, interrupted run had copied part of it
  std::vector<TableChecksum> tables;  // in table-name order
};

// Copies every table of the SQLite database `sqlite_file` (a Haven database at the latest schema
// version; opened read-only, in one snapshot) into the PostgreSQL database `conninfo`, keeping
// ids, then moves the identity sequences past the copied ids and verifies each table by count and
// checksum. Sessions are not copied (everyone logs in again).
//
// The target must be empty or hold only an unfinished copy of the same source: progress is kept
// per table in the target (haven_copy_progress), each batch committed with its progress, so a
// run that was interrupted continues after the last copied row. Foreign keys are set aside while
// rows arrive in any order and put back (and so checked) at the end; until the call returns Ok
// the target is not a usable Haven database.
//
// Errors: kFailedPrecondition for a source not at the latest schema, a target with a newer schema,
// with other data, or with an unfinished copy of another source; kInternal when a checksum or
// count differs after the copy (the bookkeeping stays: drop the target and start again);
// kUnavailable when a database cannot be reached.
Result<TableCopyReport> copy_sqlite_to_postgres(const std::filesystem::path& sqlite_file,
                                                const std::string& conninfo,
                                                const TableCopyOptions& options);

}  // namespace haven
