// Fuzzy person search and duplicate detection on keyed encodings. Names are sealed at rest, so
// the index holds no plaintext: only per-organisation keyed encodings of a person's fields.
//
//   person fields --Normaliser--> name tokens (any script to ASCII Latin, honorifics and
//   particles dropped, spelling variants and nicknames mapped, order-free)
//                 --encode_person(SearchKey)--> PersonEncodings: 1024-bit Bloom-filter name
//   encodings (CLKs) per name and alias, keyed phonetic blocking keys, keyed digests of birth
//   date / year / day-month-swapped date, sex, phone digits and place tokens
//                 --PersonIndex::upsert--> in memory; query() ranks candidates from the blocks
//   by Dice similarity of the CLKs plus Fellegi-Sunter agreement weights of the other fields.
//
// Encodings made under one SearchKey only compare with encodings made under the same key: a
// query finds the persons of the organisation whose key encoded it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "crypto/crypto.hpp"

namespace haven::search {

using Json = nlohmann::json;

// ---- Names ----

inline constexpr std::size_t kMaxNameBytes = 4096;   // longer input is refused
inline constexpr std::size_t kMaxTokens = 16;        // further tokens are ignored
inline constexpr std::size_t kMaxTokenLetters = 40;  // longer tokens are cut

// Turns names into comparable tokens. Owns an ICU transliterator ("NFKC; Any-Latin;
// Latin-ASCII; Lower", with "sh" for the Indic sibilants) and the name tables compiled into the
// binary (src/search/data/*.tsv). Thread-safe: ICU transliterators are not, so each call borrows
// one from a small pool.
class Normaliser {
 public:
  // Fails (kInternal) if ICU or an embedded table cannot be loaded.
  static Result<std::unique_ptr<Normaliser>> create();
  ~Normaliser();
  Normaliser(const Normaliser&) = delete;
  Normaliser& operator=(const Normaliser&) = delete;

  // The tokens of a name in any script, lower-case ASCII letters only, in written order:
  // "Md. Rahman" -> {"muhammad", "rahman"}; "मोहम्मद रहमान" -> {"muhammad", "rahman"}.
  // Honorifics and particles are dropped unless nothing else remains; variants are mapped to
  // their canonical form; one-letter initials are dropped unless they are the whole name.
  // Fails (kInvalidArgument) for invalid UTF-8, more than kMaxNameBytes bytes, or a name with no
  // letter in any script (empty, digits, emoji only).
  Result<std::vector<std::string>> name_tokens(std::string_view name) const;

  // The tokens of an address or place: as name_tokens, but without name tables, keeping numbers
  // of four or more digits (postcodes) and leaving out words like "street" or "village".
  // Never fails: invalid input gives no tokens.
  std::vector<std::string> place_tokens(std::string_view text) const;

