// The population estimate from a linkage, with its uncertainty over the linkage as well as the
// counts: a bootstrap that redraws the links from their match probabilities in every replicate.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

#include "link/link.hpp"

namespace haven::link {

namespace {

// The linkage in canonical order: lists by name, records by list then id, pairs by their records.
// Whoever built the linkage (the linker in memory, or its files read back) the bootstrap then
// draws the same random numbers for the same pairs.
struct CanonicalLinkage {
  std::vector<std::string> lists;
  std::vector<std::size_t> record_list;
  std::vector<PairProbability> pairs;
  std::vector<std::uint32_t> entity_patterns;  // per entity: bit l set when on list l
};

std::string record_name(const LinkedRecords& linkage, std::size_t record) {
  return "record " + std::to_string(record) + " (list \"" +
         linkage.lists[linkage.record_list[record]] + "\", id \"" + linkage.record_ids[record] +
         "\")";
}

Result<CanonicalLinkage> canonical(const LinkedRecords& linkage) {
  const std::size_t n = linkage.record_list.size();
  if (linkage.record_ids.size() != n)
    return invalid("the linkage has " + std::to_string(n) + " records but " +
                   std::to_string(linkage.record_ids.size()) + " ids");
  // Patterns are bit sets of lists; the estimate takes no more lists anyway.
  if (linkage.lists.size() > static_cast<std::size_t>(stats::kMaxLists))
    return invalid("the linkage has " + std::to_string(linkage.lists.size()) + " lists; at most " +
                   std::to_string(stats::kMaxLists) + " can be estimated");
  for (std::size_t r = 0; r < n; ++r)
    if (linkage.record_list[r] >= linkage.lists.size())
      return invalid("record " + std::to_string(r) + " is on list " +
                     std::to_string(linkage.record_list[r]) + ", but there are " +
                     std::to_string(linkage.lists.size()) + " lists");

  CanonicalLinkage out;
  std::vector<std::size_t> list_order(linkage.lists.size());
  std::iota(list_order.begin(), list_order.end(), 0);
  std::sort(list_order.begin(), list_order.end(),
            [&](std::size_t a, std::size_t b) { return linkage.lists[a] < linkage.lists[b]; });
  std::vector<std::size_t> list_rank(linkage.lists.size());
  for (std::size_t i = 0; i < list_order.size(); ++i) {
    list_rank[list_order[i]] = i;
    out.lists.push_back(linkage.lists[list_order[i]]);
  }

  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::size_t la = list_rank[linkage.record_list[a]],
                      lb = list_rank[linkage.record_list[b]];
    return la != lb ? la < lb : linkage.record_ids[a] < linkage.record_ids[b];
  });
  std::vector<std::uint32_t> rank(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    rank[order[i]] = i;
    out.record_list.push_back(list_rank[linkage.record_list[order[i]]]);
    if (i > 0 && out.record_list[i] == out.record_list[i - 1] &&
        linkage.record_ids[order[i]] == linkage.record_ids[order[i - 1]])
      return invalid("the id \"" + linkage.record_ids[order[i]] + "\" is twice on list \"" +
                     out.lists[out.record_list[i]] + "\"");
  }

  for (const PairProbability& p : linkage.pairs) {
    if (p.left >= n || p.right >= n)
      return invalid("a pair names record " + std::to_string(std::max(p.left, p.right)) +
                     ", but there are " + std::to_string(n) + " records");
    if (p.left == p.right)
      return invalid("a pair links " + record_name(linkage, p.left) + " with itself");
    if (!(p.probability >= 0 && p.probability <= 1))
      return invalid("the pair of " + record_name(linkage, p.left) + " and " +
                     record_name(linkage, p.right) + " has the probability " +
                     std::to_string(p.probability) + "; probabilities are from 0 to 1");
    out.pairs.push_back({std::min(rank[p.left], rank[p.right]),
                         std::max(rank[p.left], rank[p.right]), p.probability});
  }
  std::sort(out.pairs.begin(), out.pairs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.left, a.right) < std::tie(b.left, b.right);
  });
  for (std::size_t i = 1; i < out.pairs.size(); ++i)
    if (out.pairs[i].left == out.pairs[i - 1].left && out.pairs[i].right == out.pairs[i - 1].right)
      return invalid("the pair of " + record_name(linkage, order[out.pairs[i].left]) + " and " +
                     record_name(linkage, order[out.pairs[i].right]) + " is given twice");

  std::vector<bool> placed(n, false);
  for (const Cluster& entity : linkage.entities) {
    std::uint32_t pattern = 0;
    for (std::uint32_t r : entity.records) {
      if (r >= n)
        return invalid("an entity names record " + std::to_string(r) + ", but there are " +
                       std::to_string(n) + " records");
      if (placed[r]) return invalid(record_name(linkage, r) + " is in two entities");
      placed[r] = true;
      pattern |= 1u << list_rank[linkage.record_list[r]];
    }
    if (pattern != 0) out.entity_patterns.push_back(pattern);
  }
  if (const auto missing = std::find(placed.begin(), placed.end(), false); missing != placed.end())
    return invalid(record_name(linkage, missing - placed.begin()) + " is in no entity");
  return out;
}

