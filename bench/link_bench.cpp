// Record-linkage benchmark: accuracy without labels on FEBRL and Splink's fake_1000, and speed on
// two synthetic lists of persons with known truth (see synthetic_lists.hpp).
// Usage: haven_link_bench [--data DIR] [--specs DIR] [--synthetic N] [--only NAME]
//        haven_link_bench --synthetic N --write-lists DIR   (only the two synthetic lists, as CSV)
//   DIR defaults to ../shared/data/linkage, specs to docs/linkage; --synthetic 0 skips the scale
//   run.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "link/link.hpp"
#include "link_synthetic.hpp"

namespace {

using namespace haven::link;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Scores {
  double precision = 0, recall = 0, f1 = 0, threshold = 0;
  std::uint64_t true_positives = 0, predicted = 0, truth = 0;
};

Scores scores(std::uint64_t tp, std::uint64_t predicted, std::uint64_t truth, double threshold) {
  Scores s;
  s.true_positives = tp, s.predicted = predicted, s.truth = truth, s.threshold = threshold;
  s.precision = predicted ? static_cast<double>(tp) / predicted : 1;
  s.recall = truth ? static_cast<double>(tp) / truth : 1;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
  return s;
}

void print(const char* what, const Scores& s) {
  std::printf(
      "  %-34s precision %.4f  recall %.4f  F1 %.4f  (threshold %.4g; %llu of %llu predicted pairs "
      "true, %llu true pairs)\n",
      what, s.precision, s.recall, s.f1, s.threshold,
      static_cast<unsigned long long>(s.true_positives),
      static_cast<unsigned long long>(s.predicted), static_cast<unsigned long long>(s.truth));
}

struct Case {
  std::string name;
  std::string spec_file;
  std::vector<std::pair<std::string, std::string>> lists;  // name, file
  LinkType link_type;
  // The entity of a record from its id (and list), for the truth.
  std::function<std::string(std::size_t list, const std::string& id)> entity;
  std::string labels_file;  // fake_1000_labels.csv
};

// Pairs within clusters, for the truth and for predicted clusters.
std::uint64_t pairs_within(const std::vector<std::vector<std::uint32_t>>& groups,
                           const Linker& linker) {
  std::uint64_t n = 0;
  for (const auto& g : groups)
    for (std::size_t i = 0; i < g.size(); ++i)
      for (std::size_t j = i + 1; j < g.size(); ++j)
        n += linker.spec().link_type == LinkType::kLinkOnly
                 ? linker.record_list(g[i]) != linker.record_list(g[j])
                 : 1;
  return n;
}

std::string febrl_entity(std::size_t, const std::string& id);

int run_case(const Case& c, const std::string& specs_dir) {
  std::printf("%s\n", c.name.c_str());
  auto spec = read_spec(specs_dir + "/" + c.spec_file);
  if (!spec.ok())
    return std::fprintf(stderr, "spec: %s %s\n", spec.error().field.c_str(),
                        spec.error().message.c_str()),
           1;
  spec->link_type = c.link_type;
  std::vector<RecordList> lists;
  for (const auto& [name, file] : c.lists) {
    auto list = read_list(file, name, *spec);
    if (!list.ok()) return std::fprintf(stderr, "%s\n", list.error().message.c_str()), 1;
    lists.push_back(std::move(*list));
  }
  const auto t0 = Clock::now();
  auto linker = Linker::create(*spec, std::move(lists), nullptr, 2);
  if (!linker.ok()) return std::fprintf(stderr, "%s\n", linker.error().message.c_str()), 1;
  Linker& l = **linker;
  if (auto s = l.compare(); !s.ok()) return 1;
  auto model = l.train();
  if (!model.ok()) return std::fprintf(stderr, "%s\n", model.error().message.c_str()), 1;
  auto pairs = l.score(*model, 0.0);
  const double elapsed = seconds_since(t0);

  // The truth.
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_entity;
  for (std::uint32_t r = 0; r < l.record_count(); ++r)
    by_entity[c.entity(l.record_list(r), l.record_id(r))].push_back(r);
  std::vector<std::vector<std::uint32_t>> truth_groups;
  std::vector<std::string> entity_of(l.record_count());
  for (auto& [entity, records] : by_entity) {
    for (auto r : records) entity_of[r] = entity;
    truth_groups.push_back(records);
  }
  const std::uint64_t true_pairs = pairs_within(truth_groups, l);
  std::uint64_t found = 0;
  std::vector<std::pair<double, bool>> ranked;
  for (const ScoredPair& p : *pairs) {
    const bool same = entity_of[p.left] == entity_of[p.right];
    found += same;
    ranked.emplace_back(p.probability, same);
  }
  std::sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::printf(
      "  %zu records, %llu candidate pairs holding %llu of %llu true pairs (blocking recall %.4f); "
      "%.2f s in all\n",
      l.record_count(), static_cast<unsigned long long>(l.candidate_pairs()),
      static_cast<unsigned long long>(found), static_cast<unsigned long long>(true_pairs),
      true_pairs ? static_cast<double>(found) / true_pairs : 1, elapsed);
  std::printf("  EM: %d iterations%s, prior %.3g\n", model->em_iterations,
              model->em_converged ? "" : " (not converged)", model->prior);
  Scores best, at_spec, at_half;
  std::uint64_t tp = 0;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    tp += ranked[i].second;
    if (i + 1 < ranked.size() && ranked[i + 1].first == ranked[i].first) continue;
    const Scores s = scores(tp, i + 1, true_pairs, ranked[i].first);
    if (s.f1 > best.f1) best = s;
    if (ranked[i].first >= spec->threshold) at_spec = s;
    if (ranked[i].first >= 0.5) at_half = s;
  }
  print("pairs at the spec's threshold", at_spec);
  print("pairs at probability 0.5", at_half);
  print("pairs at the best threshold", best);
  // Precision 1.0: the recall reached before the first false pair.
  std::uint64_t clean = 0;
  while (clean < ranked.size() && ranked[clean].second) ++clean;
  std::printf("  recall at precision 1.0: %.4f\n",
              true_pairs ? static_cast<double>(clean) / true_pairs : 1);

