// Library mode (issue 7): BuildLibrarySets stores the plain digests/PDQ of every file (checked against
// coreutils md5sum) and the robust variants in NAME+robust, so that a 90% centre crop and a 4 degree
// rotation made independently by ImageMagick are found with the right match kind while plain PDQ
// misses the crop; bad files are counted and listed without stopping the rest.
#include "index/library_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "hashing/image_hasher.h"
#include "index/known_index.h"
#include "index/region_matcher.h"
#include "tests/test_support.h"

namespace hashtriage::index {
namespace {

using testing::ReadBytes;
using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;

std::unique_ptr<KnownIndex> OpenLibraryIndex(const std::string& dir, bool read_only) {
  IndexOptions o;
  o.path = dir;
  o.read_only = read_only;
  o.load_pdq = read_only;
  auto r = KnownIndex::Open(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(*r);
}

hashing::ImageHashes Hash(const std::filesystem::path& p) {
  const auto bytes = ReadBytes(p);
  auto h = hashing::HashImage(bytes, {});
  EXPECT_TRUE(h.ok()) << p;
  return *h;
}

TEST(LibraryBuildTest, CropsAndRotationsAreFoundWithTheirMatchKind) {
  TempDir tmp;
  const auto lib = tmp / "lib";
  std::filesystem::create_directories(lib / "sub");
  const auto photos = testing::TestDataDir() / "photos" / "scratch";
  std::filesystem::copy_file(photos / "castle.jpg", lib / "castle.jpg");
  std::filesystem::copy_file(photos / "hill.jpg", lib / "sub" / "hill.jpg");
  testing::WriteText(lib / "notes.txt", "not an image\n");
  testing::WriteText(lib / "broken.jpg", std::string("\xff\xd8\xff\xe0garbage", 12));

  {
    auto idx = OpenLibraryIndex((tmp / "idx").string(), false);
    LibraryBuildOptions o;
    o.set = "lib";
    o.category = Category::kA;
    auto report = BuildLibrarySets(*idx, o, {lib.string()});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->files, 4u);
    EXPECT_EQ(report->images, 2u);
    EXPECT_EQ(report->failed, 1u);
    ASSERT_EQ(report->errors.size(), 1u);
    EXPECT_NE(report->errors[0].find("broken.jpg"), std::string::npos);
    EXPECT_EQ(report->plain.entries.at(HashType::kMd5), 4u);
    EXPECT_EQ(report->plain.entries.at(HashType::kPdq), 2u);
    EXPECT_EQ(report->robust.name, "lib+robust");
    EXPECT_EQ(report->robust.entries.at(HashType::kPdq), report->variant_hashes);
    EXPECT_GE(report->variant_hashes, 8u);  // crops 95/90 and +/-4 degrees for each image
  }
  auto idx = OpenLibraryIndex((tmp / "idx").string(), true);

  // Exact digests against coreutils.
  const auto md5 = RunCommand("md5sum " + ShellQuote((lib / "castle.jpg").string()) + " | cut -c1-32");
  ASSERT_EQ(md5.exit_code, 0);
  const auto digest = hashing::Md5Digest::FromHex(md5.out.substr(0, 32));
  ASSERT_TRUE(digest.ok());
  auto found = idx->LookupMd5(std::span(&*digest, 1));
  ASSERT_TRUE(found.ok());
  ASSERT_EQ((*found)[0].size(), 1u);
  EXPECT_EQ((*found)[0][0].set_name, "lib");
  EXPECT_EQ((*found)[0][0].info.category, Category::kA);

  // Independent transforms by ImageMagick.
  const auto crop = tmp / "hill_crop.jpg";
  const auto rot = tmp / "castle_rot.jpg";
  ASSERT_EQ(RunCommand("convert " + ShellQuote((lib / "sub" / "hill.jpg").string()) +
                       " -gravity center -crop 90%x90%+0+0 +repage " + ShellQuote(crop.string()))
                .exit_code,
            0);
  ASSERT_EQ(RunCommand("convert " + ShellQuote((lib / "castle.jpg").string()) + " -background white -rotate 4 " +
                       ShellQuote(rot.string()))
                .exit_code,
            0);
  struct Case {
    std::filesystem::path file;
    std::string kind_prefix;
    std::string media_suffix;
  };
  for (const Case& c : {Case{crop, "pdq-crop90", "hill.jpg"}, Case{rot, "pdq-rot", "castle.jpg"}}) {
    const hashing::ImageHashes q = Hash(c.file);
    auto r = idx->SearchPdq(std::span(&q.pdq.hash, 1), kDefaultPdqThreshold);
    ASSERT_TRUE(r.ok());
    bool variant = false;
    for (const PdqMatch& m : (*r)[0]) {
      const auto kind = LibraryMatchKind(m.membership);
      if (kind && kind->starts_with(c.kind_prefix) && m.membership.info.media_id.ends_with(c.media_suffix)) {
        variant = true;
      }
      EXPECT_TRUE(m.membership.info.media_id.ends_with(c.media_suffix)) << m.membership.info.media_id;
    }
    EXPECT_TRUE(variant) << c.file;
  }
  // The crop is out of plain PDQ's reach: only the variant finds it.
  const hashing::ImageHashes q = Hash(crop);
  auto plain = idx->SearchPdq(std::span(&q.pdq.hash, 1), kDefaultPdqThreshold);
  ASSERT_TRUE(plain.ok());
  for (const PdqMatch& m : (*plain)[0]) {
    if (!IsRegionCell(m.membership)) {
      EXPECT_EQ(m.membership.set_name, "lib+robust");
    }
  }
}

// Region cells: SearchRegions over the index gives exactly the brute-force RegionDistance of the two
// images' signatures (min_cells-th smallest same-position cell distance), for a captioned copy made by
// ImageMagick; another library image does not match; the set holds only usable cells.
TEST(LibraryBuildTest, RegionSearchAgreesWithBruteForceRegionDistance) {
  TempDir tmp;
  const auto lib = tmp / "lib";
  std::filesystem::create_directories(lib);
  const auto photos = testing::TestDataDir() / "photos" / "scratch";
  for (const char* name : {"castle.jpg", "hall.jpg"}) std::filesystem::copy_file(photos / name, lib / name);
  std::uint64_t usable_cells = 0;
  {
    auto idx = OpenLibraryIndex((tmp / "idx").string(), false);
    LibraryBuildOptions o;
    o.set = "lib";
    o.category = Category::kB;
    auto report = BuildLibrarySets(*idx, o, {lib.string()});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->region.name, "lib+region");
    usable_cells = report->region_cells;
    EXPECT_EQ(report->region.entries.at(HashType::kPdq), usable_cells);
  }
  auto idx = OpenLibraryIndex((tmp / "idx").string(), true);
  EXPECT_TRUE(HasRegionSets(*idx));
  const auto captioned = tmp / "captioned.jpg";
  const auto size = RunCommand("identify -format '%w %h' " + ShellQuote((lib / "castle.jpg").string()));
  int w = 0, h = 0;
  ASSERT_EQ(std::sscanf(size.out.c_str(), "%d %d", &w, &h), 2) << size.out << size.err;
  const std::string bar = "rectangle 0," + std::to_string(h * 86 / 100) + " " + std::to_string(w) + "," + std::to_string(h);
  ASSERT_EQ(RunCommand("convert " + ShellQuote((lib / "castle.jpg").string()) + " -fill black -draw '" + bar + "' " +
                       ShellQuote(captioned.string()))
                .exit_code,
            0);
  auto signature = [](const std::filesystem::path& p) {
    const auto bytes = ReadBytes(p);
    auto d = hashing::DecodeImage(bytes, {});
    EXPECT_TRUE(d.ok()) << p;
    return hashing::ComputeRegionHashes(d->luma);
  };
  const hashing::RegionSignature q = signature(captioned);
  const int min_cells = hashing::RegionOptions{}.min_cells;
  std::uint64_t expected_cells = 0;
  for (const auto& f : {lib / "castle.jpg", lib / "hall.jpg"}) {
    const auto s = signature(f);
    expected_cells += static_cast<std::uint64_t>(std::count(s.ok.begin(), s.ok.end(), 1));
  }
  EXPECT_EQ(usable_cells, expected_cells);
  const int brute = hashing::RegionDistance(q, signature(lib / "castle.jpg"), min_cells);
  ASSERT_LE(brute, kDefaultPdqThreshold) << "the caption should leave enough cells";
  auto found = SearchRegions(*idx, q, kDefaultPdqThreshold, min_cells);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].path, (lib / "castle.jpg").string());
  EXPECT_EQ((*found)[0].set, "lib+region");
  EXPECT_EQ((*found)[0].distance, brute);
  EXPECT_GE((*found)[0].cells, min_cells);
  EXPECT_GT(hashing::RegionDistance(q, signature(lib / "hall.jpg"), min_cells), kDefaultPdqThreshold);
  // Asking for every usable cell of the query (the caption spoils some) finds nothing.
  auto strict = SearchRegions(*idx, q, kDefaultPdqThreshold, static_cast<int>(q.cells.size()));
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE(strict->empty());
}

