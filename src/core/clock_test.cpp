#include <gtest/gtest.h>

#include "core/core.hpp"

namespace haven {
namespace {

TEST(Dates, ParsesRealCalendarDatesOnly) {
  EXPECT_TRUE(parse_date("2024-02-29"));
  EXPECT_FALSE(parse_date("2023-02-29"));
  EXPECT_FALSE(parse_date("2024-13-01"));
  EXPECT_FALSE(parse_date("1899-12-31"));
  EXPECT_FALSE(parse_date("2101-01-01"));
  EXPECT_FALSE(parse_date("2024-1-01"));
  EXPECT_FALSE(parse_date("2024-01-01x"));
  EXPECT_EQ(*parse_date("1970-01-02"), 1);
}

TEST(Dates, NormalisesDateTimesToUtc) {
  EXPECT_EQ(*normalise_datetime("2026-03-01T14:30:00Z"), "2026-03-01T14:30:00Z");
  EXPECT_EQ(*normalise_datetime("2026-03-01T14:30:00.123+05:30"), "2026-03-01T09:00:00Z");
  EXPECT_EQ(*normalise_datetime("2026-03-01T23:30:00-01:00"), "2026-03-02T00:30:00Z");
  EXPECT_FALSE(normalise_datetime("2026-03-01T24:00:00Z"));
  EXPECT_FALSE(normalise_datetime("2026-03-01 14:30"));
  EXPECT_FALSE(normalise_datetime("2026-03-01T14:30:00"));
}

TEST(Dates, YearsBetweenCountsBirthdays) {
  EXPECT_EQ(*years_between("2008-06-15", "2026-06-14"), 17);
  EXPECT_EQ(*years_between("2008-06-15", "2026-06-15"), 18);
  EXPECT_FALSE(years_between("2008-02-30", "2026-06-15"));
}

TEST(Utf8, RejectsInvalidSequences) {
  EXPECT_TRUE(is_valid_utf8("Mohammed रहमान ម៉ៅ"));
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("abc\xE2\x82"));   // truncated
}

TEST(Clock, FormatsUtc) {
  FixedClock clock(std::chrono::sys_days{std::chrono::year{2026} / 11 / 26} + std::chrono::hours{9} +
                   std::chrono::minutes{5});
  EXPECT_EQ(format_date(clock.now()), "2026-11-26");
  EXPECT_EQ(format_datetime(clock.now()), "2026-11-26T09:05:00Z");
}

}  // namespace
}  // namespace haven

namespace haven {
namespace {

TEST(Normalise, FoldsCaseWidthAndBlanks) {
  EXPECT_EQ(normalise_for_equality("family_name", "  RAHMAN  "), "rahman");
  EXPECT_EQ(normalise_for_equality("family_name", "Mohammed   Rahman"), "mohammed rahman");
  EXPECT_EQ(normalise_for_equality("family_name", "ＲＡＨＭＡＮ"), "rahman");  // full-width
  EXPECT_EQ(normalise_for_equality("family_name", "STRASSE"), normalise_for_equality("family_name", "straße"));
  EXPECT_EQ(normalise_for_equality("phone", "+63 (917) 555-0101"), "+639175550101");
}

}  // namespace
}  // namespace haven
