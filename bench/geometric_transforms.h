// Transform families for the geometric harness (issue 17): crops, rotations, insets into a larger
// picture, captions, stickers and chains of them, each with its parameters drawn at random from the
// issue's ranges, so nothing can be tuned to one parameter. Bench-only; pixels stay in memory.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace hashtriage::bench {

enum class Family { kCrop, kRotate, kInset, kCaption, kSticker, kChain };
inline constexpr Family kAllFamilies[] = {Family::kCrop,    Family::kRotate,  Family::kInset,
                                          Family::kCaption, Family::kSticker, Family::kChain};
const char* FamilyName(Family f);

struct Transformed {
  cv::Mat bgr;
  std::string description;  // the parameters drawn, e.g. "crop 12%x27% at (0.31, 0.80)"
};

// `bgr` transformed by a member of `family` drawn with `rng`:
// - crop: 3-30% of each side removed, split between its two ends at random (any anchor);
// - rotate: +-1-20 degrees about the centre, the canvas kept (corners black, white or cut to the
//   largest inscribed upright rectangle);
// - inset: scaled to 30-90% of a canvas's shorter side and placed anywhere on it; the canvas is a
//   generated screen (flat background, text lines, other shapes) a few times the picture's size;
// - caption: a bar of text (8-20% of the height) at the top, bottom or across the middle;
// - sticker: one to three filled shapes, together 3-15% of the area, anywhere;
// - chain: two or three of the above in random order.
Transformed ApplyFamily(Family family, const cv::Mat& bgr, std::mt19937_64& rng);

}  // namespace hashtriage::bench
