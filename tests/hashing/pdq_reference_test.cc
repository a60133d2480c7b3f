// PDQ against Meta's reference outputs in ../shared/testdata (the acceptance rules of the hashing
// issue): pdq-reference-fullres*.csv come from Meta's C++ core on the full image, pdq-reference*.csv
// from the pdq-photo-hasher program (512x512 nearest-neighbour pre-resize).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "hashing/image_hasher.h"
#include "tests/test_support.h"

namespace hashtriage::hashing {
namespace {

struct ReferenceRow {
  std::vector<std::string> hashes;  // 1 or 8
  int quality = 0;
  std::string path;
};

std::vector<ReferenceRow> LoadReference(const std::string& name) {
  std::ifstream in(testing::TestDataDir() / name);
  std::vector<ReferenceRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(f);
    if (fields.size() < 3) continue;
    ReferenceRow row;
    row.path = fields.back();
    row.quality = std::stoi(fields[fields.size() - 2]);
    row.hashes.assign(fields.begin(), fields.end() - 2);
    rows.push_back(row);
  }
  return rows;
}

struct Agreement {
  int small_total = 0, small_identical = 0, small_worst = 0;
  int large_total = 0, large_identical = 0, large_worst = 0;
  std::vector<int> large_distances;
  int worst_quality_gap = 0;
};

Agreement Compare(const std::string& reference_file, bool compat, bool dihedral) {
  const auto rows = LoadReference(reference_file);
  EXPECT_GT(rows.size(), 100u) << reference_file;
  Agreement a;
  ImageHashOptions options;
  options.photo_hasher_compat = compat;
  options.dihedral = dihedral;
  for (const auto& row : rows) {
    const auto bytes = testing::ReadBytes(testing::TestDataDir() / row.path);
    auto hashes = HashImage(bytes, options);
    EXPECT_TRUE(hashes.ok()) << row.path << ": " << hashes.status().ToString();
    if (!hashes.ok()) continue;
    int distance = 0;
    for (std::size_t v = 0; v < row.hashes.size(); ++v) {
      const PdqHash ours = dihedral ? (*hashes->dihedral)[v] : hashes->pdq.hash;
      distance = std::max(distance, HammingDistance(ours, *PdqHash::FromHex(row.hashes[v])));
    }
    a.worst_quality_gap = std::max(a.worst_quality_gap, std::abs(hashes->pdq.quality - row.quality));
    if (hashes->width <= 512 && hashes->height <= 512) {
      ++a.small_total;
      a.small_identical += distance == 0;
      a.small_worst = std::max(a.small_worst, distance);
    } else if (row.quality >= 80) {
      ++a.large_total;
      a.large_identical += distance == 0;
      a.large_worst = std::max(a.large_worst, distance);
      a.large_distances.push_back(distance);
    }
  }
  return a;
}

void ExpectFullResolutionRules(const Agreement& a) {
  ASSERT_GT(a.small_total, 0);
  ASSERT_GT(a.large_total, 0);
  EXPECT_GE(a.small_identical * 100, a.small_total * 95);
  EXPECT_LE(a.small_worst, 2);
  EXPECT_GE(a.large_identical * 100, a.large_total * 85);
  EXPECT_LE(a.large_worst, 16);
  auto distances = a.large_distances;
  std::nth_element(distances.begin(), distances.begin() + distances.size() / 2, distances.end());
  EXPECT_EQ(distances[distances.size() / 2], 0);
  EXPECT_LE(a.worst_quality_gap, 5);
  std::printf("small: %d/%d identical (worst %d bits); large q>=80: %d/%d identical (worst %d bits)\n",
              a.small_identical, a.small_total, a.small_worst, a.large_identical, a.large_total, a.large_worst);
}

void ExpectCompatRules(const Agreement& a) {
  const int total = a.small_total + a.large_total;
  const int identical = a.small_identical + a.large_identical;
  EXPECT_GE(identical * 100, total * 95);
  EXPECT_LE(std::max(a.small_worst, a.large_worst), 2);
  EXPECT_LE(a.worst_quality_gap, 5);
  std::printf("compat: %d/%d identical\n", identical, total);
}

TEST(PdqReferenceTest, FullResolutionAgreesWithMetaCore) {
  ExpectFullResolutionRules(Compare("pdq-reference-fullres.csv", false, false));
}

TEST(PdqReferenceTest, FullResolutionDihedralAgreesWithMetaCore) {
  ExpectFullResolutionRules(Compare("pdq-reference-fullres-dihedral.csv", false, true));
}

TEST(PdqReferenceTest, CompatModeReproducesPdqPhotoHasher) {
  ExpectCompatRules(Compare("pdq-reference.csv", true, false));
}

TEST(PdqReferenceTest, CompatModeDihedralReproducesPdqPhotoHasher) {
  ExpectCompatRules(Compare("pdq-reference-dihedral.csv", true, true));
}

TEST(PdqReferenceTest, FullDecodeWithoutScalingIsBitIdenticalToMetaCore) {
  // With libjpeg DCT scaling disabled we feed exactly the reference's pixels: Meta's rule for
  // ports is then an identical hash.
  ImageHashOptions options;
  options.decode.min_short_side = 0;
  int compared = 0;
  for (const auto& row : LoadReference("pdq-reference-fullres.csv")) {
    auto hashes = HashImage(testing::ReadBytes(testing::TestDataDir() / row.path), options);
    ASSERT_TRUE(hashes.ok()) << row.path;
    EXPECT_EQ(hashes->pdq.hash.hex(), row.hashes[0]) << row.path;
    EXPECT_EQ(hashes->pdq.quality, row.quality) << row.path;
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

TEST(PdqReferenceTest, RgbaPngsAbsentFromReferenceStillHash) {
  int hashed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::TestDataDir() / "photos/gnome-faces")) {
    if (entry.path().filename().string().rfind("legacy-", 0) != 0) continue;
    auto hashes = HashImage(testing::ReadBytes(entry.path()));
    ASSERT_TRUE(hashes.ok()) << entry.path() << ": " << hashes.status().ToString();
    EXPECT_EQ(hashes->format, ImageFormat::kPng);
    EXPECT_GT(hashes->pdq.quality, 0);
    ++hashed;
  }
  EXPECT_EQ(hashed, 4);
}

}  // namespace
}  // namespace hashtriage::hashing
