// Robust variants (issue 7): border trimming finds exactly the padding that was added, the trimmed
// hashes are bit-identical to PDQ of the unpadded picture, and rotations/crops behave as stated.
#include "hashing/robust_variants.h"

#include <cmath>
#include <numbers>
#include <random>

#include <gtest/gtest.h>

#include "hashing/pdq.h"

namespace hashtriage::hashing {
namespace {

// A textured picture whose edges are not uniform: a sum of random sinusoids, 0..255.
LumaImage Picture(int width, int height, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double fx[4], fy[4], ph[4];
  for (int k = 0; k < 4; ++k) fx[k] = 1 + 9 * u(rng), fy[k] = 1 + 9 * u(rng), ph[k] = 6.28 * u(rng);
  LumaImage im{width, height, std::vector<float>(static_cast<std::size_t>(width) * height)};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      double v = 0;
      for (int k = 0; k < 4; ++k) v += std::sin(fx[k] * x / width * 6.28 + fy[k] * y / height * 6.28 + ph[k]);
      im.pixels[static_cast<std::size_t>(y) * width + x] = static_cast<float>(127.5 + 30 * v);
    }
  }
  return im;
}

// `inner` placed at (left, top) on a canvas of the given size; each side's border has its own value,
// plus uniform noise of +/- `jitter` (JPEG-like ringing).
LumaImage Pad(const LumaImage& inner, int left, int top, int right, int bottom, float jitter, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> n(-jitter, jitter);
  const int w = inner.width + left + right;
  const int h = inner.height + top + bottom;
  LumaImage out{w, h, std::vector<float>(static_cast<std::size_t>(w) * h)};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      float v;
      if (y < top) v = 10;  // black-ish bar
      else if (y >= top + inner.height) v = 20;
      else if (x < left) v = 245;  // white-ish frame
      else if (x >= left + inner.width) v = 250;
      else v = inner.at(y - top, x - left);
      const bool border = y < top || y >= top + inner.height || x < left || x >= left + inner.width;
      out.pixels[static_cast<std::size_t>(y) * w + x] = border ? v + n(rng) : v;
    }
  }
  return out;
}

TEST(RobustVariantsTest, TrimFindsExactlyThePadding) {
  const LumaImage inner = Picture(300, 200, 1);
  const LumaImage padded = Pad(inner, 17, 40, 9, 33, 4.0f, 2);
  const TrimBox box = FindUniformBorders(padded);
  EXPECT_EQ(box, (TrimBox{17, 40, 17 + 300, 40 + 200}));
}

TEST(RobustVariantsTest, TrimmedHashesEqualPdqOfTheUnpaddedPicture) {
  const LumaImage inner = Picture(256, 320, 3);
  const LumaImage padded = Pad(inner, 30, 30, 30, 30, 0.0f, 4);
  const auto variants = ComputeQueryVariants(padded);
  ASSERT_EQ(variants.size(), static_cast<std::size_t>(kDihedralCount));
  const PdqDihedralResult want = ComputePdqDihedral(inner);
  for (int i = 0; i < kDihedralCount; ++i) {
    EXPECT_EQ(variants[static_cast<std::size_t>(i)].match_kind, "pdq-trimmed");
    EXPECT_EQ(variants[static_cast<std::size_t>(i)].dihedral, static_cast<Dihedral>(i));
    EXPECT_EQ(variants[static_cast<std::size_t>(i)].hash, want.hashes[static_cast<std::size_t>(i)]) << i;
  }
  // And the padded picture's own PDQ is far from it (the reason for trimming).
  EXPECT_GT(HammingDistance(ComputePdq(padded).hash, want.hashes[0]), 31);
}

