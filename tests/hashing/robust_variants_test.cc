// Robust variants (issue 7): border trimming finds exactly the padding that was added, the trimmed
// hashes are bit-identical to PDQ of the unpadded picture, and rotations/crops behave as stated.
#include "hashing/robust_variants.h"

#include <algorithm>
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

// The query options of the first trimming: DCT-trick orientations, no upscaled copy.
RobustOptions TrimOnly() {
  RobustOptions o;
  o.reoriented = false;
  o.trimmed_upscale_side = 0;
  return o;
}

TEST(RobustVariantsTest, TrimmedHashesEqualPdqOfTheUnpaddedPicture) {
  const LumaImage inner = Picture(256, 320, 3);
  const LumaImage padded = Pad(inner, 30, 30, 30, 30, 0.0f, 4);
  const auto variants = ComputeQueryVariants(padded, TrimOnly());
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
  EXPECT_TRUE(ComputeQueryVariants(plain, TrimOnly()).empty());
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
  const auto variants = ComputeQueryVariants(canvas, TrimOnly());
  ASSERT_EQ(variants.size(), 2u * kDihedralCount);
  const PdqHash truth = ComputePdq(content).hash;
  EXPECT_EQ(variants[kDihedralCount].hash, truth);  // the equal-margin box, original orientation
  EXPECT_GT(HammingDistance(variants[0].hash, truth), 0);
  RobustOptions no_symmetric = TrimOnly();
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


// Fine texture (uniform noise, 0..255): PDQ's grid sampling of it is sensitive to a one-pixel shift.
LumaImage Noise(int width, int height, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 255.0f);
  LumaImage im{width, height, std::vector<float>(static_cast<std::size_t>(width) * height)};
  for (float& v : im.pixels) v = u(rng);
  return im;
}

// `im` with its columns and/or rows reversed, optionally then transposed (pixels moved, nothing else).
LumaImage Turn(const LumaImage& im, bool flip_rows, bool flip_cols, bool transpose) {
  LumaImage out{transpose ? im.height : im.width, transpose ? im.width : im.height, std::vector<float>(im.pixels.size())};
  for (int y = 0; y < im.height; ++y) {
    for (int x = 0; x < im.width; ++x) {
      const float v = im.at(flip_rows ? im.height - 1 - y : y, flip_cols ? im.width - 1 - x : x);
      out.pixels[transpose ? static_cast<std::size_t>(x) * out.width + y : static_cast<std::size_t>(y) * out.width + x] = v;
    }
  }
  return out;
}

TEST(RobustVariantsTest, ReorientedHashesArePdqOfThePhysicallyTurnedPicture) {
  // Meta's orientations as pixel moves: kFlipX reverses the rows, kFlipY the columns, kRotate90 is
  // the transpose with its rows reversed, kRotate270 the transpose with its columns reversed.
  for (const LumaImage& im : {Picture(301, 203, 41), Noise(512, 384, 42), Noise(97, 131, 43), Noise(40, 70, 45), Noise(7, 5, 46), Noise(300, 20, 47)}) {
    const PdqDihedralResult r = ComputePdqReoriented(im);
    EXPECT_EQ(r.quality, ComputePdq(im).quality);
    const LumaImage turned[kDihedralCount] = {
        im, Turn(Turn(im, false, false, true), true, false, false), Turn(im, true, true, false),
        Turn(Turn(im, false, false, true), false, true, false), Turn(im, true, false, false),
        Turn(im, false, true, false), Turn(im, false, false, true), Turn(im, true, true, true)};
    for (int d = 0; d < kDihedralCount; ++d) {
      // Equal up to float summation order (a coefficient at the median may flip).
      EXPECT_LE(HammingDistance(r.hashes[static_cast<std::size_t>(d)], ComputePdq(turned[d]).hash), 2)
          << DihedralName(static_cast<Dihedral>(d)) << " " << im.width << "x" << im.height;
    }
  }
}

