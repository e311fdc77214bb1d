// The `haven audit verify` and `haven audit show` sub-commands, without the command-line parsing
// (src/cli wires them to its options). Results go to `out`, problems to `err` as "haven: ...".
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "audit/audit.hpp"

namespace haven {

// Exit codes, as in the rest of the haven command: 0 done, 1 the work failed, 2 the command line
// is wrong; and for verify, 4 the audit log has been tampered with.
inline constexpr int kAuditExitError = 1;
inline constexpr int kAuditExitBadQuery = 2;
inline constexpr int kAuditExitTampered = 4;

struct AuditCommandIo {
  std::ostream& out;
  std::ostream& err;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // may be empty
};

// Verifies the whole chain and, when `anchor_path` is not empty, that the log still reaches the
// anchor written there (AuditLog::write_anchor). Returns 0 when intact, 4 when tampering is found
// (what and where is printed), 1 when the log or the anchor cannot be read. `store` is the one
// `log` was built on (opening it has already migrated it, so the log exists); it is not used yet.
int run_audit_verify(Store& store, AuditLog& log, const std::string& anchor_path);
int run_audit_verify(Store& store, AuditLog& log, const std::string& anchor_path,
                     const AuditCommandIo& io);

// Prints the entries matching `query`: a table (seq, at, actor, action, kind:id, detail), or one
// JSON object per line when `json`. Returns 0, 2 for an invalid query (the message names the
// option), or 1 when the log cannot be read.
int run_audit_show(AuditLog& log, const AuditQuery& query, bool json);
int run_audit_show(AuditLog& log, const AuditQuery& query, bool json, const AuditCommandIo& io);

}  // namespace haven
