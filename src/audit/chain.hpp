// The hash chain of the audit log: how an entry is encoded and hashed, how events are checked
// and stamped, and how entries are appended after the log's last entry. Private to src/audit.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "audit/audit.hpp"

namespace haven::audit {

using ChainKey = std::array<unsigned char, 32>;

// The prev_hash of entry 1.
inline const std::string kGenesisHash(64, '0');

// Hex of BLAKE2b-256 keyed with `key` over a length-prefixed encoding of every field of `entry`
// except `hash`: seq, at, org_id, user_id, actor, action, kind, record_id, detail, prev_hash.
std::string entry_hash(const ChainKey& key, const AuditRecord& entry);

// The seal of an anchor: keyed BLAKE2b-256 over its seq, hash and time, domain-separated from
// entry hashes.
std::string anchor_seal(const ChainKey& key, const AuditLog::Anchor& anchor);

// Checks `event` and turns it into an entry stamped with `at` (detail serialised as compact
// JSON); seq and hashes are left for append_entries(). kInvalidArgument names the field.
Result<AuditRecord> prepare_entry(const AuditEvent& event, const std::string& at);

// Appends `entries` (from prepare_entry) after the last entry visible in `tx`, filling in seq,
// prev_hash and hash. REQUIRES: tx is a write transaction (it holds the write lock, so no other
// writer can append between reading the last entry and inserting).
Status append_entries(Transaction& tx, const ChainKey& key, std::span<const AuditRecord> entries);

}  // namespace haven::audit
