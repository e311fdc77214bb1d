// The review queue of record linkage's uncertain band (docs/linkage.md, "Review queue"): the
// pairs a linkage run scored from review_from up to the threshold become link_review records,
// with each comparison's level, weight and the two compared values (sealed at rest); a person
// decides match or non-match; haven link --decisions-from applies the decisions to a later run.
// Shared by the API (decisions), haven link (storing and reading runs) and haven demo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/core.hpp"
#include "link/link.hpp"
#include "store/store.hpp"

namespace haven::link_review {

// The statuses of a pair, as stored.
inline constexpr const char* kPending = "pending";
inline constexpr const char* kMatch = "match";
inline constexpr const char* kNonMatch = "non_match";

const EntitySpec& spec();

// The fields of one link_review record per pair of `pairs` in the review band of `model`'s spec
// (probability from review_from up to, not including, threshold), in the order of `pairs`: both
// records' lists and ids, probability, weight, and per spec field the level that held ("null":
// a value missing, "else": no level held), its weight and the two values as compared. The values
// are identifying: the result must not be logged.
std::vector<Json> review_band(const link::Linker& linker, const link::Model& model,
                              const std::vector<link::ScoredPair>& pairs, const std::string& run);

// Whether organisation `org_id` has a run named `run`.
Result<bool> run_exists(Transaction& tx, std::int64_t org_id, const std::string& run);

// Stores `reviews` (from review_band, all of one run) as pending link_review records of `org_id`,
// each validated against the schema. kConflict if the run exists already in the organisation;
// kInvalidArgument naming the pair and field a record fails on. Writes nothing else: the caller
// audits and commits, or drops the transaction, so a refused run leaves nothing behind.
Result<std::size_t> store_run(Transaction& tx, std::int64_t org_id, const std::vector<Json>& reviews,
                              const Clock& clock);

// A pair of a run as haven link --decisions-from reads it.
struct Decision {
  std::string list_l, record_l, list_r, record_r;
  std::string status;  // kPending, kMatch or kNonMatch
  std::int64_t org_id = 0;
};
// Every pair of run `run` of `org_id` (0: of every organisation with such a run), in id order,
// read from public fields only. kNotFound when there is no such run.
Result<std::vector<Decision>> decisions(Transaction& tx, std::int64_t org_id, const std::string& run);

struct RunSummary {
  std::string run;
  std::uint64_t pending = 0, match = 0, non_match = 0;
  std::uint64_t total() const { return pending + match + non_match; }
};
// Every run of `org_id` with its pairs counted by status, by name. Reads public fields only.
Result<std::vector<RunSummary>> runs(Transaction& tx, std::int64_t org_id);

// Decides pair `id` of `org_id`: `status` kMatch or kNonMatch from pending (kConflict otherwise),
// or kPending to reopen a decided pair (kConflict when it is pending). Sets note (at most 2000
// characters, refused with kInvalidArgument at /note; empty removes it), decided_by and
// decided_at, or clears all three on reopening. kNotFound for another organisation's pair.
Result<Record> decide(Transaction& tx, std::int64_t org_id, std::int64_t id, const std::string& status,
                      const std::string& note, std::int64_t user_id, const Clock& clock);

}  // namespace haven::link_review
