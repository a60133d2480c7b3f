// The local-feature plugin: OpenCV's ORB (oriented FAST keypoints, rotated BRIEF descriptors) behind
// the C interface of orb_feature_plugin.h. One detector per call: calls may come from several threads.
#include "hashing/orb_feature_plugin.h"

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
    cv::Ptr<cv::ORB> orb =
        cv::ORB::create(std::max(1, params->oversample) * max_features, std::max(1.01f, params->pyramid_scale),
                        std::max(1, params->pyramid_levels), 31, 0,
                        2, params->fast_score ? cv::ORB::FAST_SCORE : cv::ORB::HARRIS_SCORE, 31, 20);
    // One pass computes every keypoint's descriptor (detect, then compute, built the pyramid twice).
    std::vector<cv::KeyPoint> keypoints;
    cv::Mat descriptors;
    orb->detectAndCompute(image, cv::noArray(), keypoints, descriptors);
    if (static_cast<std::size_t>(descriptors.rows) != keypoints.size()) {
      std::snprintf(error, 256, "ORB features: %d descriptors for %zu keypoints", descriptors.rows, keypoints.size());
      return 1;
    }
    const std::vector<std::size_t> kept = SpreadOut(keypoints, max_features, width, height);
    for (std::size_t i = 0; i < kept.size(); ++i) {
      const cv::KeyPoint& k = keypoints[kept[i]];
      out[*count] = HashtriageOrbFeature{k.pt.x, k.pt.y, k.size, k.angle, k.response, {}};
      std::memcpy(out[*count].descriptor, descriptors.ptr(static_cast<int>(kept[i])), 32);
      ++*count;
    }
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(error, 256, "ORB features: %s", e.what());
    return 1;
  }
}
