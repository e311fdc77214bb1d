// Private to src/link: the prepared lists and candidate pairs a Linker holds.
#pragma once

#include <climits>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "link/link.hpp"

namespace haven::link {

// One distinct normalised value of a field, with what the levels need precomputed once.
struct FieldValue {
  std::string text;
  std::string phonetic;              // phonetic codes of the tokens, space separated
  int year = 0, month = 0, day = 0;  // kDate fields that parse as a real date; 0 otherwise
  std::int64_t days = INT64_MIN;     // days since 1970-01-01, INT64_MIN when not a date
  double number = NAN;               // numeric levels
};

struct FieldData {
  std::vector<FieldValue> values;  // [0] is the missing value
  std::unordered_map<std::string, std::uint32_t> ids;
  std::vector<std::uint32_t> counts;        // records holding each value
  std::uint64_t present = 0;                // records with a value
  std::vector<std::uint32_t> record_value;  // per record; 0 missing
};

struct BlockInfo {
  std::uint64_t pairs = 0;
  std::vector<std::uint32_t> records;
};

struct Linker::Impl {
  LinkSpec spec;
  std::vector<std::string> list_names;
  std::vector<std::uint32_t> list_start;  // global index of each list's first record, plus the end
  std::vector<std::uint32_t> record_list_of;
  std::vector<std::string> ids;
  std::vector<FieldData> fields;
  std::vector<std::size_t> swapped_field;        // per field and level: index of the other field
  std::vector<std::vector<std::uint64_t>> keys;  // [rule][record]; 0: no key
  std::vector<std::uint64_t> rule_pairs;
  int threads = 2;

  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::vector<std::uint8_t> pair_rule;  // the blocking rule that made each pair
  std::vector<std::uint8_t> levels;     // pairs.size() * fields.size()
  std::uint64_t all_pairs = 0;          // comparable pairs without blocking
  bool compared = false;

  bool comparable(std::uint32_t a, std::uint32_t b) const {
    if (a == b) return false;
    switch (spec.link_type) {
      case LinkType::kLinkOnly:
        return record_list_of[a] != record_list_of[b];
      case LinkType::kDedupeOnly:
        return record_list_of[a] == record_list_of[b];
      case LinkType::kLinkAndDedupe:
        return true;
    }
    return false;
  }
  std::uint8_t level_of(std::size_t field, std::uint32_t a, std::uint32_t b) const;
  void compare_into(std::uint32_t a, std::uint32_t b, std::uint8_t* out) const {
    for (std::size_t f = 0; f < fields.size(); ++f) out[f] = level_of(f, a, b);
  }
};

// A cell normalised as the field says (normaliser: only for Normalise::kName), dates parsed,
// numbers read; text "" when the value is missing.
FieldValue normalise_value(std::string_view raw, Normalise normalise,
                           const search::Normaliser* normaliser);
// Fills value.phonetic: the phonetic code of every token.
void add_phonetic(FieldValue& value);
// The key text of one part of a blocking rule for one value, or "" when the record has no key.
// `other`: the second field's value of a pair(f,g) key (nullptr or missing: no key).
std::string key_text(const BlockingKey& key, const FieldValue& value,
                     const FieldValue* other = nullptr);
// Combines hashes (splitmix64 finaliser).
std::uint64_t mix(std::uint64_t h, std::uint64_t v);

// A saved model's probability_two_random_records_match, refused unless strictly between 0 and 1
// (Haven's models and Splink's alike).
Result<double> saved_prior(const Json& model_json);

// Runs fn(begin, end, thread) over [0, n) in `threads` contiguous slices.
void parallel_for(std::size_t n, int threads,
                  const std::function<void(std::size_t, std::size_t, int)>& fn);

}  // namespace haven::link
