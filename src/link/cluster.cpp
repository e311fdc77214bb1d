// Entities from scored pairs, and the capture history they make.
//
// Plain connected components let one weak link chain two people together (A~B, B~C, and A, C
// have nothing in common). Here pairs are taken strongest first, and two clusters join only when
// at least `density` of their comparable cross pairs are themselves matches: a chain of single
// links between large clusters is refused.
#include <algorithm>
#include <map>
#include <numeric>
#include <sstream>

#include "link/linker_impl.hpp"

namespace haven::link {

namespace {

struct Edge {
  std::uint32_t left, right;
  double probability;
};

std::vector<Cluster> cluster_edges(const std::vector<std::size_t>& list_of, LinkType type,
                                   std::vector<Edge> edges, double threshold, double density) {
  const std::size_t n = list_of.size();
  std::vector<const Edge*> strong;
  for (const Edge& p : edges)
    if (p.probability >= threshold) strong.push_back(&p);
  std::sort(strong.begin(), strong.end(), [](const Edge* a, const Edge* b) {
    return a->probability != b->probability
               ? a->probability > b->probability
               : std::tie(a->left, a->right) < std::tie(b->left, b->right);
  });
  // Adjacency of the matches (compressed rows), for counting links between two clusters.
  std::vector<std::uint32_t> start(n + 1, 0), neighbours(strong.size() * 2);
  for (const Edge* p : strong) ++start[p->left + 1], ++start[p->right + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
  for (const Edge* p : strong)
    neighbours[fill[p->left]++] = p->right, neighbours[fill[p->right]++] = p->left;

  std::vector<std::uint32_t> owner(n);
  std::iota(owner.begin(), owner.end(), 0);
  std::vector<std::vector<std::uint32_t>> members(n);
  for (std::uint32_t i = 0; i < n; ++i) members[i] = {i};
  auto comparable_pairs = [&](const std::vector<std::uint32_t>& a,
                              const std::vector<std::uint32_t>& b) {
    std::map<std::size_t, std::uint64_t> lists_a, lists_b;
    for (auto r : a) ++lists_a[list_of[r]];
    for (auto r : b) ++lists_b[list_of[r]];
    std::uint64_t same = 0;
    for (auto [list, count] : lists_a) same += count * (lists_b.count(list) ? lists_b[list] : 0);
    const std::uint64_t every = static_cast<std::uint64_t>(a.size()) * b.size();
    return type == LinkType::kLinkOnly     ? every - same
           : type == LinkType::kDedupeOnly ? same
                                           : every;
  };
  for (const Edge* p : strong) {
    std::uint32_t a = owner[p->left], b = owner[p->right];
    if (a == b) continue;
    if (members[a].size() < members[b].size()) std::swap(a, b);
    if (members[a].size() > 1 || members[b].size() > 1) {
      std::uint64_t links = 0;
      for (std::uint32_t r : members[b])
        for (std::uint32_t k = start[r]; k < start[r + 1]; ++k) links += owner[neighbours[k]] == a;
      const std::uint64_t comparable = comparable_pairs(members[a], members[b]);
      if (comparable == 0 || static_cast<double>(links) < density * static_cast<double>(comparable))
        continue;
    }
    for (std::uint32_t r : members[b]) owner[r] = a;
    members[a].insert(members[a].end(), members[b].begin(), members[b].end());
    members[b].clear();
    members[b].shrink_to_fit();
  }
  std::vector<Cluster> out;
  for (auto& m : members) {
    if (m.empty()) continue;
    std::sort(m.begin(), m.end());
    out.push_back({std::move(m)});
  }
  std::sort(out.begin(), out.end(), [](const Cluster& a, const Cluster& b) {
    return a.records.front() < b.records.front();
  });
  return out;
}

std::vector<std::size_t> lists_of(const Linker& linker) {
  std::vector<std::size_t> out(linker.record_count());
  for (std::uint32_t r = 0; r < out.size(); ++r) out[r] = linker.record_list(r);
  return out;
}

}  // namespace

std::vector<Cluster> cluster(const Linker& linker, const std::vector<ScoredPair>& pairs,
                             double threshold, double density) {
  std::vector<Edge> edges;
  edges.reserve(pairs.size());
  for (const ScoredPair& p : pairs) edges.push_back({p.left, p.right, p.probability});
  return cluster_edges(lists_of(linker), linker.spec().link_type, std::move(edges), threshold,
                       density);
}

std::vector<Cluster> cluster_pairs(const std::vector<std::size_t>& record_list, LinkType type,
                                   const std::vector<PairProbability>& pairs, double threshold,
                                   double density) {
  std::vector<Edge> edges;
  edges.reserve(pairs.size());
  for (const PairProbability& p : pairs) edges.push_back({p.left, p.right, p.probability});
  return cluster_edges(record_list, type, std::move(edges), threshold, density);
}

std::vector<Cluster> cluster_encoded(const std::vector<EncodedList>& lists, LinkType type,
                                     const std::vector<EncodedPair>& pairs, double threshold,
                                     double density) {
  std::vector<std::size_t> list_of;
  for (std::size_t l = 0; l < lists.size(); ++l)
    list_of.insert(list_of.end(), lists[l].ids.size(), l);
  std::vector<Edge> edges;
  for (const EncodedPair& p : pairs) edges.push_back({p.left, p.right, p.dice});
  return cluster_edges(list_of, type, std::move(edges), threshold, density);
}

std::string capture_history_csv(const std::vector<std::string>& list_names,
                                const std::vector<std::size_t>& record_list,
                                const std::vector<Cluster>& clusters) {
  std::map<std::uint32_t, std::uint64_t> patterns;
  for (const Cluster& c : clusters) {
    std::uint32_t pattern = 0;
    for (std::uint32_t r : c.records) pattern |= 1u << record_list[r];
    ++patterns[pattern];
  }
  std::ostringstream out;
  for (const std::string& name : list_names) out << name << ",";
  out << "count\n";
  for (auto [pattern, count] : patterns) {
    for (std::size_t l = 0; l < list_names.size(); ++l) out << ((pattern >> l) & 1) << ",";
    out << count << "\n";
  }
  return out.str();
}

std::string capture_history_csv(const Linker& linker, const std::vector<Cluster>& clusters) {
  std::vector<std::string> names;
  for (std::size_t l = 0; l < linker.list_count(); ++l) names.push_back(linker.list_name(l));
  return capture_history_csv(names, lists_of(linker), clusters);
}

}  // namespace haven::link
