#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/link_command.hpp"

namespace {

// Every command that opens a data directory takes it with --data, and its master key from
// --key-file or else HAVEN_PASSPHRASE or the terminal.
// --database names a PostgreSQL database instead of the directory's SQLite one. Precedence:
// --database, then the file DIR/database, then DIR/haven.db.
void add_data_options(CLI::App* command, std::string& data_dir, std::string& key_file, std::string& database,
                      const std::string& data_help) {
  command->add_option("--data", data_dir, data_help)->required();
  command->add_option("--database", database,
                      "PostgreSQL database (postgres://... URI or key=value connection string; no password in it: libpq "
                      "reads PGPASSWORD or ~/.pgpass); overrides DIR/database; without either, DIR/haven.db (SQLite)");
  command->add_option("--key-file", key_file,
                      "File holding the master key (see haven keygen); without it the passphrase is read from "
                      "HAVEN_PASSPHRASE or the terminal");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace haven::cli;
  CLI::App app{"Haven: case management and evidence for the fight against human trafficking.\n"
               "Every command has --help. Exit codes: 0 done, 1 failed, 2 wrong command line, 3 data refused."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "haven 0.1.0");

  InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "Create a new data directory with its first organisation and administrator.\n"
                                              "The administrator's password is read from HAVEN_ADMIN_PASSWORD, --admin-password-file,\n"
                                              "or asked for on the terminal. The data is encrypted under a passphrase\n"
                                              "(HAVEN_PASSPHRASE or the terminal) or a key file (--key-file, see keygen).");
  add_data_options(init_cmd, init.data_dir, init.key_file, init.database, "Data directory to create");
  init_cmd->add_option("--org-name", init.org_name, "Name of the first organisation")->required();
  init_cmd->add_option("--org-type", init.org_type, "ngo, police, prosecutor, court, shelter, labour_inspectorate or social_welfare");
  init_cmd->add_option("--country", init.country, "ISO 3166-1 alpha-2 country code, e.g. PH")->required();
  init_cmd->add_option("--region", init.region, "Region within the country");
  init_cmd->add_option("--admin", init.admin, "User name of the administrator (default admin)");
  init_cmd->add_option("--admin-password-file", init.password_file, "File holding the administrator's password");

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the JSON API (and web UI) from a data directory.");
  add_data_options(serve_cmd, serve.data_dir, serve.key_file, serve.database, "Data directory");
  serve_cmd->add_option("--listen", serve.listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8080)");
  serve_cmd->add_option("--tls-cert", serve.tls_cert, "PEM certificate (chain) to serve HTTPS; with --tls-key");
  serve_cmd->add_option("--tls-key", serve.tls_key, "PEM private key of --tls-cert");
  serve_cmd->add_flag("!--no-metrics", serve.metrics, "Do not serve GET /metrics (Prometheus; see docs/operations.md)");

  DemoCommandOptions demo;
  auto* demo_cmd = app.add_subcommand("demo", "Fill a new data directory with synthetic demo data (never real people).\n"
                                              "Every demo user's password is haven-demo.");
  add_data_options(demo_cmd, demo.data_dir, demo.key_file, demo.database, "Data directory (created; must not hold data yet)");
  demo_cmd->add_option("--persons", demo.persons, "Number of persons (default 2000)")->check(CLI::Range(1, 100000000));
  demo_cmd->add_option("--seed", demo.seed, "Random seed: the same seed gives the same data (default 1)");
  demo_cmd->add_option("--duplicates-truth", demo.truth_file, "Write the injected duplicate persons to this CSV");

  TransferOptions import_options;
  auto* import_cmd = app.add_subcommand("import", "Import records from CSV into one organisation; all or nothing per file.\n"
                                                  "Either one FILE of --kind, or --dir with one <kind>.csv per kind (as export writes).");
  add_data_options(import_cmd, import_options.data_dir, import_options.key_file, import_options.database, "Data directory");
  import_cmd->add_option("--org", import_options.org_id, "Organisation id the records belong to")->required();
  import_cmd->add_option("--kind", import_options.kind, "Collection, e.g. persons, cases, legal-cases, services, outcome-assessments");
  import_cmd->add_option("--dir", import_options.dir, "Directory of <kind>.csv files to import in dependency order");
  import_cmd->add_option("file", import_options.file, "CSV file (with --kind)");

  TransferOptions export_options;
  auto* export_cmd = app.add_subcommand("export", "Export records as CSV (one file per kind with --dir).");
  add_data_options(export_cmd, export_options.data_dir, export_options.key_file, export_options.database, "Data directory");
  export_cmd->add_option("--org", export_options.org_id, "Organisation id (default: every organisation)");
  export_cmd->add_option("--kind", export_options.kind, "Collection to export, e.g. persons");
  export_cmd->add_option("--dir", export_options.dir, "Write every kind as <kind>.csv into this directory");
  export_cmd->add_option("--out", export_options.file, "Output file for --kind (default: standard output)");