  const auto clusters = cluster(l, *pairs, spec->threshold, spec->cluster_density);
  std::vector<std::vector<std::uint32_t>> groups;
  for (const auto& cl : clusters) groups.push_back(cl.records);
  std::uint64_t cluster_tp = 0;
  for (const auto& g : groups)
    for (std::size_t i = 0; i < g.size(); ++i)
      for (std::size_t j = i + 1; j < g.size(); ++j)
        cluster_tp +=
            entity_of[g[i]] == entity_of[g[j]] && (l.spec().link_type != LinkType::kLinkOnly ||
                                                   l.record_list(g[i]) != l.record_list(g[j]));
  print("pairs within clusters",
        scores(cluster_tp, pairs_within(groups, l), true_pairs, spec->threshold));
  std::printf("  %zu clusters (truth: %zu entities)\n", clusters.size(), truth_groups.size());

  if (!c.labels_file.empty()) {
    // Accuracy against clerical labels: a labelled pair counts as predicted a match at >= 0.5.
    std::map<std::pair<std::string, std::string>, double> probability;
    for (const ScoredPair& p : *pairs) {
      probability[{l.record_id(p.left), l.record_id(p.right)}] = p.probability;
      probability[{l.record_id(p.right), l.record_id(p.left)}] = p.probability;
    }
    std::ifstream in(c.labels_file);
    std::string line;
    std::getline(in, line);
    std::uint64_t n = 0, correct = 0, tp_l = 0, fp_l = 0, fn_l = 0;
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::stringstream s(line);
      for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
      if (cells.size() < 5) continue;
      const bool label = std::stod(cells[4]) >= 0.5;
      const auto it = probability.find({cells[0], cells[2]});
      const bool predicted = it != probability.end() && it->second >= spec->threshold;
      ++n, correct += label == predicted, tp_l += label && predicted, fp_l += !label && predicted,
          fn_l += label && !predicted;
    }
    const Scores s = scores(tp_l, tp_l + fp_l, tp_l + fn_l, spec->threshold);
    std::printf(
        "  against %llu clerical labels: accuracy %.4f, precision %.4f, recall %.4f, F1 %.4f\n",
        static_cast<unsigned long long>(n), n ? static_cast<double>(correct) / n : 0, s.precision,
        s.recall, s.f1);
  }
  std::printf("\n");
  return 0;
}