TEST(RobustVariantsTest, NoBorderMeansNoVariantAndBlankIsNotTrimmed) {
  const LumaImage plain = Picture(200, 150, 5);
  EXPECT_EQ(FindUniformBorders(plain), (TrimBox{0, 0, 200, 150}));
  EXPECT_TRUE(ComputeQueryVariants(plain).empty());
  const LumaImage blank{64, 64, std::vector<float>(64 * 64, 128.0f)};
  EXPECT_EQ(FindUniformBorders(blank), (TrimBox{0, 0, 64, 64}));
  // A border thinner than min_border_pixels is ignored.
  const LumaImage thin = Pad(Picture(100, 100, 6), 1, 0, 0, 0, 0.0f, 7);
  EXPECT_EQ(FindUniformBorders(thin), (TrimBox{0, 0, 101, 100}));
  // Noise beyond the tolerance is not a border.
  const LumaImage noisy = Pad(Picture(100, 100, 8), 10, 10, 10, 10, 60.0f, 9);
  EXPECT_EQ(FindUniformBorders(noisy), (TrimBox{0, 0, 120, 120}));
}

TEST(RobustVariantsTest, RotationGrowsTheCanvasAndFillsCorners) {
  const LumaImage im = Picture(120, 80, 10);
  const LumaImage same = RotateLuma(im, 0.0, 255.0f);
  ASSERT_EQ(same.width, 120);
  ASSERT_EQ(same.height, 80);
  // Convention: the source centre maps to half the exact canvas size, i.e. a half-pixel shift, so each
  // interior output pixel is the mean of a 2x2 source block.
  for (int y = 1; y < 80; ++y) {
    for (int x = 1; x < 120; ++x) {
      const float want = (im.at(y - 1, x - 1) + im.at(y - 1, x) + im.at(y, x - 1) + im.at(y, x)) / 4;
      ASSERT_NEAR(same.at(y, x), want, 1e-3) << y << "," << x;
    }
  }
  const LumaImage r = RotateLuma(im, 4.0, 255.0f);
  const double a = 4.0 * std::numbers::pi / 180.0;
  EXPECT_EQ(r.width, static_cast<int>(std::lround(120 * std::cos(a) + 80 * std::sin(a))));
  EXPECT_EQ(r.height, static_cast<int>(std::lround(120 * std::sin(a) + 80 * std::cos(a))));
  EXPECT_EQ(r.at(0, 0), 255.0f);
  EXPECT_EQ(r.at(r.height - 1, r.width - 1), 255.0f);
}

TEST(RobustVariantsTest, LibraryVariantsMatchTheirTransforms) {
  const LumaImage im = Picture(400, 300, 11);
  const auto lib = ComputeLibraryVariants(im);
  auto find = [&](std::string_view kind) -> const PdqVariant* {
    for (const auto& v : lib) {
      if (v.match_kind == kind) return &v;
    }
    return nullptr;
  };
  ASSERT_EQ(find("pdq-trimmed"), nullptr);  // nothing to trim
  const PdqVariant* crop = find("pdq-crop90");
  ASSERT_NE(crop, nullptr);
  // Centre crop 90% computed independently: 360x270 at (20, 15).
  EXPECT_LE(HammingDistance(crop->hash, ComputePdq(CropLuma(im, {20, 15, 380, 285})).hash), 4);
  const PdqVariant* rot = find("pdq-rot+4");
  ASSERT_NE(rot, nullptr);
  EXPECT_LE(HammingDistance(rot->hash, ComputePdq(RotateLuma(im, 4.0, 255.0f)).hash), 4);
}

TEST(RobustVariantsTest, DownscaleAveragesAreas) {
  LumaImage im{4, 2, {0, 2, 4, 6, 8, 10, 12, 14}};
  const LumaImage d = DownscaleLuma(im, 2);
  ASSERT_EQ(d.width, 2);
  ASSERT_EQ(d.height, 1);
  EXPECT_FLOAT_EQ(d.pixels[0], (0 + 2 + 8 + 10) / 4.0f);
  EXPECT_FLOAT_EQ(d.pixels[1], (4 + 6 + 12 + 14) / 4.0f);
}

// `image` with the rectangle [left, right) x [top, bottom) filled with `value`.
LumaImage Fill(LumaImage image, int left, int top, int right, int bottom, float value) {
  for (int y = top; y < bottom; ++y) {
    for (int x = left; x < right; ++x) image.pixels[static_cast<std::size_t>(y) * image.width + x] = value;
  }
  return image;
}

