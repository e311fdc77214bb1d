#include "audit/audit_command.hpp"

#include <algorithm>
#include <iostream>
#include <vector>

namespace haven {
namespace {

int fail(std::ostream& err, const Error& error, int code) {
  err << "haven: ";
  if (!error.field.empty()) err << error.field << ": ";
  err << error.message << "\n";
  return code;
}

// Entries are written by users' sessions: keep control characters out of the terminal.
std::string printable(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string target(const AuditRecord& entry) {
  if (entry.kind.empty() && entry.record_id == 0) return "-";
  if (entry.record_id == 0) return entry.kind;
  return (entry.kind.empty() ? "?" : entry.kind) + ":" + std::to_string(entry.record_id);
}

Json entry_json(const AuditRecord& entry) {
  Json detail = Json::parse(entry.detail, nullptr, /*allow_exceptions=*/false);
  if (detail.is_discarded()) detail = entry.detail;  // shown as stored, verify will explain
  return Json{{"seq", entry.seq},       {"at", entry.at},
              {"org_id", entry.org_id}, {"user_id", entry.user_id},
              {"actor", entry.actor},   {"action", entry.action},
              {"kind", entry.kind},     {"record_id", entry.record_id},
              {"detail", detail},       {"prev_hash", entry.prev_hash},
              {"hash", entry.hash}};
}

void print_table(std::ostream& out, const std::vector<AuditRecord>& entries) {
  const std::vector<std::string> header = {"seq", "at", "actor", "action", "kind:id", "detail"};
  std::vector<std::vector<std::string>> rows;
  rows.reserve(entries.size());
  for (const AuditRecord& entry : entries) {
    rows.push_back({std::to_string(entry.seq), entry.at, printable(entry.actor),
                    printable(entry.action), printable(target(entry)), printable(entry.detail)});
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out << row[c];
      // The last column (detail) is not padded, so lines carry no trailing blanks.
      if (c + 1 < row.size()) out << std::string(width[c] - row[c].size() + 2, ' ');
    }
    out << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

}  // namespace

int run_audit_verify(Store& store, AuditLog& log, const std::string& anchor_path) {
  return run_audit_verify(store, log, anchor_path, AuditCommandIo{std::cout, std::cerr, {}});
}

int run_audit_verify(Store& /*store*/, AuditLog& log, const std::string& anchor_path,
                     const AuditCommandIo& io) {
  std::optional<AuditLog::Anchor> anchor;
  if (!anchor_path.empty()) {
    Result<AuditLog::Anchor> read = AuditLog::read_anchor(anchor_path);
    if (!read.ok()) return fail(io.err, read.error(), kAuditExitError);
    anchor = std::move(read).value();
  }
  Result<VerifyReport> report = log.verify(io.progress, anchor);
  if (!report.ok()) {
    Error error = report.error();
    error.message = "cannot verify the audit log: " + error.message;
    return fail(io.err, error, kAuditExitError);
  }
  if (!report->intact) {
    io.out << "AUDIT LOG TAMPERED: " << report->problem << "\n";
    if (report->first_bad_seq > 0) io.out << "first bad entry: " << report->first_bad_seq << "\n";
    io.out << "entries sound before it: " << report->entries << "\n"
           << "Keep the database file as it is for investigation, and verify your backups to "
              "find the last one that is intact.\n";
    return kAuditExitTampered;
  }
  io.out << "audit log intact: " << report->entries << " entries, the hash chain is unbroken";
  if (anchor) {
    io.out << ", and it reaches entry " << anchor->last_seq << " recorded by the anchor written at "
           << anchor->written_at << "\n";
  } else {
    io.out << "\nno anchor given: entries removed from the end of the log cannot be detected "
              "without one\n";
  }
  return 0;
}

int run_audit_show(AuditLog& log, const AuditQuery& query, bool json) {
  return run_audit_show(log, query, json, AuditCommandIo{std::cout, std::cerr, {}});
}

int run_audit_show(AuditLog& log, const AuditQuery& query, bool json, const AuditCommandIo& io) {
  Result<std::vector<AuditRecord>> entries = log.show(query);
  if (!entries.ok()) {
    return fail(
        io.err, entries.error(),
        entries.error().code == ErrorCode::kInvalidArgument ? kAuditExitBadQuery : kAuditExitError);
  }
  if (json) {
    for (const AuditRecord& entry : *entries) {
      io.out << entry_json(entry).dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    }
  } else if (entries->empty()) {
    io.err << "no audit entries match\n";
  } else {
    print_table(io.out, *entries);
  }
  if (entries->size() == query.limit) {
    io.err << "more entries may follow: continue after seq " << entries->back().seq << "\n";
  }
  return 0;
}

}  // namespace haven
