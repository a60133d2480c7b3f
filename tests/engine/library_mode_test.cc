// Library mode end to end through the real executable (issue 7): `index build` stores plain hashes,
// robust variants and region cells; a scan of copies edited independently by ImageMagick (a solid
// caption bar along the bottom, a solid sticker, a 90% centre crop) finds each with the match kind that
// explains it, an unrelated photo stays unmatched, and `index lookup --file` / `hash --json` report the
// region cells. Region hits count as near matches in the scan summary.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage {
namespace {

using testing::RunCommand;
using testing::Bin;
using testing::Q;

// ImageMagick -draw rectangle arguments for the box [x0,x1) x [y0,y1) given as fractions of the picture.
std::string Box(const std::filesystem::path& picture, double x0, double y0, double x1, double y1) {
  const auto size = RunCommand("identify -format '%w %h' " + Q(picture));
  int w = 0, h = 0;
  EXPECT_EQ(std::sscanf(size.out.c_str(), "%d %d", &w, &h), 2) << size.out << size.err;
  auto px = [](double f, int n) { return std::to_string(static_cast<int>(f * n)); };
  return "\"rectangle " + px(x0, w) + "," + px(y0, h) + " " + px(x1, w) + "," + px(y1, h) + "\"";
}

class LibraryModeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto photos = testing::TestDataDir() / "photos" / "scratch";
    const auto lib = *dir_ / "library";
    const auto ev = *dir_ / "evidence";
    std::filesystem::create_directories(lib);
    std::filesystem::create_directories(ev);
    for (const char* name : {"castle.jpg", "hall.jpg", "forest.jpg"}) std::filesystem::copy_file(photos / name, lib / name);
    // Caption bar: the bottom 14% painted solid black. Sticker: a solid red square of 30% x 30% of the
    // picture (9% of its area) in the upper left quarter. Both re-encoded as JPEG.
    ASSERT_EQ(RunCommand("convert " + Q(photos / "castle.jpg") +
                         " -fill black -draw " + Box(photos / "castle.jpg", 0, 0.86, 1, 1) + " -quality 90 " +
                         Q(ev / "captioned.jpg")).exit_code, 0);
    ASSERT_EQ(RunCommand("convert " + Q(photos / "hall.jpg") +
                         " -fill red -draw " + Box(photos / "hall.jpg", 0.12, 0.10, 0.42, 0.40) + " -quality 90 " +
                         Q(ev / "stickered.jpg")).exit_code, 0);
    ASSERT_EQ(RunCommand("convert " + Q(photos / "forest.jpg") + " -gravity center -crop 90%x90%+0+0 +repage " +
                         Q(ev / "cropped.jpg")).exit_code, 0);
    std::filesystem::copy_file(photos / "kitchen.jpg", ev / "unrelated.jpg");
    index_ = *dir_ / "index";
    const auto build = RunCommand(Bin() + " index build --index " + Q(index_) + " --set lib --category A " + Q(lib));
    ASSERT_EQ(build.exit_code, 0) << build.err;
    ASSERT_NE(build.out.find("set lib+region: region cell hashes"), std::string::npos) << build.out;
  }
  static void TearDownTestSuite() { delete dir_; }

  static testing::TempDir* dir_;
  static std::filesystem::path index_;
};
testing::TempDir* LibraryModeTest::dir_ = nullptr;
std::filesystem::path LibraryModeTest::index_;

TEST_F(LibraryModeTest, ScanFindsCaptionedStickeredAndCroppedCopiesWithTheirMatchKind) {
  const auto c = *dir_ / "case";
  const auto scan = RunCommand(Bin() + " scan --json --case " + Q(c) + " --index " + Q(index_) + " " + Q(*dir_ / "evidence"));
  EXPECT_EQ(scan.exit_code, 0) << scan.err;
  std::map<std::string, nlohmann::json> by_path;
  for (const auto& line : testing::SplitLines(RunCommand(Bin() + " export files --case " + Q(c)).out)) {
    auto j = nlohmann::json::parse(line);
    by_path[j["original_path"]] = j;
  }
  auto kinds = [&](const std::string& file, const std::string& library_image) {
    std::map<std::string, int> out;  // kind -> smallest distance, hits on that library image only
    for (const auto& h : by_path[file]["hits"]) {
      EXPECT_TRUE(h["media_id"].get<std::string>().ends_with(library_image)) << file << ": " << h.dump();
      EXPECT_EQ(h["category"], "A");
      EXPECT_LE(h["distance"].get<int>(), 31);
      const std::string k = h["kind"];
      out[k] = out.count(k) ? std::min(out[k], h["distance"].get<int>()) : h["distance"].get<int>();
    }
    return out;
  };
  const auto captioned = kinds("captioned.jpg", "castle.jpg");
  ASSERT_TRUE(captioned.count("region")) << by_path["captioned.jpg"].dump();
  for (const auto& h : by_path["captioned.jpg"]["hits"]) {
    if (h["kind"] == "region") {
      EXPECT_EQ(h["set"], "lib+region");
    }
  }
  EXPECT_TRUE(kinds("stickered.jpg", "hall.jpg").count("region")) << by_path["stickered.jpg"].dump();
  EXPECT_TRUE(kinds("cropped.jpg", "forest.jpg").count("pdq-crop90")) << by_path["cropped.jpg"].dump();
  EXPECT_TRUE(by_path["unrelated.jpg"]["hits"].empty()) << by_path["unrelated.jpg"].dump();
  // Every edited copy counts as a near match of category A; none as exact.
  const auto summary = nlohmann::json::parse(scan.out);
  const auto& a = summary["evidence"][0]["categories"]["A"];
  EXPECT_EQ(a["near"], 3) << scan.out;
  EXPECT_EQ(a["exact"], 0) << scan.out;
}