// FEBRL4 through the privacy-preserving path: both files encoded with one secret, linked by Dice.
int run_encoded(const std::string& febrl, const std::string& specs_dir,
                const std::string& schema_file) {
  std::printf("febrl4 encoded (privacy-preserving): %s\n", schema_file.c_str());
  std::ifstream in(specs_dir + "/" + schema_file);
  auto schema = parse_clk_schema(Json::parse(in, nullptr, false));
  if (!schema.ok())
    return std::fprintf(stderr, "schema: %s %s\n", schema.error().field.c_str(),
                        schema.error().message.c_str()),
           1;
  const std::string secret = "benchmark secret shared by both agencies";
  std::vector<EncodedList> encoded;
  const auto t0 = Clock::now();
  for (const char* name : {"dataset4a", "dataset4b"}) {
    auto list = read_list(febrl + name + ".csv", name, schema->keys);
    if (!list.ok()) return std::fprintf(stderr, "%s\n", list.error().message.c_str()), 1;
    auto e = encode_list(*schema, *list, secret, nullptr);
    if (!e.ok()) return std::fprintf(stderr, "%s\n", e.error().message.c_str()), 1;
    // Through the file format, as agencies would send it.
    auto back = encoded_from_json(Json::parse(encoded_to_json(*e).dump()), name);
    if (!back.ok()) return std::fprintf(stderr, "%s\n", back.error().message.c_str()), 1;
    encoded.push_back(std::move(*back));
  }
  const double encode_s = seconds_since(t0);
  auto pairs = link_encoded(encoded, LinkType::kLinkOnly, 0.5, 5'000'000, 2);
  if (!pairs.ok()) return std::fprintf(stderr, "%s\n", pairs.error().message.c_str()), 1;
  const std::size_t n_a = encoded[0].ids.size();
  std::vector<std::pair<double, bool>> ranked;
  for (const EncodedPair& p : *pairs)
    ranked.emplace_back(p.dice, febrl_entity(0, encoded[0].ids[p.left]) ==
                                    febrl_entity(0, encoded[1].ids[p.right - n_a]));
  const std::uint64_t truth = 5000;
  std::uint64_t clean = 0;
  while (clean < ranked.size() && ranked[clean].second) ++clean;
  Scores best;
  std::uint64_t tp = 0;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    tp += ranked[i].second;
    const Scores s = scores(tp, i + 1, truth, ranked[i].first);
    if (s.f1 > best.f1) best = s;
  }
  std::printf("  encoded 2 x 5,000 records in %.2f s; %zu pairs kept one-to-one from Dice 0.5\n",
              encode_s, ranked.size());
  std::printf("  recall at precision 1.0: %.4f (down to Dice %.4f)\n",
              static_cast<double>(clean) / truth, clean ? ranked[clean - 1].first : 1.0);
  print("pairs at the best Dice threshold", best);
  std::printf("\n");
  return 0;
}

// The reference: a bare popcount loop (the POPCNT instruction, one 64-bit word at a time).
__attribute__((target("popcnt"))) std::uint64_t popcount_words(const std::uint64_t* words,
                                                               std::size_t n) {
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < n; ++i)
    bits += static_cast<std::uint64_t>(__builtin_popcountll(words[i]));
  return bits;
}

// Dice comparisons per second on one core, against the bare popcount loop over the same memory.
// Both walk the CLKs in tiles of 256 (32 KiB, in the L1 cache), as a linker compares a block.
int run_dice_throughput() {
  std::printf("Dice throughput (1024-bit CLKs, one core, tiles of 256 CLKs)\n");
  const std::size_t words = 16, n = 16384, tile = 256, rows = 2000;
  std::vector<std::uint64_t> clks(n * words);
  std::vector<std::uint32_t> counts(n);
  std::uint64_t state = 88172645463325252ULL;
  for (auto& w : clks) state ^= state << 13, state ^= state >> 7, state ^= state << 17, w = state;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t w = 0; w < words; ++w)
      counts[i] += static_cast<std::uint32_t>(__builtin_popcountll(clks[i * words + w]));
  std::vector<float> out(tile);
  double sink = 0;
  const auto t0 = Clock::now();
  for (std::size_t start = 0; start < n; start += tile)
    for (std::size_t r = 0; r < rows; ++r) {
      dice_row(&clks[r * words], counts[r], &clks[start * words], &counts[start], tile, words,
               out.data());
      sink += out[r % tile];
    }
  const double dice_s = seconds_since(t0);
  std::uint64_t bits = 0;
  const auto t1 = Clock::now();
  for (std::size_t start = 0; start < n; start += tile)
    for (std::size_t r = 0; r < rows; ++r) {
      const std::uint64_t* tile_start = &clks[start * words];
      asm volatile(""
                   : "+r"(tile_start)
                   :
                   : "memory");  // the compiler must count again for every row
      bits += popcount_words(tile_start, tile * words);
    }
  const double popcount_s = seconds_since(t1);
  const double comparisons = static_cast<double>(rows) * n;
  std::printf(
      "  Dice: %.3g comparisons/s; bare popcount loop over the same CLKs: %.3g CLKs/s; "
      "Dice/popcount ratio %.2f\n"
      "  (checksums %g %llu)\n\n",
      comparisons / dice_s, comparisons / popcount_s, popcount_s / dice_s, sink,
      static_cast<unsigned long long>(bits % 1000));
  return 0;
}

