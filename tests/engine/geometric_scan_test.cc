// Library mode's geometric stage end to end through the real executable (issue 17): `index build` stores
// every picture's local features in NAME+features; a scan finds a known photo that ImageMagick rotated
// by 17 degrees and cropped off-centre, and one shown at half its size inside a larger screen of other content,
// as `geometric` hits whose rotation and region agree with what ImageMagick was told; unrelated photos
// stay unmatched; `--no-geometric` finds neither, so it is the stage that found them. A library set
// added after a scan is never silently missing: `rematch` counts the pictures it could not compare, a
// scan of the same evidence reads them again and finds the new one, and a rebuilt set's geometric hits
// are dropped and counted again rather than kept unverified. Likewise a picture scanned before the index held
// any library set gets its region cells when the evidence is scanned again.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage {
namespace {

using testing::Bin;
using testing::Q;
using testing::RunCommand;

// The screen: 1280 x 800, a photo of other content stretched over it, the known photo resized to half
// its width at (610, 260). (Smaller insets are found too, bench/geometric_bench, but located less
// precisely: at 38% of a 480 px photo, 91 px once the screen is reduced to 640, the region was 2.3% out.)
constexpr int kScreenW = 1280, kScreenH = 800, kInsetX = 610, kInsetY = 260;
constexpr double kInsetScale = 0.5;
constexpr double kRotation = 17;  // ImageMagick SRT angle: clockwise on screen

std::map<std::string, nlohmann::json> FilesByPath(const std::filesystem::path& c) {
  std::map<std::string, nlohmann::json> by_path;
  for (const auto& line : testing::SplitLines(RunCommand(Bin() + " export files --case " + Q(c)).out)) {
    auto j = nlohmann::json::parse(line);
    by_path[j["original_path"]] = j;
  }
  return by_path;
}

class GeometricScanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto photos = testing::TestDataDir() / "photos" / "scratch";
    const auto ev = *dir_ / "evidence";
    std::filesystem::create_directories(ev);
    ASSERT_EQ(RunCommand("convert " + Q(photos / "castle.jpg") + " -distort SRT '0.8 " + std::to_string(kRotation) +
                         "' -gravity northeast -crop 72%x72%+0+0 +repage -quality 88 " + Q(ev / "rotated.jpg"))
                  .exit_code,
              0);
    const auto size = RunCommand("identify -format '%w %h' " + Q(photos / "hall.jpg"));
    ASSERT_EQ(std::sscanf(size.out.c_str(), "%d %d", &hall_w_, &hall_h_), 2) << size.out;
    ASSERT_EQ(RunCommand("convert " + Q(photos / "kitchen.jpg") + " -resize " + std::to_string(kScreenW) + "x" +
                         std::to_string(kScreenH) + "! \\( " + Q(photos / "hall.jpg") + " -resize " +
                         std::to_string(kInsetScale * 100) + "% \\) -geometry +" + std::to_string(kInsetX) + "+" +
                         std::to_string(kInsetY) + " -composite -quality 90 " + Q(ev / "screen.jpg"))
                  .exit_code,
              0);
    std::filesystem::copy_file(photos / "hill.jpg", ev / "unrelated.jpg");
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::filesystem::path Build(const std::string& index, const std::string& set,
                                     const std::vector<std::string>& names) {
    const auto photos = testing::TestDataDir() / "photos" / "scratch";
    std::string paths;
    for (const auto& n : names) paths += " " + Q(photos / n);
    const auto idx = *dir_ / index;
    const auto build = RunCommand(Bin() + " index build --index " + Q(idx) + " --set " + set + " --category A" + paths);
    EXPECT_EQ(build.exit_code, 0) << build.err;
    EXPECT_NE(build.out.find("set " + set + "+features: pictures with local features " + std::to_string(names.size())),
              std::string::npos)
        << build.out;
    return idx;
  }

  static testing::TempDir* dir_;
  static int hall_w_, hall_h_;
};
testing::TempDir* GeometricScanTest::dir_ = nullptr;
int GeometricScanTest::hall_w_ = 0;
int GeometricScanTest::hall_h_ = 0;

