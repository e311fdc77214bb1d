// Internal to Haven (haven_store and the haven command, never the API): copying rows from one
// backend to another, for `haven migrate`: a whole field office's SQLite database into PostgreSQL,
// and back, some cases of a PostgreSQL database into a new SQLite one for a field laptop. Rows are
// copied as stored: sealed values stay sealed under the same data keys and data keys stay wrapped,
// so the copy needs no key; keys reach the copy only through the key-management path (keys.json
// and the master key the operator gives).
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

// Which cases a field copy takes: the cases named, or every case of an organisation and/or a
// region (both given: the organisation's cases in that region; ids with either: those ids, each of
// which must match).
struct CaseSelection {
  std::vector<std::int64_t> case_ids;
  std::int64_t org_id = 0;
  std::string region;
};

struct FieldCopyReport : TableCopyReport {
  std::uint64_t cases = 0, persons = 0;
  std::vector<std::int64_t> organisations;  // of the copied cases
};

// Copies the selected cases of the PostgreSQL database `conninfo`, and every row that hangs off
// them (field_copy.cpp lists the rules: persons with a role in them and their services,
// assessments and consents, legal cases and hearings, events, evidence and its files, the users
// and form definitions of their organisations, their data keys), into the new SQLite database
// `sqlite_file`, ids kept. One snapshot of the source, one transaction of the target: all or
// nothing (on failure no file is left). The copy is closed under the schema's foreign keys and
// verified by count and checksum per table.
//
// Not copied: sessions, and the audit log. The national log's chain runs through every record of
// the country, so a subset of it cannot verify on its own; the copy starts a chain of its own under
// a system key of its own (the caller records the copy as the first entry, naming the source
// log's last entry), and the national log keeps the history of the copied cases.
//
// Errors: kInvalidArgument for an empty selection, one no case matches, or a named case that does
// not exist (or does not match the organisation or region); kFailedPrecondition for
// an existing `sqlite_file`, or a source at another schema version or being filled by an
// unfinished migrate; kInternal when the copy is not closed or a checksum differs; kUnavailable
// when PostgreSQL cannot be reached.
Result<FieldCopyReport> copy_cases_to_sqlite(const std::string& conninfo, const std::filesystem::path& sqlite_file,
                                             const CaseSelection& selection, const TableCopyOptions& options);

}  // namespace haven
