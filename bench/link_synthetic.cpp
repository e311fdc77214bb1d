// The synthetic lists: names drawn from Zipf-like frequency tables (a few names very common, a
// long tail of rare ones, as real name distributions are), with typing errors, swapped given and
// family names, day/month swaps, wrong digits and missing values. Deterministic by seed.
#include "link_synthetic.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "link/link.hpp"

namespace {

using namespace haven::link;
using Clock = std::chrono::steady_clock;

// A name table: `count` distinct pronounceable names and a sampler with weight rank^-exponent.
struct NameTable {
  std::vector<std::string> names;
  std::discrete_distribution<std::size_t> pick;

  NameTable(std::size_t count, double exponent, std::mt19937_64& random) {
    static const char* kOnsets[] = {"b", "br", "ch", "d",  "f",  "g",  "h",  "j", "k",  "kh",
                                    "l", "m",  "n",  "p",  "r",  "s",  "sh", "t", "th", "v",
                                    "w", "y",  "z",  "an", "el", "ar", "om", "is"};
    static const char* kVowels[] = {"a", "e", "i", "o", "u", "ai", "ou", "ee", "ia", "y"};
    static const char* kCodas[] = {"", "", "n", "r", "s", "l", "m", "t", "k", "nd", "ng", "sh"};
    std::uniform_int_distribution<int> syllables(2, 3);
    std::vector<double> weights;
    std::vector<std::string> seen;
    while (names.size() < count) {
      std::string name;
      const int n = syllables(random);
      for (int s = 0; s < n; ++s) {
        name += kOnsets[random() % std::size(kOnsets)];
        name += kVowels[random() % std::size(kVowels)];
        if (s == n - 1 || random() % 3 == 0) name += kCodas[random() % std::size(kCodas)];
      }
      names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::shuffle(names.begin(), names.end(), random);
    for (std::size_t i = 0; i < names.size(); ++i)
      weights.push_back(std::pow(static_cast<double>(i + 1), -exponent));
    pick = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }
  const std::string& draw(std::mt19937_64& random) { return names[pick(random)]; }
};

struct Person {
  std::string given, family, sex, postcode;
  int year = 0, month = 0, day = 0;
};

std::string typo(std::string text, std::mt19937_64& random) {
  if (text.size() < 2) return text;
  const std::size_t at = random() % text.size();
  const char letter = static_cast<char>('a' + random() % 26);
  switch (random() % 4) {
    case 0:
      text[at] = letter;
      break;  // substitution
    case 1:
      text.insert(text.begin() + at, letter);
      break;  // insertion
    case 2:
      text.erase(text.begin() + at);
      break;  // deletion
    default:  // transposition
      if (at + 1 < text.size()) std::swap(text[at], text[at + 1]);
  }
  return text;
}

// One record of a person as one agency wrote it down.
std::string record(const std::string& id, const Person& p, std::mt19937_64& random) {
  std::uniform_real_distribution<double> chance(0, 1);
  std::string given = p.given, family = p.family, postcode = p.postcode, sex = p.sex;
  int year = p.year, month = p.month, day = p.day;
  // Rates per record: typing errors in 10% of names, 2% given and family name swapped, 2% no
  // given name, 3% no birth date, 3% day and month swapped, 4% another day, 2% a year off, 4%
  // a postcode typo, 5% no sex recorded.
  if (chance(random) < 0.10) given = typo(given, random);
  if (chance(random) < 0.10) family = typo(family, random);
  if (chance(random) < 0.02) std::swap(given, family);
  if (chance(random) < 0.02) given.clear();
  bool no_date = chance(random) < 0.03;
  if (chance(random) < 0.03 && day <= 12) std::swap(month, day);
  if (chance(random) < 0.04) day = 1 + static_cast<int>(random() % 28);
  if (chance(random) < 0.02) year += chance(random) < 0.5 ? 1 : -1;
  if (chance(random) < 0.04) postcode = typo(postcode, random);
  if (chance(random) < 0.05) sex.clear();
  char date[16] = "";
  if (!no_date) std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
  return id + "," + given + "," + family + "," + date + "," + sex + "," + postcode + "\n";
}

// Where recall is lost: a sample of the true pairs that blocking never proposed and of those
// scored below the threshold, with both records as written, so that blocking rules and levels can
// be judged by the kinds of disagreement they miss. The truth is used here only to report.
void print_lost_pairs(const Linker& l, const std::vector<ScoredPair>& pairs, double threshold,
                      const std::string& a_path, const std::string& b_path) {
  std::unordered_map<std::string, std::string> a_rows, b_rows;
  for (auto [path, rows] : {std::pair{&a_path, &a_rows}, std::pair{&b_path, &b_rows}}) {
    std::ifstream in(*path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) (*rows)[line.substr(0, line.find(','))] = line;
  }
  std::unordered_map<std::string, double> best;  // true pair's id -> its probability
  for (const ScoredPair& p : pairs)
    if (l.record_id(p.left) == l.record_id(p.right)) best[l.record_id(p.left)] = p.probability;
  int unblocked = 0, below = 0;
  std::printf("  lost true pairs (sample):\n");
  for (const auto& [id, row] : a_rows) {
    const auto other = b_rows.find(id);
    if (other == b_rows.end()) continue;
    const auto found = best.find(id);
    if (found == best.end() && unblocked < 25) {
      ++unblocked;
      std::printf("    not blocked: %s | %s\n", row.c_str(), other->second.c_str());
    } else if (found != best.end() && found->second < threshold && below < 25) {
      ++below;
      std::printf("    p=%.3g: %s | %s\n", found->second, row.c_str(), other->second.c_str());
    }
  }
}

}  // namespace

bool write_synthetic_lists(std::uint64_t persons, const std::filesystem::path& dir) {
  std::mt19937_64 random(20261126);
  NameTable given(6000, 0.9, random), family(120000, 0.75, random);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  // People 0..persons-1 are on list A; people persons/2 .. persons/2+persons-1 on list B.
  std::ofstream a(dir / "police.csv"), b(dir / "ngo.csv");
  a << "id,given_name,surname,dob,sex,postcode\n";
  b << "id,given_name,surname,dob,sex,postcode\n";
  const std::uint64_t everyone = persons + persons / 2;
  std::uniform_int_distribution<int> year(1950, 2012), month(1, 12), day(1, 28),
      postcode(1000, 2999);
  for (std::uint64_t i = 0; i < everyone; ++i) {
    Person p{given.draw(random),
             family.draw(random),
             random() % 2 ? "f" : "m",
             std::to_string(postcode(random)),
             year(random),
             month(random),
             day(random)};
    if (i < persons) a << record("p" + std::to_string(i), p, random);
    if (i >= persons / 2) b << record("p" + std::to_string(i), p, random);
  }
  a.flush();
  b.flush();
  if (!a || !b) std::fprintf(stderr, "cannot write the lists in %s\n", dir.c_str());
  return a && b;
}

int run_synthetic(std::uint64_t persons, const std::string& specs_dir) {
  std::printf("synthetic: two lists of %llu persons, half of each list's people on the other too\n",
              static_cast<unsigned long long>(persons));
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("haven_link_bench_" + std::to_string(::getpid()));
  const std::string a_path = dir / "police.csv", b_path = dir / "ngo.csv";
  if (!write_synthetic_lists(persons, dir)) return 1;
  const std::uint64_t true_pairs = persons - persons / 2;
  const auto t0 = Clock::now();
  auto spec = read_spec(specs_dir + "/synthetic.json");
  if (!spec.ok()) return std::fprintf(stderr, "spec: %s\n", spec.error().message.c_str()), 1;
  std::vector<RecordList> lists;
  for (auto [name, path] : {std::pair{"police", a_path}, std::pair{"ngo", b_path}}) {
    auto list = read_list(path, name, *spec);
    if (!list.ok()) return std::fprintf(stderr, "%s\n", list.error().message.c_str()), 1;
    lists.push_back(std::move(*list));
  }
  const double read_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto linker = Linker::create(*spec, std::move(lists), nullptr, 2);
  if (!linker.ok()) return std::fprintf(stderr, "%s\n", linker.error().message.c_str()), 1;
  const double prepare_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!(*linker)->compare().ok()) return 1;
  const double compare_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto model = (*linker)->train();
  if (!model.ok()) return std::fprintf(stderr, "%s\n", model.error().message.c_str()), 1;
  const double train_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto pairs = (*linker)->score(*model, 0.0);
  const auto clusters = cluster(**linker, *pairs, spec->threshold, spec->cluster_density);
  const std::string capture = capture_history_csv(**linker, clusters);
  const double total_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::uint64_t predicted = 0, correct = 0, candidates_true = 0;
  const Linker& l = **linker;
  std::vector<std::pair<double, bool>> ranked;
  for (const ScoredPair& p : *pairs) {
    candidates_true += l.record_id(p.left) == l.record_id(p.right);
    ranked.emplace_back(p.probability, l.record_id(p.left) == l.record_id(p.right));
    if (p.probability < spec->threshold) continue;
    ++predicted;
    correct += l.record_id(p.left) == l.record_id(p.right);
  }
  std::printf(
      "  %llu candidate pairs; read %.1f s, prepared %.1f s, compared %.1f s, trained %.1f s, all "
      "(scored, clustered, capture "
      "history) %.1f s\n",
      static_cast<unsigned long long>(l.candidate_pairs()), read_s, prepare_s, compare_s, train_s,
      total_s);
  std::printf("  pair recall %.4f, precision %.4f at threshold %.2f (%llu of %llu true pairs)\n",
              static_cast<double>(correct) / true_pairs,
              predicted ? static_cast<double>(correct) / predicted : 1, spec->threshold,
              static_cast<unsigned long long>(correct),
              static_cast<unsigned long long>(true_pairs));
  std::uint64_t review_predicted = 0, review_correct = 0;
  for (const auto& [probability, same] : ranked)
    if (probability >= spec->review_from) ++review_predicted, review_correct += same;
  std::printf("  pair recall %.4f, precision %.4f from review_from %.2f\n",
              static_cast<double>(review_correct) / true_pairs,
              review_predicted ? static_cast<double>(review_correct) / review_predicted : 1,
              spec->review_from);
  std::sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
  double best_f1 = 0, best_at = 0;
  std::uint64_t tp = 0;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    tp += ranked[i].second;
    const double p = static_cast<double>(tp) / (i + 1), r = static_cast<double>(tp) / true_pairs;
    if (p + r > 0 && 2 * p * r / (p + r) > best_f1)
      best_f1 = 2 * p * r / (p + r), best_at = ranked[i].first;
  }
  std::printf(
      "  blocking recall %.4f; best-threshold F1 %.4f at %.3g; EM %d iterations, prior %.4g\n",
      static_cast<double>(candidates_true) / true_pairs, best_f1, best_at, model->em_iterations,
      model->prior);
  std::printf("%s", describe_model(*model).c_str());
  std::printf("  capture history:\n%s\n", capture.c_str());
  print_lost_pairs(l, *pairs, spec->threshold, a_path, b_path);
  std::filesystem::remove_all(dir);
  return 0;
}
