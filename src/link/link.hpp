// Record linkage of agencies' lists: which records of several lists (police, NGOs, shelters,
// hotlines) are the same person, so victims are counted once and capture histories can feed
// multiple systems estimation.
//
//   LinkSpec (JSON: fields, comparison levels, blocking rules)
//   RecordList (CSV) ... --Linker::create--> values normalised and interned, blocks counted
//                        (exploding blocks refused before any comparison)
//                        --compare--> candidate pairs and their comparison vectors (2 threads)
//                        --train--> Fellegi-Sunter model: u by random sampling of pairs, m by EM
//                        per blocking rule, term frequencies for common values
//                        --score--> match weights, probabilities, per-field weights
//   cluster() --> entities without long chains of weak links; capture_history() --> the table
//   `haven estimate` reads (one column per list).
//
// Nothing here throws across this header: errors are values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "stats/mse.hpp"

namespace haven::search {
class Normaliser;
}

namespace haven::link {

using Json = nlohmann::json;
// Called with work done and total (0: unknown); must be cheap and thread-safe.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// ---- Specification ----

enum class Normalise {
  kNone,    // as written, trimmed
  kLower,   // trimmed, ASCII lower case, inner white space collapsed
  kName,    // search::Normaliser tokens (any script to Latin, variants and nicknames mapped)
  kDigits,  // digits only
  kDate,    // a date as YYYY-MM-DD (from YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY)
};

// One comparison level of a field; levels are tried in order and the first that holds wins.
// Before them an implicit "null" level (either value missing, weight 0); after them an implicit
// "else" level (every other comparison).
struct Level {
  enum class Kind {
    kExact,         // equal values
    kJaroWinkler,   // Jaro-Winkler similarity >= threshold
    kJaro,          // Jaro similarity >= threshold
    kLevenshtein,   // edit distance <= threshold
    kPhonetic,      // equal phonetic codes (search::phonetic_code of every token)
    kSwappedWith,   // this field equals `other` on the other side and vice versa (threshold
                    // below 1: both cross pairs at Jaro-Winkler >= threshold, a typo as well)
    kDateSwap,      // day and month swapped (dates)
    kDateYear,      // same year (dates)
    kDateWithin,    // at most `threshold` days apart (dates)
    kNumericAbs,    // |a - b| <= threshold (numbers)
    kNumericRel,    // |a - b| <= threshold * max(|a|, |b|) (numbers)
    kTokenOverlap,  // share at least one white-space separated token
  };
  Kind kind = Kind::kExact;
  double threshold = 0;
  std::string other;  // kSwappedWith: the other field's name
  std::string label;  // for people and charts, e.g. "Jaro-Winkler >= 0.92"
};

struct FieldSpec {
  std::string name;    // output name; unique
  std::string column;  // the CSV column (default: name)
  Normalise normalise = Normalise::kLower;
  std::vector<Level> levels;
  bool term_frequency = false;  // adjust the exact level's weight by how common the value is
};

// One part of a blocking key: the value of a field, transformed.
struct BlockingKey {
  // kPair: the two fields' values in sorted order, so that a record with given and family name
  // swapped has the same key as one without the swap.
  enum class Transform { kValue, kPhonetic, kFirst, kLast, kYear, kPair };
  Transform transform = Transform::kValue;
  std::size_t field = 0;  // index into LinkSpec::fields
  std::size_t other = 0;  // kPair: the second field
  int length = 0;         // kFirst / kLast: characters kept
};
// Records are candidate pairs under a rule when all its keys are equal (and none is missing).
// Rules are or-ed: a pair is compared once, under the first rule that makes it a candidate.
struct BlockingRule {
  std::vector<BlockingKey> keys;
  std::string text;  // as written: "phonetic(surname) & year(date_of_birth)"
};

enum class LinkType {
  kLinkOnly,       // pairs across lists only (each list is assumed free of duplicates)
  kDedupeOnly,     // pairs within each list only
  kLinkAndDedupe,  // every pair
};

// How the model is trained (docs/linkage.md compares them on the benchmarks).
enum class Training {
  // As Splink: u from random pairs, m by EM over each blocking rule's pairs leaving out the
  // rule's own fields, the prior over all comparable pairs. The default: best on every benchmark.
  kPerRule,
  // EM over all candidate pairs for m and for the candidates' own u (started from random
  // pairs); the prior is the share of candidates that match. Misled when many non-matching
  // candidates agree on the blocking fields (common names): kept for comparison.
  kCandidates,
};

struct LinkSpec {
  LinkType link_type = LinkType::kLinkAndDedupe;
  Training training = Training::kPerRule;
  std::string id_column;  // each list's record id column; empty: the row number
  std::vector<FieldSpec> fields;
  std::vector<BlockingRule> blocking;
  // Refused before comparing: a block holding more candidate pairs than this, or more pairs in all.
  std::uint64_t max_block_pairs = 5'000'000;
  std::uint64_t max_pairs = 400'000'000;
  double threshold = 0.9;        // pairs from this probability are matches
  double review_from = 0.5;      // pairs from here up to the threshold are for a person to review
  double cluster_density = 0.5;  // clusters merge only if this share of their cross pairs match
  std::uint64_t u_sample_pairs = 1'000'000;  // as Splink's examples
  int em_max_iterations = 200;
  std::uint64_t seed = 1;
  // Not part of the JSON: false when the lists hold sealed data (haven link --data), so that an
  // exploding block is reported by its size alone, never by a victim's value as its key.
  bool show_block_keys = true;
};

// Parses the specification (docs/linkage.md). Errors (kInvalidArgument) name the JSON location:
// an unknown key or level type, a field used by a rule or level that is not defined, a threshold
// out of range, no field, no blocking rule.
Result<LinkSpec> parse_spec(const Json& json);
Result<LinkSpec> read_spec(const std::string& path);
Json spec_to_json(const LinkSpec& spec);

// ---- Lists ----

struct RecordList {
  std::string name;                              // the list's name: a column of the capture history
  std::vector<std::string> ids;                  // one per record
  std::vector<std::vector<std::string>> values;  // [record][field], raw cells in spec field order
};

// Reads a CSV list: the header must hold every column the spec names (and the id column). Errors
// (kInvalidArgument) name the file, the missing columns and the columns there are; an empty
// list, a duplicated id, a malformed CSV (line and column) are refused. kNotFound: no such file.
Result<RecordList> read_list(const std::string& path, const std::string& name,
                             const LinkSpec& spec);

// ---- Model ----

struct FieldParameters {
  std::vector<double> m, u;  // per level, null level first (unused), else level last
  std::vector<double>
      u_random;  // u from random pairs (equal to u when trained here; for term frequencies)
};
struct Model {
  LinkSpec spec;
  // kPerRule: the chance that two random comparable records match (Splink's
  // probability_two_random_records_match); kCandidates: the share of candidate pairs that match.
  double prior = 0;
  std::vector<FieldParameters> fields;
  int em_iterations = 0;
  bool em_converged = false;
  std::uint64_t candidate_pairs = 0, sampled_pairs = 0;
};

// Splink-style settings JSON ("comparisons" of "comparison_levels" with m_probability and
// u_probability, "blocking_rules_to_generate_predictions", "link_type"), plus a "haven_spec"
// object holding this spec so a saved model reloads exactly.
Json model_to_json(const Model& model);
// Reads what model_to_json wrote. Errors (kInvalidArgument) for a model without "haven_spec" or
// whose levels do not fit its spec.
Result<Model> model_from_json(const Json& json);
// The trained parameters as a table for people: field, level, m, u, weight.
std::string describe_model(const Model& model);

// ---- Linking ----

struct BlockReport {
  std::string rule;
  std::uint64_t pairs = 0;  // candidate pairs this rule adds
};

struct ScoredPair {
  std::uint32_t left = 0, right = 0;  // global record indices (Linker::record_list/record_id)
  double weight = 0;                  // log2 Bayes factor plus the prior's log2 odds
  double probability = 0;
  std::vector<std::uint8_t> levels;  // per field: 0 null, 1.. the spec's levels, last: else
};

struct Cluster {
  std::vector<std::uint32_t> records;  // global record indices, ascending
};

class Linker {
 public:
  // Interns and normalises the lists, counts blocks. Errors (kInvalidArgument): fewer lists than
  // the link type needs, an empty list, lists with the same name, blocks that explode (the
  // message names the rule, the largest blocks' keys and their sizes). `normaliser` is needed
  // only by fields normalised as names; it is borrowed.
  static Result<std::unique_ptr<Linker>> create(LinkSpec spec, std::vector<RecordList> lists,
                                                const search::Normaliser* normaliser,
                                                int threads = 2);
  ~Linker();
  Linker(const Linker&) = delete;
  Linker& operator=(const Linker&) = delete;

