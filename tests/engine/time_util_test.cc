#include "engine/time_util.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace hashtriage::engine {
namespace {

TEST(TimeUtilTest, ParsesOffsetsToUtcAgreeingWithGnuDate) {
  for (const std::string text : {"2026-11-22T10:15:00Z", "2026-11-22T10:15:00+01:00", "2021-03-01T23:59:59-0500",
                                 "2024-02-29T12:00:00.250+05:30", "1999-12-31T23:59:59Z"}) {
    const auto truth = testing::RunCommand("date -u -d '" + text + "' +%s");
    ASSERT_EQ(truth.exit_code, 0) << text;
    auto parsed = ParseIso8601(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(*parsed, std::stoll(truth.out)) << text;
  }
  EXPECT_EQ(*ParseIso8601("2026-11-22"), *ParseIso8601("2026-11-22T00:00:00Z"));
}

TEST(TimeUtilTest, RejectsMalformedTimes) {
  for (const std::string bad : {"", "yesterday", "2026-13-01", "2026-11-22T25:00:00Z", "2026-11-22T10:15:00+", "2026/11/22"}) {
    EXPECT_FALSE(ParseIso8601(bad).ok()) << bad;
  }
}

TEST(TimeUtilTest, FormatsRoundTrip) {
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2026-11-22T10:15:00+01:00")), "2026-11-22T09:15:00Z");
  EXPECT_EQ(FormatDate(*ParseIso8601("2026-11-22T23:30:00-02:00")), "2026-11-23");
}

TEST(TimeUtilTest, NowFlagWinsOverEnvironment) {
  ::setenv("HASHTRIAGE_NOW", "2020-01-01T00:00:00Z", 1);
  EXPECT_EQ(*ResolveNow("2021-01-01T00:00:00Z"), *ParseIso8601("2021-01-01T00:00:00Z"));
  EXPECT_EQ(*ResolveNow(""), *ParseIso8601("2020-01-01T00:00:00Z"));
  ::unsetenv("HASHTRIAGE_NOW");
  EXPECT_GT(*ResolveNow(""), *ParseIso8601("2025-01-01"));
}

}  // namespace
}  // namespace hashtriage::engine
