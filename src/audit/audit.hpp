// The audit log: every read of a person or case, every change, export, login and failed login,
// appended to a hash-chained log that an auditor can verify. The public door of haven_audit.
//
// Each entry carries hash = BLAKE2b-256 keyed with the chain key over every field of the entry and
// the previous entry's hash. The store refuses UPDATE and DELETE on the log through SQL; someone
// who edits the database file directly cannot recompute a valid chain without the chain key.
//
// What the chain alone cannot show: entries removed from the END of the log (the remaining prefix
// is still a valid chain). Keep an anchor (the last seq and its hash) somewhere else and pass it to
// verify() to detect that too; see write_anchor().
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/core.hpp"
#include "store/store.hpp"

namespace haven {

// Something that happened, as the caller describes it. The log adds the time, seq and hashes.
struct AuditEvent {
  std::int64_t org_id = 0;
  std::int64_t user_id = 0;  // 0 for the system or a command-line operator
  std::string actor;         // user name, or "cli:<command>"; 1..128 bytes of UTF-8
  // What was done, 1..32 of [a-z_]: read, list, create, update, export, import, backup, login,
  // login_failed, logout, password_change, permission_change, break_glass, key_rotation,
  // audit_view (and purge for retention).
  std::string action;
  std::string kind;  // entity kind ("person", "legal_case"), "user", or empty; [a-z_]{0,64}
  std::int64_t record_id = 0;
  // A JSON object of at most 4096 bytes when serialised. NEVER identifying or sensitive data: it
  // is stored unsealed and shown to auditors. Put field NAMES here ({"fields":["birth_date"]}),
  // counts, filters by id, reasons chosen from a list; never names, dates of birth, addresses,
  // free text typed by users, or search terms.
  Json detail = Json::object();
};

struct VerifyReport {
  std::uint64_t entries = 0;  // entries found sound before the first problem (all when intact)
  bool intact = true;
  std::int64_t first_bad_seq = 0;  // the first entry found wrong; 0 when intact or not one entry
  std::string problem;             // what was found, in words; empty when intact
};

struct AuditLogOptions {
  // append_read() blocks while this many events wait to be written.
  std::size_t read_queue_limit = 10000;
  // How long the background writer gathers reads into one transaction.
  std::chrono::milliseconds batch_delay{50};
  // How long the destructor keeps retrying failed writes before it gives up (and says so on
  // stderr).
  std::chrono::milliseconds shutdown_retry{5000};
};

class AuditLog {
 public:
  // The last entry of the log at some moment, kept apart from the database so that removing
  // entries from the end of the log is detected. The seal (keyed with the chain key) shows the
  // anchor was written by Haven; it cannot stop an attacker from putting back an OLDER anchor, so
  // keep copies where the attacker cannot write (another machine, an auditor's mailbox).
  struct Anchor {
    std::int64_t last_seq = 0;  // 0: the log was empty
    std::string last_hash;      // the hash of entry last_seq (64 '0' when empty)
    std::string written_at;     // UTC date-time
    std::string seal;
  };

  // `store` and `clock` must outlive the log. The chain key is the one the key-management path
  // holds; every process writing or verifying the same database must use the same key.
  AuditLog(Store& store, const Clock& clock, std::array<unsigned char, 32> chain_key,
           AuditLogOptions options = {});
  // Flushes (retrying failed writes for up to options.shutdown_retry) and stops the writer.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends `event` inside the caller's write transaction `tx`, so a change and its audit entry
  // commit or roll back together. kInvalidArgument when the event is malformed (nothing written);
  // the store's error when the write fails (the caller must then roll back).
  // REQUIRES: tx is a write transaction of the Store given to the constructor.
  Status append(Transaction& tx, const AuditEvent& event);

  // Queues a read (or list) event; a background thread writes queued events in batches, one
  // write transaction per batch, within about batch_delay. Never drops an event: blocks while
  // read_queue_limit events are waiting. A malformed event is not written and flush() reports it.
  // REQUIRES: the calling thread holds no write transaction of this store (the writer needs the
  // write lock to make room, so waiting while holding it would never end).
  void append_read(AuditEvent event);

  // Waits until every event queued before the call is written. Returns the write error instead
  // when a write attempt made while waiting fails (those events stay queued and are retried with
  // back-off), or the first rejected malformed event since the previous flush.
  // REQUIRES: the calling thread holds no write transaction of this store.
  Status flush();
  // Read events queued and not yet written (for monitoring; /metrics).
  std::size_t queued_reads() const;

  // Walks the whole log in seq order and recomputes the chain. Tampering found is reported in the
  // VerifyReport (intact = false), not as an error; errors are for a log that cannot be read.
  // With `anchor`, also checks that the log still reaches the anchor's entry with the same hash.
  // `progress` (may be empty) is called with entries examined and the entries expected.
  Result<VerifyReport> verify(
      const std::function<void(std::uint64_t done, std::uint64_t total)>& progress,
      const std::optional<Anchor>& anchor = std::nullopt);

  // Entries matching `query`, in seq order. kInvalidArgument, naming the field, for a limit
  // outside 1..1000, a negative id, a kind that is not [a-z_], or from/to that are neither a
  // date (YYYY-MM-DD) nor an RFC 3339 date-time, or from after to. A date-only `to` covers the
  // whole day. The caller records its own audit_view event.
  Result<std::vector<AuditRecord>> show(const AuditQuery& query);

  // The anchor for the log's committed last entry, sealed with the chain key.
  Result<Anchor> current_anchor();
  // Writes current_anchor() to `file` atomically (temporary file, fsync, rename). Call it after
  // flush() and after commits that matter (e.g. at shutdown, after an export); entries appended
  // after the last anchor are protected by the chain only.
  Status write_anchor(const std::filesystem::path& file);
  // Reads an anchor written by write_anchor(). kNotFound when the file does not exist,
  // kInvalidArgument when it is not an anchor. The seal is checked by verify().
  static Result<Anchor> read_anchor(const std::filesystem::path& file);

 private:
  class ReadQueue;

  Store& store_;
  const Clock& clock_;
  std::array<unsigned char, 32> chain_key_;
  std::unique_ptr<ReadQueue> reads_;
};

}  // namespace haven
