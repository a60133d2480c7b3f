// Library mode end to end through the real executable (issue 7): `index build` stores plain hashes,
// robust variants and region cells; a scan of copies edited independently by ImageMagick (a solid
// caption bar along the bottom, a solid sticker, a 90% centre crop) finds each with the match kind that
// explains it, an unrelated photo stays unmatched, and `index lookup --file` / `hash --json` report the
// region cells. Region hits count as near matches in the scan summary.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
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

// Hamming distance of two hex strings of equal length, by popcount of the XOR of each nibble.
int HexHamming(const std::string& a, const std::string& b) {
  EXPECT_EQ(a.size(), b.size());
  int bits = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    bits += std::popcount(static_cast<unsigned>(std::stoi(a.substr(i, 1), nullptr, 16) ^ std::stoi(b.substr(i, 1), nullptr, 16)));
  }
  return bits;
}

// `index lookup --file` as JSON, with its exit code.
struct Lookup {
  int exit_code = -1;
  nlohmann::json matches;
  std::vector<nlohmann::json> Kind(const std::string& kind, bool want) const {
    std::vector<nlohmann::json> out;
    for (const auto& m : matches) {
      if ((m["match_kind"] == kind) == want) out.push_back(m);
    }
    return out;
  }
};

Lookup LookupFile(const std::filesystem::path& index, const std::filesystem::path& file, const std::string& extra = "") {
  const auto run = RunCommand(Bin() + " index lookup --index " + Q(index) + " " + extra + " --file " + Q(file));
  Lookup out;
  out.exit_code = run.exit_code;
  const auto j = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << run.out << run.err;
  if (j.is_discarded()) return out;
  EXPECT_EQ(j["results"].size(), 1u) << run.out;
  out.matches = j["results"][0]["matches"];
  EXPECT_EQ(j["results"][0]["known"].get<bool>(), !out.matches.empty()) << run.out;
  EXPECT_EQ(out.exit_code, out.matches.empty() ? 0 : 10) << run.out << run.err;
  return out;
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
  EXPECT_EQ(scan.exit_code, 10) << scan.err;
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
  const auto captioned = *dir_ / "evidence/captioned.jpg";
  const Lookup standard = LookupFile(index_, captioned);
  ASSERT_EQ(standard.exit_code, 10);
  for (const auto& m : standard.matches) EXPECT_TRUE(m["media_id"].get<std::string>().ends_with("castle.jpg")) << m.dump();

  // The truth, from `hash --json` of the query and of the library picture: same-position cells usable
  // in both, their distances, and the whole-image PDQ distance.
  const auto query = nlohmann::json::parse(RunCommand(Bin() + " hash --json " + Q(captioned)).out);
  const auto library = nlohmann::json::parse(RunCommand(Bin() + " hash --json " + Q(*dir_ / "library/castle.jpg")).out);
  const auto& qc = query["pdq_regions"]["cells"];
  const auto& lc = library["pdq_regions"]["cells"];
  ASSERT_EQ(qc.size(), 16u);
  ASSERT_EQ(lc.size(), 16u);
  int usable = 0;
  std::vector<int> distances;  // same-position cells usable on both sides, sorted
  for (std::size_t c = 0; c < 16; ++c) {
    usable += !qc[c].is_null();
    if (!qc[c].is_null() && !lc[c].is_null()) distances.push_back(HexHamming(qc[c], lc[c]));
  }
  std::sort(distances.begin(), distances.end());
  const int threshold = 31;
  const int matched = static_cast<int>(std::count_if(distances.begin(), distances.end(), [&](int d) { return d <= threshold; }));
  ASSERT_GE(matched, 7) << "the caption must leave the default 7 cells intact for this test";
  ASSERT_LT(matched, 16) << "the caption must spoil at least one cell for this test";
  const int whole_image = HexHamming(query["pdq"], library["pdq"]);
  ASSERT_LE(whole_image, threshold);

  // Besides the region match, exactly one whole-image PDQ match of the library picture.
  const auto whole = standard.Kind("region", false);
  ASSERT_EQ(whole.size(), 1u) << standard.matches.dump(1);
  EXPECT_EQ(whole[0]["match_kind"], "pdq");
  EXPECT_EQ(whole[0]["set"], "lib");
  EXPECT_EQ(whole[0]["distance"], whole_image);

  // Region matches for every --region-cells, from 1 to 16: present exactly while the cells matched at
  // the same position reach it, with the count and the N-th smallest distance; the whole-image match
  // never depends on it. 16 (every cell) is more than the caption leaves intact: no region match, the
  // PDQ match stays and the picture is still known (exit 10).
  for (int cells = 1; cells <= 16; ++cells) {
    SCOPED_TRACE("--region-cells " + std::to_string(cells));
    const Lookup r = cells == 7 ? standard : LookupFile(index_, captioned, "--region-cells " + std::to_string(cells));
    EXPECT_EQ(r.Kind("region", false), whole);
    const auto region = r.Kind("region", true);
    if (cells > matched) {
      EXPECT_TRUE(region.empty()) << r.matches.dump(1);
      continue;
    }
    ASSERT_EQ(region.size(), 1u) << r.matches.dump(1);
    EXPECT_EQ(region[0]["set"], "lib+region");
    EXPECT_TRUE(region[0]["media_id"].get<std::string>().ends_with("castle.jpg"));
    EXPECT_EQ(region[0]["cells_matched"], matched);
    EXPECT_EQ(region[0]["cells_usable"], usable);
    EXPECT_EQ(region[0]["distance"], distances[static_cast<std::size_t>(cells - 1)]);
  }

  // An unrelated photo: no match of any kind, not known, exit 0 (whole-image PDQ and region cells alike).
  const Lookup unrelated = LookupFile(index_, *dir_ / "evidence/unrelated.jpg");
  EXPECT_EQ(unrelated.exit_code, 0);
  EXPECT_TRUE(unrelated.matches.empty()) << unrelated.matches.dump(1);
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
  // Without region cells the captioned copy is still known by its whole-image PDQ, and only by it.
  const Lookup captioned = LookupFile(idx, *dir_ / "evidence/captioned.jpg");
  EXPECT_EQ(captioned.exit_code, 10);
  ASSERT_EQ(captioned.matches.size(), 1u) << captioned.matches.dump(1);
  EXPECT_EQ(captioned.matches[0]["match_kind"], "pdq");
  EXPECT_EQ(captioned.matches[0]["set"], "lib");

  const auto removed = RunCommand(Bin() + " index remove --index " + Q(idx) + " --set lib");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_NE(removed.out.find("removed set 'lib+robust'"), std::string::npos) << removed.out;
  EXPECT_EQ(sets().find("lib"), std::string::npos) << sets();
  // With the library and its derived sets gone, the cropped copy is not known: no match, exit 0.
  const Lookup cropped = LookupFile(idx, *dir_ / "evidence/cropped.jpg");
  EXPECT_EQ(cropped.exit_code, 0);
  EXPECT_TRUE(cropped.matches.empty()) << cropped.matches.dump(1);
}

}  // namespace
}  // namespace hashtriage