  const LinkSpec& spec() const;
  std::size_t list_count() const;
  const std::string& list_name(std::size_t list) const;
  std::size_t record_count() const;
  std::size_t record_list(std::uint32_t record) const;
  const std::string& record_id(std::uint32_t record) const;
  // The value of spec field `field` of `record` as the levels compared it (normalised; "" when
  // missing), for a person reviewing the pair. Identifying data: never log it.
  const std::string& compared_value(std::size_t field, std::uint32_t record) const;
  std::vector<BlockReport> blocking_report() const;
  std::uint64_t candidate_pairs() const;

  // Builds the candidate pairs and their comparison vectors (the long step).
  Status compare(const Progress& progress = {});
  // u by random sampling, then m by EM per blocking rule, then the prior. REQUIRES: compare() done.
  Result<Model> train(const Progress& progress = {}) const;
  // Scores every candidate pair with `model` (trained here or loaded, for the same spec) and
  // keeps those with probability >= min_probability. REQUIRES: compare() done.
  Result<std::vector<ScoredPair>> score(const Model& model, double min_probability) const;
  // The weight each field contributed to a pair (term-frequency adjustment included).
  std::vector<double> field_weights(const Model& model, const ScoredPair& pair) const;

 private:
  struct Impl;
  explicit Linker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Entities from pairs at or above `threshold`: strongest pairs first, two clusters join only if at
// least `density` of their comparable cross pairs match, so a chain of weak links cannot pull
// two people into one. Every record is in exactly one cluster (singletons included).
std::vector<Cluster> cluster(const Linker& linker, const std::vector<ScoredPair>& pairs,
                             double threshold, double density);

// The capture-history table of the clusters, as CSV: one 0/1 column per list (list order), then
// `count`, one row per observed pattern. `haven estimate` reads it directly.
std::string capture_history_csv(const Linker& linker, const std::vector<Cluster>& clusters);

// ---- Estimation over the linkage (docs/linkage.md, "Estimating with the linkage's uncertainty")

// A pair of records with the chance that they are the same person.
struct PairProbability {
  std::uint32_t left = 0, right = 0;  // record indices (LinkedRecords)
  double probability = 0;
};

// Entities from pairs at or above `threshold`, as cluster() makes them, over records whose list
// is record_list[record].
std::vector<Cluster> cluster_pairs(const std::vector<std::size_t>& record_list, LinkType type,
                                   const std::vector<PairProbability>& pairs, double threshold,
                                   double density);

// A finished linkage as haven link leaves it (or its --pairs and --clusters files describe it):
// every record with its list and id, the uncertain and certain pairs with their match
// probabilities, and the entities it settled on.
struct LinkedRecords {
  std::vector<std::string> lists;
  std::vector<std::size_t> record_list;  // per record: index into lists
  std::vector<std::string> record_ids;   // per record: unique within its list
  std::vector<PairProbability> pairs;    // every pair from review_from up; others are non-links
  std::vector<Cluster> entities;         // every record in exactly one
  LinkType link_type = LinkType::kLinkAndDedupe;
  double cluster_density = 0.5;
};

struct LinkageEstimate {
  stats::MseEstimate point;  // from the entities, with its counts-only intervals
  int replicates = 0, failed = 0;  // failed: replicates without a finite estimate
  std::uint64_t seed = 0;
  std::vector<double> totals;  // the replicates' totals, ascending
  // The 95% percentile interval over the replicates; only when at least 20 had an estimate.
  std::optional<std::pair<double, double>> interval;
};

// Estimates the population from the entities (with `options`), then bootstraps over the linkage
// and the counts: every replicate keeps each pair as a link with its probability, clusters again
// (the linkage's link type and density), resamples the entities with replacement and estimates
// again (the options' selection, without profile, sensitivity or parametric bootstrap).
// The result depends only on the linkage's content, never on the order of its records, pairs or
// lists (they are put in the order of list names and ids first), so the same linkage and seed
// give the same interval whether it comes from memory or from files.
// Errors: kInvalidArgument for an inconsistent linkage (the message names the record or pair: a
// list index or record out of range, an id twice in a list, a pair of a record with itself or
// given twice, a probability outside [0, 1], a record in no entity or in two), replicates outside
// 0..100,000; those of stats::make_capture_table and stats::estimate_population for the entities.
Result<LinkageEstimate> estimate_over_linkage(const LinkedRecords& linkage,
                                              const stats::EstimateOptions& options,
                                              int replicates, std::uint64_t seed,
                                              const Progress& progress = {});
// Two lines for a person: the point estimate with its counts-only interval, and the interval over
// the linkage and the counts (or why there is none).
std::string describe_linkage_estimate(const LinkageEstimate& estimate);

// ---- Privacy-preserving linkage (docs/linkage.md, "Encoded lists") ----
//
// Each agency turns its list into keyed Bloom-filter encodings (CLKs) with a secret the agencies
// share and the linking party does not hold; only encodings and keyed blocking keys leave the
// agency. The schema file follows clkhash's linkage schema v3 (features, n-gram comparison,
// bitsPerFeature / bitsPerToken, clkConfig.l); Haven adds a "haven" object (hardening, blocking).

struct ClkFeature {
  std::string identifier;  // the CSV column
  Normalise normalise = Normalise::kLower;
  int ngram = 2;
  bool positional = false;
  int bits_per_feature = 0;  // spread over the value's tokens (clkhash's bitsPerFeature) ...
  int bits_per_token = 0;    // ... or a fixed number per token (bitsPerToken)
};
struct ClkSchema {
  std::size_t bits = 1024;  // the CLK's length (clkConfig.l), a multiple of 512
  bool balanced = true;     // hardening: half-length filter + its complement, keyed permutation
  std::vector<ClkFeature> features;
  LinkSpec keys;            // the features as fields, and the blocking rules, for the keyed blocks
  std::string fingerprint;  // hex SHA-256 of the canonical schema: lists must agree on it
};
// Errors (kInvalidArgument) name the JSON location: a version other than 3, l not a multiple of
// 512, an unknown format or comparison type, no feature, a blocking rule naming no feature.
Result<ClkSchema> parse_clk_schema(const Json& json);

struct EncodedList {
  std::string name;
  std::vector<std::string> ids;
  std::size_t words = 0;            // 64-bit words per CLK
  std::vector<std::uint64_t> clks;  // ids.size() * words
  std::vector<std::uint32_t> popcounts;
  std::vector<std::vector<std::uint64_t>> blocks;  // [rule][record]: keyed block key, 0 none
  std::string fingerprint, secret_check;  // of the schema and of the secret (a keyed digest)
  bool balanced = true;
};

// Encodes a list read with read_list(path, name, schema.keys). `secret`: at least 16 bytes.
Result<EncodedList> encode_list(const ClkSchema& schema, const RecordList& list,
                                std::string_view secret, const search::Normaliser* normaliser);
// The encoded list as JSON: anonlink's {"clks": [base64...]} plus ids, keyed blocks, the schema
// fingerprint and the secret check.
Json encoded_to_json(const EncodedList& list);
// Refuses (kInvalidArgument) malformed encodings: missing keys, a CLK of the wrong length or not
// base64, a balanced CLK without exactly half its bits set, ids and CLKs of different counts.
Result<EncodedList> encoded_from_json(const Json& json, const std::string& name);

struct EncodedPair {
  std::uint32_t left = 0, right = 0;  // global record indices: lists in order, records in order
  double dice = 0;
};
// Candidate pairs from equal keyed blocks, compared by Dice, kept from `threshold`. Link only:
// pairs across lists, then a greedy one-to-one assignment per pair of lists (strongest first).
// Errors (kInvalidArgument): lists encoded with another secret or schema than the first list
// (named), an empty list, blocks larger than `max_block_pairs`.
Result<std::vector<EncodedPair>> link_encoded(const std::vector<EncodedList>& lists, LinkType type,
                                              double threshold, std::uint64_t max_block_pairs,
                                              int threads, const Progress& progress = {});

// Entities from encoded pairs (Dice in place of probability), as cluster() does.
std::vector<Cluster> cluster_encoded(const std::vector<EncodedList>& lists, LinkType type,
                                     const std::vector<EncodedPair>& pairs, double threshold,
                                     double density);
// The capture history of clusters over records whose list is record_list[record].
std::string capture_history_csv(const std::vector<std::string>& list_names,
                                const std::vector<std::size_t>& record_list,
                                const std::vector<Cluster>& clusters);

// Dice coefficient of CLKs of `words` 64-bit words, with their popcounts; the AVX-512 POPCNT
// kernel where the CPU has it. dice_row scores `a` against n consecutive CLKs.
double dice(const std::uint64_t* a, const std::uint64_t* b, std::size_t words, std::uint32_t pa,
            std::uint32_t pb);
void dice_row(const std::uint64_t* a, std::uint32_t pa, const std::uint64_t* b,
              const std::uint32_t* pb, std::size_t n, std::size_t words, float* out);

// ---- Comparisons (exposed for tests) ----
double jaro(std::string_view a, std::string_view b);
double jaro_winkler(std::string_view a, std::string_view b);
// Edit distance, or `limit` + 1 when it exceeds `limit`.
int levenshtein(std::string_view a, std::string_view b, int limit);

}  // namespace haven::link