TEST_F(GeometricScanTest, RotatedCropAndScreenInsetAreGeometricHitsWithTheirTransform) {
  const auto idx = Build("index-all", "lib", {"castle.jpg", "hall.jpg", "forest.jpg"});
  const auto c = *dir_ / "case-all";
  const auto scan = RunCommand(Bin() + " scan --json --case " + Q(c) + " --index " + Q(idx) + " " + Q(*dir_ / "evidence"));
  ASSERT_EQ(scan.exit_code, 10) << scan.out << scan.err;
  auto files = FilesByPath(c);

  const auto& rotated = files["rotated.jpg"]["hits"];
  ASSERT_EQ(rotated.size(), 1u) << rotated.dump();
  EXPECT_EQ(rotated[0]["kind"], "geometric");
  EXPECT_TRUE(rotated[0]["media_id"].get<std::string>().ends_with("castle.jpg")) << rotated.dump();
  EXPECT_GE(rotated[0]["inliers"].get<int>(), 8);
  EXPECT_NEAR(rotated[0]["rotation"].get<double>(), kRotation, 1.5) << rotated.dump();

  const auto& screen = files["screen.jpg"]["hits"];
  ASSERT_EQ(screen.size(), 1u) << screen.dump();
  EXPECT_EQ(screen[0]["kind"], "geometric");
  EXPECT_TRUE(screen[0]["media_id"].get<std::string>().ends_with("hall.jpg")) << screen.dump();
  EXPECT_NEAR(screen[0]["rotation"].get<double>(), 0, 1.5);
  // The region of the screen that holds the known photo, as shares of the screen, within 1%, and the
  // scale within 3%: at the working sizes (640 px, smaller pictures as they are) the screen is halved.
  const double scale = kInsetScale * hall_w_ * (640.0 / kScreenW) / std::min(hall_w_, 640);
  EXPECT_NEAR(screen[0]["scale"].get<double>(), scale, 0.03 * scale) << screen.dump();
  const std::array<double, 4> truth = {double(kInsetX) / kScreenW, double(kInsetY) / kScreenH,
                                       (kInsetX + kInsetScale * hall_w_) / kScreenW,
                                       (kInsetY + kInsetScale * hall_h_) / kScreenH};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(screen[0]["region"][i].get<double>(), truth[i], 0.01) << screen.dump();

  EXPECT_TRUE(files["unrelated.jpg"]["hits"].empty()) << files["unrelated.jpg"].dump();
  const auto summary = nlohmann::json::parse(scan.out);
  EXPECT_EQ(summary["evidence"][0]["categories"]["A"]["near"], 2) << scan.out;

  // `index lookup --file` runs the same stage.
  const auto lookup = RunCommand(Bin() + " index lookup --index " + Q(idx) + " --file " + Q(*dir_ / "evidence" / "screen.jpg"));
  EXPECT_EQ(lookup.exit_code, 10) << lookup.out << lookup.err;
  const auto l = nlohmann::json::parse(lookup.out);
  ASSERT_EQ(l["results"][0]["matches"].size(), 1u) << lookup.out;
  EXPECT_EQ(l["results"][0]["matches"][0]["match_kind"], "geometric");

  // Without the stage neither copy is found: it is what found them.
  const auto plain = RunCommand(Bin() + " scan --json --no-geometric --case " + Q(*dir_ / "case-plain") + " --index " +
                                Q(idx) + " " + Q(*dir_ / "evidence"));
  EXPECT_EQ(plain.exit_code, 0) << plain.out << plain.err;
}

TEST_F(GeometricScanTest, LibraryAddedAfterTheScanIsComparedWhenTheEvidenceIsScannedAgain) {
  const auto idx = Build("index-late", "first", {"castle.jpg"});
  const auto c = *dir_ / "case-late";
  const std::string scan = Bin() + " scan --json --case " + Q(c) + " --index " + Q(idx) + " " + Q(*dir_ / "evidence");
  const std::string rematch = Bin() + " rematch --json --case " + Q(c) + " --index " + Q(idx);
  ASSERT_EQ(RunCommand(scan).exit_code, 10);
  EXPECT_TRUE(FilesByPath(c)["screen.jpg"]["hits"].empty());

  // The examiner adds the hall photo. Re-matching stored hashes cannot compare pictures: it says so.
  Build("index-late", "second", {"hall.jpg"});
  auto r = RunCommand(rematch);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images_not_checked_geometrically"], 2) << r.out;  // screen.jpg and unrelated.jpg
  EXPECT_EQ(j["hits_gained"], 0) << r.out;
  EXPECT_EQ(r.exit_code, 10) << "the castle is known: known material outranks the pictures left to compare";

  // Scanning the same evidence again reads those two pictures and finds the new one.
  auto again = RunCommand(scan);
  EXPECT_EQ(again.exit_code, 10) << again.out << again.err;
  auto s = nlohmann::json::parse(again.out);
  EXPECT_EQ(s["evidence"][0]["geometric_recheck"]["pictures"], 2) << again.out;
  EXPECT_EQ(s["evidence"][0]["geometric_recheck"]["hits_gained"], 1) << again.out;
  auto files = FilesByPath(c);
  ASSERT_EQ(files["screen.jpg"]["hits"].size(), 1u);
  EXPECT_EQ(files["screen.jpg"]["hits"][0]["set"], "second+features");
  EXPECT_EQ(files["rotated.jpg"]["hits"].size(), 1u);

  // Now nothing is left unchecked, and a re-match keeps the geometric hits of unchanged sets.
  r = RunCommand(rematch);
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images_not_checked_geometrically"], 0) << r.out;
  EXPECT_EQ(j["hits_lost"], 0) << r.out;

  // A rebuilt set is another set: its old geometric hit is dropped and its pictures counted again.
  Build("index-late", "second", {"hall.jpg"});
  r = RunCommand(rematch);
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["hits_lost"], 1) << r.out;
  EXPECT_EQ(j["images_not_checked_geometrically"], 2) << r.out;
  EXPECT_TRUE(FilesByPath(c)["screen.jpg"]["hits"].empty());
}