TEST(LibraryBuildTest, RegionCellIdsRoundTripAndOnlyInRegionSets) {
  Membership m;
  m.hash_type = HashType::kPdq;
  m.set_name = "lib+region";
  m.info.media_id = RegionCellMediaId(4, 13, "/lib/a:b.jpg");
  const auto id = ParseRegionCell(m);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->grid, 4);
  EXPECT_EQ(id->cell, 13);
  EXPECT_EQ(id->path, "/lib/a:b.jpg");
  EXPECT_TRUE(IsRegionCell(m));
  m.info.media_id = "region:4:16:/x.jpg";  // cell out of the grid
  EXPECT_FALSE(IsRegionCell(m));
  m.info.media_id = "region:4:x:/x.jpg";
  EXPECT_FALSE(IsRegionCell(m));
  m.info.media_id = RegionCellMediaId(4, 1, "/x.jpg");
  m.set_name = "lib";  // an ordinary set whose media id happens to look like one
  EXPECT_FALSE(IsRegionCell(m));
  m.set_name = "lib+region";
  m.hash_type = HashType::kMd5;
  EXPECT_FALSE(IsRegionCell(m));
}

TEST(LibraryBuildTest, MatchKindOnlyForRobustSets) {
  Membership m;
  m.hash_type = HashType::kPdq;
  m.set_name = "lib";
  m.info.media_id = "pdq-crop90:/x.jpg";
  EXPECT_FALSE(LibraryMatchKind(m).has_value());
  m.set_name = "lib+robust";
  EXPECT_EQ(LibraryMatchKind(m).value_or(""), "pdq-crop90");
}

}  // namespace
}  // namespace hashtriage::index
