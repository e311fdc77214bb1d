// AuditLog::verify: recomputes the chain and says in words what is wrong with it.
#include <algorithm>
#include <optional>
#include <span>

#include "audit/audit.hpp"
#include "audit/chain.hpp"

namespace haven {
namespace {

constexpr std::size_t kPageSize = 1000;
// How far from its place a moved entry is looked for, to tell "reordered" from "altered".
constexpr std::int64_t kReorderWindow = 64;
// How many entries after entry 1 are tried to tell "wrong chain key" from "entry 1 altered".
constexpr std::size_t kKeyProbe = 4;

struct Finding {
  std::int64_t seq = 0;
  std::string problem;
};

std::string entry_name(std::int64_t seq) { return "entry " + std::to_string(seq); }

bool hash_matches(const audit::ChainKey& key, const AuditRecord& entry) {
  return audit::entry_hash(key, entry) == entry.hash;
}

// The seq this entry was written as, when it now sits elsewhere (its hash covers its seq).
std::optional<std::int64_t> written_as(const audit::ChainKey& key, const AuditRecord& entry) {
  AuditRecord moved = entry;
  for (std::int64_t distance = 1; distance <= kReorderWindow; ++distance) {
    for (std::int64_t candidate : {entry.seq + distance, entry.seq - distance}) {
      if (candidate < 1) continue;
      moved.seq = candidate;
      if (hash_matches(key, moved)) return candidate;
    }
  }
  return std::nullopt;
}

// Checks one entry against the previous one. `following` are the entries after it on the page.
std::optional<Finding> check_entry(const audit::ChainKey& key, const AuditRecord& entry,
                                   std::int64_t prev_seq, const std::string& prev_hash,
                                   std::span<const AuditRecord> following) {
  const std::int64_t expected = prev_seq + 1;
  if (entry.seq != expected) {
    std::string text = entry.seq - expected == 1
                           ? entry_name(expected) + " is missing"
                           : "entries " + std::to_string(expected) + " to " +
                                 std::to_string(entry.seq - 1) + " are missing";
    text += prev_seq == 0 ? ": the log starts at entry " + std::to_string(entry.seq)
                          : ": seq jumps from " + std::to_string(prev_seq) + " to " +
                                std::to_string(entry.seq);
    return Finding{expected, text};
  }
  if (!hash_matches(key, entry)) {
    if (auto original = written_as(key, entry)) {
      return Finding{entry.seq, entry_name(entry.seq) +
                                    " is out of order: it holds the entry "
                                    "written as entry " +
                                    std::to_string(*original) +
                                    " (entries were reordered, or renumbered after a removal)"};
    }
    if (entry.seq == 1) {
      const auto probe = following.first(std::min(following.size(), kKeyProbe));
      bool any_sound = false;
      for (const AuditRecord& next : probe) any_sound = any_sound || hash_matches(key, next);
      if (!any_sound) {
        return Finding{1, std::string(probe.empty() ? "entry 1 does not match its hash"
                                                    : "entry 1 and the entries after it do not "
                                                      "match their hashes") +
                              ": the chain key is not the one this log was written with, or the "
                              "log was rewritten from the start"};
      }
    }
    return Finding{entry.seq,
                   entry_name(entry.seq) + " was altered: its hash does not match its content"};
  }
  if (entry.prev_hash != prev_hash) {
    return Finding{entry.seq, entry_name(entry.seq) + " does not follow " + entry_name(prev_seq) +
                                  ": its prev_hash is not the hash of " + entry_name(prev_seq) +
                                  " (an entry was replaced, or entries were spliced in from "
                                  "elsewhere)"};
  }
  return std::nullopt;
}

// What an anchor says about a log whose chain is sound up to `last_seq`.
std::optional<Finding> check_anchor(const audit::ChainKey& key, const AuditLog::Anchor& anchor,
                                    std::int64_t last_seq, const std::string& hash_at_anchor) {
  if (audit::anchor_seal(key, anchor) != anchor.seal) {
    return Finding{0,
                   "the anchor's seal does not match: the anchor file was edited, or it was "
                   "written with another chain key"};
  }
  const std::string when = " (the anchor written at " + anchor.written_at + ")";
  if (anchor.last_seq > last_seq) {
    const std::int64_t first = last_seq + 1;
    std::string removed = first == anchor.last_seq ? entry_name(first) + " was"
                                                   : "entries " + std::to_string(first) + " to " +
                                                         std::to_string(anchor.last_seq) + " were";
    return Finding{first, removed + " removed from the end of the log: the log ends at entry " +
                              std::to_string(last_seq) + " but the anchor says it reached entry " +
                              std::to_string(anchor.last_seq) + when};
  }
  if (anchor.last_seq > 0 && hash_at_anchor != anchor.last_hash) {
    return Finding{anchor.last_seq, entry_name(anchor.last_seq) +
                                        " does not have the hash the anchor recorded" + when +
                                        ": the log was rewritten, or the anchor belongs to "
                                        "another database"};
  }
  return std::nullopt;
}

}  // namespace

Result<VerifyReport> AuditLog::verify(
    const std::function<void(std::uint64_t done, std::uint64_t total)>& progress,
    const std::optional<Anchor>& anchor) {
  // One read transaction: the walk sees one consistent state while writers carry on.
  auto tx = store_.begin(false);
  HAVEN_TRY(tx);
  Result<AuditRecord> last = (*tx)->last_audit();
  HAVEN_TRY(last);
  const auto total = static_cast<std::uint64_t>(last->seq);

  VerifyReport report;
  std::int64_t prev_seq = 0;
  std::string prev_hash = audit::kGenesisHash;
  std::string hash_at_anchor;
  if (progress) progress(0, total);
  AuditQuery query;
  query.limit = kPageSize;
  for (;;) {
    query.after_seq = prev_seq;
    Result<std::vector<AuditRecord>> page = (*tx)->list_audit(query);
    HAVEN_TRY(page);
    const std::span<const AuditRecord> entries(*page);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const AuditRecord& entry = entries[i];
      if (auto finding =
              check_entry(chain_key_, entry, prev_seq, prev_hash, entries.subspan(i + 1))) {
        report.intact = false;
        report.first_bad_seq = finding->seq;
        report.problem = std::move(finding->problem);
        return report;
      }
      ++report.entries;
      prev_seq = entry.seq;
      prev_hash = entry.hash;
      if (anchor && entry.seq == anchor->last_seq) hash_at_anchor = entry.hash;
    }
    if (progress) progress(report.entries, total);
    if (entries.size() < kPageSize) break;
  }
  if (anchor) {
    if (auto finding = check_anchor(chain_key_, *anchor, prev_seq, hash_at_anchor)) {
      report.intact = false;
      report.first_bad_seq = finding->seq;
      report.problem = std::move(finding->problem);
    }
  }
  return report;
}

}  // namespace haven