 private:
  struct Impl;
  explicit Normaliser(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A phonetic code for one token (ASCII lower-case letters), written for transliterated names of
// many origins: "muhammad", "mohd", "mhmd" (Arabic without vowels) -> "MT"; "rahman" -> "RMN".
// Empty for an empty token.
std::string phonetic_code(std::string_view token);

// ---- Keyed encodings ----

inline constexpr std::size_t kClkBits = 1024;
inline constexpr std::size_t kClkWords = kClkBits / 64;
using Clk = std::array<std::uint64_t, kClkWords>;

// Dice coefficient 2|a&b| / (|a|+|b|) of two CLKs; 0 when both are empty.
double dice(const Clk& a, const Clk& b);

// An organisation's search key (KeyRing::search_key) and the sub-keys derived from it, one per
// purpose, so that a CLK bit position and a field digest never share a key.
class SearchKey {
 public:
  explicit SearchKey(const Key& key);
  ~SearchKey();
  SearchKey(const SearchKey&) = default;
  SearchKey& operator=(const SearchKey&) = default;

  // Bloom filter of the bigrams of each token and of each token's phonetic code (so "mhmd"
  // and "muhammad" share bits); the order of the tokens does not matter.
  Clk clk(const std::vector<std::string>& tokens) const;
  std::uint64_t blocking_key(std::string_view kind, std::string_view value) const;
  // Never 0 (0 means "not recorded").
  std::uint32_t digest(std::string_view field, std::string_view value) const;

 private:
  Key clk_key_, block_key_, field_key_;
  // BLAKE2b state after the CLK key and the "bigram" prefix: copied for each bigram, so the key
  // block is hashed once per key, not once per bigram.
  std::array<unsigned char, 512> bigram_state_{};
};

inline constexpr std::size_t kMaxNames = 4;   // the full name and up to 3 aliases
inline constexpr std::size_t kMaxPlaces = 6;  // place tokens kept per person
inline constexpr std::size_t kMaxBirthYears = 4;

struct BirthEncoding {
  std::uint32_t date = 0;     // digest of YYYY-MM-DD; 0: no birth date
  std::uint32_t swapped = 0;  // of the same date with day and month swapped (0 if not a date)
  // Digests of the possible birth years: one for a birth date, four around an age estimate.
  std::array<std::uint32_t, kMaxBirthYears> years{};
  std::uint8_t year_count = 0;
  bool approximate = false;  // years from an age estimate or an age range

  bool operator==(const BirthEncoding&) const = default;
};

// What the index keeps of one person: keyed values only.
struct PersonEncodings {
  std::vector<Clk> names;  // full name first, then aliases
  // Bit i set: names[i] is a one-word alias, a nickname ("Pappu", "Toto") that many people
  // share; it counts only against a full name, and then for less.
  std::uint8_t nicknames = 0;
  std::vector<std::uint64_t> blocking_keys;  // phonetic codes of tokens, alone and with years
  BirthEncoding birth;
  std::uint32_t sex = 0;              // digest; 0: not recorded or unknown
  std::uint32_t phone = 0;            // digest of the last 9 digits; 0: none
  std::vector<std::uint32_t> places;  // digests of place tokens

  bool operator==(const PersonEncodings&) const = default;
};

// Encodes a person's fields (schema "person": given_name, family_name, aliases, sex, birth_date,
// age_estimate + age_estimated_on, phone, address). Absent fields are left unset. The region is
// left out: too coarse to tell people apart, and survivors are moved from region to region.
// Fails (kInvalidArgument, naming the field) for a name that normalises to nothing or is not
// UTF-8, or a date that is not a real YYYY-MM-DD date. A person without a name is still
// encoded (found by birth date and phone only).
Result<PersonEncodings> encode_person(const Json& fields, const SearchKey& key,
                                      const Normaliser& normaliser);

// For storing beside the sealed record; deserialise() fails (kInvalidArgument) on bytes that
// serialise() did not write (wrong version, truncated).
std::string serialise(const PersonEncodings& encodings);
Result<PersonEncodings> deserialise(std::string_view bytes);

// ---- Queries ----

// A query: any subset of a person's fields, as in encode_person, plus "name" (a full name in
// any order), "birth_year", and "age_min"/"age_max" (years, as of `today`). At least one field.
struct QueryEncodings {
  std::vector<Clk> names;
  std::uint8_t nicknames = 0;  // as in PersonEncodings
  std::vector<std::uint64_t> blocking_keys;
  BirthEncoding birth;                     // a birth date, a birth year, or an age estimate's years
  std::vector<std::uint32_t> range_years;  // digests of the years of an age range
  bool year_only = false;                  // a birth year without a date was asked for
  std::uint32_t sex = 0, phone = 0;
  std::vector<std::uint32_t> places;
};
inline constexpr int kMaxAgeRangeYears = 30;

// `today` is days since 1970-01-01 (from the caller's Clock), for age ranges.
// Fails (kInvalidArgument, naming the field) as encode_person does, for an age range that is
// reversed, negative, over 150 or wider than kMaxAgeRangeYears, and for a query with no field.
Result<QueryEncodings> encode_query(const Json& query, const SearchKey& key,
                                    const Normaliser& normaliser, std::int64_t today);

// How one field compared, for a caseworker: {"name", "0.93 similar", 7.6}.
struct FieldVerdict {
  std::string field;    // name, birth_date, sex, phone, place
  std::string verdict;  // "0.93 similar", "same birth year", "different place", ...
  double weight = 0;    // log2 likelihood ratio this field contributed
};

struct Match {
  std::int64_t org_id = 0;
  std::int64_t person_id = 0;
  double score = 0;            // 0..1, ranks like `weight`
  double weight = 0;           // sum of the field weights
  double name_similarity = 0;  // best Dice over the names and aliases; 0 without a name
  std::vector<FieldVerdict> fields;
  std::string explanation;  // "name 0.93 similar, same birth year, different place"
};

// Score from which a match is worth a caseworker's look (a duplicate warning at intake).
inline constexpr double kReviewScore = 0.5;

struct QueryOptions {
  std::size_t top_k = 10;           // 1..1000
  double min_score = 0;             // matches below are left out
  std::int64_t exclude_person = 0;  // e.g. the person being checked; 0: none
  // Candidates scored at most: the query's blocks are taken rarest first while they fit (if not
  // even the rarest fits, its first max_candidates). 0: every candidate of the blocks.
  std::size_t max_candidates = 100000;
};

// An in-memory index of encodings, for any number of organisations. Thread-safe: any number of
// concurrent queries, and writes that wait for them (std::shared_mutex).
class PersonIndex {
 public:
  PersonIndex();
  ~PersonIndex();
  PersonIndex(const PersonIndex&) = delete;
  PersonIndex& operator=(const PersonIndex&) = delete;

  // Adds or replaces the entry of `person_id` (ids are unique across organisations).
  // Fails (kInvalidArgument) for person_id <= 0 or encodings out of range (more than kMaxNames
  // names: not made by encode_person).
  Status upsert(std::int64_t org_id, std::int64_t person_id, const PersonEncodings& encodings);
  // Whether there was an entry.
  bool remove(std::int64_t person_id);

  // The best top_k persons of `org_id` by score (ties by lower person id), from the blocks the
  // query's keys point to. Fails (kInvalidArgument) for top_k out of range.
  Result<std::vector<Match>> query(std::int64_t org_id, const QueryEncodings& query,
                                   const QueryOptions& options) const;
  // The same ranking over every person of `org_id`, without blocking: the reference answer
  // for tests and benchmarks.
  Result<std::vector<Match>> scan(std::int64_t org_id, const QueryEncodings& query,
                                  const QueryOptions& options) const;

  std::size_t size() const;
  std::size_t memory_bytes() const;  // heap held by the index, approximately

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace haven::search
