// Counting FAST corners of a picture strip by strip, stopping once enough are found: how the local-feature
// plugin (orb_feature_plugin.cc) tells a flat picture from one with plenty of corners without running
// the corner detector over the whole of a picture that has them. OpenCV types: included only by the
// plugin and its test.
#pragma once

#include <algorithm>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/features2d.hpp>

namespace hashtriage::hashing {

// Corners of `image` (8-bit grey) passing `threshold`, non-maximum suppressed, counted strip by strip
// until at least `enough` are found (the count may pass `enough` within the last strip). Each strip is
// given to FAST with 4 rows of the picture above and below it (3 for the corner test's circle, 1 for the
// neighbours' scores that suppression compares), and only corners in its own rows count, so the count
// of every strip read equals the whole picture's there: with `enough` out of reach it is cv::FAST's count.
inline long long CountFastCornersUpTo(const cv::Mat& image, int threshold, long long enough) {
  constexpr int kStripRows = 32;
  constexpr int kContextRows = 4;
  long long found = 0;
  std::vector<cv::KeyPoint> corners;
  for (int y0 = 0; y0 < image.rows && found < enough; y0 += kStripRows) {
    const int y1 = std::min(image.rows, y0 + kStripRows);
    const int top = std::max(0, y0 - kContextRows);
    corners.clear();
    cv::FAST(image.rowRange(top, std::min(image.rows, y1 + kContextRows)), corners, threshold, true);
    for (const cv::KeyPoint& c : corners) {
      const int y = top + static_cast<int>(c.pt.y);
      found += y >= y0 && y < y1;
    }
  }
  return found;
}

}  // namespace hashtriage::hashing
