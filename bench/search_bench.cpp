// Fuzzy person search benchmark: recall and latency of PersonIndex::query (blocked candidates),
// each printed next to the reference measured in the same run on the same index: a full scan
// that scores every person of the organisation (the bare Dice popcount loop plus field weights).
//   FEBRL 4: index dataset4b, query every record of dataset4a (soc_sec_id is never used).
//   Synthetic: the persons of a `haven demo` data directory; every injected duplicate is a
//   query (with its own fields, as an intake form would give them) for its original.
//   Name only: the same duplicates queried by their given and family name alone, the input
//   bench/pg_trgm_compare.sh gives PostgreSQL pg_trgm (--export-plain writes it: synthetic
//   names in plain text, for that comparison only).
// Usage: haven_search_bench [--febrl DIR] [--demo DIR --truth FILE --key-file FILE]
//                           [--scan-queries N] [--max-candidates N] [--export-plain DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/core.hpp"
#include "search/search.hpp"
#include "store/store.hpp"

namespace {

using namespace haven;
using namespace haven::search;
using Stopwatch = std::chrono::steady_clock;

struct Args {
  std::string febrl = "/work/shared/data/linkage/febrl";
  std::string demo, truth, key_file, export_plain;
  std::size_t scan_queries = 500;
  std::size_t max_candidates = QueryOptions{}.max_candidates;
};

// CPU time of this thread: on a shared 2-core machine the wall clock also counts the time other
// processes held the core, so both are reported.
double thread_cpu_micros() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

double micros_since(Stopwatch::time_point start) {
  return std::chrono::duration<double, std::micro>(Stopwatch::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1,
                         static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

struct Outcome {
  std::vector<double> encode_us, query_us, query_cpu_us;
  std::size_t queries = 0, found = 0, top1 = 0, flagged = 0, flagged_right = 0;
};

void report(const char* label, const Outcome& o) {
  if (o.queries == 0) return;
  std::printf(
      "  %-22s queries %zu  recall@10 %.4f  top-1 %.4f  p50 %.3f ms  p99 %.3f ms  (CPU p50 %.3f "
      "p99 %.3f; encode p50 %.3f ms)\n",
      label, o.queries,
      static_cast<double>(o.found) / static_cast<double>(std::max<std::size_t>(o.queries, 1)),
      static_cast<double>(o.top1) / static_cast<double>(std::max<std::size_t>(o.queries, 1)),
      percentile(o.query_us, 0.5) / 1000, percentile(o.query_us, 0.99) / 1000,
      percentile(o.query_cpu_us, 0.5) / 1000, percentile(o.query_cpu_us, 0.99) / 1000,
      percentile(o.encode_us, 0.5) / 1000);
}

void print_speedup(const Outcome& scanned, const Outcome& blocked) {
  if (scanned.query_us.empty() || blocked.query_us.empty()) return;
  std::printf("  speed-up over the scan: wall p50 %.1fx, p99 %.1fx; CPU p50 %.1fx, p99 %.1fx\n",
              percentile(scanned.query_us, 0.5) / percentile(blocked.query_us, 0.5),
              percentile(scanned.query_us, 0.99) / percentile(blocked.query_us, 0.99),
              percentile(scanned.query_cpu_us, 0.5) / percentile(blocked.query_cpu_us, 0.5),
              percentile(scanned.query_cpu_us, 0.99) / percentile(blocked.query_cpu_us, 0.99));
}

// Runs one query, timing it, and records whether `expected` is among the matches.
void run_query(const PersonIndex& index, std::int64_t org, const Json& fields, std::int64_t exclude,
               std::int64_t expected, const SearchKey& key, const Normaliser& normaliser,
               std::int64_t today, bool scan, std::size_t max_candidates, Outcome& out) {
  auto start = Stopwatch::now();
  auto query = encode_query(fields, key, normaliser, today);
  out.encode_us.push_back(micros_since(start));
  ++out.queries;
  if (!query.ok()) return;
  QueryOptions options;
  options.exclude_person = exclude;
  options.max_candidates = max_candidates;
  start = Stopwatch::now();
  const double cpu = thread_cpu_micros();
  auto matches = scan ? index.scan(org, *query, options) : index.query(org, *query, options);
  out.query_cpu_us.push_back(thread_cpu_micros() - cpu);
  out.query_us.push_back(micros_since(start));
  if (!matches.ok()) return;
  for (std::size_t i = 0; i < matches->size(); ++i)
    if ((*matches)[i].person_id == expected) {
      ++out.found;
      if (i == 0) ++out.top1;
    }
  if (!matches->empty() && matches->front().score >= kReviewScore) {
    ++out.flagged;
    if (matches->front().person_id == expected) ++out.flagged_right;
  }
}

// Encodes, and if a field is refused (FEBRL has impossible dates), encodes without it.
Result<PersonEncodings> encode_lenient(Json fields, const SearchKey& key,
                                       const Normaliser& normaliser) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto e = encode_person(fields, key, normaliser);
    if (e.ok() || e.error().field.size() < 2) return e;
    fields.erase(e.error().field.substr(1, e.error().field.find('/', 1) - 1));
  }
  return encode_person(fields, key, normaliser);
}

// ---- FEBRL ----

struct FebrlRecord {
  std::string id;  // rec-N-org / rec-N-dup-K
  Json fields;
};

std::vector<FebrlRecord> read_febrl(const std::string& path) {
  std::ifstream in(path);
  std::vector<FebrlRecord> records;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      const auto b = cell.find_first_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b));
    }
    cells.resize(11);
    FebrlRecord r;
    r.id = cells[0];
    Json f = Json::object();
    if (!cells[1].empty()) f["given_name"] = cells[1];
    if (!cells[2].empty()) f["family_name"] = cells[2];
    const std::string& dob = cells[9];
    if (dob.size() == 8)
      f["birth_date"] = dob.substr(0, 4) + "-" + dob.substr(4, 2) + "-" + dob.substr(6, 2);
    f["address"] = cells[3] + " " + cells[4] + ", " + cells[5] + ", " + cells[6] + " " + cells[7];
    r.fields = std::move(f);
    records.push_back(std::move(r));
  }
  return records;
}