TEST_F(LibraryModeTest, LookupFileReportsRegionMatchesWithCellCounts) {
  const auto run = RunCommand(Bin() + " index lookup --index " + Q(index_) + " --file " + Q(*dir_ / "evidence/captioned.jpg"));
  EXPECT_EQ(run.exit_code, 10) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  bool region = false;
  for (const auto& m : j["results"][0]["matches"]) {
    EXPECT_TRUE(m["media_id"].get<std::string>().ends_with("castle.jpg")) << m.dump();
    if (m["match_kind"] != "region") continue;
    region = true;
    EXPECT_GE(m["cells_matched"].get<int>(), 7);
    EXPECT_LE(m["cells_matched"].get<int>(), m["cells_usable"].get<int>());
    EXPECT_LE(m["distance"].get<int>(), 31);
  }
  EXPECT_TRUE(region) << run.out;
  // Demanding more same-position cells than the caption leaves intact loses the region match.
  const auto strict = RunCommand(Bin() + " index lookup --index " + Q(index_) + " --region-cells 16 --file " +
                                 Q(*dir_ / "evidence/captioned.jpg"));
  EXPECT_EQ(strict.out.find("\"region\""), std::string::npos) << strict.out;
  // A lookup of a whole-image PDQ never returns a single region cell as a match.
  const auto unrelated = RunCommand(Bin() + " index lookup --index " + Q(index_) + " --file " + Q(*dir_ / "evidence/unrelated.jpg"));
  EXPECT_EQ(unrelated.exit_code, 0) << unrelated.out;
}

TEST_F(LibraryModeTest, HashJsonPrintsRegionCells) {
  const auto run = RunCommand(Bin() + " hash --json " + Q(*dir_ / "evidence/captioned.jpg"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  ASSERT_EQ(j["pdq_regions"]["grid"], 4);
  ASSERT_EQ(j["pdq_regions"]["cells"].size(), 16u);
  int usable = 0;
  for (const auto& cell : j["pdq_regions"]["cells"]) {
    if (cell.is_null()) continue;
    ++usable;
    EXPECT_EQ(cell.get<std::string>().size(), 64u);
  }
  EXPECT_GE(usable, 7);
}

// Rebuilding a library without region cells leaves no stale NAME+region behind, and removing the library set
// removes its derived sets, so neither keeps matching images no longer in the library.
TEST_F(LibraryModeTest, RebuildAndRemoveTakeTheDerivedSetsAlong) {
  const auto idx = *dir_ / "index-rebuild";
  const auto lib = *dir_ / "library";
  auto sets = [&]() { return RunCommand(Bin() + " index list --index " + Q(idx)).out; };
  ASSERT_EQ(RunCommand(Bin() + " index build --index " + Q(idx) + " --set lib --category A " + Q(lib)).exit_code, 0);
  EXPECT_NE(sets().find("lib+region"), std::string::npos) << sets();
  const auto rebuilt = RunCommand(Bin() + " index build --no-region --index " + Q(idx) + " --set lib --category A " + Q(lib));
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_EQ(sets().find("lib+region"), std::string::npos) << sets();
  EXPECT_NE(sets().find("lib+robust"), std::string::npos) << sets();
  const auto captioned = RunCommand(Bin() + " index lookup --index " + Q(idx) + " --file " + Q(*dir_ / "evidence/captioned.jpg"));
  EXPECT_EQ(captioned.out.find("\"region\""), std::string::npos) << captioned.out;

  const auto removed = RunCommand(Bin() + " index remove --index " + Q(idx) + " --set lib");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_NE(removed.out.find("removed set 'lib+robust'"), std::string::npos) << removed.out;
  EXPECT_EQ(sets().find("lib"), std::string::npos) << sets();
  const auto cropped = RunCommand(Bin() + " index lookup --index " + Q(idx) + " --file " + Q(*dir_ / "evidence/cropped.jpg"));
  EXPECT_EQ(cropped.exit_code, 0) << cropped.out;
}

}  // namespace
}  // namespace hashtriage
