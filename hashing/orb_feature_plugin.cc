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

std::vector<cv::KeyPoint> SpreadOut(std::vector<cv::KeyPoint> keypoints, int wanted, int width, int height) {
  constexpr int kCells = 8;
  std::stable_sort(keypoints.begin(), keypoints.end(),
                   [](const cv::KeyPoint& a, const cv::KeyPoint& b) { return a.response > b.response; });
  std::vector<int> rank(keypoints.size());  // how many stronger keypoints share its cell
  std::vector<int> in_cell(kCells * kCells, 0);
  for (std::size_t i = 0; i < keypoints.size(); ++i) {
    const int cx = std::clamp(static_cast<int>(keypoints[i].pt.x * kCells / std::max(width, 1)), 0, kCells - 1);
    const int cy = std::clamp(static_cast<int>(keypoints[i].pt.y * kCells / std::max(height, 1)), 0, kCells - 1);
    rank[i] = in_cell[static_cast<std::size_t>(cy * kCells + cx)]++;
  }
  std::vector<std::size_t> order(keypoints.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
  std::vector<cv::KeyPoint> kept;
  for (std::size_t i = 0; i < order.size() && static_cast<int>(kept.size()) < wanted; ++i) kept.push_back(keypoints[order[i]]);
  return kept;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int hashtriage_orb_detect(const unsigned char* grey, int width,
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
        cv::ORB::create(std::max(1, params->oversample) * max_features, 1.2f, std::max(1, params->pyramid_levels), 31, 0,
                        2, params->fast_score ? cv::ORB::FAST_SCORE : cv::ORB::HARRIS_SCORE, 31, 20);
    std::vector<cv::KeyPoint> keypoints;
    orb->detect(image, keypoints);
    keypoints = SpreadOut(std::move(keypoints), max_features, width, height);
    cv::Mat descriptors;
    orb->compute(image, keypoints, descriptors);
    const int n = std::min<int>(max_features, static_cast<int>(keypoints.size()));
    for (int i = 0; i < n && i < descriptors.rows; ++i) {
      const cv::KeyPoint& k = keypoints[static_cast<std::size_t>(i)];
      out[i] = HashtriageOrbFeature{k.pt.x, k.pt.y, k.size, k.angle, k.response, {}};
      std::memcpy(out[i].descriptor, descriptors.ptr(i), 32);
      *count = i + 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(error, 256, "ORB features: %s", e.what());
    return 1;
  }
}
