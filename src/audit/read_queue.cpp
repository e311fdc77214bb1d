#include "audit/read_queue.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace haven {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kFirstBackoff{50};
constexpr milliseconds kMaxBackoff{2000};
}  // namespace

AuditLog::ReadQueue::ReadQueue(Store& store, const audit::ChainKey& key,
                               const AuditLogOptions& options)
    : store_(store), key_(key), options_(options), thread_([this] { run(); }) {}

AuditLog::ReadQueue::~ReadQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    give_up_at_ = std::chrono::steady_clock::now() + options_.shutdown_retry;
  }
  writer_wake_.notify_all();
  progress_.notify_all();
  thread_.join();
}

void AuditLog::ReadQueue::push(AuditRecord entry) {
  std::unique_lock lock(mutex_);
  const std::size_t limit = std::max<std::size_t>(options_.read_queue_limit, 1);
  progress_.wait(lock, [&] { return queue_.size() < limit || stopping_; });
  queue_.push_back(std::move(entry));
  ++queued_total_;
  // The writer only needs a nudge when it may be idle or when a batch is full.
  const bool wake = queue_.size() == 1 || queue_.size() == kMaxBatch;
  lock.unlock();
  if (wake) writer_wake_.notify_one();
}

std::size_t AuditLog::ReadQueue::length() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void AuditLog::ReadQueue::reject(Error error) {
  std::lock_guard lock(mutex_);
  if (!rejected_) rejected_ = std::move(error);
}

Status AuditLog::ReadQueue::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_total_;
  const std::uint64_t failures = failed_writes_;
  if (written_total_ < target) {
    urgent_ = true;
    writer_wake_.notify_one();
  }
  progress_.wait(lock,
                 [&] { return written_total_ >= target || failed_writes_ > failures || stopped_; });
  if (written_total_ < target) {
    if (last_write_error_) return *last_write_error_;
    return Error{ErrorCode::kInternal, "the audit writer has stopped before writing every event",
                 ""};
  }
  if (rejected_) {
    Error error = std::move(*rejected_);
    rejected_.reset();
    return error;
  }
  return Status::Ok();
}

Status AuditLog::ReadQueue::write_batch(std::span<const AuditRecord> batch) {
  auto tx = store_.begin(true);
  HAVEN_TRY(tx);
  HAVEN_TRY(audit::append_entries(**tx, key_, batch));
  return (*tx)->commit();
}

void AuditLog::ReadQueue::run() {
  std::unique_lock lock(mutex_);
  milliseconds backoff{0};
  for (;;) {
    writer_wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything is written
    // Gather reads for one transaction, or sit out the back-off after a failure. A flush cuts
    // either short; stopping cuts the gathering short but not the back-off.
    const bool retrying = backoff.count() > 0;
    writer_wake_.wait_for(lock, retrying ? backoff : options_.batch_delay, [&] {
      return urgent_ || (stopping_ && !retrying) || (!retrying && queue_.size() >= kMaxBatch);
    });
    urgent_ = false;
    const std::size_t count = std::min(queue_.size(), kMaxBatch);
    // Copied, not moved out: the entries stay queued until their batch has committed.
    std::vector<AuditRecord> batch(queue_.begin(), queue_.begin() + static_cast<long>(count));
    lock.unlock();
    Status status = write_batch(batch);
    lock.lock();
    if (status.ok()) {
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(count));
      written_total_ += count;
      backoff = milliseconds{0};
    } else {
      ++failed_writes_;
      last_write_error_ = status.error();
      backoff = retrying ? std::min(backoff * 2, kMaxBackoff) : kFirstBackoff;
      if (stopping_ && std::chrono::steady_clock::now() >= give_up_at_) {
        // Nothing is left to report to: say what was lost (counts only) where an operator sees it.
        std::fprintf(stderr,
                     "level=error component=audit event=read_queue_abandoned entries=%zu "
                     "error=\"%s\"\n",
                     queue_.size(), status.error().message.c_str());
        queue_.clear();
        break;
      }
    }
    progress_.notify_all();
  }
  stopped_ = true;
  progress_.notify_all();
}

}  // namespace haven
