// The local-feature plugin: OpenCV's ORB (oriented FAST keypoints, rotated BRIEF descriptors) behind
// the C interface of orb_feature_plugin.h. One detector per call: calls may come from several threads.
#include "hashing/orb_feature_plugin.h"

#include "hashing/fast_corners.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/features2d.hpp>

namespace {

// Indices of at most `wanted` keypoints, spread over the picture: the strongest of every cell of an
// 8 x 8 grid first, then the second strongest of each, and so on.
std::vector<std::size_t> SpreadOut(const std::vector<cv::KeyPoint>& keypoints, int wanted, int width, int height) {
  constexpr int kCells = 8;
  std::vector<std::size_t> by_strength(keypoints.size());
  for (std::size_t i = 0; i < by_strength.size(); ++i) by_strength[i] = i;
  std::stable_sort(by_strength.begin(), by_strength.end(),
                   [&](std::size_t a, std::size_t b) { return keypoints[a].response > keypoints[b].response; });
  std::vector<int> rank(keypoints.size());  // how many stronger keypoints share its cell
  std::vector<int> in_cell(kCells * kCells, 0);
  for (const std::size_t i : by_strength) {
    const int cx = std::clamp(static_cast<int>(keypoints[i].pt.x * kCells / std::max(width, 1)), 0, kCells - 1);
    const int cy = std::clamp(static_cast<int>(keypoints[i].pt.y * kCells / std::max(height, 1)), 0, kCells - 1);
    rank[i] = in_cell[static_cast<std::size_t>(cy * kCells + cx)]++;
  }
  std::stable_sort(by_strength.begin(), by_strength.end(), [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
  if (by_strength.size() > static_cast<std::size_t>(wanted)) by_strength.resize(static_cast<std::size_t>(wanted));
  return by_strength;
}

// FAST's corner threshold (the least brightness difference around a keypoint). OpenCV's default of 20
// left flat pictures (a sunset sky, a smooth fruit on a plain ground, an icon enlarged from 96 px) with a
// few dozen keypoints, mostly in noise that re-encoding changes: 2 of the 18 queries of one such photo
// found it. Where fewer corners pass 20 than half the description's keypoint budget, the weaker corners of
// threshold 10 are described as well. Decided per description, each against its own budget (the query:
// 1,500 at 640 px; each library view: 500). Descriptions taking threshold 10, by the query's / the
// library's 640, 320 and 160 px views: 1,000 camera-roll photos of bench/image_cost_bench 31% / 15%, 19%,
// 45%; the 142 shared test photos 37% / 25%, 17%, 44%; the ~1,000 Debian pictures of the large set 83% /
// 58%, 53%, 72%.
// Chosen on the tuning half of bench/geometric_bench (--half tuning --per-family 3, 2026-12-07, the
// build of 06f5ba5 with this plugin's variants): all families 95.5% -> 97.9%; both sides are needed
// (96.1% with the library's views alone, 96.2% with the query's alone); repeating the whole detection
// where too few keypoints came back, instead of counting corners first, also 97.9%; threshold 5 98.0%;
// a cut at a quarter of the budget or all of it 97.7%, 98.0%; distinct pairs still at most 5 inliers.
constexpr int kFastThreshold = 20;
constexpr int kFlatPictureFastThreshold = 10;

// Counting strip by strip (fast_corners.h) stops early on a picture with plenty of corners: 0.53 -> 0.22 ms
// a description (1,326 views of camera and test photos, one thread, 2026-12-07), same decisions.
int FastThresholdFor(const cv::Mat& image, int max_features) {
  const long long half_budget = (static_cast<long long>(max_features) + 1) / 2;  // fewer than max_features / 2
  return hashtriage::hashing::CountFastCornersUpTo(image, kFastThreshold, half_budget) < half_budget
             ? kFlatPictureFastThreshold
             : kFastThreshold;
}

// Describes the keypoints kept (`kept`: indices into `detected`, in spread order) and writes them to
// `out` in that order; returns how many. Detecting, then describing only those (the pyramid is built
// twice), costs less than describing every keypoint detected: camera-roll photos of bench/image_cost_bench
// at 640 px, the query's settings, 3.32 -> 3.00 ms at FAST threshold 20 and 4.85 -> 4.25 ms at 10 (150
// photos, one thread, 2026-12-07). The features are the same, byte for byte and in the same order (4,976
// descriptions: the large false-positive set, 100 camera photos and the shared test photos, at every
// library view's settings and the query's). `compute` returns keypoints grouped by pyramid level and
// drops any within its border of the picture (none that `detect` found), so each carries its place in
// the spread order (class_id) to be put back in it; a dropped one is left out.
int DescribeInSpreadOrder(cv::ORB& orb, const cv::Mat& image, const std::vector<cv::KeyPoint>& detected,
                          const std::vector<std::size_t>& kept, HashtriageOrbFeature* out) {
  std::vector<cv::KeyPoint> keypoints;
  keypoints.reserve(kept.size());
  for (const std::size_t i : kept) {
    keypoints.push_back(detected[i]);
    keypoints.back().class_id = static_cast<int>(keypoints.size() - 1);
  }
  cv::Mat descriptors;
  orb.compute(image, keypoints, descriptors);
  std::vector<int> row_of(kept.size(), -1);  // place in spread order -> descriptor row
  for (std::size_t row = 0; row < keypoints.size() && row < static_cast<std::size_t>(descriptors.rows); ++row) {
    const int place = keypoints[row].class_id;
    if (place >= 0 && static_cast<std::size_t>(place) < row_of.size()) row_of[static_cast<std::size_t>(place)] = static_cast<int>(row);
  }
  int count = 0;
  for (const int row : row_of) {
    if (row < 0) continue;
    const cv::KeyPoint& k = keypoints[static_cast<std::size_t>(row)];
    out[count] = HashtriageOrbFeature{k.pt.x, k.pt.y, k.size, k.angle, k.response, {}};
    std::memcpy(out[count].descriptor, descriptors.ptr(row), 32);
    ++count;
  }
  return count;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int hashtriage_orb_detect_v2(const unsigned char* grey, int width,
                                                                            int height, std::size_t stride,
                                                                            const HashtriageOrbParams* params,
                                                                            HashtriageOrbFeature* out,
                                                                            int* count, char* error) {
  *count = 0;
  try {
    static const bool one_thread = [] {
      cv::setNumThreads(1);  // the scan's workers are the parallelism (set once: resetting it rebuilds the pool)
      return true;
    }();
    (void)one_thread;
    const cv::Mat image(height, width, CV_8UC1, const_cast<unsigned char*>(grey), stride);
    // Detect more keypoints than wanted, then keep them spread over the picture (a grid of 8 x 8 cells,
    // the strongest of each cell first): text and sharp shapes around a picture inset in a screenshot
    // would otherwise take the whole budget.
    const int max_features = params->max_features;
    const int threshold = FastThresholdFor(image, max_features);
    cv::Ptr<cv::ORB> orb =
        cv::ORB::create(std::max(1, params->oversample) * max_features, std::max(1.01f, params->pyramid_scale),
                        std::max(1, params->pyramid_levels), 31, 0,
                        2, params->fast_score ? cv::ORB::FAST_SCORE : cv::ORB::HARRIS_SCORE, 31, threshold);
    std::vector<cv::KeyPoint> detected;
    orb->detect(image, detected);
    *count = DescribeInSpreadOrder(*orb, image, detected, SpreadOut(detected, max_features, width, height), out);
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(error, 256, "ORB features: %s", e.what());
    return 1;
  }
}
