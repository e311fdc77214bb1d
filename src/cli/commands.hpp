// Private to the haven command: one function per sub-command. Each returns the process exit code
// after printing what happened (or what to do about a failure) to stderr.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace haven::cli {

// Exit codes: 0 done; 1 the work failed (the message says why); 2 the command line is wrong
// (CLI11 reports those); 3 the input data was refused (nothing was written).
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadData = 3;

struct InitOptions {
  std::string data_dir, key_file, database, org_name, org_type = "ngo", country, region, admin = "admin", password_file;
};
struct ServeOptions {
  std::string data_dir, key_file, database, listen = "127.0.0.1:8080", tls_cert, tls_key;
  bool metrics = true;  // GET /metrics
};
struct DemoCommandOptions {
  std::string data_dir, key_file, database, truth_file;
  std::uint64_t persons = 2000, seed = 1;
};
struct TransferOptions {
  std::string data_dir, key_file, database, kind, file, dir;
  std::int64_t org_id = 0;
};
struct BackupOptions {
  std::string data_dir, key_file, database, to;
};

struct AuditOptions {
  std::string data_dir, key_file, database, anchor;
  bool verify = false;  // verify, else show
  bool json = false;
  AuditQuery query;
};

int run_audit(const AuditOptions& options);

struct RekeyOptions {
  std::string data_dir, key_file, database, new_key_file;
  bool new_master = false;        // a new passphrase (HAVEN_NEW_PASSPHRASE or the terminal) or --new-key-file
  bool rotate_data_keys = false;  // new data keys, every sealed value re-sealed
};
int run_rekey(const RekeyOptions& options);

struct ReportOptions {
  std::string data_dir, key_file, database, name, period = "year", by, from, to, as_of, format = "text", out, table, chart;
  std::int64_t org_id = 0;
  int min_cell = 5;
  std::size_t chart_index = 0;
};
int run_report(const ReportOptions& options);

struct DedupeOptions {
  std::string data_dir, key_file, database;
  bool reindex = false;  // reindex, else scan
  std::int64_t org_id = 0;
  double threshold = 0.5;
  std::size_t top_k = 5;
};
int run_dedupe(const DedupeOptions& options);
// haven migrate: an SQLite data directory copied into a PostgreSQL one; or, from a PostgreSQL
// data directory, some cases copied into a new SQLite one for the field (see store/table_copy.hpp).
struct MigrateOptions {
  std::string from, to, database, key_file;  // database: written to TO/database when given
  std::string from_database;                 // overrides FROM/database (a field copy's source)
  std::vector<std::int64_t> case_ids;        // a field copy: these cases,
  std::int64_t org_id = 0;                   // or this organisation's,
  std::string region;                        // and/or this region's
};
int run_migrate(const MigrateOptions& options);

// haven restore: a backup into a new data directory (SQLite file, or pg_restore into an empty database).
struct RestoreOptions {
  std::string data_dir, key_file, database, from;
};
int run_restore(const RestoreOptions& options);

int run_init(const InitOptions& options);
int run_serve(const ServeOptions& options);
int run_demo(const DemoCommandOptions& options);
int run_import(const TransferOptions& options);
int run_export(const TransferOptions& options);
int run_backup(const BackupOptions& options);
int run_keygen(const std::string& path);
int run_version();

// haven estimate FILE: multiple systems estimation from a capture-history CSV; or, with --data,
// from the capture histories of Haven's own victims (report channels and operations as lists).
struct EstimateCommandOptions {
  std::string file, select = "stepwise", chart;
  std::string data_dir, key_file, from, to, region;
  std::int64_t org_id = 0;
  double threshold = 0.02;
  int bootstrap = 0;
  std::uint64_t seed = 1;
  bool reselect = false, no_sensitivity = false, json = false;
  // Instead of a capture history: a linkage's pair probabilities and entities (haven link's
  // --pairs and --clusters files), bootstrapped over the linkage and the counts.
  std::string pairs, records, link_type = "link_only";
  double cluster_density = 0.5;
};
int run_estimate(const EstimateCommandOptions& options);
// haven estimate --pairs FILE --records FILE (estimate_pairs.cpp).
int run_estimate_from_pairs(const EstimateCommandOptions& options);

// Kinds in the order an import must follow (a kind only references kinds before it).
std::vector<std::string> transfer_kinds();

}  // namespace haven::cli