  BackupOptions backup;
  auto* backup_cmd = app.add_subcommand("backup", "Write a consistent copy of the database while Haven keeps running.");
  add_data_options(backup_cmd, backup.data_dir, backup.key_file, backup.database, "Data directory");
  backup_cmd->add_option("--to", backup.to, "Backup file to create (must not exist)")->required();

  MigrateOptions migrate;
  auto* migrate_cmd = app.add_subcommand(
      "migrate", "Copy an SQLite data directory (a field office) into a PostgreSQL one, rows as stored: nothing is\n"
                 "decrypted, ids and the audit chain are kept. Resumable: run it again after an interruption.\n"
                 "Prints every table's row count and SHA-256, equal on both sides. Stop haven serve on --from first.\n"
                 "From a PostgreSQL data directory, with --cases, --org or --region: a field copy of those cases and\n"
                 "everything hanging off them into a new SQLite data directory --to (all or nothing, checksummed;\n"
                 "the copy's audit log starts with an entry naming the national log's, which records the copy).");
  migrate_cmd->add_option("--from", migrate.from, "SQLite data directory to copy")->required();
  migrate_cmd->add_option("--to", migrate.to, "PostgreSQL data directory (its file `database` names the server)")->required();
  migrate_cmd->add_option("--database", migrate.database,
                          "Connection string (postgres://... or key=value) of an empty database; written to TO/database");
  migrate_cmd->add_option("--key-file", migrate.key_file, "Master key file of --from (else HAVEN_PASSPHRASE or the terminal)");
  migrate_cmd->add_option("--from-database", migrate.from_database,
                          "Field copy: the PostgreSQL database of --from (overrides FROM/database)");
  auto* cases_option = migrate_cmd->add_option("--cases", migrate.case_ids,
                                               "Field copy from PostgreSQL into a new SQLite --to: these case ids (comma-separated)")
                           ->delimiter(',');
  auto* org_option = migrate_cmd->add_option("--org", migrate.org_id, "Field copy: every case of this organisation");
  auto* region_option = migrate_cmd->add_option("--region", migrate.region, "Field copy: every case of this region");
  cases_option->excludes(org_option)->excludes(region_option);

  RestoreOptions restore;
  auto* restore_cmd = app.add_subcommand(
      "restore", "Restore a backup written by haven backup into a new data directory (never over existing data):\n"
                 "an SQLite backup becomes DIR/haven.db; a PostgreSQL backup is restored with pg_restore into the\n"
                 "empty database named by --database or DIR/database. BACKUP.keys.json must be beside the backup.");
  add_data_options(restore_cmd, restore.data_dir, restore.key_file, restore.database, "Data directory to create");
  restore_cmd->add_option("--from", restore.from, "Backup file (haven backup --to)")->required();

  AuditOptions audit;
  auto* audit_cmd = app.add_subcommand("audit", "Check or read the audit log.");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Check the whole hash chain: exit 0 intact, 4 tampered with, 1 error.");
  auto* show_cmd = audit_cmd->add_subcommand("show", "List audit entries, filtered.");
  for (auto* cmd : {verify_cmd, show_cmd}) add_data_options(cmd, audit.data_dir, audit.key_file, audit.database, "Data directory");
  verify_cmd->add_option("--anchor", audit.anchor, "Anchor file to check against (default: DIR/audit.anchor when present)");
  show_cmd->add_option("--org", audit.query.org_id, "Organisation id");
  show_cmd->add_option("--user", audit.query.user_id, "User id");
  show_cmd->add_option("--kind", audit.query.kind, "Record kind, e.g. person");
  show_cmd->add_option("--record", audit.query.record_id, "Record id");
  show_cmd->add_option("--action", audit.query.action, "Action, e.g. read, update, export, login_failed, break_glass");
  show_cmd->add_option("--from", audit.query.from, "From (YYYY-MM-DD or RFC 3339)");
  show_cmd->add_option("--to", audit.query.to, "To (YYYY-MM-DD or RFC 3339)");
  show_cmd->add_option("--after", audit.query.after_seq, "Entries after this sequence number");
  show_cmd->add_option("--limit", audit.query.limit, "At most this many entries (1-1000, default 100)");
  show_cmd->add_flag("--json", audit.json, "One JSON object per line");

