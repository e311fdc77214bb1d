#include "demo/generator.hpp"

namespace haven::demo {

Writer::Writer(Store& store, const Clock& clock, DemoSummary& summary,
               std::function<void()> on_commit)
    : store_(store), clock_(clock), summary_(summary), on_commit_(std::move(on_commit)) {}

Status Writer::begin() {
  auto tx = store_.begin(/*write=*/true);
  HAVEN_TRY(tx);
  tx_ = std::move(tx.value());
  pending_ = 0;
  return Status::Ok();
}

Result<Record> Writer::create(const EntitySpec& spec, std::int64_t org_id, const Json& fields) {
  auto record = create_record(*tx_, spec, org_id, fields, clock_);
  if (!record.ok()) {
    Error error = record.error();
    error.message = "demo " + spec.kind + " refused: " + error.message;
    return error;
  }
  ++summary_.counts[spec.kind];
  ++pending_;
  return record;
}

Result<User> Writer::create_user(User user) {
  auto created = tx_->insert_user(std::move(user));
  if (!created.ok()) {
    Error error = created.error();
    error.message = "demo user refused: " + error.message;
    return error;
  }
  ++summary_.counts["user"];
  ++pending_;
  return created;
}

Status Writer::commit() {
  HAVEN_TRY(tx_->commit());
  tx_.reset();
  if (on_commit_) on_commit_();
  return Status::Ok();
}

Status Writer::checkpoint() {
  if (pending_ < kBatchRecords) return Status::Ok();
  HAVEN_TRY(commit());
  return begin();
}

Status Writer::finish() {
  if (!tx_) return Status::Ok();
  return commit();
}

}  // namespace haven::demo
