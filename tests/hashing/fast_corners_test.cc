// The flat-picture rule's corner count (hashing/fast_corners.h), strip by strip, against cv::FAST over the
// whole picture: generated pictures of every kind of corner density, heights that do not divide into
// strips (down to 1 row), and the shared test photos.
#include "hashing/fast_corners.h"

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hashing/image_decode.h"
#include "tests/test_support.h"

namespace hashtriage::hashing {
namespace {

long long WholePictureCount(const cv::Mat& image, int threshold) {
  std::vector<cv::KeyPoint> corners;
  cv::FAST(image, corners, threshold, true);
  return static_cast<long long>(corners.size());
}

// Noise of a given contrast over a gradient, with a few filled rectangles (sharp corners) and blank rows.
cv::Mat Generated(std::mt19937& rng, int width, int height) {
  cv::Mat image(height, width, CV_8UC1);
  std::uniform_int_distribution<int> contrast(0, 60);
  const int c = contrast(rng);
  std::uniform_int_distribution<int> noise(-c, c);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      image.at<unsigned char>(y, x) = cv::saturate_cast<unsigned char>(100 + x * 50 / std::max(width, 1) + noise(rng));
    }
  }
  std::uniform_int_distribution<int> count(0, 12);
  for (int r = count(rng); r > 0; --r) {
    const int x0 = static_cast<int>(rng() % static_cast<unsigned>(width)), y0 = static_cast<int>(rng() % static_cast<unsigned>(height));
    const int x1 = std::min(width, x0 + 1 + static_cast<int>(rng() % 40)), y1 = std::min(height, y0 + 1 + static_cast<int>(rng() % 40));
    image(cv::Range(y0, y1), cv::Range(x0, x1)).setTo(static_cast<int>(rng() % 256));
  }
  return image;
}

TEST(FastCornersTest, StripByStripCountIsTheWholePicturesCount) {
  std::mt19937 rng(20261207);
  int pictures = 0;
  for (int round = 0; round < 300; ++round) {
    const int width = 1 + static_cast<int>(rng() % 400);
    const int height = round < 40 ? 1 + round : 1 + static_cast<int>(rng() % 400);  // 1..40 rows first
    const cv::Mat image = Generated(rng, width, height);
    for (const int threshold : {10, 20}) {
      const long long whole = WholePictureCount(image, threshold);
      ASSERT_EQ(CountFastCornersUpTo(image, threshold, 1LL << 40), whole)
          << width << "x" << height << " threshold " << threshold;
      // Stopping early: at least `enough` exactly when the picture holds that many, never more than it holds.
      for (const long long enough : {1LL, whole / 2, whole, whole + 1}) {
        const long long counted = CountFastCornersUpTo(image, threshold, enough);
        EXPECT_EQ(counted >= enough, whole >= enough) << width << "x" << height << " enough " << enough;
        EXPECT_LE(counted, whole);
      }
    }
    ++pictures;
  }
  EXPECT_EQ(pictures, 300);
}

TEST(FastCornersTest, SharedTestPhotosCountAsAWhole) {
  int photos = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::TestDataDir() / "photos")) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".jpg" && ext != ".png")) continue;
    DecodeOptions full;
    full.min_short_side = 0;
    const auto decoded = DecodeImage(testing::ReadBytes(entry.path()), full);
    ASSERT_TRUE(decoded.ok()) << entry.path() << ": " << decoded.status().ToString();
    cv::Mat image(decoded->luma.height, decoded->luma.width, CV_8UC1);
    for (int y = 0; y < image.rows; ++y) {
      for (int x = 0; x < image.cols; ++x) {
        image.at<unsigned char>(y, x) =
            cv::saturate_cast<unsigned char>(decoded->luma.pixels[static_cast<std::size_t>(y) * image.cols + x] + 0.5f);
      }
    }
    EXPECT_EQ(CountFastCornersUpTo(image, 20, 1LL << 40), WholePictureCount(image, 20)) << entry.path();
    ++photos;
  }
  EXPECT_EQ(photos, 142) << "the shared test photos (116 JPEG, 26 PNG; testdata/README.md) were not all found";
}

}  // namespace
}  // namespace hashtriage::hashing