  RekeyOptions rekey;
  auto* rekey_cmd = app.add_subcommand("rekey", "Change the passphrase or key file, and/or rotate the data keys (every sealed value re-sealed).\n"
                                                "The new passphrase comes from HAVEN_NEW_PASSPHRASE or the terminal.");
  add_data_options(rekey_cmd, rekey.data_dir, rekey.key_file, rekey.database, "Data directory");
  rekey_cmd->add_flag("--new-passphrase", rekey.new_master, "Protect the data with a new passphrase");
  rekey_cmd->add_option("--new-key-file", rekey.new_key_file, "Protect the data with this key file instead (see keygen)");
  rekey_cmd->add_flag("--rotate-data-keys", rekey.rotate_data_keys, "Make new data keys and re-seal every sealed value");

  ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "Indicators for governments and donors, with small-cell suppression (see docs/indicators.md):\n"
                                                  "  funnel           reports -> investigations -> operations -> charges -> convictions\n"
                                                  "  time-to-justice  Kaplan-Meier days to charges and to verdict, open cases censored\n"
                                                  "  outcomes         assessment scores per domain, share and time to restored\n"
                                                  "  strengthening    officials trained and test scores, case-file audit compliance");
  add_data_options(report_cmd, report.data_dir, report.key_file, report.database, "Data directory");
  report_cmd->add_option("name", report.name, "funnel, time-to-justice, outcomes or strengthening")->required();
  report_cmd->add_option("--org", report.org_id, "Organisation id (default: every organisation)");
  report_cmd->add_option("--period", report.period, "year, quarter or month (default year)");
  report_cmd->add_option("--by", report.by, "Also group by region or exploitation_form");
  report_cmd->add_option("--from", report.from, "First day counted, YYYY-MM-DD");
  report_cmd->add_option("--to", report.to, "Last day counted, YYYY-MM-DD");
  report_cmd->add_option("--as-of", report.as_of, "Day open cases are censored at (default today)");
  report_cmd->add_option("--min-cell", report.min_cell, "Counts below this are shown as <N (default 5; 0 shows every count)");
  report_cmd->add_option("--format", report.format, "text, json, csv (one table) or xlsx (every table; needs --out)");
  report_cmd->add_option("--table", report.table, "With --format csv: the table to write (default the first)");
  report_cmd->add_option("--out", report.out, "Write to this file instead of standard output");
  report_cmd->add_option("--chart", report.chart, "Also draw a chart into this .svg or .png file");
  report_cmd->add_option("--chart-index", report.chart_index, "Which of the report's charts to draw (default 0)");

  DedupeOptions dedupe;
  auto* dedupe_cmd = app.add_subcommand("dedupe", "Find the same person recorded twice (see docs/search.md).");
  dedupe_cmd->require_subcommand(1);
  auto* scan_cmd = dedupe_cmd->add_subcommand("scan", "Compare every person with the others of their organisation and put likely\n"
                                                      "duplicates in the review queue (GET /api/v1/duplicate-candidates).");
  auto* reindex_cmd = dedupe_cmd->add_subcommand("reindex", "Rewrite every person's search encodings (after an upgrade of the name tables).");
  for (auto* cmd : {scan_cmd, reindex_cmd}) {
    add_data_options(cmd, dedupe.data_dir, dedupe.key_file, dedupe.database, "Data directory");
    cmd->add_option("--org", dedupe.org_id, "Organisation id (default: every organisation)");
  }
  scan_cmd->add_option("--threshold", dedupe.threshold, "Score from 0 to 1 from which a pair is queued (default 0.5)")->check(CLI::Range(0.01, 1.0));
  scan_cmd->add_option("--top-k", dedupe.top_k, "Candidates looked at per person (default 5)")->check(CLI::Range(1, 100));

  std::string key_path;
  auto* keygen_cmd = app.add_subcommand("keygen", "Write a new random master key file, for use with --key-file instead of a passphrase.");
  keygen_cmd->add_option("--to", key_path, "Key file to create (never overwritten)")->required();

  EstimateCommandOptions estimate;
  auto* estimate_cmd = app.add_subcommand(
      "estimate", "Estimate how many victims no agency has found (multiple systems estimation) from a CSV\n"
                  "capture-history table: one 0/1 column per agency's list and a count column (count, n or\n"
                  "frequency), one row per pattern of lists people were found on. Prints the estimated total\n"
                  "with its 95% interval, the model chosen and the method's caveats (see docs/estimation.md).\n"
                  "With --pairs and --records, from the files of a linkage (haven link), bootstrapped over the\n"
                  "linkage and the counts (see docs/linkage.md).");
  auto* estimate_file = estimate_cmd->add_option("file", estimate.file, "Capture-history CSV file");
  auto* estimate_data = estimate_cmd->add_option("--data", estimate.data_dir,
                                                 "Instead of FILE: Haven's own victims in this data directory, each on the list of every\n"
                                                 "report channel and of operations that found them (duplicates merged count once)");
  estimate_file->excludes(estimate_data);
  auto* estimate_pairs = estimate_cmd->add_option(
      "--pairs", estimate.pairs,
      "Instead of FILE: the pairs haven link --pairs wrote (list_l,id_l,list_r,id_r,match_probability,...);\n"
      "estimates from the entities of --records and bootstraps over the linkage and the counts\n"
      "(--bootstrap N replicates, each keeping every pair as a link with its probability)");
  estimate_pairs->excludes(estimate_file)->excludes(estimate_data);
  auto* estimate_records = estimate_cmd->add_option(
      "--records", estimate.records, "With --pairs: every record's entity, as haven link --clusters wrote it (entity,list,id)");
  estimate_pairs->needs(estimate_records);
  estimate_records->needs(estimate_pairs);
  estimate_cmd->add_option("--link-type", estimate.link_type,
                           "With --pairs: the linkage specification's link_type (link_only, default; dedupe_only or\n"
                           "link_and_dedupe), as the replicates cluster the way haven link did")
      ->check(CLI::IsMember({"link_only", "dedupe_only", "link_and_dedupe"}));
  estimate_cmd->add_option("--cluster-density", estimate.cluster_density,
                           "With --pairs: the specification's cluster_density (default 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  estimate_cmd->add_option("--key-file", estimate.key_file, "With --data: the master key file (else HAVEN_PASSPHRASE or the terminal)");
  estimate_cmd->add_option("--org", estimate.org_id, "With --data: organisation id (default every organisation)");
  estimate_cmd->add_option("--from", estimate.from, "With --data: cases opened from this day (YYYY-MM-DD)");
  estimate_cmd->add_option("--to", estimate.to, "With --data: cases opened up to this day (YYYY-MM-DD)");
  estimate_cmd->add_option("--region", estimate.region, "With --data: cases in this region only");
  estimate_cmd->add_option("--select", estimate.select,
                           "How to choose which pairs of lists depend on each other: stepwise (the reference rule of\n"
                           "Chan, Silverman and Vincent, default), aic, bic, or main (lists independent)");
  estimate_cmd->add_option("--threshold", estimate.threshold, "Stepwise: add a pair while its p-value is below this (default 0.02)")
      ->check(CLI::Range(1e-12, 0.999999));
  estimate_cmd->add_option("--bootstrap", estimate.bootstrap, "Also a parametric bootstrap BCa interval from N replicates (e.g. 1000); with --pairs a\n"
                           "bootstrap over the linkage and the counts instead")
      ->check(CLI::Range(0, 100000));
  estimate_cmd->add_option("--seed", estimate.seed, "Bootstrap seed: the same seed gives the same interval (default 1)");
  estimate_cmd->add_flag("--reselect", estimate.reselect, "Bootstrap: choose the model again in every replicate (slower, wider)");
  estimate_cmd->add_flag("--no-sensitivity", estimate.no_sensitivity, "Skip the table of estimates under other candidate models");
  estimate_cmd->add_flag("--json", estimate.json, "Print one JSON object instead of the report");
  estimate_cmd->add_option("--chart", estimate.chart, "Also write an SVG chart of observed against fitted counts to this file");

  auto link_commands = add_link_commands(app);

  auto* version_cmd = app.add_subcommand("version", "Print the version of Haven, its schema and SQLite.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, or the error with a hint
    return code == 0 ? 0 : 2;
  }
  if (init_cmd->parsed()) return run_init(init);
  if (serve_cmd->parsed()) return run_serve(serve);
  if (demo_cmd->parsed()) return run_demo(demo);
  if (import_cmd->parsed()) return run_import(import_options);
  if (export_cmd->parsed()) return run_export(export_options);
  if (backup_cmd->parsed()) return run_backup(backup);
  if (keygen_cmd->parsed()) return run_keygen(key_path);
  if (migrate_cmd->parsed()) return run_migrate(migrate);
  if (restore_cmd->parsed()) return run_restore(restore);
  if (rekey_cmd->parsed()) return run_rekey(rekey);
  if (report_cmd->parsed()) return run_report(report);
  if (dedupe_cmd->parsed()) {
    dedupe.reindex = reindex_cmd->parsed();
    return run_dedupe(dedupe);
  }
  if (audit_cmd->parsed()) {
    audit.verify = verify_cmd->parsed();
    return run_audit(audit);
  }
  if (estimate_cmd->parsed()) return run_estimate(estimate);
  if (const int code = run_link_commands(*link_commands); code >= 0) return code;
  if (version_cmd->parsed()) return run_version();
  return 2;
}
