#include "hashing/pdq_hash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hashing/pdq.h"

namespace hashtriage::hashing {
namespace {

TEST(PdqHashTest, HexRoundTripKeepsMostSignificantWordFirst) {
  PdqHash h;
  h.SetBit(0);    // lowest bit: last hex digit
  h.SetBit(255);  // highest bit: first hex digit
  EXPECT_EQ(h.hex(), "8000000000000000000000000000000000000000000000000000000000000001");
  auto parsed = PdqHash::FromHex(h.hex());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, h);
}

TEST(PdqHashTest, HammingDistanceAgreesWithBitByBitCount) {
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 100; ++trial) {
    PdqHash a, b;
    for (int w = 0; w < 4; ++w) {
      a.words[w] = rng();
      b.words[w] = rng();
    }
    int expected = 0;
    for (int k = 0; k < 256; ++k) expected += a.GetBit(k) != b.GetBit(k);
    EXPECT_EQ(HammingDistance(a, b), expected);
  }
}

TEST(PdqHashTest, RejectsMalformedHex) {
  EXPECT_FALSE(PdqHash::FromHex("abc").ok());
  EXPECT_FALSE(PdqHash::FromHex(std::string(63, '0') + "z").ok());
}

TEST(PdqTest, JaroszWindowIsCeilOfDimensionOver128) {
  EXPECT_EQ(pdq_internal::JaroszWindowSize(64, 64), 1);
  EXPECT_EQ(pdq_internal::JaroszWindowSize(128, 64), 1);
  EXPECT_EQ(pdq_internal::JaroszWindowSize(129, 64), 2);
  EXPECT_EQ(pdq_internal::JaroszWindowSize(4000, 64), 32);
}

TEST(PdqTest, MedianThresholdSetsHalfTheBitsOnNaturalImages) {
  LumaImage img;
  img.width = 200;
  img.height = 150;
  std::mt19937 rng(3);
  img.pixels.resize(200 * 150);
  for (int y = 0; y < 150; ++y)
    for (int x = 0; x < 200; ++x) img.pixels[y * 200 + x] = static_cast<float>((x * 3 + y * 2 + rng() % 40) % 256);
  const PdqResult r = ComputePdq(img);
  EXPECT_EQ(r.hash.PopCount(), 128);
}

TEST(PdqTest, DihedralOfRotatedImageContainsOriginalHash) {
  // Hash of a 90-degree-rotated image must appear among the dihedral hashes of the original.
  LumaImage img;
  img.width = 96;
  img.height = 64;
  img.pixels.resize(96 * 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 96; ++x)
      img.pixels[y * 96 + x] = static_cast<float>(128 + 60 * std::sin(x / 7.0) + 50 * std::cos(y / 5.0 + x / 11.0));
  LumaImage rotated;
  rotated.width = 64;
  rotated.height = 96;
  rotated.pixels.resize(96 * 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 96; ++x) rotated.pixels[x * 64 + (63 - y)] = img.pixels[y * 96 + x];  // clockwise
  const PdqDihedralResult all = ComputePdqDihedral(img);
  const PdqHash rotated_hash = ComputePdq(rotated).hash;
  int best = 256;
  for (const auto& h : all.hashes) best = std::min(best, HammingDistance(h, rotated_hash));
  EXPECT_LE(best, 8);  // box-filter boundaries differ slightly after rotation
}

TEST(PdqTest, ResizeNearestMatchesCImgIndexing) {
  LumaImage img;
  img.width = 5;
  img.height = 1;
  img.pixels = {0, 1, 2, 3, 4};
  const LumaImage out = ResizeNearest(img, 3, 1);
  // floor(x * 5 / 3) for x = 0, 1, 2 -> 0, 1, 3
  EXPECT_EQ(out.pixels, (std::vector<float>{0, 1, 3}));
}

}  // namespace
}  // namespace hashtriage::hashing
