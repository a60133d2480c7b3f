// Every fuzz target (tests/fuzz) run once over its generated seed corpus and every kept crasher
// (tests/fuzz/regressions/<target>/*.b64, added to the corpus by make-seeds), in process: under the
// debug-asan preset a memory error, undefined behaviour or broken invariant in any parser fails here,
// so fixed fuzzer findings stay fixed without clang or libFuzzer.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/fuzz/fuzz_targets.h"
#include "tests/test_support.h"

namespace hashtriage::fuzz {
namespace {

class FuzzReplayTest : public ::testing::TestWithParam<FuzzTarget> {
 protected:
  static void SetUpTestSuite() {
    seeds_ = new testing::TempDir();
    const auto script = std::filesystem::path(HASHTRIAGE_SOURCE_DIR) / "tests/fuzz/make-seeds";
    const auto r = testing::RunCommand(testing::ShellQuote(script.string()) + " " + testing::ShellQuote(seeds_->path().string()) +
                                       " " + testing::ShellQuote(testing::TestDataDir().string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete seeds_;
    seeds_ = nullptr;
  }
  static testing::TempDir* seeds_;
};
testing::TempDir* FuzzReplayTest::seeds_ = nullptr;

TEST_P(FuzzReplayTest, SeedsAndKeptCrashersRunClean) {
  const FuzzTarget& target = GetParam();
  const auto dir = seeds_->path() / std::string(target.name);
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << "no seeds for " << target.name;
  int inputs = 0;
  for (const auto& file : testing::FilesUnder(dir)) {
    const auto bytes = testing::ReadBytes(file);
    SCOPED_TRACE(file.string());
    EXPECT_EQ(target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
    ++inputs;
  }
  EXPECT_GT(inputs, 0);
  // The empty input and a one-byte input reach every target's shortest paths.
  const std::uint8_t one = 0;
  EXPECT_EQ(target.run(&one, 0), 0);
  EXPECT_EQ(target.run(&one, 1), 0);
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzReplayTest, ::testing::ValuesIn(AllTargets().begin(), AllTargets().end()),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hashtriage::fuzz