TEST(RobustVariantsTest, AMirroredOrTurnedTextureMatchesThroughReorientedQueries) {
  // The DCT sign-flip trick assumes PDQ samples a mirrored picture where it sampled the original; it
  // does not (even box windows and the sample rows lean to one side), so on a fine texture the
  // trick's hash lands far away. The re-oriented query hashes land on the original's plain PDQ.
  const LumaImage original = Noise(512, 512, 44);
  const PdqHash library = ComputePdq(original).hash;
  const LumaImage copies[] = {Turn(original, false, true, false),  // mirror
                              Turn(original, true, false, true),   // 90 degrees clockwise
                              Turn(original, true, true, false)};  // 180 degrees
  for (const LumaImage& copy : copies) {
    int trick = 256;
    for (const PdqHash& h : ComputePdqDihedral(copy).hashes) trick = std::min(trick, HammingDistance(h, library));
    int best = 256;
    for (const PdqVariant& v : ComputeQueryVariants(copy)) {
      EXPECT_EQ(v.match_kind, "pdq-reoriented");  // no border: only the re-oriented hashes
      best = std::min(best, HammingDistance(v.hash, library));
    }
    EXPECT_LE(best, 2);
    EXPECT_GT(trick, 31);
  }
  // Six hashes (kOriginal and kFlipPlus1 are exact in the plain dihedral set already).
  EXPECT_EQ(ComputeQueryVariants(original).size(), 6u);
}

TEST(RobustVariantsTest, SmallTrimmedContentIsAlsoHashedUpscaled) {
  // An icon shrunk into a letterbox: its 90x60 content is hashed as is and upscaled to 512 wide.
  const LumaImage content = Picture(90, 60, 45);
  const LumaImage padded = Pad(content, 20, 30, 20, 30, 0.0f, 46);
  ASSERT_EQ(FindUniformBorders(padded), (TrimBox{20, 30, 110, 90}));
  RobustOptions o;
  o.reoriented = false;  // only trimmed hashes, in the DCT-trick orientations
  const auto variants = ComputeQueryVariants(padded, o);
  ASSERT_EQ(variants.size(), 2u * kDihedralCount);
  EXPECT_EQ(variants[0].hash, ComputePdq(content).hash);
  EXPECT_EQ(variants[kDihedralCount].hash, ComputePdq(UpscaleLuma(content, 512)).hash);
  for (std::size_t i = 0; i < variants.size(); ++i) {
    EXPECT_EQ(variants[i].match_kind, i < kDihedralCount ? "pdq-trimmed" : "pdq-trimmed-upscaled");
  }
  o.trimmed_upscale_side = 0;
  EXPECT_EQ(ComputeQueryVariants(padded, o).size(), static_cast<std::size_t>(kDihedralCount));
  // Opt-in for pictures without borders: "pdq-upscaled".
  o.upscale_side = 512;
  const auto plain = ComputeQueryVariants(content, o);
  ASSERT_EQ(plain.size(), static_cast<std::size_t>(kDihedralCount));
  EXPECT_EQ(plain[0].match_kind, "pdq-upscaled");
}

TEST(RobustVariantsTest, UpscaleIsBilinearOnPixelCentres) {
  const LumaImage im{2, 1, {0.0f, 100.0f}};
  const LumaImage up = UpscaleLuma(im, 4);
  ASSERT_EQ(up.width, 4);
  ASSERT_EQ(up.height, 2);
  // Source x = (x + 0.5) / 2 - 0.5, clamped: -0.25 -> 0, 0.25, 0.75, 1.25 -> 1.
  const float want[4] = {0.0f, 25.0f, 75.0f, 100.0f};
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 4; ++x) EXPECT_FLOAT_EQ(up.at(y, x), want[x]) << x;
  }
  EXPECT_EQ(UpscaleLuma(im, 2).pixels, im.pixels);  // already that large: a copy
}

TEST(RobustVariantsTest, AWideLetterboxIsTrimmedButASmallBlobIsNot) {
  // `content` at (x, y) on a width x height canvas of luma 10.
  auto place = [](const LumaImage& content, int width, int height, int x, int y) {
    LumaImage canvas{width, height, std::vector<float>(static_cast<std::size_t>(width) * height, 10.0f)};
    for (int r = 0; r < content.height; ++r) {
      for (int c = 0; c < content.width; ++c) canvas.pixels[static_cast<std::size_t>(y + r) * width + x + c] = content.at(r, c);
    }
    return canvas;
  };
  // A 280x60 panorama in a 300x300 square keeps 20% of the height (19% of the area): trimmed.
  EXPECT_EQ(FindUniformBorders(place(Picture(280, 60, 47), 300, 300, 10, 120)), (TrimBox{10, 120, 290, 180}));
  // A 40x40 blob on a blank 200x200 page (4% of the area) is not a border.
  EXPECT_EQ(FindUniformBorders(place(Picture(40, 40, 49), 200, 200, 80, 80)), (TrimBox{0, 0, 200, 200}));
}

}  // namespace
}  // namespace hashtriage::hashing