std::string entity_of(const std::string& rec_id) {  // rec-N-...
  const auto second = rec_id.find('-', 4);
  return rec_id.substr(0, second);
}

void bench_febrl(const Args& args, const Normaliser& normaliser) {
  const auto a = read_febrl(args.febrl + "/dataset4a.csv");
  const auto b = read_febrl(args.febrl + "/dataset4b.csv");
  if (a.empty() || b.empty()) {
    std::printf("FEBRL: no data in %s\n", args.febrl.c_str());
    return;
  }
  Key raw;
  raw.fill(7);
  const SearchKey key(raw);
  PersonIndex index;
  std::unordered_map<std::string, std::int64_t> id_of_entity;
  const auto start = Stopwatch::now();
  for (std::size_t i = 0; i < b.size(); ++i) {
    auto e = encode_lenient(b[i].fields, key, normaliser);
    if (!e.ok() || !index.upsert(1, static_cast<std::int64_t>(i + 1), *e).ok()) continue;
    id_of_entity[entity_of(b[i].id)] = static_cast<std::int64_t>(i + 1);
  }
  const double build_ms = micros_since(start) / 1000;
  std::printf(
      "FEBRL 4 (%zu records of 4a against %zu of 4b; names, birth date, address; no soc_sec_id)\n",
      a.size(), b.size());
  std::printf("  index build %.1f ms (%.1f us per record), memory %.2f MB\n", build_ms,
              build_ms * 1000 / static_cast<double>(b.size()),
              static_cast<double>(index.memory_bytes()) / 1e6);
  Outcome blocked, scanned;
  for (const auto& r : a) {
    Json fields = r.fields;
    const std::int64_t expected =
        id_of_entity.count(entity_of(r.id)) ? id_of_entity[entity_of(r.id)] : -1;
    for (int attempt = 0; attempt < 3; ++attempt) {  // impossible dates: query without them
      auto q = encode_query(fields, key, normaliser, 0);
      if (q.ok() || q.error().field.size() < 2) break;
      fields.erase(q.error().field.substr(1));
    }
    for (bool scan : {false, true}) {
      run_query(index, 1, fields, 0, expected, key, normaliser, 0, scan, args.max_candidates,
                scan ? scanned : blocked);
    }
  }
  report("blocked query", blocked);
  report("reference: full scan", scanned);
  std::printf("  at review score %.2f (top-1 flagged): precision %.4f  recall %.4f\n", kReviewScore,
              static_cast<double>(blocked.flagged_right) /
                  static_cast<double>(std::max<std::size_t>(blocked.flagged, 1)),
              static_cast<double>(blocked.flagged_right) / static_cast<double>(blocked.queries));
  print_speedup(scanned, blocked);
}

