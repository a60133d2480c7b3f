// Local features: what library mode's geometric stage compares. ORB keypoints (centre, patch size,
// orientation) with their 256-bit binary descriptors, computed on the luma reduced to a fixed working
// size. Unlike one PDQ of the whole picture, they survive any crop, rotation or inset that leaves part of
// the picture visible. Positions and descriptors only, never pixels (40 bytes a feature).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hashing/luma_image.h"
#include "hashing/status.h"

namespace hashtriage::hashing {

struct LocalFeature {
  float x = 0;      // centre, pixels of the working image
  float y = 0;
  float size = 0;   // diameter of the described patch, pixels
  float angle = 0;  // orientation, degrees in [0, 360)
  std::array<std::uint64_t, 4> descriptor{};
};

struct LocalFeatures {
  int width = 0;  // the working image the coordinates refer to
  int height = 0;
  std::vector<LocalFeature> features;
};

struct LocalFeatureOptions {
  int working_side = 640;  // the longer side is reduced to this by area averaging
  int min_side = 320;      // a picture whose longer side is under this is enlarged to it (bilinear): ORB
                           // describes 31-pixel patches and ignores a 31-pixel margin, which left an icon of
                           // 96 pixels almost nothing to describe
  int max_features = 500;  // the strongest keypoints kept, spread over the picture
  int pyramid_levels = 8;     // scales searched
  float pyramid_scale = 1.2f; // each level this many times smaller than the last
  int oversample = 4;      // keypoints detected per one kept, before they are spread over the picture
  bool fast_score = false; // rank by FAST score instead of the (costlier) Harris measure
};

// What a scanned picture is described with: one view, longer side 640 px, the 1,500 strongest
// keypoints spread over it (a picture inset in a screenshot shares the budget with the screen around it:
// tuning half, insets 87% with 1,000, 92% with 1,500), ranked by FAST score, from three pyramid levels
// 1.5 times apart. The library's views and their eight levels already cover a known picture shown
// smaller; the query's own levels are needed only for one shown larger (a deep crop, a rotation cut to
// its inner rectangle, both: up to ~2x), and every level takes its share of the budget from the finest,
// where a small inset lives. Tuning half, all families (insets): eight levels 1.2 apart with Harris
// ranking 95.4% (88.7%) at 5.4 ms of CPU; with FAST ranking 93.7% (82.6%); three levels 1.2 apart 95.2%
// (90.1%) at 3.3 ms; three 1.3, 1.4, 1.5 or 1.7 apart 95.3-95.5% (91.1-92.0%); one level 91.9%.
LocalFeatureOptions QueryFeatureOptions();
// What a library picture is described with: views with longer sides of 640, 320 and 160 px (the smaller
// ones only where the picture is larger), 500 keypoints each. A picture shown at a third of its size in
// a screenshot keeps too few keypoints at ORB's finest scales to match a single 640 px view (tuning
// half: insets 58% with one view, 75% with three).
std::vector<LocalFeatureOptions> LibraryViewOptions();

// ORB features of `luma` (through the hashtriage_orb_features plugin). An image too small or too flat
// to hold keypoints gives an empty list; only a missing plugin is an error.
Result<LocalFeatures> ComputeLocalFeatures(const LumaImage& luma, const LocalFeatureOptions& options = {});

// A library picture's views (LibraryViewOptions), the smaller ones only where the picture is larger.
Result<std::vector<LocalFeatures>> ComputeLibraryViews(const LumaImage& luma);

inline int DescriptorDistance(const std::array<std::uint64_t, 4>& a, const std::array<std::uint64_t, 4>& b) {
  int d = 0;
  for (std::size_t i = 0; i < 4; ++i) d += __builtin_popcountll(a[i] ^ b[i]);
  return d;
}
inline int DescriptorDistance(const LocalFeature& a, const LocalFeature& b) {
  return DescriptorDistance(a.descriptor, b.descriptor);
}

}  // namespace hashtriage::hashing
