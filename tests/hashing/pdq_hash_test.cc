#include "hashing/pdq_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

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

// PDQ as its published description states it, on whole buffers: two passes of (box filter along
// every row, then along every column), each box the reference's running sum (phases: fill half a
// window, grow, slide, shrink; out = sum / samples covered), then the 64x64 samples, the 16x16 DCT
// (float basis, each element summed in ascending order) and the median threshold. hashing/pdq.cc
// streams this (8-row blocks, a ring of rows, only the sampled columns of the second row pass), which
// must not change a single float.
void TextbookBox(const float* in, float* out, int length, int stride, int window) {
  const int half = (window + 2) / 2;
  float sum = 0;
  int covered = 0, right = 0, left = 0, o = 0;
  for (int i = 0; i < half - 1; ++i) sum += in[(right++) * stride], ++covered;
  for (int i = 0; i < window - half + 1; ++i) {
    sum += in[(right++) * stride];
    ++covered;
    out[(o++) * stride] = sum / covered;
  }
  for (int i = 0; i < length - window; ++i) {
    sum += in[(right++) * stride];
    sum -= in[(left++) * stride];
    out[(o++) * stride] = sum / covered;
  }
  for (int i = 0; i < half - 1; ++i) {
    sum -= in[(left++) * stride];
    --covered;
    out[(o++) * stride] = sum / covered;
  }
}

struct Textbook {
  std::array<std::array<float, 64>, 64> samples;
  PdqResult pdq;
};

Textbook TextbookPdq(const LumaImage& im) {
  const int rows = im.height, cols = im.width;
  std::vector<float> a = im.pixels, b(a.size());
  const int along_rows = pdq_internal::JaroszWindowSize(cols, 64);
  const int along_cols = pdq_internal::JaroszWindowSize(rows, 64);
  for (int pass = 0; pass < 2; ++pass) {
    for (int r = 0; r < rows; ++r) TextbookBox(&a[r * cols], &b[r * cols], cols, 1, along_rows);
    for (int c = 0; c < cols; ++c) TextbookBox(&b[c], &a[c], rows, cols, along_cols);
  }
  std::array<std::array<float, 64>, 64> block;
  for (int i = 0; i < 64; ++i)
    for (int j = 0; j < 64; ++j)
      block[i][j] = a[static_cast<int>((i + 0.5) * rows / 64) * cols + static_cast<int>((j + 0.5) * cols / 64)];
  int gradient = 0;
  for (int i = 0; i < 63; ++i)
    for (int j = 0; j < 64; ++j) gradient += static_cast<int>(std::fabs(((block[i][j] - block[i + 1][j]) * 100) / 255));
  for (int i = 0; i < 64; ++i)
    for (int j = 0; j < 63; ++j) gradient += static_cast<int>(std::fabs(((block[i][j] - block[i][j + 1]) * 100) / 255));
  float d[16][64];
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 64; ++j) d[i][j] = static_cast<float>(std::sqrt(2.0 / 64) * std::cos((M_PI / 2.0 / 64) * (i + 1) * (2 * j + 1)));
  float t[16][64] = {}, dct[16][16] = {};
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 64; ++j)
      for (int k = 0; k < 64; ++k) t[i][j] += d[i][k] * block[k][j];
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j)
      for (int k = 0; k < 64; ++k) dct[i][j] += t[i][k] * d[j][k];
  std::vector<float> sorted(&dct[0][0], &dct[0][0] + 256);
  std::nth_element(sorted.begin(), sorted.begin() + 127, sorted.end());
  Textbook out;
  out.samples = block;
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j)
      if (dct[i][j] > sorted[127]) out.pdq.hash.SetBit(16 * i + j);
  out.pdq.quality = std::min(gradient / 90, 100);
  return out;
}

TEST(PdqTest, StreamingFilterIsBitIdenticalToTheTextbookComputation) {
  // Sizes on both sides of 64 (under 64 px some samples repeat) and of 128 (the box grows from 1),
  // odd and even windows; smooth content plus noise so that many coefficients sit near the median.
  std::mt19937 rng(20261207);
  const std::vector<std::pair<int, int>> sizes = {{1, 1},   {7, 3},    {5, 300},  {63, 65},  {64, 64},  {97, 131},
                                                  {128, 129}, {257, 190}, {600, 451}, {1001, 37}, {300, 5}};
  for (const auto& [w, h] : sizes) {
    LumaImage im;
    im.width = w;
    im.height = h;
    im.pixels.resize(static_cast<std::size_t>(w) * h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        im.pixels[y * w + x] = static_cast<float>(std::clamp(128 + 70 * std::sin(x / 9.0) * std::cos(y / 13.0) +
                                                                 static_cast<double>(rng() % 61) - 30, 0.0, 255.0));
    const Textbook expected = TextbookPdq(im);
    // Every one of the 4,096 samples the same float (a reordered sum shows here long before it
    // moves a hash bit), then the hashes.
    const auto samples = pdq_internal::JaroszSamples(im);
    int differing = 0;
    for (int i = 0; i < 64; ++i)
      for (int j = 0; j < 64; ++j) differing += samples[i][j] != expected.samples[i][j];
    EXPECT_EQ(differing, 0) << w << "x" << h;
    const PdqResult ours = ComputePdq(im);
    EXPECT_EQ(ours.hash.hex(), expected.pdq.hash.hex()) << w << "x" << h;
    EXPECT_EQ(ours.quality, expected.pdq.quality) << w << "x" << h;
    EXPECT_EQ(ComputePdqDihedral(im).hashes[0].hex(), expected.pdq.hash.hex()) << w << "x" << h;
  }
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
