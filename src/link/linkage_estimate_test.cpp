// estimate_over_linkage: the bootstrap over the linkage and the counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "link/link.hpp"

namespace haven::link {
namespace {

// Three lists drawn from 400 people (each list finds a person with its own chance); the pairs of
// records of the same person come with probability 0.97, and some pairs of different people on
// other lists with 0.6 (doubtful links the bootstrap should sometimes make).
LinkedRecords synthetic_linkage() {
  LinkedRecords linkage;
  linkage.lists = {"police", "ngo", "shelter"};
  linkage.link_type = LinkType::kLinkOnly;
  const double find[] = {0.35, 0.3, 0.25};
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> chance(0, 1);
  std::vector<std::vector<std::uint32_t>> records_of(400);
  for (std::size_t person = 0; person < records_of.size(); ++person)
    for (std::size_t list = 0; list < 3; ++list)
      if (chance(random) < find[list]) {
        records_of[person].push_back(static_cast<std::uint32_t>(linkage.record_list.size()));
        linkage.record_list.push_back(list);
        linkage.record_ids.push_back("p" + std::to_string(person) + "-" + std::to_string(list));
      }
  std::uint32_t previous = 0;
  bool have_previous = false;
  for (const auto& records : records_of) {
    if (records.empty()) continue;
    linkage.entities.push_back({records});
    for (std::size_t a = 0; a < records.size(); ++a)
      for (std::size_t b = a + 1; b < records.size(); ++b)
        linkage.pairs.push_back({records[a], records[b], 0.97});
    if (have_previous && chance(random) < 0.2 &&
        linkage.record_list[previous] != linkage.record_list[records.front()])
      linkage.pairs.push_back({previous, records.front(), 0.6});
    previous = records.front(), have_previous = true;
  }
  return linkage;
}

// The same linkage with lists, records and pairs in another order (pairs turned around too).
LinkedRecords shuffled(const LinkedRecords& linkage) {
  LinkedRecords out;
  out.link_type = linkage.link_type;
  out.cluster_density = linkage.cluster_density;
  out.lists = {linkage.lists[2], linkage.lists[0], linkage.lists[1]};
  const std::size_t new_list[] = {1, 2, 0};
  const std::size_t n = linkage.record_list.size();
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(5));
  std::vector<std::uint32_t> moved_to(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    moved_to[order[i]] = i;
    out.record_list.push_back(new_list[linkage.record_list[order[i]]]);
    out.record_ids.push_back(linkage.record_ids[order[i]]);
  }
  for (auto it = linkage.pairs.rbegin(); it != linkage.pairs.rend(); ++it)
    out.pairs.push_back({moved_to[it->right], moved_to[it->left], it->probability});
  for (auto it = linkage.entities.rbegin(); it != linkage.entities.rend(); ++it) {
    Cluster c;
    for (auto r : it->records) c.records.push_back(moved_to[r]);
    out.entities.push_back(c);
  }
  return out;
}

TEST(LinkageEstimate, SameLinkageAndSeedGiveTheSameIntervalWhateverTheOrder) {
  const LinkedRecords linkage = synthetic_linkage();
  const stats::EstimateOptions options;
  auto first = estimate_over_linkage(linkage, options, 60, 3);
  auto again = estimate_over_linkage(shuffled(linkage), options, 60, 3);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_TRUE(first->interval.has_value());
  EXPECT_EQ(first->totals, again->totals);
  EXPECT_EQ(first->point.total, again->point.total);
  EXPECT_EQ(describe_linkage_estimate(*first), describe_linkage_estimate(*again));
  EXPECT_NE(describe_linkage_estimate(*first).find("(60 replicates, seed 3)"), std::string::npos);

  auto other_seed = estimate_over_linkage(linkage, options, 60, 4);
  ASSERT_TRUE(other_seed.ok());
  EXPECT_NE(first->totals, other_seed->totals);
}

TEST(LinkageEstimate, PointEstimateIsThatOfTheEntities) {
  const LinkedRecords linkage = synthetic_linkage();
  auto estimate = estimate_over_linkage(linkage, stats::EstimateOptions{}, 0, 1);
  ASSERT_TRUE(estimate.ok()) << estimate.error().message;
  EXPECT_EQ(estimate->point.observed, linkage.entities.size());
  // The lists were drawn independently from 400 people: main effects should come close.
  EXPECT_GT(estimate->point.total, 300);
  EXPECT_LT(estimate->point.total, 550);
  EXPECT_TRUE(estimate->totals.empty());
  EXPECT_FALSE(estimate->interval.has_value());
}

TEST(LinkageEstimate, DoubtfulLinksWidenTheIntervalOverCertainOnes) {
  LinkedRecords certain = synthetic_linkage();
  LinkedRecords doubtful = certain;
  // Every true link at 0.5: half the replicates split each person, so fewer overlaps and a
  // higher estimate in many replicates.
  for (auto& p : doubtful.pairs) p.probability = p.probability > 0.9 ? 0.5 : p.probability;
  auto a = estimate_over_linkage(certain, stats::EstimateOptions{}, 60, 9);
  auto b = estimate_over_linkage(doubtful, stats::EstimateOptions{}, 60, 9);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->interval && b->interval);
  EXPECT_GT(b->interval->second, a->interval->second);
}

TEST(LinkageEstimate, InconsistentLinkagesAreRefusedNamingTheRecord) {
  const LinkedRecords good = synthetic_linkage();
  auto refused = [](const LinkedRecords& linkage, const std::string& words) {
    auto result = estimate_over_linkage(linkage, stats::EstimateOptions{}, 20, 1);
    ASSERT_FALSE(result.ok()) << words;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().message.find(words), std::string::npos) << result.error().message;
  };
  LinkedRecords bad = good;
  bad.pairs.push_back({0, 0, 0.9});
  refused(bad, "with itself");
  bad = good;
  bad.pairs.front().probability = 1.5;
  refused(bad, "probabilities are from 0 to 1");
  bad = good;
  bad.pairs.push_back({bad.pairs.front().right, bad.pairs.front().left, 0.7});
  refused(bad, "is given twice");
  bad = good;
  bad.pairs.push_back({0, 100000, 0.7});
  refused(bad, "names record 100000");
  bad = good;
  bad.entities.pop_back();
  refused(bad, "is in no entity");
  bad = good;
  bad.entities.push_back(bad.entities.front());
  refused(bad, "is in two entities");
  bad = good;
  bad.record_ids[1] = bad.record_ids[0];
  bad.record_list[1] = bad.record_list[0];
  refused(bad, "is twice on list");
  bad = good;
  bad.record_list[0] = 7;
  refused(bad, "but there are 3 lists");
  auto negative = estimate_over_linkage(good, stats::EstimateOptions{}, -1, 1);
  EXPECT_FALSE(negative.ok());
}

}  // namespace
}  // namespace haven::link