TEST(RobustVariantsTest, SymmetricTrimRestoresAContentEdgeThatMergedWithTheBar) {
  // A centred letterbox whose content has a dark left edge the same colour as the bars: trimming cuts
  // 20 px deeper on the left, the equal-margin box is the true content.
  const LumaImage content = Fill(Picture(240, 240, 21), 0, 0, 20, 240, 10.0f);
  LumaImage canvas{320, 240, std::vector<float>(320 * 240, 10.0f)};
  for (int y = 0; y < 240; ++y) {
    for (int x = 0; x < 240; ++x) canvas.pixels[static_cast<std::size_t>(y) * 320 + 40 + x] = content.at(y, x);
  }
  const TrimBox box = FindUniformBorders(canvas);
  ASSERT_EQ(box.left, 60);
  ASSERT_EQ(box.right, 280);
  const auto variants = ComputeQueryVariants(canvas);
  ASSERT_EQ(variants.size(), 2u * kDihedralCount);
  const PdqHash truth = ComputePdq(content).hash;
  EXPECT_EQ(variants[kDihedralCount].hash, truth);  // the equal-margin box, original orientation
  EXPECT_GT(HammingDistance(variants[0].hash, truth), 0);
  RobustOptions no_symmetric;
  no_symmetric.symmetric_trim = false;
  EXPECT_EQ(ComputeQueryVariants(canvas, no_symmetric).size(), static_cast<std::size_t>(kDihedralCount));
}

TEST(RobustVariantsTest, RegionHashesSurviveACaptionBarAndAStickerButNotAnotherPicture) {
  const LumaImage picture = Picture(512, 384, 31);
  const RegionOptions options;
  const RegionSignature original = ComputeRegionHashes(picture, options);
  ASSERT_EQ(original.grid, 4);
  ASSERT_EQ(original.cells.size(), 16u);
  // A black caption bar over the bottom 10%, and a solid sticker over 30% x 30% of the picture.
  const LumaImage caption = Fill(picture, 0, 346, 512, 384, 0.0f);
  const LumaImage sticker = Fill(picture, 200, 100, 354, 215, 200.0f);
  for (const LumaImage* edited : {&caption, &sticker}) {
    EXPECT_LE(RegionDistance(original, ComputeRegionHashes(*edited, options), options.min_cells), 31);
  }
  EXPECT_GT(RegionDistance(original, ComputeRegionHashes(Picture(512, 384, 32), options), options.min_cells), 31);
}

TEST(RobustVariantsTest, RegionDistanceIsTheNthSmallestAmongCellsUsableInBoth) {
  RegionSignature a, b;
  a.grid = b.grid = 2;
  a.cells.assign(4, PdqHash{});
  b.cells.assign(4, PdqHash{});
  a.ok = {1, 1, 1, 1};
  b.ok = {1, 1, 1, 0};  // cell 3 is flat in b: never counted
  // Cell distances 5, 40, 12 and (unusable) 0; computed independently by flipping bits.
  const int flips[4] = {5, 40, 12, 0};
  for (int cell = 0; cell < 4; ++cell) {
    for (int bit = 0; bit < flips[cell]; ++bit) b.cells[static_cast<std::size_t>(cell)].SetBit(bit * 5 % 256);
  }
  EXPECT_EQ(RegionDistance(a, b, 1), 5);
  EXPECT_EQ(RegionDistance(a, b, 2), 12);
  EXPECT_EQ(RegionDistance(a, b, 3), 40);
  EXPECT_EQ(RegionDistance(a, b, 4), 257);  // only three cells are usable in both
  // A flat picture has no usable cell: it can never match by region.
  const LumaImage blank{256, 256, std::vector<float>(256 * 256, 128.0f)};
  const RegionSignature flat = ComputeRegionHashes(blank);
  EXPECT_EQ(RegionDistance(flat, flat, 1), 257);
}

}  // namespace
}  // namespace hashtriage::hashing
