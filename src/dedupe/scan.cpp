// The background duplicate scan: every indexed person against the others of its organisation,
// on several threads (the index takes concurrent readers), new pairs into the review queue.
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "dedupe/dedupe.hpp"

namespace haven::dedupe {
namespace {

struct Pair {
  std::int64_t org_id, first, second;  // first < second
  double score;
  std::string explanation;
};

}  // namespace

Result<ScanSummary> scan_duplicates(Store& store, PersonFinder& finder, const ScanOptions& options, const Clock& clock) {
  if (options.threshold <= 0 || options.threshold > 1) return invalid("the threshold is a score between 0 and 1", "threshold");
  if (options.top_k < 1 || options.top_k > 100) return invalid("top_k must be between 1 and 100", "top_k");
  if (options.threads < 1 || options.threads > 64) return invalid("threads must be between 1 and 64", "threads");

  // The persons to compare, with their stored encodings, and the pairs the queue already has.
  std::vector<Transaction::SearchRow> persons;
  std::set<std::pair<std::int64_t, std::int64_t>> queued;
  {
    auto tx = store.begin(false);
    HAVEN_TRY(tx);
    for (std::int64_t after = 0;;) {
      auto rows = (*tx)->search_encodings_after(after, 10000);
      HAVEN_TRY(rows);
      for (auto& row : *rows)
        if (!row.encodings.empty() && (options.org_id == 0 || row.org_id == options.org_id)) persons.push_back(std::move(row));
      if (rows->empty()) break;
      after = rows->back().seq;
    }
    HAVEN_TRY((*tx)->scan(*find_entity("duplicate_candidate"), options.org_id, {"person_id", "other_person_id"},
                          [&](std::int64_t, std::int64_t, const std::vector<Json>& v) {
                            if (!v[0].is_number_integer() || !v[1].is_number_integer()) return;
                            const auto a = v[0].get<std::int64_t>(), b = v[1].get<std::int64_t>();
                            queued.emplace(std::min(a, b), std::max(a, b));
                          }));
  }

  std::atomic<std::size_t> next{0}, done{0};
  std::vector<std::vector<Pair>> found(static_cast<std::size_t>(options.threads));
  std::vector<Status> failures(static_cast<std::size_t>(options.threads));
  auto work = [&](std::size_t worker) {
    search::QueryOptions query;
    query.top_k = options.top_k;
    query.min_score = options.threshold;
    for (std::size_t i; (i = next.fetch_add(1)) < persons.size();) {
      const auto& person = persons[i];
      auto matches = finder.matches_of(person.org_id, person.person_id, person.encodings, query);
      if (!matches.ok()) {
        failures[worker] = matches.error();
        return;
      }
      for (const auto& match : *matches)
        // Each pair is found from both ends; the lower id keeps it.
        if (person.person_id < match.person_id)
          found[worker].push_back({person.org_id, person.person_id, match.person_id, match.score, match.explanation});
      const std::size_t count = done.fetch_add(1) + 1;
      if (options.progress && worker == 0) options.progress(count, persons.size());
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < found.size(); ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) HAVEN_TRY(failure);
  if (options.progress) options.progress(persons.size(), persons.size());

  ScanSummary summary;
  summary.persons = persons.size();
  std::vector<Pair> pairs;
  for (auto& part : found) pairs.insert(pairs.end(), part.begin(), part.end());
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return std::tie(a.first, a.second) < std::tie(b.first, b.second); });
  pairs.erase(std::unique(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.first == b.first && a.second == b.second; }),
              pairs.end());
  summary.pairs = pairs.size();
  const EntitySpec& candidates = *find_entity("duplicate_candidate");
  constexpr std::size_t kBatch = 500;
  for (std::size_t start = 0; start < pairs.size(); start += kBatch) {
    auto tx = store.begin(true);
    HAVEN_TRY(tx);
    for (std::size_t i = start; i < std::min(pairs.size(), start + kBatch); ++i) {
      const Pair& pair = pairs[i];
      if (queued.count({pair.first, pair.second})) continue;
      Json fields = {{"person_id", pair.first}, {"other_person_id", pair.second}, {"score", std::round(pair.score * 1000) / 1000},
                     {"explanation", pair.explanation.substr(0, 500)}, {"source", "scan"}};
      HAVEN_TRY(create_record(**tx, candidates, pair.org_id, fields, clock));
      ++summary.new_pairs;
    }
    HAVEN_TRY((*tx)->commit());
  }
  return summary;
}

}  // namespace haven::dedupe