TEST_F(GeometricScanTest, PicturesScannedBeforeAnyLibrarySetGetRegionCellsWhenScannedAgain) {
  // An index without library sets: no region cells are computed by the scan.
  const auto photos = testing::TestDataDir() / "photos" / "scratch";
  const auto idx = *dir_ / "index-region";
  ASSERT_EQ(RunCommand(Bin() + " index build --no-region --no-features --index " + Q(idx) + " --set other --category A " +
                       Q(photos / "hill.jpg")).exit_code,
            0);
  const auto ev = *dir_ / "stickered";
  std::filesystem::create_directories(ev);
  // A solid sticker over 9% of the picture: only region cells find it (hashes of the whole picture do not).
  ASSERT_EQ(RunCommand("convert " + Q(photos / "castle.jpg") + " -fill red -draw 'rectangle 300,40 440,150' " +
                       Q(ev / "stickered.jpg")).exit_code,
            0);
  // Pictures too small for region cells (a spacer, a thin banner): never counted as waiting for them.
  ASSERT_EQ(RunCommand("convert -size 8x8 xc:gray " + Q(ev / "spacer.png")).exit_code, 0);
  ASSERT_EQ(RunCommand("convert " + Q(photos / "castle.jpg") + " -resize 600x10! " + Q(ev / "banner.png")).exit_code, 0);
  const auto c = *dir_ / "case-region";
  const std::string scan = Bin() + " scan --json --no-geometric --case " + Q(c) + " --index " + Q(idx) + " " + Q(ev);
  ASSERT_EQ(RunCommand(scan).exit_code, 0);

  // The library arrives; re-matching stored hashes cannot region-match a picture without cells.
  ASSERT_EQ(RunCommand(Bin() + " index build --no-features --index " + Q(idx) + " --set lib --category A " +
                       Q(photos / "castle.jpg")).exit_code,
            0);
  auto r = RunCommand(Bin() + " rematch --json --case " + Q(c) + " --index " + Q(idx));
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images_without_region_cells"], 1) << r.out;  // the stickered picture, not the spacer or banner
  EXPECT_EQ(j["pictures_not_compared"], 1) << r.out;
  // Nothing was found, but that is not yet known for the stickered picture: not a clean exit.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("1 picture(s) without hits could not be compared"), std::string::npos) << r.err;
  EXPECT_TRUE(FilesByPath(c)["stickered.jpg"]["hits"].empty());

  // Scanning the evidence again computes the cells and finds it.
  auto again = RunCommand(scan);
  EXPECT_EQ(again.exit_code, 10) << again.out << again.err;
  auto s = nlohmann::json::parse(again.out);
  EXPECT_EQ(s["evidence"][0]["geometric_recheck"]["pictures"], 1) << again.out;
  auto files = FilesByPath(c);
  bool region = false;
  for (const auto& h : files["stickered.jpg"]["hits"]) region = region || h["kind"] == "region";
  EXPECT_TRUE(region) << files["stickered.jpg"].dump();
  r = RunCommand(Bin() + " rematch --json --case " + Q(c) + " --index " + Q(idx));
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images_without_region_cells"], 0) << r.out;
  EXPECT_EQ(j["pictures_not_compared"], 0) << r.out;
  EXPECT_EQ(r.exit_code, 10) << r.err;

  // A feature set arrives, but this evidence was scanned with --no-geometric: its examiner chose hashes
  // only, and a scan like it would not compare the pictures either, so none is counted as waiting.
  ASSERT_EQ(RunCommand(Bin() + " index build --index " + Q(idx) + " --set late --category A " +
                       Q(photos / "hill.jpg")).exit_code,
            0);
  r = RunCommand(Bin() + " rematch --json --case " + Q(c) + " --index " + Q(idx));
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images_not_checked_geometrically"], 0) << r.out;
  EXPECT_EQ(j["pictures_not_compared"], 0) << r.out;
  EXPECT_EQ(j["hits_lost"], 0) << r.out;
}

}  // namespace
}  // namespace hashtriage
