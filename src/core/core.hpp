// Haven's domain: entity descriptions, validation and workflow rules. The public door of
// haven_core; nothing here touches storage, the network or the clock directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/schema.hpp"

namespace haven {

using Json = nlohmann::json;

// Time is passed in, never read from a global, so tests can fix it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point at) : at_(at) {}
  std::chrono::system_clock::time_point now() const override { return at_; }
  void advance(std::chrono::seconds by) { at_ += by; }

 private:
  std::chrono::system_clock::time_point at_;
};

std::string format_date(std::chrono::system_clock::time_point t);      // YYYY-MM-DD (UTC)
std::string format_datetime(std::chrono::system_clock::time_point t);  // YYYY-MM-DDTHH:MM:SSZ
// Parses YYYY-MM-DD; returns days since 1970-01-01, or nullopt for anything else.
std::optional<std::int64_t> parse_date(std::string_view text);
// Parses RFC 3339 (Z or ±HH:MM offset, optional fraction) into "YYYY-MM-DDTHH:MM:SSZ" in UTC.
std::optional<std::string> normalise_datetime(std::string_view text);
// Whole years between two YYYY-MM-DD dates (age at `on` of someone born on `born`).
std::optional<int> years_between(std::string_view born, std::string_view on);
bool is_valid_utf8(std::string_view text);
// The form in which two spellings count as equal for exact look-ups: Unicode NFKC with case
// folding, blanks collapsed; phone numbers keep only digits and a leading +.
std::string normalise_for_equality(std::string_view field, std::string_view text);

// What the workflow rules need to know about other records. The store implements it inside the
// transaction that writes, so the rules see a consistent state.
class RecordLookup {
 public:
  virtual ~RecordLookup() = default;
  // The fields of record `id` of `kind` if it exists and belongs to `org_id`, else kNotFound.
  // As for exists(), "user" and organisations are answered too.
  virtual Result<Json> find(std::string_view kind, std::int64_t id, std::int64_t org_id) = 0;
  // Whether record `id` of `kind` exists for `org_id`, without reading it: references are checked
  // on every write. "user" names staff accounts; organisations may be named by any organisation.
  virtual Result<bool> exists(std::string_view kind, std::int64_t id, std::int64_t org_id) = 0;
  // The latest form definition of `org_id` for `target_kind`, or a null Json when none exists.
  virtual Result<Json> latest_form(std::int64_t org_id, std::string_view target_kind) = 0;
};

struct WriteContext {
  std::int64_t org_id = 0;
  RecordLookup& lookup;
  const Clock& clock;
};

// Names the store assigns to every record; they are rejected in input fields.
bool is_envelope_field(std::string_view name);

// Validates a new record's fields and fills in computed ones (is_minor, restored, current_stage,
// ...). On failure the error names the offending field as a JSON pointer.
Result<Json> prepare_create(const EntitySpec& spec, const Json& input, WriteContext& context);
// Workflow-only kinds (a link review, a merge) are written by their own operation, which
// computes their computed fields itself: validates `fields` as a whole record, computed fields
// included, without the workflow rules (which refuse these kinds to every other writer).
// kInternal for a kind that is not workflow-only (use prepare_create).
Result<Json> validate_workflow_record(const EntitySpec& spec, const Json& fields, WriteContext& context);
// Merges `patch` onto `previous` (a null value removes an optional field), validates the result
// as a whole and applies the workflow rules for the change (case status transitions, append-only
// custody, immutable form definitions).
Result<Json> prepare_update(const EntitySpec& spec, const Json& patch, const Json& previous,
                            WriteContext& context);

}  // namespace haven
