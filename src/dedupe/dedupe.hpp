// Finding the same person twice: the fuzzy-search index kept in step with the store, the
// duplicate scan that fills the review queue, and merging duplicates (with undo). The search
// itself — normalisation, keyed encodings, ranking — is src/search; this module runs it over
// the store, which keeps each person's encodings (never plaintext) beside the sealed record.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/core.hpp"
#include "crypto/crypto.hpp"
#include "search/search.hpp"
#include "store/store.hpp"

namespace haven::dedupe {

using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

class PersonFinder {
 public:
  // REQUIRES: `keys` outlives the finder. kInternal when ICU or the name tables cannot be loaded.
  static Result<std::unique_ptr<PersonFinder>> create(const KeyRing& keys);

  // The encoder for Store::set_person_encoder: the person's serialised encodings under their
  // organisation's search key. A field the encoder refuses (a name of emoji only) is left out
  // rather than refusing the person; empty when nothing can be encoded.
  std::string encode(std::int64_t org_id, const Json& fields) const;
  PersonEncoder encoder() { return [this](std::int64_t org, const Json& fields) { return encode(org, fields); }; }

  // Brings the index up to date with every encoding written since the last call, by this
  // process or another one on the same database. Cheap when nothing changed (one indexed query).
  Status refresh(Store& store, const Progress& progress = {});

  // The best matches among `org_id`'s persons for a query: any of a person's fields, plus
  // "name" (a full name in any order), "birth_year", "age_min" and "age_max". `today` is days
  // since 1970-01-01. kInvalidArgument naming the field for a query that cannot be encoded.
  Result<std::vector<search::Match>> find(std::int64_t org_id, const Json& query, const search::QueryOptions& options,
                                          std::int64_t today) const;
  // The matches of one person from its stored encodings (the duplicate scan), itself left out.
  Result<std::vector<search::Match>> matches_of(std::int64_t org_id, std::int64_t person_id, std::string_view encodings,
                                                search::QueryOptions options) const;

  // Rewrites the encodings of every person of `org_id` (0: all), e.g. after an upgrade created
  // the encodings table, in write transactions of a thousand. Returns the number written.
  Result<std::uint64_t> reindex(Store& store, std::int64_t org_id, const Progress& progress = {});

  std::size_t size() const { return index_.size(); }
  std::size_t memory_bytes() const { return index_.memory_bytes(); }

 private:
  explicit PersonFinder(const KeyRing& keys, std::unique_ptr<search::Normaliser> normaliser);
  Result<const search::SearchKey*> key_of(std::int64_t org_id) const;

  const KeyRing& keys_;
  std::unique_ptr<search::Normaliser> normaliser_;
  search::PersonIndex index_;
  mutable std::mutex keys_mutex_;
  mutable std::map<std::int64_t, std::unique_ptr<search::SearchKey>> search_keys_;
  std::mutex refresh_mutex_;
  std::int64_t last_seq_ = 0;
};

struct ScanOptions {
  std::int64_t org_id = 0;                      // 0: every organisation
  double threshold = search::kReviewScore;      // pairs scoring at least this go to the queue
  std::size_t top_k = 5;                        // candidates looked at per person
  int threads = 2;
  Progress progress;
};
struct ScanSummary {
  std::uint64_t persons = 0;    // persons compared
  std::uint64_t pairs = 0;      // pairs at or above the threshold
  std::uint64_t new_pairs = 0;  // of which not yet in the review queue (added, status open)
};
// Compares every indexed person with the others of their organisation and adds the pairs above
// the threshold to the review queue (duplicate_candidate records, source "scan"), once per pair.
// REQUIRES: finder.refresh(store) was called.
Result<ScanSummary> scan_duplicates(Store& store, PersonFinder& finder, const ScanOptions& options, const Clock& clock);

// Makes two records of one person one: every role, service plan, service, assessment and consent
// of `duplicate_id` moves to `kept_id`, so do its places among a legal case's defendants; the
// duplicate points to the kept record (merged_into) and leaves the search index; open review
// pairs of the two are marked merged. Returns the person_merge record, which undo_merge reverses.
// kFailedPrecondition when either is already merged, or both hold the same role in one case.
Result<Record> merge_persons(Transaction& tx, std::int64_t org_id, std::int64_t kept_id, std::int64_t duplicate_id,
                             const std::string& reason, const Clock& clock);
// Moves back what the merge moved (records changed since keep their changes), restores the
// duplicate, and marks the merge undone. kFailedPrecondition when it was undone already.
Result<Record> undo_merge(Transaction& tx, std::int64_t org_id, std::int64_t merge_id, const Clock& clock);

}  // namespace haven::dedupe