std::string febrl_entity(std::size_t, const std::string& id) {
  // rec-N-org, rec-N-dup-K: the entity is N.
  const auto a = id.find('-'), b = id.find('-', a + 1);
  return id.substr(a + 1, b - a - 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "../shared/data/linkage", specs = "docs/linkage", only, write_lists;
  std::uint64_t synthetic = 1'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data"))
      data = argv[i + 1];
    else if (!std::strcmp(argv[i], "--specs"))
      specs = argv[i + 1];
    else if (!std::strcmp(argv[i], "--synthetic"))
      synthetic = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--only"))
      only = argv[i + 1];
    else if (!std::strcmp(argv[i], "--write-lists"))
      write_lists = argv[i + 1];
  }
  // Only the synthetic lists, for timing `haven link` itself (docs/benchmarks.md, "Resuming").
  if (!write_lists.empty()) return write_synthetic_lists(synthetic, write_lists) ? 0 : 1;
  const std::string febrl = data + "/febrl/";
  std::map<std::string, std::string> fake_cluster;
  {
    std::ifstream in(data + "/splink/fake_1000.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line))
      fake_cluster[line.substr(0, line.find(','))] = line.substr(line.rfind(',') + 1);
  }
  std::vector<Case> cases = {
      {"febrl4: dataset4a x dataset4b, link_only, docs/linkage/febrl.json",
       "febrl.json",
       {{"a", febrl + "dataset4a.csv"}, {"b", febrl + "dataset4b.csv"}},
       LinkType::kLinkOnly,
       febrl_entity,
       ""},
      {"febrl4 without soc_sec_id (docs/linkage/febrl_no_ssn.json)",
       "febrl_no_ssn.json",
       {{"a", febrl + "dataset4a.csv"}, {"b", febrl + "dataset4b.csv"}},
       LinkType::kLinkOnly,
       febrl_entity,
       ""},
      {"febrl3: dataset3 de-duplication, docs/linkage/febrl.json as dedupe_only",
       "febrl.json",
       {{"d3", febrl + "dataset3.csv"}},
       LinkType::kDedupeOnly,
       febrl_entity,
       ""},
      {"febrl3 without soc_sec_id",
       "febrl_no_ssn.json",
       {{"d3", febrl + "dataset3.csv"}},
       LinkType::kDedupeOnly,
       febrl_entity,
       ""},
      {"fake_1000: de-duplication, docs/linkage/fake_1000.json",
       "fake_1000.json",
       {{"fake", data + "/splink/fake_1000.csv"}},
       LinkType::kDedupeOnly,
       [&](std::size_t, const std::string& id) { return fake_cluster[id]; },
       data + "/splink/fake_1000_labels.csv"},
  };
  int failed = 0;
  for (const Case& c : cases)
    if (only.empty() || c.name.find(only) != std::string::npos) failed += run_case(c, specs);
  if (only.empty() || only == "encoded")
    failed += run_encoded(febrl, specs, "febrl_clk_schema.json");
  if (only.empty() || only == "dice") failed += run_dice_throughput();
  if (synthetic > 0 && (only.empty() || only == "synthetic"))
    failed += run_synthetic(synthetic, specs);
  return failed ? 1 : 0;
}
