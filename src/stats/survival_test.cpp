#include "stats/survival.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace haven::stats {
namespace {

// The acute myelogenous leukaemia trial (Embury et al. 1977) that R's survival package ships as
// `aml`: weeks to relapse, '+' censored. Published results: medians 31 and 23 weeks; log-rank
// chi-square 3.4 on 1 df (observed 7 and 11, expected 10.69 and 7.31).
std::vector<Observation> maintained() {
  return {{9, true}, {13, true}, {13, false}, {18, true}, {23, true}, {28, false},
          {31, true}, {34, true}, {45, false}, {48, true}, {161, false}};
}
std::vector<Observation> not_maintained() {
  return {{5, true}, {5, true}, {8, true}, {8, true}, {12, true}, {16, false},
          {23, true}, {27, true}, {30, true}, {33, true}, {43, true}, {45, true}};
}

TEST(KaplanMeier, ReproducesThePublishedCurve) {
  auto curve = kaplan_meier(maintained());
  ASSERT_TRUE(curve.ok());
  EXPECT_EQ(curve->subjects, 11);
  EXPECT_EQ(curve->events, 7);
  ASSERT_EQ(curve->steps.size(), 10u);
  EXPECT_NEAR(curve->steps[0].survival, 10.0 / 11, 1e-12);
  EXPECT_EQ(curve->steps[1].time, 13);
  EXPECT_EQ(curve->steps[1].events, 1);
  EXPECT_EQ(curve->steps[1].censored, 1);
  EXPECT_NEAR(curve->steps[1].survival, 0.8182, 1e-4);
  EXPECT_NEAR(curve->steps[2].survival, 0.7159, 1e-4);
  EXPECT_NEAR(curve->steps[5].survival, 0.4909, 1e-4);  // week 31
  EXPECT_NEAR(curve->steps[8].survival, 0.1841, 1e-4);  // week 48
  // log-log band at week 9: S^exp(+-1.96 se), se = sqrt(1/(11*10)) / |log S|.
  EXPECT_NEAR(curve->steps[0].low, 0.5081, 1e-3);
  EXPECT_NEAR(curve->steps[0].high, 0.9867, 1e-3);
  ASSERT_TRUE(curve->median.has_value());
  EXPECT_EQ(*curve->median, 31);
  EXPECT_EQ(*curve->median_low, 13);
  EXPECT_FALSE(curve->median_high.has_value()) << "the upper band never reaches 0.5 before follow-up ends";

  auto other = kaplan_meier(not_maintained());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other->median, 23);
}

TEST(KaplanMeier, MedianIsUnknownWhileMostAreStillOpen) {
  auto curve = kaplan_meier({{10, true}, {20, false}, {30, false}, {40, false}});
  ASSERT_TRUE(curve.ok());
  EXPECT_FALSE(curve->median.has_value());
  EXPECT_NEAR(curve->steps.back().survival, 0.75, 1e-12);
}

TEST(KaplanMeier, EmptyInputGivesAnEmptyCurve) {
  auto curve = kaplan_meier({});
  ASSERT_TRUE(curve.ok());
  EXPECT_EQ(curve->subjects, 0);
  EXPECT_TRUE(curve->steps.empty());
  EXPECT_FALSE(curve->median.has_value());
}

TEST(KaplanMeier, RefusesNegativeAndUndefinedTimes) {
  auto negative = kaplan_meier({{1, true}, {-2, true}});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("observation 2"), std::string::npos);
  EXPECT_FALSE(kaplan_meier({{std::nan(""), false}}).ok());
  EXPECT_FALSE(kaplan_meier({{1, true}}, 1.5).ok());
}

TEST(LogRank, ReproducesThePublishedTest) {
  auto test = log_rank({maintained(), not_maintained()});
  ASSERT_TRUE(test.ok()) << test.error().message;
  EXPECT_EQ(test->degrees_of_freedom, 1);
  EXPECT_NEAR(test->chi_square, 3.40, 0.01);
  EXPECT_NEAR(test->p_value, 0.0653, 0.001);
  EXPECT_NEAR(test->expected[0], 10.69, 0.01);
  EXPECT_NEAR(test->expected[1], 7.31, 0.01);
  EXPECT_EQ(test->observed[0], 7);
}

TEST(LogRank, IdenticalGroupsDoNotDiffer) {
  auto test = log_rank({maintained(), maintained(), maintained()});
  ASSERT_TRUE(test.ok());
  EXPECT_EQ(test->degrees_of_freedom, 2);
  EXPECT_NEAR(test->chi_square, 0, 1e-9);
  EXPECT_NEAR(test->p_value, 1, 1e-9);
}

TEST(LogRank, NeedsTwoGroupsAndAnEvent) {
  EXPECT_FALSE(log_rank({maintained()}).ok());
  EXPECT_FALSE(log_rank({maintained(), {}}).ok());
  auto no_events = log_rank({{{1, false}}, {{2, false}}});
  ASSERT_FALSE(no_events.ok());
  EXPECT_EQ(no_events.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace haven::stats