// ---- Synthetic (haven demo) ----

struct Duplicate {
  std::int64_t original = 0, duplicate = 0;
  std::string corruptions;
};

std::vector<Duplicate> read_truth(const std::string& path) {
  std::ifstream in(path);
  std::vector<Duplicate> out;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    Duplicate d;
    std::stringstream ss(line);
    std::string cell;
    std::getline(ss, cell, ',');
    d.original = std::stoll(cell);
    std::getline(ss, cell, ',');
    d.duplicate = std::stoll(cell);
    std::getline(ss, d.corruptions);
    out.push_back(d);
  }
  return out;
}

std::size_t resident_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  return 0;
}

std::string main_name(const Json& fields) {
  std::string name = fields.value("given_name", "");
  const std::string family = fields.value("family_name", "");
  if (!family.empty()) name += (name.empty() ? "" : " ") + family;
  return name;
}

int bench_demo(const Args& args, const Normaliser& normaliser) {
  const auto truth = read_truth(args.truth);
  std::unordered_set<std::int64_t> wanted;
  for (const auto& d : truth) wanted.insert(d.duplicate);
  const bool show_misses =
      std::getenv("SEARCH_BENCH_MISSES") != nullptr;  // prints identifying data: synthetic only
  if (show_misses)
    for (const auto& d : truth) wanted.insert(d.original);
  KeySource source;
  source.key_file = args.key_file;
  auto ring = KeyRing::open(args.demo, source);
  if (!ring.ok()) return std::fprintf(stderr, "keys: %s\n", ring.error().message.c_str()), 1;
  SystemClock clock;
  SqliteOptions options;
  options.key_ring = ring->get();
  auto store = open_sqlite_store(std::filesystem::path(args.demo) / "haven.db", clock, options);
  if (!store.ok()) return std::fprintf(stderr, "store: %s\n", store.error().message.c_str()), 1;
  auto tx = (*store)->begin(false);
  if (!tx.ok()) return 1;
  const EntitySpec& spec = *find_entity("person");
  std::map<std::int64_t, SearchKey> keys;
  std::unordered_map<std::int64_t, std::pair<std::int64_t, Json>>
      queries;  // duplicate id -> org, fields
  PersonIndex index;
  struct StoredRow {
    std::int64_t org, id;
    std::string bytes;
  };
  std::vector<StoredRow> stored;  // as the store would keep them, for the rebuild figure
  double read_us = 0, encode_us = 0, insert_us = 0;
  std::size_t persons = 0, refused = 0;
  const std::size_t rss_before = resident_kb();
  std::ofstream plain_persons;
  if (!args.export_plain.empty()) {
    std::filesystem::create_directories(args.export_plain);
    plain_persons.open(std::filesystem::path(args.export_plain) / "persons.tsv");
  }
  ListQuery list;
  list.limit = 1000;
  while (true) {
    auto start = Stopwatch::now();
    auto page = (*tx)->list(spec, 0, list);
    read_us += micros_since(start);
    if (!page.ok()) return std::fprintf(stderr, "list: %s\n", page.error().message.c_str()), 1;
    for (const Record& r : page->records) {
      auto key = keys.find(r.org_id);
      if (key == keys.end())
        key = keys.emplace(r.org_id, SearchKey(*(*ring)->search_key(r.org_id))).first;
      start = Stopwatch::now();
      auto e = encode_person(r.fields, key->second, normaliser);
      encode_us += micros_since(start);
      if (!e.ok()) {
        ++refused;
        continue;
      }
      start = Stopwatch::now();
      if (!index.upsert(r.org_id, r.id, *e).ok()) ++refused;
      insert_us += micros_since(start);
      stored.push_back({r.org_id, r.id, serialise(*e)});
      ++persons;
      if (wanted.count(r.id)) queries[r.id] = {r.org_id, r.fields};
      if (plain_persons.is_open()) {
        std::vector<std::string> names{main_name(r.fields)};
        for (const auto& alias : r.fields.value("aliases", Json::array()))
          names.push_back(alias.get<std::string>());
        for (const auto& name : names)
          if (!name.empty()) plain_persons << r.id << '\t' << r.org_id << '\t' << name << '\n';
      }
    }
    if (page->next_cursor.empty()) break;
    list.cursor = page->next_cursor;
  }
  std::printf("Synthetic (haven demo, %zu persons in %zu organisations, %zu injected duplicates)\n",
              persons, keys.size(), truth.size());
  std::printf(
      "  read+open %.1f s; encode %.1f s (%.1f us/person); index insert %.2f s (%.2f us/person); "
      "refused %zu\n",
      read_us / 1e6, encode_us / 1e6, encode_us / static_cast<double>(persons), insert_us / 1e6,
      insert_us / static_cast<double>(persons), refused);
  const double bytes = static_cast<double>(index.memory_bytes());
  std::printf(
      "  index memory %.1f MB = %.0f bytes/person = %.0f MB per million (RSS growth %.1f MB)\n",
      bytes / 1e6, bytes / static_cast<double>(persons), bytes / static_cast<double>(persons),
      static_cast<double>(resident_kb() - rss_before) / 1e3);
  {
    // What a server does at start: the index rebuilt from the encodings the store keeps.
    PersonIndex rebuilt;
    std::size_t stored_bytes = 0;
    const auto start = Stopwatch::now();
    for (const auto& row : stored) {
      auto e = deserialise(row.bytes);
      if (e.ok()) (void)rebuilt.upsert(row.org, row.id, *e);
      stored_bytes += row.bytes.size();
    }
    std::printf(
        "  rebuild from stored encodings (deserialise + upsert): %.2f s (%.2f us/person); stored "
        "%.0f bytes/person\n",
        micros_since(start) / 1e6, micros_since(start) / static_cast<double>(stored.size()),
        static_cast<double>(stored_bytes) / static_cast<double>(stored.size()));
  }
  stored.clear();
  stored.shrink_to_fit();
  const std::int64_t today =
      std::chrono::duration_cast<std::chrono::days>(clock.now().time_since_epoch()).count();
  Outcome blocked, scanned, name_only;
  std::ofstream plain_queries;
  if (!args.export_plain.empty())
    plain_queries.open(std::filesystem::path(args.export_plain) / "queries.tsv");
  std::map<std::string, std::pair<std::size_t, std::size_t>> by_corruption;  // found, total
  std::size_t scan_done = 0;
  for (const auto& d : truth) {
    const auto q = queries.find(d.duplicate);
    if (q == queries.end()) continue;
    const auto& [org, fields] = q->second;
    const SearchKey& key = keys.at(org);
    const std::size_t before = blocked.found;
    run_query(index, org, fields, d.duplicate, d.original, key, normaliser, today, false,
              args.max_candidates, blocked);
    if (show_misses && blocked.found == before && queries.count(d.original)) {
      std::printf("MISS %s\n  dup  %s\n  orig %s\n", d.corruptions.c_str(), fields.dump().c_str(),
                  queries[d.original].second.dump().c_str());
      auto qe = encode_query(fields, key, normaliser, today);
      QueryOptions o;
      o.exclude_person = d.duplicate;
      o.top_k = 3;
      const auto top =
          qe.ok() ? index.query(org, *qe, o) : Result<std::vector<Match>>(std::vector<Match>{});
      if (top.ok())
        for (const Match& m : *top)
          std::printf("  -> %lld %.3f %s\n", static_cast<long long>(m.person_id), m.score,
                      m.explanation.c_str());
    }
    auto& tally = by_corruption[d.corruptions];
    tally.first += blocked.found - before;
    ++tally.second;
    if (scan_done++ < args.scan_queries)
      run_query(index, org, fields, d.duplicate, d.original, key, normaliser, today, true, 0,
                scanned);
    Json name_fields = Json::object();
    for (const char* part : {"given_name", "family_name"})
      if (fields.contains(part)) name_fields[part] = fields[part];
    run_query(index, org, name_fields, d.duplicate, d.original, key, normaliser, today, false,
              args.max_candidates, name_only);
    if (plain_queries.is_open())
      plain_queries << d.duplicate << '\t' << org << '\t' << main_name(fields) << '\t' << d.original
                    << '\n';
  }
  report("blocked query", blocked);
  report("reference: full scan", scanned);
  report("name only (blocked)", name_only);
  {
    // Two threads (the machine's two cores) querying at once, as a server under load would.
    std::vector<const Duplicate*> work;
    for (const auto& d : truth)
      if (queries.count(d.duplicate)) work.push_back(&d);
    Outcome per_thread[2];
    const auto start = Stopwatch::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
      threads.emplace_back([&, t] {
        for (std::size_t i = static_cast<std::size_t>(t); i < work.size(); i += 2) {
          const auto& [org, fields] = queries.at(work[i]->duplicate);
          run_query(index, org, fields, work[i]->duplicate, work[i]->original, keys.at(org),
                    normaliser, today, false, args.max_candidates, per_thread[t]);
        }
      });
    for (auto& thread : threads) thread.join();
    const double seconds = micros_since(start) / 1e6;
    Outcome both = per_thread[0];
    for (const Outcome* o : {&per_thread[1]}) {
      both.query_us.insert(both.query_us.end(), o->query_us.begin(), o->query_us.end());
      both.query_cpu_us.insert(both.query_cpu_us.end(), o->query_cpu_us.begin(),
                               o->query_cpu_us.end());
      both.encode_us.insert(both.encode_us.end(), o->encode_us.begin(), o->encode_us.end());
      both.queries += o->queries;
      both.found += o->found;
      both.top1 += o->top1;
    }
    report("2 threads at once", both);
    std::printf("  2 threads: %.0f duplicate checks/s (encode + query)\n",
                static_cast<double>(both.queries) / seconds);
  }
  std::printf("  at review score %.2f (top-1 flagged): precision %.4f  recall %.4f\n", kReviewScore,
              static_cast<double>(blocked.flagged_right) /
                  static_cast<double>(std::max<std::size_t>(blocked.flagged, 1)),
              static_cast<double>(blocked.flagged_right) /
                  static_cast<double>(std::max<std::size_t>(blocked.queries, 1)));
  print_speedup(scanned, blocked);
  std::printf("  recall@10 by corruption:\n");
  for (const auto& [name, tally] : by_corruption)
    std::printf("    %-48s %5zu  %.4f\n", name.c_str(), tally.second,
                static_cast<double>(tally.first) / static_cast<double>(tally.second));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--febrl")
      args.febrl = value;
    else if (flag == "--demo")
      args.demo = value;
    else if (flag == "--truth")
      args.truth = value;
    else if (flag == "--key-file")
      args.key_file = value;
    else if (flag == "--scan-queries")
      args.scan_queries = std::stoul(value);
    else if (flag == "--max-candidates")
      args.max_candidates = std::stoul(value);
    else if (flag == "--export-plain")
      args.export_plain = value;
    else
      return std::fprintf(stderr, "unknown option %s\n", flag.c_str()), 2;
  }
  auto normaliser = Normaliser::create();
  if (!normaliser.ok()) return std::fprintf(stderr, "%s\n", normaliser.error().message.c_str()), 1;
  if (!args.febrl.empty()) bench_febrl(args, **normaliser);
  if (!args.demo.empty()) return bench_demo(args, **normaliser);
  return 0;
}
