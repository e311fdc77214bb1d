// The background writer behind AuditLog::append_read(). Private to src/audit.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include "audit/audit.hpp"
#include "audit/chain.hpp"

namespace haven {

// Prepared entries wait in a bounded FIFO; one thread takes them in batches and appends each
// batch in one write transaction. An entry leaves the queue only once its batch has committed,
// so a failed write loses nothing: the batch is retried with back-off.
class AuditLog::ReadQueue {
 public:
  ReadQueue(Store& store, const audit::ChainKey& key, const AuditLogOptions& options);
  // Writes what is queued (retrying for up to options.shutdown_retry) and stops the thread.
  ~ReadQueue();
  ReadQueue(const ReadQueue&) = delete;
  ReadQueue& operator=(const ReadQueue&) = delete;

  // Blocks while the queue is full.
  void push(AuditRecord entry);
  // Remembers a malformed event for the next flush() to report.
  void reject(Error error);
  Status flush();
  // Entries waiting to be written (for monitoring).
  std::size_t length();

 private:
  static constexpr std::size_t kMaxBatch = 1000;

  void run();
  Status write_batch(std::span<const AuditRecord> batch);

  Store& store_;
  const audit::ChainKey& key_;
  const AuditLogOptions options_;

  std::mutex mutex_;
  std::condition_variable writer_wake_;  // the writer waits for entries, a flush or the end
  std::condition_variable progress_;     // producers wait for room, flushers for a write attempt
  std::deque<AuditRecord> queue_;
  std::uint64_t queued_total_ = 0;   // entries ever pushed
  std::uint64_t written_total_ = 0;  // entries ever committed (always the oldest ones, FIFO)
  std::uint64_t failed_writes_ = 0;
  std::optional<Error> last_write_error_;
  std::optional<Error> rejected_;
  bool urgent_ = false;  // a flush is waiting: write now, skip the gathering delay
  bool stopping_ = false;
  bool stopped_ = false;                              // the writer has ended
  std::chrono::steady_clock::time_point give_up_at_;  // set when stopping
  std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace haven