Result<stats::CaptureTable> table_of(const std::vector<std::string>& lists,
                                     const std::vector<std::uint32_t>& patterns) {
  std::map<std::uint32_t, std::uint64_t> counts;
  for (std::uint32_t p : patterns) ++counts[p];
  std::vector<stats::CaptureRow> rows;
  for (auto [pattern, count] : counts) {
    stats::CaptureRow row;
    for (std::size_t l = 0; l < lists.size(); ++l) row.on_list.push_back((pattern >> l) & 1);
    row.count = count;
    rows.push_back(std::move(row));
  }
  return stats::make_capture_table(lists, rows);
}

std::vector<std::uint32_t> patterns_of(const std::vector<Cluster>& entities,
                                       const std::vector<std::size_t>& record_list) {
  std::vector<std::uint32_t> out;
  out.reserve(entities.size());
  for (const Cluster& c : entities) {
    std::uint32_t pattern = 0;
    for (std::uint32_t r : c.records) pattern |= 1u << record_list[r];
    out.push_back(pattern);
  }
  return out;
}

}  // namespace

Result<LinkageEstimate> estimate_over_linkage(const LinkedRecords& linkage,
                                              const stats::EstimateOptions& options, int replicates,
                                              std::uint64_t seed, const Progress& progress) {
  if (replicates < 0 || replicates > 100'000)
    return invalid("replicates must be from 0 to 100,000; got " + std::to_string(replicates),
                   "replicates");
  auto linked = canonical(linkage);
  HAVEN_TRY(linked);
  auto table = table_of(linked->lists, linked->entity_patterns);
  HAVEN_TRY(table);
  LinkageEstimate out;
  auto point = stats::estimate_population(*table, options);
  HAVEN_TRY(point);
  out.point = std::move(*point);
  out.replicates = replicates;
  out.seed = seed;

  // The replicates redo the selection and fit only: intervals of their own would be discarded.
  stats::EstimateOptions replicate_options = options;
  replicate_options.profile = false;
  replicate_options.sensitivity = false;
  replicate_options.bootstrap = 0;
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> chance(0, 1);
  std::vector<PairProbability> kept;
  for (int r = 0; r < replicates; ++r) {
    kept.clear();
    for (const PairProbability& p : linked->pairs)
      if (chance(random) < p.probability) kept.push_back({p.left, p.right, 1.0});
    const std::vector<std::uint32_t> patterns = patterns_of(
        cluster_pairs(linked->record_list, linkage.link_type, kept, 0.5, linkage.cluster_density),
        linked->record_list);
    std::uniform_int_distribution<std::size_t> pick(0, patterns.size() - 1);
    std::vector<std::uint32_t> resampled(patterns.size());
    for (auto& p : resampled) p = patterns[pick(random)];
    auto replicate_table = table_of(linked->lists, resampled);
    auto estimate = replicate_table.ok()
                        ? stats::estimate_population(*replicate_table, replicate_options)
                        : Result<stats::MseEstimate>(replicate_table.error());
    if (estimate.ok() && std::isfinite(estimate->total))
      out.totals.push_back(estimate->total);
    else
      ++out.failed;
    if (progress) progress(r + 1, replicates);
  }
  std::sort(out.totals.begin(), out.totals.end());
  if (out.totals.size() >= 20) {
    auto at = [&](double q) {
      return out.totals[static_cast<std::size_t>(q * static_cast<double>(out.totals.size() - 1))];
    };
    out.interval = std::pair{at(0.025), at(0.975)};
  }
  return out;
}

std::string describe_linkage_estimate(const LinkageEstimate& estimate) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << "Population estimate (" << estimate.point.method
      << ", from the linked entities): " << estimate.point.total << ", 95% interval "
      << estimate.point.ci_low << " to " << estimate.point.ci_high << " (counts only)\n";
  if (estimate.replicates == 0) return out.str();
  if (estimate.interval)
    out << "Over the linkage and the counts (" << estimate.totals.size() << " replicates"
        << (estimate.failed ? ", " + std::to_string(estimate.failed) + " without an estimate" : "")
        << ", seed " << estimate.seed << "): 95% percentile interval " << estimate.interval->first
        << " to " << estimate.interval->second << "\n";
  else
    out << "Too few replicates had an estimate (" << estimate.totals.size() << " of "
        << estimate.replicates << ") for an interval over the linkage.\n";
  return out.str();
}

}  // namespace haven::link
