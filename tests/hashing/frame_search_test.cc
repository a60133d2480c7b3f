// Frame search (issue 7): an icon on black, shrunk and centred on a black square, has no visible
// frame; trimming finds only the subject, and the frame hypotheses restore the picture. Truth is the
// PDQ of the icon before it was letterboxed (and exact recomputation of the hypothesis it names).
#include "hashing/frame_search.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "hashing/image_decode.h"
#include "hashing/pdq.h"
#include "tests/test_support.h"

namespace hashtriage::hashing {
namespace {

// A 96x96 icon made from a test photo: its centred square shrunk to 96 px, black outside a centred disc that
// reaches no edge (an avatar on a black background).
LumaImage Icon(const std::string& photo) {
  const auto bytes = testing::ReadBytes(testing::TestDataDir() / "photos" / photo);
  auto decoded = DecodeImage(bytes);
  EXPECT_TRUE(decoded.ok()) << photo;
  if (!decoded.ok()) return {};
  const LumaImage& full = decoded->luma;
  const int side = std::min(full.width, full.height);
  const int left = (full.width - side) / 2, top = (full.height - side) / 2;
  LumaImage im = DownscaleLuma(CropLuma(full, {left, top, left + side, top + side}), 96);
  for (int y = 0; y < im.height; ++y) {
    for (int x = 0; x < im.width; ++x) {
      const double dx = x - (im.width - 1) / 2.0, dy = y - (im.height - 1) / 2.0;
      if (dx * dx + dy * dy > 38.0 * 38.0) im.pixels[static_cast<std::size_t>(y) * im.width + x] = 0.0f;
    }
  }
  return im;
}

// `picture` shrunk to `side` px and placed at (offset, offset) on a black square the picture's size.
LumaImage Letterbox(const LumaImage& picture, int side, int offset) {
  const LumaImage small = DownscaleLuma(picture, side);
  LumaImage canvas{picture.width, picture.height, std::vector<float>(picture.pixels.size(), 0.0f)};
  for (int y = 0; y < small.height; ++y) {
    for (int x = 0; x < small.width; ++x) {
      canvas.pixels[static_cast<std::size_t>(y + offset) * canvas.width + x + offset] = small.at(y, x);
    }
  }
  return canvas;
}

int BestDistance(const std::vector<PdqVariant>& variants, const PdqHash& truth, std::string_view kind) {
  int best = 257;
  for (const auto& v : variants) {
    if (kind.empty() || v.match_kind == kind) best = std::min(best, HammingDistance(v.hash, truth));
  }
  return best;
}

TEST(FrameSearchTest, AnIconWhoseFrameMergedWithTheLetterboxIsFoundByAFrameHypothesis) {
  for (const char* photo : {"skimage/astronaut.png", "skimage/coffee.png", "opencv/fruits.jpg"}) {
  SCOPED_TRACE(photo);
  const LumaImage icon = Icon(photo);
  ASSERT_EQ(icon.width, 96);
  ASSERT_EQ(icon.height, 96);
  const PdqHash truth = ComputePdq(icon).hash;
  // 67 px centred on 96: 29 px leftover, 14 before and 15 after (floor), or 15 and 14.
  for (const int offset : {14, 15}) {
    const LumaImage canvas = Letterbox(icon, 67, offset);
    const TrimBox box = FindUniformBorders(canvas);
    ASSERT_GT(box.left, offset + 2) << "trimming must find the disc, not the frame";
    const auto contrast = ContentEdgeContrast(canvas, box, TrimOptions{});
    for (const float c : contrast) EXPECT_LT(c, 0.5f);
    RobustOptions without;
    without.frame.max_frames = 0;
    const auto before = ComputeQueryVariants(canvas, without);
    EXPECT_EQ(BestDistance(before, truth, "pdq-frame"), 257);
    EXPECT_GT(std::min(BestDistance(before, truth, ""), HammingDistance(ComputePdq(canvas).hash, truth)), 31)
        << "without frame search the letterboxed icon is missed";
    const auto after = ComputeQueryVariants(canvas);
    EXPECT_LE(BestDistance(after, truth, "pdq-frame"), 31) << offset;
    // The true frame is among the hypotheses, hashed as stated: cropped and scaled back to the canvas.
    const PdqHash true_frame = ComputePdq(UpscaleLuma(CropLuma(canvas, {offset, offset, offset + 67, offset + 67}), 96)).hash;
    const auto frames = ComputeFrameHypotheses(canvas, box, TrimOptions{}, FrameSearchOptions{});
    EXPECT_NE(std::find(frames.begin(), frames.end(), true_frame), frames.end()) << offset;
    EXPECT_LE(HammingDistance(true_frame, truth), 31) << offset;
    EXPECT_LE(frames.size(), 2u * FrameSearchOptions{}.max_frames);
    for (const auto& v : after) {
      if (v.match_kind == "pdq-frame") {
        EXPECT_EQ(v.dihedral, Dihedral::kOriginal);
      }
    }
  }
  }
}

TEST(FrameSearchTest, NoHypothesesWhenThePictureEdgeIsVisibleOrTheBorderIsNotAllRound) {
  // A textured picture padded on all four sides: its edges are visible, trimming already found it.
  LumaImage padded{120, 120, std::vector<float>(120 * 120, 0.0f)};
  for (int y = 20; y < 100; ++y) {
    for (int x = 20; x < 100; ++x) {
      padded.pixels[static_cast<std::size_t>(y) * 120 + x] = static_cast<float>(60 + 25 * std::sin(x * 0.4) + 25 * std::cos(y * 0.3));
    }
  }
  const TrimBox box = FindUniformBorders(padded);
  ASSERT_EQ(box, (TrimBox{20, 20, 100, 100}));
  for (const float c : ContentEdgeContrast(padded, box, TrimOptions{})) EXPECT_GE(c, 0.5f);
  EXPECT_TRUE(ComputeFrameHypotheses(padded, box, TrimOptions{}, FrameSearchOptions{}).empty());
  // The icon letterboxed only left and right (a wide canvas) has no border above or below.
  const LumaImage icon = Icon("skimage/astronaut.png");
  ASSERT_EQ(icon.width, 96);
  LumaImage wide{140, 96, std::vector<float>(140 * 96, 0.0f)};
  for (int y = 0; y < 96; ++y) {
    for (int x = 0; x < 96; ++x) wide.pixels[static_cast<std::size_t>(y) * 140 + 22 + x] = icon.at(y, x);
  }
  EXPECT_TRUE(ComputeFrameHypotheses(wide, TrimBox{30, 0, 110, 96}, TrimOptions{}, FrameSearchOptions{}).empty());
  // Turned off.
  const LumaImage canvas = Letterbox(icon, 67, 14);
  FrameSearchOptions off;
  off.max_frames = 0;
  EXPECT_TRUE(ComputeFrameHypotheses(canvas, FindUniformBorders(canvas), TrimOptions{}, off).empty());
  EXPECT_FALSE(ComputeFrameHypotheses(canvas, FindUniformBorders(canvas), TrimOptions{}, FrameSearchOptions{}).empty());
}

TEST(FrameSearchTest, HypothesesAreCappedAndSpreadOverTheSizesThatFit) {
  // A large canvas: a 160 px disc in a 384 px square leaves over 200 sizes; at most max_frames are
  // hashed (each in up to two centrings).
  LumaImage canvas{384, 384, std::vector<float>(384 * 384, 0.0f)};
  for (int y = 0; y < 384; ++y) {
    for (int x = 0; x < 384; ++x) {
      const double dx = x - 191.5, dy = y - 191.5;
      if (dx * dx + dy * dy <= 80.0 * 80.0) {
        canvas.pixels[static_cast<std::size_t>(y) * 384 + x] = static_cast<float>(120 + 60 * std::sin(x * 0.05) * std::cos(y * 0.07));
      }
    }
  }
  FrameSearchOptions o;
  o.max_frames = 10;
  const auto frames = ComputeFrameHypotheses(canvas, FindUniformBorders(canvas), TrimOptions{}, o);
  EXPECT_GE(frames.size(), 10u);
  EXPECT_LE(frames.size(), 20u);
}

}  // namespace
}  // namespace hashtriage::hashing
